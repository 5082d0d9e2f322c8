"""Publishing cost: `baomi publish` of a portal against a plain `mkdocs build` of the same pages
without the baomi plugin (the floor: what MkDocs + Material cost anyway), at 500 and 2,000 pages
of real Chinese prose. Search (with jieba) is on in both builds. Every page is signed: the
history holds one sign-off per 10 pages (sealed and SSH-signed as `baomi sign` makes them, with
the demo keys). `publish` runs with a cold findings cache (emptied before each run) and a warm
one (kept from the run before).

    .venv/bin/python bench/publish.py [--pages 500 2000] [--repeat 3]

Each measurement is a fresh process; medians, and the peak RSS of that process. Figures go to
bench/out/publish.json."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import BAOMI, OUT, ROOT, article, sentences, timed

from screen import sshsig
from screen.packaged import installed, lock_text
from screen.signoff.message import SignOffMessage, cleared_for, format_message, payload

KEYS = ROOT / "tests" / "demo-keys"
LEADERS = {
    "wang": ("王建国", "wang@qingxi.gov.cn", "deputy"),
    "li": ("李明", "li@qingxi.gov.cn", "principal"),
}
MKDOCS = """\
site_name: 青溪县人民政府门户网站
docs_dir: {docs}
theme:
  name: material
  language: zh
  font: false
plugins:
  - search:
      lang: zh
      separator: '[\\s\\u200b\\-]'
{baomi}"""


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


def as_leader(who: str, keys: Path) -> list[str]:
    name, email, _ = LEADERS[who]
    return ["-c", f"user.name={name}", "-c", f"user.email={email}", "-c", "gpg.format=ssh",
            "-c", f"user.signingkey={keys / who}_ed25519.pub"]  # fmt: skip


def sign_by_hand(root: Path, keys: Path, who: str, paths: list[str]) -> None:
    """A sign-off commit as `baomi sign` makes it: sealed in the baomi namespace, SSH-signed."""
    head = git(root, "rev-parse", "HEAD")
    message = SignOffMessage(
        cleared=tuple(cleared_for(p, (root / p).read_bytes()) for p in paths),
        rules_fingerprint="sha256:" + "0" * 64,
        waivers=(),
        parent=head,
    )
    sealed = SignOffMessage(
        cleared=message.cleared,
        rules_fingerprint=message.rules_fingerprint,
        waivers=(),
        parent=head,
        seal=sshsig.seal(payload(message), str(keys / f"{who}_ed25519")),
    )
    git(root, *as_leader(who, keys), "commit", "-q", "--allow-empty", "-S", "-m", format_message(sealed))


def make_portal(pages: int, keys: Path) -> Path:
    root = OUT / f"publish-{pages}"
    shutil.rmtree(root, ignore_errors=True)
    content = root / "content"
    content.mkdir(parents=True)
    rng, pool = random.Random(20261206), sentences()
    names = []
    for number in range(1, pages + 1):
        folder = content / f"section{number % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"page{number:05d}.md").write_text(article(rng, pool, number, []), encoding="utf-8")
        names.append(f"content/section{number % 20:02d}/page{number:05d}.md")
    (content / "index.md").write_text("# 青溪县人民政府\n\n欢迎访问。\n", encoding="utf-8")
    names.append("content/index.md")
    rules = root / "rules"
    shutil.copytree(ROOT / "rules" / "terms", rules / "terms")
    (rules / "packaged.lock").write_text(lock_text(installed()), encoding="utf-8")
    signers = ["schema_version: 1", "signers:"]
    for who, (name, email, role) in LEADERS.items():
        key = (keys / f"{who}_ed25519.pub").read_text(encoding="utf-8").strip()
        signers += [f"  - id: {who}", f"    name: {name}", f"    email: {email}", f"    roles: [{role}]",
                    f'    keys: ["{key}"]']  # fmt: skip
    (rules / "signers.yml").write_text("\n".join(signers) + "\n", encoding="utf-8")
    (rules / "policy.yml").write_text(
        "schema_version: 1\nrequire:\n  default: [deputy]\n  important: [deputy, principal]\n"
        "  config: [principal]\n  rules: [principal]\ncovers:\n  principal: [deputy]\n",
        encoding="utf-8",
    )
    (root / "mkdocs.yml").write_text(MKDOCS.format(docs="content", baomi="  - baomi\n"), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(
        root, "-c", "user.name=撰稿人", "-c", "user.email=drafter@qingxi.gov.cn", "commit", "-q", "-m", "门户"
    )
    config = ["mkdocs.yml", *sorted(str(p.relative_to(root)) for p in rules.rglob("*") if p.is_file())]
    sign_by_hand(root, keys, "li", config)
    sign_by_hand(root, keys, "wang", ["mkdocs.yml"])
    for start in range(0, len(names), 10):
        sign_by_hand(root, keys, "wang", names[start : start + 10])
    return root


def cold(cache: Path, env: dict[str, str], root: Path) -> tuple[float, int, int]:
    """`baomi publish` with an empty findings and rules cache."""
    shutil.rmtree(cache, ignore_errors=True)
    return timed([*BAOMI, "publish"], env, root)


def median(runs: list[tuple[float, int, int]]) -> tuple[float, float]:
    assert all(code == 0 for _, code, _ in runs), runs
    return statistics.median(r[0] for r in runs), max(r[2] for r in runs) / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    keys = Path(tempfile.mkdtemp(prefix="baomi-keys-"))
    for path in KEYS.glob("*_ed25519*"):
        shutil.copy(path, keys / path.name)
        (keys / path.name).chmod(0o600)
    figures: dict[str, dict[str, float]] = {}
    for pages in options.pages:
        root = make_portal(pages, keys)
        cache = root.parent / f"publish-{pages}-cache"
        env = {k: v for k, v in os.environ.items() if not k.startswith("BAOMI_")}
        env.update(PYTHONPATH=str(ROOT), BAOMI_CACHE_DIR=str(cache), NO_MKDOCS_2_WARNING="1",
                   BAOMI_FINGERPRINT_KEY="bench-key-0123456789abcdef")  # fmt: skip
        plain = root.parent / f"publish-{pages}-plain.yml"
        plain.write_text(MKDOCS.format(docs=root / "content", baomi=""), encoding="utf-8")
        mkdocs = [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(plain), "-d"]
        floor = median(
            [timed([*mkdocs, str(root.parent / "plain-site")], env, root) for _ in range(options.repeat)]
        )

        cold_runs = median([cold(cache, env, root) for _ in range(options.repeat)])
        warm_runs = median([timed([*BAOMI, "publish"], env, root) for _ in range(options.repeat)])
        built = sum(1 for _ in (root / "site").rglob("index.html"))
        figures[str(pages)] = {
            "floor_s": floor[0],
            "floor_rss_mb": floor[1],
            "cold_s": cold_runs[0],
            "cold_rss_mb": cold_runs[1],
            "warm_s": warm_runs[0],
            "warm_rss_mb": warm_runs[1],
            "pages_built": built,
        }
        f = figures[str(pages)]
        print(
            f"{pages} pages: plain mkdocs build {f['floor_s']:.2f} s ({f['floor_rss_mb']:.0f} MB); "
            f"publish cold {f['cold_s']:.2f} s ({f['cold_s'] / f['floor_s']:.2f}×, "
            f"{f['cold_rss_mb']:.0f} MB), warm {f['warm_s']:.2f} s ({f['warm_s'] / f['floor_s']:.2f}×, "
            f"{f['warm_rss_mb']:.0f} MB); "
            f"{built} pages built"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "publish.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(keys, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
