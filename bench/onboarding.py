"""Day one at an office: what a new user runs first, each against the CLI's own start-up
(`baomi --version`, measured in the same run) as the floor.

- `baomi init` of a new portal (templates, the lock of the packaged rules, a key, `git init`);
- `baomi check draft.md` in a folder outside any portal, with the packaged rules only: the first
  run (no rules cache) and the next (cached), on a clean page and on a page dense with findings
  (markings, ID numbers, internal-only phrases: 200 findings);
- `baomi rules check` of the new portal (every packaged and local rule's examples).

    .venv/bin/python bench/onboarding.py [--repeat 5]

Each measurement is a fresh process; medians. Figures go to bench/out/onboarding.json."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BAOMI, OUT, ROOT, timed

CLEAN = "# 春耕备耕工作会议召开\n\n" + "会议要求各乡镇做好农资供应和技术指导，确保春耕生产顺利进行。\n\n" * 40


def _id_number(serial: int) -> str:
    """A generated resident ID number with a valid GB 11643 check digit (fictional)."""
    body = f"110101199003{serial % 28 + 1:02d}{serial % 900 + 100:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def dense() -> str:
    lines = ["# 内部情况通报", ""]
    for n in range(50):
        lines += [
            f"第{n + 1}项：本材料仅供内部参考，密级机密★5年。",
            f"联系人身份证号码{_id_number(n)}，不得外传。",
            "",
        ]
    return "\n".join(lines) + "\n"


def median(
    args: list[str], env: dict[str, str], cwd: Path, repeat: int, before: Callable[[], None] | None = None
) -> tuple[float, int]:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        seconds, code, rss = timed(args, env, cwd)
        runs.append((seconds, code, rss))
    return statistics.median(r[0] for r in runs), max(r[2] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="baomi-onboarding-"))
    cache = work / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOMI_")}
    env.update(PYTHONPATH=str(ROOT), BAOMI_CACHE_DIR=str(cache), NO_MKDOCS_2_WARNING="1")
    outside = work / "desk"
    outside.mkdir()
    (outside / "clean.md").write_text(CLEAN, encoding="utf-8")
    (outside / "dense.md").write_text(dense(), encoding="utf-8")
    figures: dict[str, float] = {}
    figures["floor"], _ = median([*BAOMI, "--version"], env, work, options.repeat)

    counter = iter(range(10_000))
    init_runs = []
    for _ in range(options.repeat):
        target = work / f"portal-{next(counter)}"
        seconds, code, _ = timed([*BAOMI, "init", str(target), "--name", "测试县人民政府门户网站"], env, work)
        assert code == 0
        init_runs.append(seconds)
    figures["init"] = statistics.median(init_runs)

    def no_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    for page in ("clean", "dense"):
        args = [*BAOMI, "check", f"{page}.md"]
        figures[f"check_{page}_first"], _ = median(args, env, outside, options.repeat, no_cache)
        figures[f"check_{page}_cached"], rss = median(args, env, outside, options.repeat)
        figures[f"check_{page}_rss_mb"] = rss / 1024
    portal = work / "portal-0"
    figures["rules_check"], _ = median([*BAOMI, "rules", "check"], env, portal, options.repeat)
    OUT.mkdir(exist_ok=True)
    (OUT / "onboarding.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    floor = figures["floor"]
    for name, value in figures.items():
        if name.endswith("_mb"):
            print(f"{name:24} {value:8.0f} MB")
        else:
            print(f"{name:24} {value:8.2f} s  {value / floor:6.2f}x the floor")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
