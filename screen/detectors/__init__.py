"""Rule kinds: one module per kind (its fields and their reader, how its examples read, its
detector), registered in one literal dict. Adding a kind is a module and a line in `KINDS`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from screen.detectors import (
    characters,
    classification,
    entities,
    files,
    markup,
    patterns,
    protected,
    replacements,
    roster,
    terms,
)
from screen.detectors.analysis import Analysis
from screen.detectors.lexicon import Lexicon, WordSource
from screen.model import Hit, Rule
from screen.rulefields import Problems
from screen.source import Document


class Detector(Protocol):
    def detect(self, analysis: Analysis) -> Iterator[Hit]: ...


class RuleKind(Protocol):
    """What a kind module exports (modules satisfy this structurally)."""

    @property
    def KIND(self) -> str: ...  # `Rule.kind` of its rules, and its key in `KINDS`

    @property
    def NAME(self) -> str: ...  # "a term rule": how messages name one of its rules (marked, `N_`)

    @property
    def FIELDS(self) -> frozenset[str]: ...  # its own fields, beyond the shared ones

    @property
    def MARKERS(self) -> frozenset[str]: ...  # fields whose presence makes a rule of this kind

    @property
    def DETECTOR(self) -> Callable[[tuple[Rule, ...]], Detector]: ...  # for its enabled rules

    def read_fields(
        self, name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
    ) -> dict[str, Any]:
        """Validate the kind's own fields of `raw` (from rule file `name`; `files` are the other
        rule files, by name), record problems, and return them as `Rule` keyword fields."""
        ...

    def example(self, rule: Rule, text: str) -> Document:
        """One of the rule's `hits` or `misses` examples as the document it stands for."""
        ...


# The order is the precedence of markers (a rule with `terms` and `entity` is a term rule) and
# the order detectors run in.
KINDS: dict[str, RuleKind] = {
    "term": terms,
    "pattern": patterns,
    "entity": entities,
    "file": files,
    "classification": classification,
    "characters": characters,
    "markup": markup,
    "replace": replacements,
    "protected": protected,
    "roster": roster,
}
DEFAULT_KIND = "pattern"  # what a rule with none of the markers is (a regex and its checks)


def kind_of(raw: Mapping[str, Any]) -> RuleKind:
    """The kind of a raw rule mapping: the first in `KINDS` with one of its markers present."""
    return next((kind for kind in KINDS.values() if kind.MARKERS & raw.keys()), KINDS[DEFAULT_KIND])


def example_detector(rule: Rule) -> tuple[Detector, Lexicon] | None:
    """A detector of its own for a rule whose examples need more than the text (a roster rule's
    examples are about its fictional people, not the portal's), with its words; None for most
    kinds."""
    prepare = getattr(KINDS[rule.kind], "example_rule", None)
    if prepare is None:
        return None
    detector = KINDS[rule.kind].DETECTOR((prepare(rule),))
    return detector, lexicon_of((detector,))


def compile_detectors(rules: tuple[Rule, ...]) -> tuple[tuple[Detector, ...], Lexicon]:
    """One detector per kind that has enabled rules, and the words they look up together."""
    detectors = []
    for name, kind in KINDS.items():
        selected = tuple(r for r in rules if r.kind == name and r.enabled)
        if selected:
            detectors.append(kind.DETECTOR(selected))
    return tuple(detectors), lexicon_of(detectors)


def lexicon_of(detectors: Iterable[Detector]) -> Lexicon:
    """The automaton of every detector that looks words up (those with `words()`)."""
    return Lexicon(d for d in detectors if isinstance(d, WordSource))
