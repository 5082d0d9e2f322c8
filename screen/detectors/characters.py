"""Character rules: characters that make the page a reader sees differ from the text screened,
refused wherever they stand. The bidi controls (U+202A–U+202E, U+2066–U+2069) reorder what a
browser draws: `青松计划` stored backwards behind U+202E is shown as the term itself. Folding
treats them as invisible for every other rule, so this kind reads the decoded text as it is."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from screen.detectors.analysis import Analysis, text_example
from screen.i18n import N_, _
from screen.model import Hit, Rule
from screen.rulefields import Problems, located, read_strings

KIND = "characters"
NAME = N_("a characters rule")  # how messages name a rule of this kind
FIELDS = frozenset({"characters"})
MARKERS = frozenset({"characters"})
_RANGE = re.compile(r"U\+([0-9A-Fa-f]{4,6})(?:-U\+([0-9A-Fa-f]{4,6}))?")


def _class(ranges: str) -> str:
    """`U+202A-U+202E U+2066-U+2069` as a regex character class."""
    parts = []
    for low, high in _RANGE.findall(ranges):
        parts.append(f"\\U{int(low, 16):08x}" + (f"-\\U{int(high, 16):08x}" if high else ""))
    return f"[{''.join(parts)}]+"


class CharacterDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.compiled = tuple(re.compile(_class(rule.characters)) for rule in rules)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        text = analysis.document.text
        for rule, regex in zip(self.rules, self.compiled, strict=True):
            for match in regex.finditer(text):
                names = " ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(match.group()))
                yield Hit(rule=rule, start=match.start(), end=match.end(), level=rule.level, key=names)


DETECTOR = CharacterDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """`characters`: code points and ranges, written `U+202E` or `U+202A-U+202E`."""
    where = located(name, raw, "characters")
    written = read_strings(raw, "characters", where, problems)
    ranges = []
    for value in written:
        match = _RANGE.fullmatch(value.strip())
        if match is None:
            problems.add(
                where,
                _("write a code point as U+202E or a range as U+202A-U+202E (got {got})").format(
                    got=repr(value)
                ),
            )
            continue
        low, high = int(match[1], 16), int(match[2] or match[1], 16)
        if high < low or high > 0x10FFFF or any(unicodedata.category(chr(c)) == "Cs" for c in (low, high)):
            problems.add(where, _("{value} is not a range of characters").format(value=repr(value)))
            continue
        ranges.append(value.strip().upper())
    if not written:
        problems.add(located(name, raw), _("a characters rule needs 'characters'"))
    return {"characters": " ".join(ranges)}
