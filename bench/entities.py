"""Entity quality and speed: PERSON/PLACE/ORG precision, recall and F1 (exact span) of
`baomi entities` on the MSRA NER test split, against jieba's part-of-speech tags alone; and the
characters per second of `baomi entities`.

    .venv/bin/python bench/entities.py

The test split is evaluation data: nothing in rules/ is built from it. `baomi entities` runs as a
fresh process reading one sentence per line on stdin, exactly as a user would call it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MSRA = ROOT.parent / "shared" / "data" / "ner" / "msra_test.bio"
LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}
JIEBA_LABELS = {"nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "ns": "PLACE", "nt": "ORG"}
Span = tuple[str, int, int]


def sentences() -> list[tuple[str, set[Span]]]:
    """(text, gold spans) per sentence of the BIO file."""
    found: list[tuple[str, set[Span]]] = []
    rows: list[tuple[str, str]] = []
    for line in [*MSRA.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            char, tag = line.split("\t")
            rows.append((char, tag))
        elif rows:
            found.append(("".join(c for c, _ in rows), _spans([t for _, t in rows])))
            rows = []
    return found


def _spans(tags: list[str]) -> set[Span]:
    spans: set[Span] = set()
    start, label = -1, ""
    for index, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and tag[2:] == label
        if start >= 0 and not inside:
            spans.add((LABELS[label], start, index))
            start = -1
        if tag.startswith("B-") or (tag.startswith("I-") and not inside):
            start, label = index, tag[2:]
    return spans


def baomi(texts: list[str]) -> tuple[list[set[Span]], float]:
    """Spans from `baomi entities - --format jsonl`, and the process's wall time."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "screen", "entities", "-", "--format", "jsonl"],
        input="\n".join(texts) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    elapsed = time.perf_counter() - started
    lines = run.stdout.splitlines()
    assert len(lines) == len(texts), "one output line per input line"
    return [
        {(e["type"], e["start"], e["end"]) for e in json.loads(line)["entities"]} for line in lines
    ], elapsed


def jieba_only(texts: list[str]) -> list[set[Span]]:
    """The baseline: jieba's own tags (nr/nrfg/nrt, ns, nt) on its own tokens."""
    import jieba
    import jieba.posseg

    tagger = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    found = []
    for text in texts:
        spans, position = set(), 0
        for pair in tagger.cut(text):
            if pair.flag in JIEBA_LABELS:
                spans.add((JIEBA_LABELS[pair.flag], position, position + len(pair.word)))
            position += len(pair.word)
        found.append(spans)
    return found


def scores(gold: list[set[Span]], predicted: list[set[Span]]) -> dict[str, dict[str, float]]:
    hits, guessed, wanted = Counter(), Counter(), Counter()
    for truth, guess in zip(gold, predicted, strict=True):
        hits.update(s[0] for s in truth & guess)
        guessed.update(s[0] for s in guess)
        wanted.update(s[0] for s in truth)
    table = {}
    for label in LABELS.values():
        precision = hits[label] / guessed[label] if guessed[label] else 0.0
        recall = hits[label] / wanted[label] if wanted[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}
    return table


def main() -> int:
    data = sentences()
    texts, gold = [t for t, _ in data], [g for _, g in data]
    predicted, elapsed = baomi(texts)
    chars = sum(len(t) for t in texts)
    startup = baomi(["县长王建明出席会议。"])[1]
    results = {
        "sentences": len(texts),
        "characters": chars,
        "baomi": scores(gold, predicted),
        "jieba_pos_only": scores(gold, jieba_only(texts)),
        "baomi_entities_seconds": round(elapsed, 2),
        "baomi_entities_chars_per_second": round(chars / elapsed),
        "baomi_entities_chars_per_second_after_startup": round(chars / max(1e-9, elapsed - startup)),
        "startup_seconds": round(startup, 2),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "entities.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
