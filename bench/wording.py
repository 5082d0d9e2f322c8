"""Quality of the wording checks (issue 18), in two figures:

1. Recall: every one-character corruption of every packaged fixed phrase (`wording.fixed_phrase`)
   by a homophone (a character sharing a toneless reading, heteronyms included, among the 8,105
   characters of 通用规范汉字表, from pypinyin and pypinyin-dict: the same sources the detector
   reads, so this checks the matching, not the tables) and, separately, by a look-alike from
   lookalikes.txt, each embedded in a sentence: the share reported as `wording.fixed_phrase`.
2. Findings of the packaged wording rules on public prose of five registers (the evaluation data
   in ../shared/data: government documents, 1998 news, web news, résumés, Weibo), by rule and
   level, per 10 MB. None of that text was written as a wording error, so every block is a false
   block unless it names an agency by a name it no longer has.

    .venv/bin/python bench/wording.py

Writes bench/out/wording.json."""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))

from screen.detectors.similar import similar  # noqa: E402
from screen.engine import Engine, build_engine  # noqa: E402
from screen.ruleset import parse, read_sources  # noqa: E402
from screen.source import read_document  # noqa: E402

SENTENCE = "会议强调，要{}，推动各项工作落实落细。"
CHUNK = 300  # sentences a page


def engine() -> Engine:
    return build_engine(parse(read_sources(OUT / "no-rules-here")))


def recall(engine: Engine) -> dict[str, object]:
    rule = next(r for r in engine.ruleset.rules if r.id == "wording.fixed_phrase")
    tables = similar()
    results: dict[str, object] = {}
    for name, replacements in (("homophone", tables.homophones), ("lookalike", tables.lookalikes.get)):
        cases = [
            phrase[:i] + other + phrase[i + 1 :]
            for phrase in rule.protected
            for i, char in enumerate(phrase)
            for other in sorted(replacements(char) or ())
        ]
        cases = [c for c in cases if c not in rule.protected and c not in rule.allow]
        rng = random.Random(18)
        sample = cases if len(cases) <= 60_000 else rng.sample(cases, 60_000)
        missed = []
        for start in range(0, len(sample), CHUNK):
            chunk = sample[start : start + CHUNK]
            text = "\n\n".join(SENTENCE.format(c) for c in chunk)
            document = read_document("recall.md", text.encode())
            lines = {
                text.count("\n\n", 0, hit.start) for hit in engine.hits(document) if hit.rule.id == rule.id
            }
            missed += [c for i, c in enumerate(chunk) if i not in lines]
        results[name] = {
            "phrases": len(rule.protected),
            "corruptions": len(cases),
            "tested": len(sample),
            "found": len(sample) - len(missed),
            "recall": round(1 - len(missed) / max(1, len(sample)), 4),
            "missed_examples": missed[:10],
        }
    return results


def corpora() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {
        "seeds": [p.read_text(encoding="utf-8") for p in sorted((DATA / "seeds").glob("*.txt"))]
    }
    for name in ("cluener_train", "resume_train"):
        lines = (DATA / "ner" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        texts[name.split("_")[0]] = [json.loads(line)["text"] for line in lines]
    for name, file in (("msra", "msra_test.bio"), ("weibo", "weibo_train.conll")):
        sentences, current = [], []
        for line in (DATA / "ner" / file).read_text(encoding="utf-8").splitlines():
            if line.strip():
                char = line.split("\t")[0]
                current.append(char if name == "msra" else char[:-1])
            elif current:
                sentences.append("".join(current))
                current = []
        texts[name] = sentences
    return texts


def prose(engine: Engine) -> dict[str, object]:
    results: dict[str, object] = {}
    for name, items in corpora().items():
        counts: Counter[str] = Counter()
        size = 0
        for start in range(0, len(items), CHUNK):
            text = "\n\n".join(items[start : start + CHUNK])
            size += len(text.encode())
            for hit in engine.hits(read_document(f"{name}.md", text.encode())):
                if hit.rule.id.startswith("wording."):
                    counts[f"{hit.rule.id} {hit.level.value}"] += 1
        blocks = sum(v for k, v in counts.items() if k.endswith(" block"))
        results[name] = {
            "mb": round(size / 1e6, 2),
            "findings": dict(sorted(counts.items())),
            "blocks_per_10mb": round(blocks / (size / 1e7), 1),
        }
    return results


def main() -> int:
    OUT.mkdir(exist_ok=True)
    start = time.perf_counter()
    built = engine()
    results = {"recall": recall(built), "public_prose": prose(built)}
    results["seconds"] = round(time.perf_counter() - start, 1)
    (OUT / "wording.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
