"""Entity rules: a recognized PERSON or PLACE next to what makes it leak (an ID number, the keys
of a secrecy room, a home address, precise coordinates).

Cues are cheap (words and regexes over the visible folded text) and are found first; the costly
recognizer (jieba + spaCy) runs only on the regions around them, once per layer for all rules
together, and is never even loaded for a document without a cue."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from screen.detectors.analysis import Analysis
from screen.detectors.recognizer import Recognizer, available
from screen.detectors.validators import VALIDATORS, Verdict
from screen.model import Context, Entity, Hit, Level, Rule
from screen.normalize import BREAK, fold, noise_re

MARGIN = 12  # characters segmented beyond a cue's window, so a name at its edge is read whole

_Cue = tuple[int, int, int]  # (context entry index, start, end) in the projected text


class _Finder:
    """One context entry, compiled: where its cue occurs in a text."""

    def __init__(self, context: Context) -> None:
        words = sorted({fold(w) for w in context.words}, key=len, reverse=True)
        self.regex = re.compile(context.regex or "|".join(re.escape(w) for w in words))
        self.check: Callable[[str], Verdict] | None = VALIDATORS.get(context.validate)
        self.context = context

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        for match in self.regex.finditer(text):
            if match.end() > match.start() and (self.check is None or self.check(match[0]) is Verdict.VALID):
                yield match.start(), match.end(), self.context.name or match[0]


class EntityDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.finders = tuple(tuple(_Finder(c) for c in rule.context) for rule in rules)
        self.recognizer = Recognizer(rules[0].patterns, tuple(f"{r.origin}: {r.id}" for r in rules))

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A cached engine must not outlive spaCy or jieba: refuse it (the cache reader then
        # rebuilds, and the rebuild fails closed with the message of `Recognizer`).
        if not available():
            raise ImportError("spaCy or jieba cannot be imported")
        self.__dict__.update(state)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for layer_index in range(len(analysis.document.layers)):
            projection = analysis.visible(layer_index)
            text = projection.text
            cues = [[(i, *found) for i, f in enumerate(fs) for found in f.find(text)] for fs in self.finders]
            if not any(cues):
                continue
            entities = self.recognizer.regions(text, _regions(self.rules, cues, len(text)))
            for rule, rule_cues in zip(self.rules, cues, strict=True):
                for entity in entities:
                    if entity.label != rule.entity or not rule_cues:
                        continue
                    placed = _placed(rule.context, rule_cues, entity, text)
                    if placed is None:
                        continue
                    yield Hit(
                        rule=rule,
                        start=projection.to_origin(entity.start),
                        end=projection.to_origin(entity.end - 1) + 1,
                        level=placed[0],
                        key=noise_re().sub("", text[entity.start : entity.end]),
                        layer=layer_index,
                        context_words=placed[1],
                    )


def _regions(
    rules: tuple[Rule, ...], cues: list[list[tuple[int, int, int, str]]], length: int
) -> list[tuple[int, int]]:
    """The merged stretches of text around every cue that an entity near it can occupy."""
    spans = sorted(
        (max(0, start - rule.context[i].window - MARGIN), min(length, end + rule.context[i].window + MARGIN))
        for rule, found in zip(rules, cues, strict=True)
        for i, start, end, _ in found
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _near(context: Context, start: int, end: int, entity: Entity, text: str) -> bool:
    """Whether a cue at [start, end) stands where `context` wants it, within its window, in the
    same block (a paragraph break or a table cell boundary of another block ends the search)."""
    if context.side != "before" and start >= entity.end:
        return start - entity.end <= context.window and BREAK not in text[entity.end : start]
    if context.side != "after" and end <= entity.start:
        return entity.start - end <= context.window and BREAK not in text[end : entity.start]
    return context.side == "both" and start < entity.end and end > entity.start


def _placed(
    contexts: tuple[Context, ...], cues: list[tuple[int, int, int, str]], entity: Entity, text: str
) -> tuple[Level, tuple[str, ...]] | None:
    """The level of the first context entry with a cue near `entity`, and the cues it names."""
    for index, context in enumerate(contexts):
        names = tuple(
            dict.fromkeys(n for i, s, e, n in cues if i == index and _near(context, s, e, entity, text))
        )
        if names:
            return context.level, names
    return None
