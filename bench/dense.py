"""Dense findings: `baomi check --format json` with a review-level list of ~300 common words of
government prose, which matches every few sentences (about 400,000 findings in 20 MB), against
the floor of pyahocorasick counting the same matches; time and the peak memory of the largest
process at 5, 20 and 40 MB, to show that memory does not grow with the findings.

    .venv/bin/python bench/dense.py [--sizes 5,20,40] [--words 300] [--repeat 3]

The corpus is bench/run.py's (pages of the public seed documents and MSRA sentences in
../shared/data, evaluation data, never copied into rules/); the word list is made here, from the
most frequent words jieba finds in that prose, and written only under bench/out/."""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import ahocorasick

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, article, sentences

OUT = Path(__file__).resolve().parent / "out" / "dense"
BAOMI = [sys.executable, "-m", "screen"]


def common_words(pool: list[str], count: int) -> list[str]:
    """The `count` most frequent words of two to four Chinese characters in `pool`."""
    import jieba

    jieba.setLogLevel(60)
    counts: collections.Counter[str] = collections.Counter()
    for sentence in pool:
        counts.update(
            w for w in jieba.lcut(sentence) if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w)
        )
    return [w for w, _ in counts.most_common(count)]


def build(megabytes: int, words: list[str], pool: list[str]) -> Path:
    """A portal of `megabytes` MB of pages and a copy of the rules with the review-level list."""
    portal = OUT / f"portal-{megabytes}"
    shutil.rmtree(portal, ignore_errors=True)
    (portal / "content").mkdir(parents=True)
    rules = portal / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "terms" / "common.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    (rules / "terms" / "common.yml").write_text(
        "id: review.common_words\nlevel: review\nmessage: 基准测试：常用词（密集命中）\n"
        f'terms_file: common.txt\nhits: [关于{words[0]}的通知]\nmisses: ["12345"]\n',
        encoding="utf-8",
    )
    rng = random.Random(20261206)
    total, number = 0, 0
    while total < megabytes * 1_000_000:
        number += 1
        data = article(rng, pool, number, []).encode("utf-8")
        folder = portal / "content" / f"section{number % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"page{number:05d}.md").write_bytes(data)
        total += len(data)
    return portal


def floor(portal: Path, words: list[str]) -> tuple[float, int]:
    """pyahocorasick alone counting the list's matches over the same decoded bytes."""
    automaton = ahocorasick.Automaton()
    for index, word in enumerate(words):
        automaton.add_word(word, index)
    automaton.make_automaton()
    files = sorted((portal / "content").rglob("*.md"))
    start = time.perf_counter()
    matches = 0
    for path in files:
        for _ in automaton.iter(path.read_bytes().decode("utf-8")):
            matches += 1
    return time.perf_counter() - start, matches


def timed(args: list[str], env: dict[str, str], cwd: Path, out: Path) -> tuple[float, int]:
    """Wall time of a fresh process writing its output to `out`, and the peak RSS (KiB) of the
    largest process it ran (wait4 reports the maximum over the process and its children)."""
    start = time.perf_counter()
    with out.open("wb") as sink:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=sink, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        errors = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({code}): {errors.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss


def counted(output: Path) -> tuple[int, int]:
    """Findings in a check's JSON, and those of the list, read line by line (the document of a
    40 MB run is near a gigabyte: loading it whole would measure the benchmark, not the check)."""
    found = listed = 0
    with output.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('      "rule": '):
                found += 1
                listed += line.startswith('      "rule": "review.common_words"')
    return found, listed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5,20,40")
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    pool = sentences()
    words = common_words(pool, options.words)
    results: dict[str, object] = {"words": len(words)}
    env = dict(os.environ, BAOMI_FINGERPRINT_KEY="bench-key-0123456789abcdef", PYTHONPATH=str(ROOT))
    for megabytes in (int(s) for s in options.sizes.split(",")):
        portal = build(megabytes, words, pool)
        env["BAOMI_CACHE_DIR"] = str(portal / "cache")
        size = sum(p.stat().st_size for p in (portal / "content").rglob("*.md"))
        check = [*BAOMI, "check", "--rules", "rules", "--format", "json", "--jobs", "2"]
        output = OUT / f"check-{megabytes}.json"
        subprocess.run([*BAOMI, "rules", "check", "--rules", "rules"], env=env, cwd=portal, check=True)
        runs = []
        for _ in range(options.repeat):
            (portal / "cache" / "findings-v1.sqlite").unlink(missing_ok=True)
            runs.append(timed(check, env, portal, output))
        floors = [floor(portal, words) for _ in range(options.repeat)]
        floor_s, matches = min(f[0] for f in floors), floors[0][1]
        found, listed = counted(output)
        check_s = statistics.median(r[0] for r in runs)
        results[f"{megabytes}mb"] = {
            "corpus_mb": round(size / 1e6, 1),
            "floor_seconds": round(floor_s, 2),
            "floor_matches": matches,
            "findings": found,
            "findings_of_the_list": listed,
            "check_seconds_2_jobs": round(check_s, 2),
            "ratio_to_floor": round(check_s / floor_s, 2),
            "microseconds_per_finding": round(check_s / max(found, 1) * 1e6, 1),
            "peak_rss_mb": round(max(r[1] for r in runs) / 1024, 1),
            "json_mb": round(output.stat().st_size / 1e6, 1),
        }
        output.unlink()
        print(megabytes, json.dumps(results[f"{megabytes}mb"], ensure_ascii=False), flush=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
