"""Replace rules: wrong → right wording with its date and source (renamed agencies, words a style
list bans, repealed laws). Wrong forms are matched as terms are (one Aho–Corasick pass over the
compact text); a match that is of its time (原…, a 《…》 title, a year before the change in its
sentence, a page dated before it) is allowed where the rule says `historical`, and where it
says `cited` only a citation counts (《…》, 中华人民共和国…, …第…条)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from screen.detectors.analysis import Analysis, text_example
from screen.detectors.terms import MIN_TERM, compact_key, place
from screen.detectors.wording import after, before, dated_now, historical, in_title
from screen.i18n import N_, _, ngettext
from screen.model import Hit, Level, Replacement, Rule
from screen.rulefields import Problems, located, read_level, read_strings

KIND = "replace"
NAME = N_("a replace rule")
FIELDS = frozenset({"replace", "historical", "cited"})
MARKERS = frozenset({"replace"})
_ENTRY_FIELDS = frozenset({"wrong", "right", "since", "source", "allow", "level"})


class ReplaceDetector:
    kind = KIND

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.entries = [(index, entry) for index, rule in enumerate(rules) for entry in rule.replace]

    def words(self) -> Iterator[tuple[str, tuple[int, bool]]]:
        """Each entry's wrong forms and allowed phrases, for the shared automaton (`lexicon.py`)."""
        for number, (_rule, entry) in enumerate(self.entries):
            for phrase, allow in [(w, False) for w in entry.wrong] + [(a, True) for a in entry.allow]:
                yield compact_key(phrase), (number, allow)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for layer_index, layer in enumerate(analysis.document.layers):
            raw = analysis.words(layer_index, KIND)
            if not raw:
                continue
            projection = analysis.compact(layer_index)
            allowed: dict[int, list[tuple[int, int]]] = {}
            matched: dict[int, list[tuple[int, int, int, str]]] = {}  # rule → (start, end, entry, key)
            for first, last, entries in raw:
                span = place(layer, projection, first, last)
                if span is None:
                    continue
                key = projection.text[first : last + 1]
                for number, allow in entries:
                    if allow:
                        allowed.setdefault(number, []).append(span)
                    else:
                        matched.setdefault(self.entries[number][0], []).append((*span, number, key))
            for rule_index, found in matched.items():
                yield from self._select(analysis, layer_index, self.rules[rule_index], found, allowed)

    def _select(
        self,
        analysis: Analysis,
        layer: int,
        rule: Rule,
        found: list[tuple[int, int, int, str]],
        allowed: dict[int, list[tuple[int, int]]],
    ) -> Iterator[Hit]:
        text = analysis.document.layers[layer].text
        last_end = -1
        for start, end, number, key in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            if start < last_end:
                continue  # longest-leftmost: inside an earlier, longer wrong form
            entry = self.entries[number][1]
            if any(a <= start and end <= b for a, b in allowed.get(number, ())):
                continue
            last_end = end
            if rule.cited and not _cited(text, start, end):
                continue
            # a law is cited in 《…》: there the title is the citation, not an old document's name
            if rule.historical and historical(
                analysis, layer, start, end, entry.since, titles=not rule.cited
            ):
                continue
            level = entry.level or rule.level
            if (
                rule.historical
                and level is Level.BLOCK
                and not dated_now(analysis, layer, start, end, entry.since)
            ):
                level = Level.REVIEW  # nothing says when the text was written: a person judges
            yield Hit(
                rule=rule,
                start=start,
                end=end,
                level=level,
                key=key,
                layer=layer,
                suggestion=_suggestion(text, start, entry.right),
                basis=entry.source,
            )


_STATE = "中华人民共和国"  # what a law's full title starts with


def _cited(text: str, start: int, end: int) -> bool:
    """Whether a law's name at [start, end) is cited as a law: 《…》, 中华人民共和国…, …第…条."""
    return (
        in_title(text, start, end) or before(text, start, len(_STATE)) == _STATE or after(text, end) == "第"
    )


def _suggestion(text: str, start: int, right: str) -> str:
    """What replaces the matched text: `right`, less the 中华人民共和国 already written before the
    match. The match of 合同法 in 《中华人民共和国合同法》 is 合同法 alone, and replaced by the whole
    中华人民共和国民法典 (as `baomi fix` and a SARIF fix do) it would read 《中华人民共和国中华人民
    共和国民法典》."""
    if right.startswith(_STATE) and len(right) > len(_STATE) and before(text, start, len(_STATE)) == _STATE:
        return right[len(_STATE) :]
    return right


DETECTOR = ReplaceDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """The entries of a replace rule (each checked: wrong forms, the right one, its date) and
    whether historical mentions are allowed and only citations count."""
    entries = raw.get("replace")
    where = located(name, raw, "replace")
    if not isinstance(entries, list) or not entries:
        problems.add(where, _("'replace' must be a list of entries with 'wrong' and 'right'"))
        entries = []
    read = [_entry(name, item, where, problems) for item in entries]
    seen: dict[str, str] = {}
    for entry, item in zip(read, entries, strict=True):
        for wrong in entry.wrong if entry else ():
            key = compact_key(wrong)
            if key in seen:
                problems.add(
                    located(name, item, "wrong"),
                    _("wrong form {wrong} is listed twice (first at {first})").format(
                        wrong=repr(wrong), first=seen[key]
                    ),
                )
            seen.setdefault(key, located(name, item, "wrong"))
    flags = {}
    for flag in ("historical", "cited"):
        value = raw.get(flag, False)
        if not isinstance(value, bool):
            problems.add(located(name, raw, flag), _("'{key}' must be true or false").format(key=flag))
        flags[flag] = value is True
    return {"replace": tuple(e for e in read if e is not None), **flags}


def _entry(name: str, item: object, where: str, problems: Problems) -> Replacement | None:
    if not isinstance(item, dict):
        problems.add(where, _("each entry of 'replace' is a mapping with 'wrong' and 'right'"))
        return None
    here = located(name, item)
    for key in sorted(k for k in item if not k.startswith("__") and k not in _ENTRY_FIELDS):
        problems.add(located(name, item, key), _("unknown field '{key}' in a replace entry").format(key=key))
    wrong = read_strings(item, "wrong", located(name, item, "wrong"), problems)
    right = item.get("right")
    if not wrong:
        problems.add(here, _("a replace entry needs 'wrong' with at least one form"))
    if not isinstance(right, str) or not right.strip():
        problems.add(here, _("a replace entry needs 'right': the form to write instead"))
        return None
    for form in wrong:
        if len(compact_key(form)) < MIN_TERM:
            problems.add(
                located(name, item, "wrong"),
                ngettext(
                    "wrong form {form} is shorter than {count} character",
                    "wrong form {form} is shorter than {count} characters",
                    MIN_TERM,
                ).format(form=repr(form), count=MIN_TERM),
            )
        if compact_key(form) == compact_key(right):
            problems.add(
                located(name, item, "right"),
                _("the right form {right} is the same as the wrong one").format(right=repr(right)),
            )
    since = _date(item, located(name, item, "since"), problems)
    level = read_level(item, "level", located(name, item, "level"), problems) if "level" in item else None
    source = item.get("source", "")
    if not isinstance(source, str):
        problems.add(located(name, item, "source"), _("'source' must be text"))
        source = ""
    return Replacement(
        wrong=wrong,
        right=right.strip(),
        since=since,
        source=source.strip(),
        allow=read_strings(item, "allow", located(name, item, "allow"), problems),
        level=level,
    )


def _date(item: dict[str, Any], where: str, problems: Problems) -> datetime.date | None:
    value = item.get("since")
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.add(
            where, _("'since' must be a date such as 2018-03-17 (got {value})").format(value=repr(value))
        )
        return None
