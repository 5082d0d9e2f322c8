"""Term rules: dictionary terms, matched by Aho–Corasick over the compact folded text, then gap,
boundary and allow checks on the few candidates, and longest-leftmost selection per rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from screen.detectors.analysis import Analysis, text_example
from screen.i18n import N_, _, ngettext
from screen.model import Hit, Rule
from screen.normalize import HIDDEN, Projection, fold, noise_re
from screen.rulefields import Problems, located, read_strings
from screen.source.layers import Layer

KIND = "term"
NAME = N_("a term rule")  # how messages name a rule of this kind
FIELDS = frozenset({"terms", "terms_file", "allow"})
MARKERS = frozenset({"terms", "terms_file"})

# A term that starts or ends with a Latin letter or digit needs a word boundary there: "abc" must
# not match inside "abcd", "abc_d" or "abcé" (the text is folded to lowercase). CJK neighbours
# are not word characters here, so "abc计划" still matches.
_WORDISH = re.compile(r"[a-z0-9_\u00c0-\u024f]")
MIN_TERM = 2  # a one-character term would match nearly every page


def compact_key(term: str) -> str:
    """The form a term is matched in: folded, with noise and hidden characters removed."""
    return noise_re().sub("", fold(term))


# What a dictionary key means for one rule: (index into the detector's rules, is an allow
# phrase). A plain tuple, not a record: 100k of them are unpickled from the rules cache at every
# start, and plain tuples unpickle several times faster than dataclasses or named tuples.
_Entry = tuple[int, bool]


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # source offsets
    end: int
    entry: _Entry
    key: str


class TermDetector:
    kind = KIND

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        for _key, (index, allow) in self.words():
            if len(_key) < MIN_TERM and not allow:
                term = next(t for t in rules[index].terms if compact_key(t) == _key)
                raise ValueError(
                    ngettext(
                        "{origin}: term {term} is shorter than {count} character",
                        "{origin}: term {term} is shorter than {count} characters",
                        MIN_TERM,
                    ).format(origin=rules[index].origin, term=repr(term), count=MIN_TERM)
                )

    def words(self) -> Iterator[tuple[str, _Entry]]:
        """The dictionary, for the automaton every kind shares (`lexicon.py`); the detector keeps
        none of it (a 100k-term dictionary is unpickled once, in the automaton)."""
        for index, rule in enumerate(self.rules):
            for term in rule.terms:
                yield compact_key(term), (index, False)
            for allowed in rule.allow:
                yield compact_key(allowed), (index, True)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for layer_index, layer in enumerate(analysis.document.layers):
            raw = analysis.words(layer_index, KIND)
            if not raw:
                continue
            projection = analysis.compact(layer_index)
            candidates: list[_Candidate] = []
            for first, last, entries in raw:
                span = place(layer, projection, first, last)
                if span is None:
                    continue
                key = projection.text[first : last + 1]
                candidates.extend(_Candidate(span[0], span[1], e, key) for e in entries)
            yield from self._select(candidates, layer_index)

    def _select(self, candidates: list[_Candidate], layer: int) -> Iterator[Hit]:
        allowed: dict[int, list[tuple[int, int]]] = {}
        terms: dict[int, list[_Candidate]] = {}
        for candidate in candidates:
            if candidate.entry[1]:
                allowed.setdefault(candidate.entry[0], []).append((candidate.start, candidate.end))
            else:
                terms.setdefault(candidate.entry[0], []).append(candidate)
        for rule_index, found in terms.items():
            rule = self.rules[rule_index]
            spans = allowed.get(rule_index, [])
            last_end = -1
            for candidate in sorted(found, key=lambda c: (c.start, -(c.end - c.start))):
                if candidate.start < last_end:
                    continue  # longest-leftmost: overlapped by an earlier, longer match
                if any(a <= candidate.start and candidate.end <= b for a, b in spans):
                    continue  # inside an allowed phrase
                last_end = candidate.end
                yield Hit(
                    rule=rule,
                    start=candidate.start,
                    end=candidate.end,
                    level=rule.level,
                    key=candidate.key,
                    layer=layer,
                )


def place(layer: Layer, projection: Projection, first: int, last: int) -> tuple[int, int] | None:
    """Source span of compact[first..last], or None if a gap or word boundary forbids it."""
    if not projection.joined(first, last + 1):
        return None
    text = layer.text
    first_at, last_at = projection.to_origin(first), projection.to_origin(last)
    if _WORDISH.match(text[first_at]) and _WORDISH.match(_neighbour(text, first_at, -1)):
        return None
    if _WORDISH.match(text[last_at]) and _WORDISH.match(_neighbour(text, last_at, 1)):
        return None
    return first_at, layer.end_after(last_at)


def _neighbour(text: str, position: int, step: int) -> str:
    """The nearest visible character beside `position` (markup skipped), or a space."""
    position += step
    while 0 <= position < len(text):
        if text[position] != HIDDEN:
            return text[position]
        position += step
    return " "


DETECTOR = TermDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """The terms a term rule matches (inline and from its `terms_file`) and the phrases it allows."""
    return {
        "terms": _read_terms(name, raw, files, problems),
        "allow": read_strings(raw, "allow", located(name, raw, "allow"), problems),
    }


def _read_terms(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> tuple[str, ...]:
    terms = read_strings(raw, "terms", located(name, raw, "terms"), problems)
    if raw.get("terms_file") is not None:
        terms += _terms_file(name, raw, files, problems)
    if not terms:
        problems.add(
            located(name, raw),
            _("a term rule needs 'terms' or 'terms_file' with at least one term"),
        )
    return terms


def _terms_file(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> tuple[str, ...]:
    """The terms of the `terms_file` next to the rule file: one a line, `#` starts a comment line."""
    terms_file, where = raw["terms_file"], located(name, raw, "terms_file")
    key = (PurePosixPath(name).parent / str(terms_file)).as_posix()
    if key not in files:
        problems.add(where, _("terms_file '{file}' not found next to the rule file").format(file=terms_file))
        return ()
    try:
        lines = files[key].decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        problems.add(where, _("terms_file '{file}' is not UTF-8").format(file=terms_file))
        return ()
    return tuple(t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#"))
