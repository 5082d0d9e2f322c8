"""PERSON across registers: exact-span precision, recall and F1 of `baomi entities` for personal
names on newswire (MSRA test), mixed news and web text (CLUENER2020 train, `name`), social media
(Weibo NER train, `PER.NAM`), résumés (Resume NER train, `NAME`) and Baomi's own annotated
government prose (`bench/data/gov_names.jsonl`), against jieba's part-of-speech tags alone.

    .venv/bin/python bench/names.py [--limit N]

Every set is evaluation data: nothing in rules/ or screen/ is built from any of them. The public
sets are read from ../shared/data/ner/ when present (a clone of Baomi alone has only its own set).
`baomi entities` runs as a fresh process reading one sentence per line on stdin, as a user calls it."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "data" / "ner"
OWN = HERE / "data" / "gov_names.jsonl"
Spans = set[tuple[int, int]]
Sample = tuple[str, Spans]


def bio(path: Path, tags: tuple[str, ...]) -> Iterator[Sample]:
    """Sentences of a `char<TAB>tag` file (blank line between sentences); a Weibo character
    carries a segmentation digit after it (`中0`), which is dropped."""
    rows: list[tuple[str, str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            char, tag = line.rsplit("\t", 1)
            if len(char) == 2 and char[1].isdigit():
                char = char[0]
            rows.append((char or " ", tag.strip()))
        elif rows:
            yield "".join(c for c, _ in rows), _spans([t for _, t in rows], tags)
            rows = []


def _spans(tags: list[str], wanted: tuple[str, ...]) -> Spans:
    spans: Spans = set()
    start, label = -1, ""
    for index, tag in enumerate([*tags, "O"]):
        kind = tag[2:]
        inside = tag.startswith(("I-", "M-", "E-")) and kind == label
        if start >= 0 and not inside:
            spans.add((start, index))
            start = -1
        if tag.startswith(("B-", "S-")) and kind in wanted:
            start, label = index, kind
        if start >= 0 and tag.startswith(("E-", "S-")):
            spans.add((start, index + 1))
            start = -1
    return spans


def jsonl(path: Path, kinds: tuple[str, ...]) -> Iterator[Sample]:
    """Sentences of a CLUENER-style file. Its conversion keeps one place per entity, while the
    original annotation marks every mention: each annotated name counts at each of its places."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            text, spans = item["text"], set()
            for entity in item["entity_list"]:
                if entity["entity_type"] in kinds:
                    begin, end = entity["entity_index"]["begin"], entity["entity_index"]["end"]
                    spans.add((begin, end))
                    spans |= {(m.start(), m.end()) for m in re.finditer(re.escape(text[begin:end]), text)}
            yield text, spans


def unmasked(samples: Iterator[Sample]) -> Iterator[Sample]:
    """Names as written: a masked one (张*明, 李某) is a publishing choice, not a recognition
    task; those spans are left out of the counts (the recognizer's spans there too)."""
    for text, spans in samples:
        yield text, {(s, e) for s, e in spans if not MASKED.search(text[s:e])}


MASKED = re.compile(r"[*＊×]|某")


def sets() -> dict[str, list[Sample]]:
    found: dict[str, list[Sample]] = {}
    if OWN.exists():
        found["government (own)"] = list(unmasked(jsonl(OWN, ("PERSON",))))
    if SHARED.exists():
        found["newswire (MSRA test)"] = list(bio(SHARED / "msra_test.bio", ("PER",)))
        found["mixed web (CLUENER)"] = list(jsonl(SHARED / "cluener_train.jsonl", ("name",)))
        found["social (Weibo)"] = list(bio(SHARED / "weibo_train.conll", ("PER.NAM",)))
        found["résumés (Resume)"] = list(jsonl(SHARED / "resume_train.jsonl", ("NAME",)))
    return found


MIXED = ("mixed web (CLUENER)", "social (Weibo)", "résumés (Resume)")


def clean(text: str) -> str:
    """One input line per sentence: line breaks inside a sentence become spaces (same length)."""
    return "".join(" " if c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029" else c for c in text)


def baomi(texts: list[str]) -> list[Spans]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-m", "screen", "entities", "-", "--format", "jsonl"],
        input="\n".join(clean(t) for t in texts) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    lines = run.stdout.splitlines()
    assert len(lines) == len(texts), "one output line per input line"
    return [
        {(e["start"], e["end"]) for e in json.loads(line)["entities"] if e["type"] == "PERSON"}
        for line in lines
    ]


def jieba_only(texts: list[str]) -> list[Spans]:
    import jieba
    import jieba.posseg

    tagger = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    found = []
    for text in texts:
        spans, position = set(), 0
        for pair in tagger.cut(text):
            if pair.flag in ("nr", "nrfg", "nrt"):
                spans.add((position, position + len(pair.word)))
            position += len(pair.word)
        found.append(spans)
    return found


def tally(gold: list[Spans], guess: list[Spans], texts: list[str]) -> tuple[int, int, int]:
    """(right, found, wanted); a guess on a masked name is not counted (see `unmasked`)."""
    guess = [{(s, e) for s, e in g if not MASKED.search(t[s:e])} for g, t in zip(guess, texts, strict=True)]
    right = sum(len(g & p) for g, p in zip(gold, guess, strict=True))
    return right, sum(map(len, guess)), sum(map(len, gold))


def score(gold: list[Spans], guess: list[Spans], texts: list[str]) -> dict[str, float]:
    return fraction(*tally(gold, guess, texts))


def fraction(hits: int, guessed: int, wanted: int) -> dict[str, float]:
    precision = hits / guessed if guessed else 0.0
    recall = hits / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "names": wanted,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="at most N sentences of each set")
    parser.add_argument("--only", default="", help="only the sets whose name contains this")
    parser.add_argument("--errors", type=Path, help="write each set's misses and false names here")
    args = parser.parse_args()
    results: dict[str, object] = {}
    counts: dict[str, tuple[int, int, int]] = {}
    errors: list[str] = []
    for name, whole in sets().items():
        if args.only and args.only not in name:
            continue
        samples = whole[: args.limit] if args.limit else whole
        texts, gold = [t for t, _ in samples], [g for _, g in samples]
        guess = baomi(texts)
        counts[name] = tally(gold, guess, texts)
        results[name] = {
            "baomi": score(gold, guess, texts),
            "jieba_pos_only": score(gold, jieba_only(texts), texts),
        }
        print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
        for text, truth, found in zip(texts, gold, guess, strict=True):
            if truth != found:
                missed = [text[s:e] for s, e in sorted(truth - found)]
                wrong = [text[s:e] for s, e in sorted(found - truth)]
                errors.append(f"[{name}] {text}\n  missed {missed}  false {wrong}")
    mixed = [counts[n] for n in MIXED if n in counts]
    if len(mixed) == len(MIXED):  # the mixed registers as one set: every name counts once
        pooled = fraction(*(sum(c[k] for c in mixed) for k in range(3)))
        results["mixed registers, pooled"] = pooled
        print("mixed registers, pooled", json.dumps(pooled), flush=True)
    if args.errors:
        args.errors.write_text("\n".join(errors) + "\n", encoding="utf-8")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    if not args.limit and not args.only:
        (out / "names.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
