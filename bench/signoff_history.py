"""Sign-off history benchmark: `baomi status` on a portal of 2,000+ pages with a long history,
as CI runs it on every pull request.

The portal's policy is `authors: signed`: a listed drafter signs every commit (1 to 3 pages
each) and, after every four of them, the deputy clears what changed with a sealed sign-off
(made as `baomi sign` makes it). The floor is git's own listing of the same history with
signature status (`git log --format=%H%G?%GF --name-only`, every signature checked against the
signers). Measured: `status` cold (no caches at all), warm (second run), and after one more
commit on top of a warm run (its extra time against the warm run, and `baomi check` of the
changed file).

    .venv/bin/python bench/signoff_history.py [--commits 5000] [--repeat 3]

The repository is built once in bench/history-out/ (two minutes: every commit is SSH-signed)
and reused while its parameters are the same. Figures go to bench/history-out/signoff_history.json."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import BAOMI, ROOT, article, sentences, timed

from screen import sshsig
from screen.signoff.message import SignOffMessage, cleared_for, format_message, payload

HOME = ROOT / "bench" / "history-out"  # not under bench/out/, which bench/run.py starts afresh
PEOPLE = {"zhang": ("张小文", "drafter"), "wang": ("王建国", "deputy"), "li": ("李明", "principal")}
POLICY = """schema_version: 1
require:
  default: [deputy]
  important: [deputy, principal]
  config: [principal]
  rules: [principal]
authors: signed
"""


def _git(cwd: Path, who: str, keys: Path, *args: str, stdin: str | None = None) -> str:
    name, _ = PEOPLE[who]
    options = ["-c", f"user.name={name}", "-c", f"user.email={who}@qingxi.gov.cn", "-c", "gpg.format=ssh"]
    options += ["-c", f"user.signingkey={keys / who}.pub", "-c", "core.quotePath=false"]
    done = subprocess.run(
        ["git", *options, *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args[:3])}: {done.stderr}")
    return done.stdout.strip()


def _signers(keys: Path) -> str:
    lines = ["schema_version: 1", "signers:"]
    for who, (name, role) in PEOPLE.items():
        key = (keys / f"{who}.pub").read_text(encoding="utf-8").strip()
        lines += [f"  - id: {who}", f"    name: {name}", f"    email: {who}@qingxi.gov.cn"]
        lines += [f"    roles: [{role}]", f'    keys: ["{key}"]']
    return "\n".join(lines) + "\n"


def _signoff(portal: Path, keys: Path, who: str, paths: list[str]) -> None:
    head = _git(portal, who, keys, "rev-parse", "HEAD")
    message = SignOffMessage(
        cleared=tuple(cleared_for(p, (portal / p).read_bytes()) for p in paths),
        rules_fingerprint="sha256:" + "0" * 64,
        waivers=(),
        comment="经审核，同意公开。",
        parent=head,
    )
    sealed = replace(message, seal=sshsig.seal(payload(message), str(keys / who)))
    _git(portal, who, keys, "commit", "-q", "--allow-empty", "-S", "-F", "-", stdin=format_message(sealed))


def build(commits: int, pages: int) -> Path:
    """The portal and its history (reused when built with the same parameters)."""
    marker = HOME / "built.json"
    wanted = {"commits": commits, "pages": pages}
    portal, keys = HOME / "portal", HOME / "keys"
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        return portal
    shutil.rmtree(HOME, ignore_errors=True)
    (portal / "content").mkdir(parents=True)
    keys.mkdir(parents=True)
    for who in PEOPLE:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(keys / who)], check=True
        )
        (keys / who).chmod(0o600)
    rng, pool = random.Random(20261206), sentences()
    for number in range(1, pages + 1):
        folder = portal / "content" / f"section{number % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"page{number:05d}.md").write_bytes(article(rng, pool, number, []).encode("utf-8"))
    shutil.copytree(ROOT / "rules", portal / "rules", dirs_exist_ok=True)
    (portal / "rules" / "signers.yml").write_text(_signers(keys), encoding="utf-8")
    (portal / "rules" / "policy.yml").write_text(POLICY, encoding="utf-8")
    (portal / "mkdocs.yml").write_text("site_name: 青溪县\ndocs_dir: content\n", encoding="utf-8")
    _git(portal, "zhang", keys, "init", "-q", "-b", "main")
    _git(portal, "zhang", keys, "add", "-A")
    _git(portal, "zhang", keys, "commit", "-q", "-S", "-m", "门户初始化")
    files = sorted(
        p.relative_to(portal).as_posix() for p in portal.rglob("*") if p.is_file() and ".git" not in p.parts
    )
    _signoff(portal, keys, "li", [f for f in files if f.startswith("rules/") or f == "mkdocs.yml"])
    _signoff(portal, keys, "wang", [f for f in files if f.startswith("content/")])
    names = [f for f in files if f.startswith("content/")]
    made, pending = 3, []
    while made < commits:
        if len(pending) >= 4 or made + 1 == commits:
            _signoff(portal, keys, "wang", sorted(set(pending)))
            pending = []
        else:
            chosen = rng.sample(names, rng.randint(1, 3))
            for name in chosen:
                with (portal / name).open("a", encoding="utf-8") as handle:
                    handle.write(f"\n第{made}次修订：{rng.choice(pool)}\n")
            _git(portal, "zhang", keys, "commit", "-q", "-S", "-am", f"修订 {made}")
            pending += chosen
        made += 1
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return portal


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    portal = build(options.commits, options.pages)
    keys = HOME / "keys"
    allowed = HOME / "allowed_signers"
    allowed.write_text(
        "".join(f"{who} {(keys / f'{who}.pub').read_text(encoding='utf-8').strip()}\n" for who in PEOPLE),
        encoding="utf-8",
    )
    cache = HOME / "cache"
    env = dict(os.environ, BAOMI_FINGERPRINT_KEY="bench-key-0123456789abcdef", PYTHONPATH=str(ROOT))
    env["BAOMI_CACHE_DIR"] = str(cache)
    listing = [
        "git",
        "-c",
        f"gpg.ssh.allowedSignersFile={allowed}",
        "log",
        "--format=%H %G? %GF",
        "--name-only",
    ]
    floor = statistics.median(timed(listing, env, portal)[0] for _ in range(options.repeat))
    status = [*BAOMI, "status", "--format", "json"]

    def cold() -> float:
        shutil.rmtree(cache, ignore_errors=True)
        return timed(status, env, portal)[0]

    status_cold = statistics.median(cold() for _ in range(options.repeat))
    status_warm = statistics.median(timed(status, env, portal)[0] for _ in range(options.repeat))
    page = sorted((portal / "content").rglob("*.md"))[11]
    name = page.relative_to(portal).as_posix()
    added, check = [], []
    for n in range(options.repeat):
        with page.open("a", encoding="utf-8") as handle:
            handle.write(f"\n基准补充 {n}。\n")
        _git(portal, "zhang", keys, "commit", "-q", "-S", "-am", f"基准补充 {n}")
        added.append(timed(status, env, portal)[0])
        check.append(timed([*BAOMI, "check", name], env, portal)[0])
        _git(portal, "zhang", keys, "reset", "-q", "--hard", "HEAD~1")
    timed(status, env, portal)  # warm again for the next figures
    results = {
        "pages": options.pages,
        "commits": options.commits,
        "git_signature_listing_seconds": round(floor, 2),
        "status_cold_seconds": round(status_cold, 2),
        "status_cold_over_floor": round(status_cold / floor, 2),
        "status_warm_seconds": round(status_warm, 2),
        "status_warm_over_floor": round(status_warm / floor, 2),
        "status_after_one_commit_seconds": round(statistics.median(added), 2),
        "check_of_that_file_seconds": round(statistics.median(check), 2),
        # what one more commit costs a warm status, against what checking that one file costs
        "one_commit_extra_over_warm_seconds": round(statistics.median(added) - status_warm, 2),
    }
    (HOME / "signoff_history.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for key, value in results.items():
        print(f"{key:36} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
