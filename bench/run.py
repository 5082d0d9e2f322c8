"""Throughput benchmark: `baomi check` on 20+ MB of realistic Chinese Markdown with a 100k-term
dictionary plus the default rules, against the floor of pyahocorasick alone.

    .venv/bin/python bench/run.py [--mb 20] [--terms 100000] [--repeat 3]

Everything is generated under bench/out/ (ignored by git): the corpus is made from the public
seed documents and MSRA sentences in ../shared/data (evaluation data, never copied into rules/),
the dictionary from fictional codenames. Each measurement runs in a fresh process."""

from __future__ import annotations

import argparse
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
OUT = HERE / "out"
BAOMI = [sys.executable, "-m", "screen"]
SUFFIXES = ["计划", "工程", "基地", "项目", "行动", "专案", "系统", "中心", "一号", "二期"]


def sentences() -> list[str]:
    """Sentences of real public prose: the seed documents and the MSRA corpus."""
    found: list[str] = []
    for seed in sorted((DATA / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        found += [s + "。" for s in text.replace("\n", "。").split("。") if len(s) > 8]
    current: list[str] = []
    for line in (DATA / "ner" / "msra_test.bio").read_text(encoding="utf-8").splitlines():
        if line.strip():
            current.append(line.split("\t")[0])
        elif current:
            found.append("".join(current))
            current = []
    return found


def article(rng: random.Random, pool: list[str], number: int, planted: list[str]) -> str:
    """One Markdown page with the markup a portal uses: front matter, headings, lists, tables."""
    lines = [
        "---",
        f"title: 青溪县政务信息第{number}期",
        f"date: 2026-{rng.randint(1, 12):02d}-01",
        "---",
        "",
    ]
    for section in range(rng.randint(3, 6)):
        lines += [f"## 第{section + 1}部分 工作进展", ""]
        for _ in range(rng.randint(2, 5)):
            body = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
            if rng.random() < 0.3:
                cut = rng.randrange(len(body))
                body = body[:cut] + "**" + body[cut : cut + 6] + "**" + body[cut + 6 :]
            if rng.random() < 0.1:
                body += f"详见[附件](https://www.qingxi.gov.cn/files/{number}.html)。"
            if planted and rng.random() < 0.02:
                body += f"配合{rng.choice(planted)}的实施。"
            lines += [body, ""]
        if rng.random() < 0.3:
            lines += ["| 项目 | 数量 | 完成率 |", "|---|---|---|"]
            lines += [
                f"| {rng.choice(pool)[:8]} | {rng.randint(1, 999)} | {rng.randint(1, 100)}% |"
                for _ in range(4)
            ]
            lines.append("")
        if rng.random() < 0.3:
            lines += [f"- {rng.choice(pool)}" for _ in range(3)] + [""]
    return "\n".join(lines)


def make_terms(rng: random.Random, count: int, pool: list[str]) -> list[str]:
    """Fictional codenames built from characters of real prose (a realistic first-character fan-out)."""
    chars = sorted({c for s in pool for c in s if "\u4e00" <= c <= "\u9fff"})
    terms: set[str] = set()
    while len(terms) < count:
        terms.add(rng.choice(chars) + rng.choice(chars) + rng.choice(SUFFIXES))
    return sorted(terms)


def build(megabytes: int, term_count: int) -> tuple[Path, Path, list[str]]:
    rng = random.Random(20261125)
    pool = sentences()
    corpus, rules = OUT / "portal" / "content", OUT / "rules"
    shutil.rmtree(OUT, ignore_errors=True)
    corpus.mkdir(parents=True)
    shutil.copytree(ROOT / "rules", rules)
    terms = make_terms(rng, term_count, pool)
    (rules / "terms" / "bench.txt").write_text("\n".join(terms) + "\n", encoding="utf-8")
    (rules / "terms" / "bench.yml").write_text(
        "id: codename.bench\nlevel: block\nmessage: 基准测试代号\nterms_file: bench.txt\n"
        f"hits: [关于{terms[0]}的通知]\nmisses: [青溪县政务信息]\n",
        encoding="utf-8",
    )
    planted = rng.sample(terms, 50)
    total, number = 0, 0
    while total < megabytes * 1_000_000:
        number += 1
        data = article(rng, pool, number, planted).encode("utf-8")
        folder = corpus / f"section{number % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"page{number:05d}.md").write_bytes(data)
        total += len(data)
    return corpus, rules, terms


def floor(corpus: Path, terms: list[str]) -> float:
    """pyahocorasick alone: the same dictionary over the same bytes (decode + iterate)."""
    automaton = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        automaton.add_word(term, index)
    automaton.make_automaton()
    files = sorted(corpus.rglob("*.md"))
    start = time.perf_counter()
    matches = 0
    for path in files:
        for _ in automaton.iter(path.read_bytes().decode("utf-8")):
            matches += 1
    return time.perf_counter() - start


def timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, int]:
    """Wall time of a fresh process, its exit code and its own peak RSS (KiB, from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({code}): {errors.decode()[-2000:]}")
    return elapsed, code, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--terms", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    corpus, rules, terms = build(options.mb, options.terms)
    size = sum(p.stat().st_size for p in corpus.rglob("*.md"))
    files = sum(1 for _ in corpus.rglob("*.md"))
    env = dict(os.environ, BAOMI_FINGERPRINT_KEY="bench-key-0123456789abcdef", PYTHONPATH=str(ROOT))
    cold_env = dict(env, BAOMI_CACHE_DIR="")
    env["BAOMI_CACHE_DIR"] = str(OUT / "cache")
    portal = corpus.parent

    cold_rules = timed([*BAOMI, "rules", "check", "--rules", str(rules)], cold_env, portal)[0]
    check = [*BAOMI, "check", "--rules", str(rules), "--format", "json"]
    findings_cache = OUT / "cache" / "findings-v1.sqlite"

    def screening(args: list[str]) -> tuple[float, int, int]:
        """A check that screens every file: remembered findings would measure the cache."""
        findings_cache.unlink(missing_ok=True)
        return timed(args, env, portal)

    timed(check, env, portal)  # warm the rules cache
    one_file = statistics.median(screening([*check, "content/section01/page00001.md"])[0] for _ in range(5))
    floors = [floor(corpus, terms) for _ in range(options.repeat)]

    runs = [screening([*check, "--jobs", "2"]) for _ in range(options.repeat)]
    # As CI runs it: the findings cache restored from the last run on main, so only changed
    # pages are screened (here none: every page's findings are remembered).
    warm = [timed([*check, "--jobs", "2"], env, portal)[0] for _ in range(options.repeat)]
    single = [screening([*check, "--jobs", "1"])[0] for _ in range(options.repeat)]
    engine_rss = timed([sys.executable, "-c", LOAD_ONLY, str(rules), str(OUT / "cache")], env, portal)[2]
    base_rss = timed([sys.executable, "-c", IMPORT_ONLY], env, portal)[2]

    floor_s, check_s, single_s = min(floors), statistics.median(r[0] for r in runs), statistics.median(single)
    results = {
        "corpus_mb": round(size / 1e6, 1),
        "files": files,
        "terms": len(terms),
        "floor_seconds": round(floor_s, 2),
        "floor_mb_s": round(size / 1e6 / floor_s, 2),
        "check_seconds_2_jobs": round(check_s, 2),
        "check_mb_s_2_jobs": round(size / 1e6 / check_s, 2),
        "ratio_to_floor_2_jobs": round(check_s / floor_s, 2),
        "check_seconds_2_jobs_findings_cached": round(statistics.median(warm), 2),
        "ratio_to_floor_2_jobs_findings_cached": round(statistics.median(warm) / floor_s, 2),
        "check_seconds_1_job": round(single_s, 2),
        "ratio_to_floor_1_job": round(single_s / floor_s, 2),
        "one_file_check_seconds": round(one_file, 3),
        "rules_cold_load_seconds": round(cold_rules, 2),
        "engine_rss_mb_100k_terms": round((engine_rss - base_rss) / 1024, 1),
        "check_peak_rss_mb": round(max(r[2] for r in runs) / 1024, 1),
    }
    results |= measure_wording(rules, portal, env, cold_env, screening, floor_s, size, options.repeat)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for key, value in results.items():
        print(f"{key:32} {value}")
    return 0


# --- wording (issue 18): the same check with a roster of 200 fictional people and 2,000 protected
# phrases on top of the packaged wording lists, against the check without any wording rule ---

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "建国志远明哲文博德贵海涛晓东红梅立新振华永庆春雨秋实嘉豪静怡思源宏伟丽娟秀英桂兰国强玉珍家毫"
OFFICES = [
    "县委书记",
    "县长",
    "县委副书记",
    "常务副县长",
    "副县长",
    "县人大常委会主任",
    "县政协主席",
    "县委常委",
    "局长",
    "主任",
]
PHRASE_SUFFIXES = [
    "示范区",
    "工程",
    "专项行动",
    "工作方案",
    "行动计划",
    "建设",
    "改革",
    "试点",
    "攻坚战",
    "创建",
]


def roster(rng: random.Random, count: int) -> str:
    """A roster of fictional people (rules/people.yml): names from common surnames and given-name
    characters, each with an office, an order, and a few former and fallen people."""
    names: set[str] = set()
    while len(names) < count:
        names.add(rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))))
    lines = ["schema_version: 1", "people:"]
    for order, name in enumerate(sorted(names), start=1):
        status = "fallen" if order % 40 == 0 else "former" if order % 10 == 0 else "current"
        office = OFFICES[order % len(OFFICES)]
        lines.append(f"  - {{name: {name}, titles: [{office}], order: {order}, status: {status}}}")
    return "\n".join(lines) + "\n"


def phrases(rng: random.Random, count: int, pool: list[str]) -> list[str]:
    """Protected phrases made of two common words of the corpus's prose and a programme suffix."""
    import jieba

    words = sorted(
        {
            w
            for s in pool[:4000]
            for w in jieba.lcut(s)
            if len(w) == 2 and all("\u4e00" <= c <= "\u9fff" for c in w)
        }
    )
    found: set[str] = set()
    while len(found) < count:
        found.add(rng.choice(words) + rng.choice(words) + rng.choice(PHRASE_SUFFIXES))
    return sorted(found)


def wording_rules(rules: Path, pool: list[str]) -> tuple[Path, Path]:
    """Two copies of the benchmark's rules: without any wording rule (before issue 18), and with
    the packaged wording lists, a 200-person roster and 2,000 protected phrases."""
    rng = random.Random(20261206)
    before, after = OUT / "rules-no-wording", OUT / "rules-wording"
    for target in (before, after):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(rules, target)
    ids = sorted(
        line.split(":", 1)[1].strip()
        for pack in (ROOT / "screen" / "packs" / "patterns").glob("*.yml")
        for line in pack.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(("id: wording.", "- id: wording."))
    )
    (before / "overrides.yml").write_text(
        "disable:\n" + "".join(f"  - id: {i}\n    reason: 基准测试：不含表述检查\n" for i in ids),
        encoding="utf-8",
    )
    (after / "people.yml").write_text(roster(rng, 200), encoding="utf-8")
    listed = phrases(rng, 2000, pool)
    (after / "patterns").mkdir(exist_ok=True)
    (after / "patterns" / "bench-phrases.yml").write_text(
        "id: wording.bench_phrases\nlevel: block\nmessage: 基准测试固定提法\n"
        + "protected:\n"
        + "".join(f"  - {p}\n" for p in listed)
        + f"hits: [{near_miss(listed[0])}]\nmisses: [{listed[0]}]\n",
        encoding="utf-8",
    )
    return before, after


def near_miss(phrase: str) -> str:
    """`phrase` with its first character replaced by a homophone."""
    from screen.detectors.similar import similar

    return min(similar().homophones(phrase[0])) + phrase[1:]


def wording_blocks(output: bytes) -> dict[str, int]:
    """Blocking findings of the wording rules in a check's JSON, by rule."""
    counts: dict[str, int] = {}
    for finding in json.loads(output)["findings"]:
        if finding["rule"].startswith("wording.") and finding["level"] == "block":
            counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    return counts


def measure_wording(
    rules: Path,
    portal: Path,
    env: dict[str, str],
    cold_env: dict[str, str],
    screening: object,
    floor_s: float,
    size: int,
    repeat: int,
) -> dict[str, object]:
    """The check without wording rules and with them (packaged lists, 200 people, 2,000 phrases),
    both against the floor; and the wording rules' blocking findings on the corpus, per 10 MB."""
    before, after = wording_rules(rules, sentences())
    assert callable(screening)

    def check(folder: Path) -> list[str]:
        return [*BAOMI, "check", "--rules", str(folder), "--format", "json", "--jobs", "2"]

    cold_after = timed([*BAOMI, "rules", "check", "--rules", str(after)], cold_env, portal)[0]
    for folder in (before, after):
        timed(check(folder), env, portal)  # the rules cache
    without = [screening(check(before)) for _ in range(repeat)]
    with_wording = [screening(check(after)) for _ in range(repeat)]
    output = subprocess.run(
        check(after), env=dict(env, BAOMI_CACHE_DIR=""), cwd=portal, capture_output=True, check=False
    )
    blocks = wording_blocks(output.stdout)
    without_s = statistics.median(r[0] for r in without)
    with_s = statistics.median(r[0] for r in with_wording)
    return {
        "wording_check_seconds_without": round(without_s, 2),
        "wording_ratio_to_floor_without": round(without_s / floor_s, 2),
        "wording_check_seconds_with": round(with_s, 2),
        "wording_ratio_to_floor_with": round(with_s / floor_s, 2),
        "wording_cost_increase": round(with_s / without_s - 1, 3),
        "wording_peak_rss_mb_without": round(max(r[2] for r in without) / 1024, 1),
        "wording_peak_rss_mb_with": round(max(r[2] for r in with_wording) / 1024, 1),
        "wording_rules_cold_load_seconds": round(cold_after, 2),
        "wording_false_blocks": blocks,
        "wording_false_blocks_per_10mb": round(sum(blocks.values()) / (size / 1e7), 2),
    }


IMPORT_ONLY = "import screen.engine, screen.api, screen.report"
LOAD_ONLY = (
    "import sys; from pathlib import Path; import screen.engine, screen.api, screen.report;"
    "screen.engine.load_engine(Path(sys.argv[1]), Path(sys.argv[2]))"
)

if __name__ == "__main__":
    raise SystemExit(main())
