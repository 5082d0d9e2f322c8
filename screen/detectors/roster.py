"""Roster rules: the people of a portal's `rules/people.yml` (names, titles, order, status),
checked where they are written.

- `name_variant`: a near miss of a person's name (one character replaced by a homophone or a
  look-alike) next to one of that person's titles: 杜家豪书记 for 杜家毫. A name of two or three
  characters has near misses in ordinary words (能力强), so only a title makes one a name.
- `title_mismatch`: a current person's name joined to a title that another current person
  holds, or a former person's name with a current title (not after 原, 前, 时任 …).
- `order`: people named in one enumeration (顿号, 和, 及, 与, 同志 lists, the cells of a table)
  in an order that contradicts their `order`.
- `fallen`: a person whose status is `fallen` is named; the context decides.

Titles are found first (one Aho–Corasick pass over the compact text finds titles and exact
names alike); names are then read in the few characters beside each title."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from screen.detectors.analysis import Analysis, text_example
from screen.detectors.similar import confusable, similar
from screen.detectors.terms import MIN_TERM, compact_key, place
from screen.detectors.wording import HISTORICAL_PREFIXES, prefixed
from screen.i18n import N_, _, listed
from screen.model import PERSON_STATUSES, Hit, Person, Rule
from screen.normalize import BREAK, HIDDEN
from screen.rulefields import Problems, at, located, read_strings

KIND = "roster"
NAME = N_("a roster rule")
FIELDS = frozenset({"roster", "example_people"})
MARKERS = frozenset({"roster"})
CHECKS = ("name_variant", "title_mismatch", "order", "fallen")
PEOPLE_FILE = "people.yml"
_PERSON_FIELDS = frozenset({"name", "titles", "order", "status"})
_NAME_LENGTHS = (3, 2)  # longest first: 杜家毫 before 杜家
_FREE = "\x02"  # the free position of a name's one-character pattern
_COMRADE = "同志"
# What may stand between a title and its name: nothing, spaces, 同志 or one punctuation mark.
_JOINER = re.compile(r"(?:同志)?[^\w\s。！？；!?;…]?")
# A two-character name may be the first two characters of a three-character one (市长王卫东 is no
# near miss of 王伟): beside a title it counts only when what follows it (or, before the title,
# what precedes it) is no character of a name: a mark, or the first character of the words that
# commonly follow or precede a name.
_AFTER_NAME = frozenset(
    "同说在出主指强表讲参调会要提一等和与及的为是对到来去率带任代致作答向就也都已将从陪视察考听分宣介通接看慰了还又先首随亲深专赴走召组"
)
_BEFORE_NAME = frozenset("由请向同与和及对在经是任为给跟陪有了时后前上中下让把被将从据见称看")
# What may stand between two names of one enumeration, once titles and 同志 are set aside.
_LIST_SEPARATOR = re.compile(r"[、，,和及与以|｜\s]*")
_LIST_GAP = 40
_T = TypeVar("_T")  # characters between two listed names, titles included


@dataclass(frozen=True, slots=True)
class _Place:
    start: int  # source offsets
    end: int
    first: int  # compact offsets
    last: int


class RosterDetector:
    kind = KIND

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        tables = similar()
        self.readings = tables.readings
        self.lookalikes = tables.lookalikes
        self.checks = {rule.roster: rule for rule in rules}
        self.people = next((rule.people for rule in rules if rule.people), ())
        self.names = {compact_key(p.name): index for index, p in enumerate(self.people)}
        self.patterns: dict[str, list[int]] = {}
        for index, person in enumerate(self.people):
            name = compact_key(person.name)
            for position in range(len(name)):
                self.patterns.setdefault(name[:position] + _FREE + name[position + 1 :], []).append(index)
        # Every title a person holds and its tails (省委书记, 委书记, 书记; 副市长 for 常务副市长,
        # never 市长): who holds each form.
        self.tails: dict[str, set[int]] = {}
        self.titles: dict[str, set[int]] = {}
        for index, person in enumerate(self.people):
            for title in map(compact_key, person.titles):
                self.titles.setdefault(title, set()).add(index)
                for cut in range(len(title) - 1):
                    if cut == 0 or title[cut - 1] != "副":  # 副市长 is not 市长
                        self.tails.setdefault(title[cut:], set()).add(index)
        # Title forms longest first, for setting them aside between two listed names.
        self.longest_first = sorted(self.tails, key=len, reverse=True)

    def words(self) -> Iterator[tuple[str, tuple[bool, bool]]]:
        """Titles (and their tails) and names, for the shared automaton (`lexicon.py`): the
        payload says whether the word is a title form, a name, or both."""
        for form in self.tails:
            yield form, (True, form in self.names)
        for written in self.names:
            if written not in self.tails:
                yield written, (False, True)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        if not self.people:
            return
        for layer_index, layer in enumerate(analysis.document.layers):
            raw = analysis.words(layer_index, KIND)
            if not raw:
                continue
            projection = analysis.compact(layer_index)
            titles: list[tuple[int, int, str]] = []  # compact offsets: placed when a name is beside
            names: list[tuple[_Place, int]] = []
            for first, end, ((title, name), *_same) in raw:
                form = projection.text[first : end + 1]
                if title:
                    titles.append((first, end, form))
                if name:
                    span = place(layer, projection, first, end)
                    if span is not None:
                        names.append((_Place(span[0], span[1], first, end), self.names[form]))
            yield from self._beside_titles(
                analysis, layer_index, _leftmost_longest(titles, lambda t: (t[0], t[1]))
            )
            named = _leftmost_longest(names, lambda n: (n[0].first, n[0].last))
            yield from self._fallen(layer_index, named)
            yield from self._order(analysis, layer_index, named)

    # -- names beside titles ------------------------------------------------------------------

    def _beside_titles(
        self, analysis: Analysis, layer: int, titles: list[tuple[int, int, str]]
    ) -> Iterator[Hit]:
        if "name_variant" not in self.checks and "title_mismatch" not in self.checks:
            return
        projection = analysis.compact(layer)
        source = analysis.document.layers[layer]
        compact = projection.text
        for title_first, title_last, form in titles:
            beside = [
                (first, last)
                for first, last in _beside_compact(title_first, title_last, compact)
                if self._maybe_name(compact[first : last + 1])
            ]
            if not beside:
                continue  # nothing beside the title is a name or one character from one
            span = place(source, projection, title_first, title_last)
            if span is None:
                continue
            title = _Place(span[0], span[1], title_first, title_last)
            joined: list[tuple[bool, _Place]] = []
            for first, last in beside:
                if not _ideographs(compact[first : last + 1]) or not _whole(compact, title, first, last):
                    continue
                span = place(source, projection, first, last)
                if span is None:
                    continue
                name = _Place(span[0], span[1], first, last)
                gap = _visible(
                    source.text[title.end : name.start]
                    if first > title.last
                    else source.text[name.end : title.start]
                )
                if _JOINER.fullmatch(gap):
                    joined.append((gap != "", name))
            # The name written right against the title is its name before one a mark separates
            # from it: in 苏明哲市长、高建平常务副市长 the 市长 is 苏明哲's, not 高建平's, though
            # the name after a title is read first (市长，苏明哲). A stable sort keeps that order
            # among equally close names.
            for _apart, name in sorted(joined, key=lambda j: j[0]):
                written = compact[name.first : name.last + 1]
                read, hit = self._read_name(source.text, layer, name, written, title, form)
                if hit is not None:
                    yield hit
                if read:
                    break

    def _maybe_name(self, written: str) -> bool:
        """Whether `written` is a roster name or differs from one in one character."""
        if written in self.names:
            return True
        return any(
            written[:position] + _FREE + written[position + 1 :] in self.patterns
            for position in range(len(written))
        )

    def _read_name(
        self, text: str, layer: int, name: _Place, written: str, title: _Place, form: str
    ) -> tuple[bool, Hit | None]:
        """Whether `written` beside `title` (its compact form `form`) is a roster name or a near
        miss of one, and the finding it makes."""
        index = self.names.get(written)
        if index is not None:
            return True, self._mismatch(text, layer, name, title, form, index)
        rule = self.checks.get("name_variant")
        if rule is None:
            return False, None
        for position in range(len(written)):
            for person in self.patterns.get(written[:position] + _FREE + written[position + 1 :], ()):
                right = compact_key(self.people[person].name)
                if person in self.tails.get(form, ()) and confusable(
                    self.readings, self.lookalikes, right[position], written[position]
                ):
                    hit = Hit(
                        rule=rule,
                        start=name.start,
                        end=name.end,
                        level=rule.level,
                        key=written,
                        layer=layer,
                        suggestion=self.people[person].name,
                    )
                    return True, hit
        return False, None

    def _mismatch(
        self, text: str, layer: int, name: _Place, title: _Place, form: str, index: int
    ) -> Hit | None:
        rule = self.checks.get("title_mismatch")
        person = self.people[index]
        if rule is None or person.status == "fallen":
            return None
        own = index in self.tails.get(form, ())
        current = {i for i in self.titles.get(form, ()) if self.people[i].status == "current"}
        if person.status == "current":
            wrong = not own and bool(current - {index})
        else:
            held = any(self.people[i].status == "current" for i in self.tails.get(form, ()))
            history = prefixed(text, min(title.start, name.start), HISTORICAL_PREFIXES)
            wrong = (own or held) and not history
        if not wrong:
            return None
        start, end = min(name.start, title.start), max(name.end, title.end)
        key = compact_key(person.name) + "\x00" + form
        return Hit(rule=rule, start=start, end=end, level=rule.level, key=key, layer=layer)

    # -- exact names --------------------------------------------------------------------------

    def _fallen(self, layer: int, names: list[tuple[_Place, int]]) -> Iterator[Hit]:
        rule = self.checks.get("fallen")
        if rule is None:
            return
        for where, index in names:
            if self.people[index].status == "fallen":
                key = compact_key(self.people[index].name)
                yield Hit(rule=rule, start=where.start, end=where.end, level=rule.level, key=key, layer=layer)

    def _order(self, analysis: Analysis, layer: int, names: list[tuple[_Place, int]]) -> Iterator[Hit]:
        rule = self.checks.get("order")
        if rule is None or len(names) < 2:
            return
        text = analysis.document.layers[layer].text
        group: list[tuple[_Place, int]] = [names[0]]
        for item in names[1:]:
            if self._listed(text[group[-1][0].end : item[0].start]):
                group.append(item)
                continue
            yield from self._ordered(rule, layer, group)
            group = [item]
        yield from self._ordered(rule, layer, group)

    def _listed(self, gap: str) -> bool:
        """Whether `gap` only separates two names of one enumeration (titles and 同志 aside)."""
        if len(gap) > _LIST_GAP:
            return False
        gap = gap.replace(BREAK, "\n")  # a table row ends in a break
        visible = _visible(gap)
        if "\n" in gap and "|" not in gap:
            return False  # a line break ends a list, but for the rows of a table
        rest = visible
        for form in self.longest_first:
            rest = rest.replace(form, "")
        rest = rest.replace("同志", "")
        return bool(_LIST_SEPARATOR.fullmatch(rest))

    def _ordered(self, rule: Rule, layer: int, group: list[tuple[_Place, int]]) -> Iterator[Hit]:
        highest: int | None = None
        for where, index in group:
            order = self.people[index].order
            if order is None:
                continue
            if highest is not None and order < highest:
                names = "、".join(self.people[i].name for _where, i in group)
                yield Hit(
                    rule=rule,
                    start=where.start,
                    end=where.end,
                    level=rule.level,
                    key=compact_key(names),
                    layer=layer,
                )
                return
            highest = order if highest is None else max(highest, order)


def _beside_compact(title_first: int, title_last: int, compact: str) -> Iterator[tuple[int, int]]:
    """Where a name may stand beside a title (compact offsets): after it, then before it, the
    longer name first; and before it across a 同志 (林志远同志（市委书记）), which `_JOINER` lets
    stand between the two but which the compact text keeps (its characters are not noise)."""
    before = [title_first]
    if title_first >= len(_COMRADE) and compact[title_first - len(_COMRADE) : title_first] == _COMRADE:
        before.append(title_first - len(_COMRADE))
    for length in _NAME_LENGTHS:
        places = [(title_last + 1, title_last + length)] + [(end - length, end - 1) for end in before]
        for first, last in places:
            if first >= 0 and last < len(compact):
                yield first, last


def _whole(compact: str, title: _Place, first: int, last: int) -> bool:
    """Whether [first, last] beside `title` can be a whole name, not part of a longer one."""
    if last - first + 1 > 2:
        return True
    if first > title.last:  # after the title: what follows the name
        beyond, allowed = (compact[last + 1] if last + 1 < len(compact) else ""), _AFTER_NAME
    else:  # before the title: what precedes the name
        beyond, allowed = (compact[first - 1] if first > 0 else ""), _BEFORE_NAME
    return not _ideographs(beyond) or not beyond or beyond in allowed


def _visible(text: str) -> str:
    return "".join(text.replace(HIDDEN, "").split())


def _ideographs(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0003134f" for c in text)


def _leftmost_longest(found: list[_T], span: Callable[[_T], tuple[int, int]]) -> list[_T]:
    """Leftmost-longest by compact offsets (first, last): drop each match inside or across an
    earlier, longer one (书记 inside 省委书记)."""
    kept: list[_T] = []
    end = -1
    for item in sorted(found, key=lambda f: (span(f)[0], span(f)[0] - span(f)[1])):
        first, last = span(item)
        if first > end:
            kept.append(item)
            end = last
    return kept


DETECTOR = RosterDetector
example = text_example


def example_rule(rule: Rule) -> Rule:
    """The rule as its own examples are run: with its fictional roster, not the portal's."""
    return replace(rule, people=rule.example_people)


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """Which check a roster rule makes, and the fictional people its examples are about."""
    check = raw.get("roster")
    if check not in CHECKS:
        problems.add(
            located(name, raw, "roster"),
            _("'roster' must be one of {checks} (got {value})").format(
                checks=listed(CHECKS), value=repr(check)
            ),
        )
    people = raw.get("example_people")
    where = located(name, raw, "example_people")
    if not isinstance(people, list) or not people:
        problems.add(where, _("a roster rule needs 'example_people': the fictional people of its examples"))
        people = []
    return {"roster": str(check), "example_people": read_people(name, people, where, problems)}


def read_roster(name: str, raw: object, problems: Problems) -> tuple[Person, ...]:
    """The people of a roster file (`schema_version: 1`, `people:`), every problem recorded."""
    if not isinstance(raw, dict):
        problems.add(at(name, 1), _("a roster holds 'schema_version: 1' and 'people:' with a list"))
        return ()
    for key in sorted(k for k in raw if not k.startswith("__") and k not in ("schema_version", "people")):
        problems.add(located(name, raw, key), _("unknown field '{key}' in the roster").format(key=key))
    if raw.get("schema_version") != 1:
        problems.add(located(name, raw, "schema_version"), _("'schema_version' must be 1"))
    people = raw.get("people")
    if not isinstance(people, list):
        problems.add(located(name, raw, "people"), _("'people' must be a list of people"))
        return ()
    return read_people(name, people, located(name, raw, "people"), problems)


def read_people(name: str, items: list[Any], where: str, problems: Problems) -> tuple[Person, ...]:
    people: list[Person] = []
    seen: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            problems.add(where, _("each person is a mapping with 'name', 'titles', 'order' and 'status'"))
            continue
        person = _person(name, item, problems)
        if person is None:
            continue
        key = compact_key(person.name)
        if key in seen:
            problems.add(
                person.origin,
                _("duplicate name {name} (first at {first})").format(name=person.name, first=seen[key]),
            )
            continue
        seen[key] = person.origin
        people.append(person)
    return tuple(people)


def _person(name: str, item: dict[str, Any], problems: Problems) -> Person | None:
    here = located(name, item)
    for key in sorted(k for k in item if not k.startswith("__") and k not in _PERSON_FIELDS):
        problems.add(located(name, item, key), _("unknown field '{key}' of a person").format(key=key))
    written = item.get("name")
    if not isinstance(written, str) or len(compact_key(written)) < MIN_TERM:
        problems.add(
            located(name, item, "name"),
            _("'name' must be a name of at least {count} characters (got {value})").format(
                count=MIN_TERM, value=repr(written)
            ),
        )
        return None
    titles = read_strings(item, "titles", located(name, item, "titles"), problems)
    for title in titles:
        if len(compact_key(title)) < MIN_TERM:
            problems.add(
                located(name, item, "titles"),
                _("title {title} is shorter than {count} characters").format(
                    title=repr(title), count=MIN_TERM
                ),
            )
    order = item.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        problems.add(
            located(name, item, "order"),
            _("'order' must be a whole number, smaller first (got {value})").format(value=repr(order)),
        )
        order = None
    status = item.get("status", "current")
    if status not in PERSON_STATUSES:
        problems.add(
            located(name, item, "status"),
            _("'status' must be one of {statuses} (got {value})").format(
                statuses=listed(PERSON_STATUSES), value=repr(status)
            ),
        )
        status = "current"
    return Person(name=written.strip(), titles=titles, order=order, status=str(status), origin=here)
