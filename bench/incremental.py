"""Incremental screening benchmark: a portal of 2,000+ articles in a git repository, one file
changed on a branch; `baomi check --since main` and cached full checks against a cold full check.
Then the history audit: a branch of 20 commits editing 5 pages each, `baomi history` over all
refs without and with the findings cache, and `baomi history --since main` (what the branch adds);
and `baomi status` of every file (screening plus the sign-off history) without and with the cache;
`baomi report` over the whole history without and with the cache, and `baomi log` of one page.

    .venv/bin/python bench/incremental.py [--mb 20]

Each measurement is a fresh process (startup included). Figures go to bench/out/incremental.json."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BAOMI, OUT, ROOT, build, timed


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.gov.cn", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    corpus, _, _ = build(options.mb, 1000)
    portal = corpus.parent
    shutil.rmtree(portal / "rules", ignore_errors=True)
    shutil.copytree(ROOT / "rules", portal / "rules")
    git(portal, "init", "-q", "-b", "main")
    git(portal, "add", "-A")
    git(portal, "commit", "-q", "-m", "portal")
    git(portal, "checkout", "-q", "-b", "change")
    page = sorted(corpus.rglob("*.md"))[7]
    page.write_text(page.read_text(encoding="utf-8") + "\n补充说明一段。\n", encoding="utf-8")
    git(portal, "commit", "-q", "-am", "one page")
    files = sum(1 for _ in corpus.rglob("*.md"))
    size = sum(p.stat().st_size for p in corpus.rglob("*.md"))
    base = dict(os.environ, BAOMI_FINGERPRINT_KEY="bench-key-0123456789abcdef", PYTHONPATH=str(ROOT))
    check = [*BAOMI, "check", "--format", "json", "--jobs", "2"]

    def cold() -> float:
        cache = OUT / "incremental-cache"
        shutil.rmtree(cache, ignore_errors=True)
        env = dict(base, BAOMI_CACHE_DIR=str(cache))
        timed(check, env, portal)  # warm the rules cache, as on any machine that ran baomi before
        (cache / "findings-v1.sqlite").unlink()  # but no findings are remembered
        return timed(check, env, portal)[0]

    env = dict(base, BAOMI_CACHE_DIR=str(OUT / "incremental-cache"))
    full_cold = statistics.median(cold() for _ in range(options.repeat))
    since = statistics.median(
        timed([*check, "--since", "main"], env, portal)[0] for _ in range(options.repeat)
    )
    git(portal, "checkout", "-q", "main")
    timed(check, env, portal)  # cache the whole of main
    git(portal, "checkout", "-q", "change")
    one_changed = timed(check, env, portal)[0]  # the first run after a one-file change
    unchanged = statistics.median(timed(check, env, portal)[0] for _ in range(options.repeat))
    history = [*BAOMI, "history", "--format", "json", "--jobs", "2"]
    git(portal, "checkout", "-q", "-b", "edits", "main")
    pages = sorted(corpus.rglob("*.md"))
    for n in range(20):
        for page in pages[n * 97 % len(pages) :][:5]:
            page.write_text(page.read_text(encoding="utf-8") + f"\n第{n}次修订。\n", encoding="utf-8")
        git(portal, "commit", "-q", "-am", f"edit {n}")

    def history_cold(*extra: str) -> float:
        (OUT / "incremental-cache" / "findings-v1.sqlite").unlink(missing_ok=True)
        return timed([*history, *extra], env, portal)[0]

    def versions(*extra: str) -> int:
        done = subprocess.run([*history, *extra], env=env, cwd=portal, capture_output=True, check=False)
        return int(json.loads(done.stdout)["versions_scanned"])

    history_full = statistics.median(history_cold() for _ in range(options.repeat))
    history_warm = statistics.median(timed(history, env, portal)[0] for _ in range(options.repeat))
    history_since = statistics.median(history_cold("--since", "main") for _ in range(options.repeat))
    status = [*BAOMI, "status", "--format", "json"]

    def status_cold() -> float:
        (OUT / "incremental-cache" / "findings-v1.sqlite").unlink(missing_ok=True)
        return timed(status, env, portal)[0]

    status_full = statistics.median(status_cold() for _ in range(options.repeat))
    status_warm = statistics.median(timed(status, env, portal)[0] for _ in range(options.repeat))
    report = [*BAOMI, "report", "--format", "json"]

    def report_cold() -> float:
        (OUT / "incremental-cache" / "findings-v1.sqlite").unlink(missing_ok=True)
        return timed(report, env, portal)[0]

    report_full = statistics.median(report_cold() for _ in range(options.repeat))
    report_warm = statistics.median(timed(report, env, portal)[0] for _ in range(options.repeat))
    trail = [*BAOMI, "log", pages[0].relative_to(portal).as_posix()]
    trail_seconds = statistics.median(timed(trail, env, portal)[0] for _ in range(options.repeat))
    results = {
        "files": files,
        "corpus_mb": round(size / 1e6, 1),
        "full_check_cold_seconds": round(full_cold, 2),
        "since_one_file_seconds": round(since, 2),
        "since_over_full": round(since / full_cold, 3),
        "full_check_after_one_change_seconds": round(one_changed, 2),
        "full_check_unchanged_seconds": round(unchanged, 2),
        "history_versions_all_refs": versions(),
        "history_all_refs_cold_seconds": round(history_full, 2),
        "history_all_refs_cached_seconds": round(history_warm, 2),
        "history_versions_since_main": versions("--since", "main"),
        "history_since_main_cold_seconds": round(history_since, 2),
        "status_all_files_cold_seconds": round(status_full, 2),
        "status_all_files_cached_seconds": round(status_warm, 2),
        "report_cold_seconds": round(report_full, 2),
        "report_cached_seconds": round(report_warm, 2),
        "log_one_page_seconds": round(trail_seconds, 2),
    }
    (OUT / "incremental.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for key, value in results.items():
        print(f"{key:38} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
