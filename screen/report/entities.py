"""`baomi entities` output: one JSON line per input line (jsonl), one document (json), or text."""

from __future__ import annotations

import json
from dataclasses import dataclass

from screen.model import Entity


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitiesView:
    lines: tuple[str, ...]
    found: tuple[tuple[Entity, ...], ...]  # the entities of each line (offsets into that line)


def format_entities_jsonl(view: EntitiesView) -> str:
    return "".join(
        json.dumps({"entities": [{"type": e.label, "start": e.start, "end": e.end} for e in f]}) + "\n"
        for f in view.found
    )


def format_entities_json(view: EntitiesView) -> str:
    rows = [
        {"type": e.label, "line": n, "start": e.start, "end": e.end, "text": line[e.start : e.end]}
        for n, (line, f) in enumerate(zip(view.lines, view.found, strict=True), 1)
        for e in f
    ]
    return json.dumps({"schema_version": 1, "entities": rows}, ensure_ascii=False, indent=2) + "\n"


def format_entities_text(view: EntitiesView) -> str:
    return "".join(
        f"{n}:{e.start + 1}: {e.label} {line[e.start : e.end]}\n"
        for n, (line, f) in enumerate(zip(view.lines, view.found, strict=True), 1)
        for e in f
    )
