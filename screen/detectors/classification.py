"""Markings that contradict the page's own classification record: a page whose front matter says
`classification: 秘密` (or 公开) while its text is marked `机密★5年` was classified wrongly or
marked wrongly, and either way must be looked at before anything else happens to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from screen.classification import Classification, classification_of
from screen.detectors.analysis import Analysis, text_example
from screen.errors import InputError
from screen.i18n import N_, _
from screen.model import Hit, Rule
from screen.normalize import noise_re
from screen.rulefields import Problems, located
from screen.source import MARKDOWN_SUFFIXES
from screen.source.frontmatter import front_matter_values

KIND = "classification"
NAME = N_("a classification rule")  # how messages name a rule of this kind
FIELDS = frozenset({"compare"})
MARKERS = frozenset({"compare"})

# On folded text read as terms are (noise skipped, but the star): the level, the star (every star
# and asterisk folds to ★ or *), and the term if one follows.
_STARS = "*★"  # sorted, as a pattern rule keeps them: one projection serves both
_MARKING = re.compile(r"(绝|机|秘)密[★*](?:(\d{1,3})个?年|(长)期)?")


def _disagrees(record: Classification, level: str, years: str | None, long_term: bool) -> bool:
    """Whether a marking's level, or its term when both it and the record give one, differs."""
    if level != record.level:
        return True
    if years is not None:
        return record.long_term or (record.term_years is not None and int(years) != record.term_years)
    return long_term and record.term_years is not None


class ClassificationDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        document = analysis.document
        if PurePosixPath(document.path).suffix.lower() not in MARKDOWN_SUFFIXES:
            return
        try:
            values = front_matter_values(document.path, document.text)
        except InputError:
            return  # the source reader reports a broken front matter itself
        record = classification_of(values)
        if "classification" not in values or record.problems:
            return  # no claim to compare with (a bad record keeps the page unpublished anyway)
        for layer_index, layer in enumerate(document.layers):
            projection = analysis.compact(layer_index, _STARS)
            for match in _MARKING.finditer(projection.text):
                start, end = match.span()
                if not projection.joined(start, end):
                    continue
                if not _disagrees(record, match[1] + "密", match[2], bool(match[3])):
                    continue
                for rule in self.rules:
                    yield Hit(
                        rule=rule,
                        start=projection.to_origin(start),
                        end=layer.end_after(projection.to_origin(end - 1)),
                        level=rule.level,
                        key=noise_re().sub("", match[0]),
                        layer=layer_index,
                    )


DETECTOR = ClassificationDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """`compare: marking`, the one comparison there is: the rule itself has no fields to keep."""
    if raw.get("compare") != "marking":
        problems.add(
            located(name, raw, "compare"), _("a classification rule compares 'marking' (the only kind)")
        )
    return {}
