"""Protected rules: fixed expressions (规范表述) that must be written exactly. A near miss (the
phrase with one character replaced by a homophone or a look-alike, `similar.py`) is reported
with the right form as its suggestion.

A near miss differs from its phrase in one character, so one half of the phrase stands in it
exactly: the halves of every phrase are words of the automaton every kind shares (`lexicon.py`,
no walk of the text of its own), and each half found is compared with its phrase around it,
character by character. Spelling out every variant instead would make about 800,000 keys for
2,000 phrases; matching sound classes in a second automaton (tried first) cost a second walk of
the text and 20 MB more of compiled rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from screen.detectors.analysis import Analysis, text_example
from screen.detectors.similar import confusable, similar
from screen.detectors.terms import compact_key, place
from screen.i18n import N_, _, ngettext
from screen.model import Hit, Rule
from screen.rulefields import Problems, located, read_strings

KIND = "protected"
NAME = N_("a protected-phrase rule")
FIELDS = frozenset({"protected", "allow"})
MARKERS = frozenset({"protected"})
# Shorter phrases are personal names: their near misses are ordinary words (能力强) unless a
# title stands next to them, which is what the roster (rules/people.yml) checks.
MIN_PHRASE = 4


class ProtectedDetector:
    kind = KIND

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        tables = similar()
        self.rules = rules
        self.readings = tables.readings
        self.lookalikes = tables.lookalikes
        self.phrases: list[tuple[int, str, str]] = []  # (rule, compact phrase, phrase as written)
        self.exact: set[tuple[int, str]] = set()
        self.allow: list[tuple[str, ...]] = [tuple(compact_key(a) for a in rule.allow) for rule in rules]
        for index, rule in enumerate(rules):
            for phrase in rule.protected:
                key = compact_key(phrase)
                if len(key) < MIN_PHRASE:
                    raise ValueError(
                        _("{origin}: phrase {phrase} is too short for a protected rule").format(
                            origin=rule.origin, phrase=repr(phrase)
                        )
                    )
                self.phrases.append((index, key, phrase.strip()))
                self.exact.add((index, key))

    def words(self) -> Iterator[tuple[str, tuple[int, int]]]:
        """Each phrase's two halves (the first with its offset 0, the second with where it
        starts), for the shared automaton: one of them stands exactly in any near miss."""
        for number, (_rule, phrase, _written) in enumerate(self.phrases):
            half = len(phrase) // 2
            yield phrase[:half], (number, 0)
            yield phrase[half:], (number, half)

    def confusable(self, right: str, written: str) -> bool:
        return confusable(self.readings, self.lookalikes, right, written)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for layer_index, layer in enumerate(analysis.document.layers):
            raw = analysis.words(layer_index, KIND)
            if not raw:
                continue
            projection = analysis.compact(layer_index)
            text = projection.text
            found: dict[int, list[tuple[int, int, int, str]]] = {}
            seen: set[tuple[int, int]] = set()
            for first, _last, halves in raw:
                for number, offset in halves:
                    rule, phrase, _written = self.phrases[number]
                    start = first - offset
                    if start < 0 or (number, start) in seen:
                        continue
                    seen.add((number, start))
                    window = text[start : start + len(phrase)]
                    if len(window) < len(phrase):
                        continue
                    differ = self._differ(rule, phrase, window)
                    if differ is None:
                        continue
                    # Folding made a traditional or variant character simplified (於 → 于): its
                    # own readings count too (於 is also wū, as 恶 is).
                    written = analysis.document.text[projection.to_origin(start + differ)]
                    if not (
                        self.confusable(phrase[differ], window[differ])
                        or self.confusable(phrase[differ], written)
                    ):
                        continue
                    if self._allowed(rule, text, start, window):
                        continue
                    span = place(layer, projection, start, start + len(phrase) - 1)
                    if span is not None:
                        found.setdefault(rule, []).append((*span, number, window))
            for rule_index, candidates in found.items():
                yield from self._select(layer_index, rule_index, candidates)

    def _differ(self, rule: int, phrase: str, window: str) -> int | None:
        """Where `window` differs from `phrase` when it does in exactly one character (and is not
        another of the rule's phrases)."""
        if window == phrase or (rule, window) in self.exact:
            return None
        differ = [i for i in range(len(phrase)) if window[i] != phrase[i]]
        return differ[0] if len(differ) == 1 else None

    def _allowed(self, rule: int, text: str, first: int, window: str) -> bool:
        """Whether the near miss stands inside one of the rule's allowed phrases (a real word)."""
        for allowed in self.allow[rule]:
            offset = allowed.find(window)
            while offset >= 0:
                if text[first - offset : first - offset + len(allowed)] == allowed:
                    return True
                offset = allowed.find(window, offset + 1)
        return False

    def _select(
        self, layer: int, rule_index: int, candidates: list[tuple[int, int, int, str]]
    ) -> Iterator[Hit]:
        rule = self.rules[rule_index]
        last_end = -1
        for start, end, number, window in sorted(candidates, key=lambda c: (c[0], c[0] - c[1])):
            if start < last_end:
                continue
            last_end = end
            yield Hit(
                rule=rule,
                start=start,
                end=end,
                level=rule.level,
                key=window,
                layer=layer,
                suggestion=self.phrases[number][2],
            )


DETECTOR = ProtectedDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """The phrases of a protected rule (each at least `MIN_PHRASE` characters, each once) and
    the near-miss forms that are words of their own (`allow`)."""
    where = located(name, raw, "protected")
    phrases = read_strings(raw, "protected", where, problems)
    if not phrases:
        problems.add(where, _("'protected' must list at least one phrase"))
    seen: set[str] = set()
    for phrase in phrases:
        key = compact_key(phrase)
        if len(key) < MIN_PHRASE:
            problems.add(
                where,
                ngettext(
                    "phrase {phrase} is shorter than {count} character: a personal name belongs in "
                    "rules/people.yml, where its near misses count only next to a title",
                    "phrase {phrase} is shorter than {count} characters: a personal name belongs in "
                    "rules/people.yml, where its near misses count only next to a title",
                    MIN_PHRASE,
                ).format(phrase=repr(phrase), count=MIN_PHRASE),
            )
        if key in seen:
            problems.add(where, _("phrase {phrase} is listed twice").format(phrase=repr(phrase)))
        seen.add(key)
    return {"protected": phrases, "allow": read_strings(raw, "allow", located(name, raw, "allow"), problems)}
