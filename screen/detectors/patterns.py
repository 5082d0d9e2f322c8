"""Pattern rules: regexes with validators and context words, over the visible folded text.

Patterns see folded text: lowercase, half-width, simplified (so `[0-9x]`, not `[0-9X]`). A named
group `m` marks the part to report; otherwise the whole match is reported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from screen.detectors.analysis import Analysis, text_example
from screen.detectors.bounded import compile_bounded, find
from screen.detectors.validators import VALIDATORS, Verdict
from screen.i18n import N_, _, listed
from screen.model import Context, Hit, Level, Rule
from screen.normalize import BREAK, MASK_CHARACTERS, Projection, digit_read, fold, is_noise, noise_re
from screen.rulefields import (
    Problems,
    check_regex,
    check_validator,
    literal_characters,
    located,
    read_context,
    read_level,
    read_strings,
)

KIND = "pattern"
NAME = N_("a pattern rule")  # how messages name a rule of this kind
FIELDS = frozenset({"regex", "validate", "plausible_level", "plausible_message", "context", "gaps", "mask"})
MARKERS: frozenset[str] = frozenset()  # a rule without another kind's markers is a pattern rule


class PatternDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.compiled = tuple(compile_bounded(rule.regex) for rule in rules)
        self.contexts = tuple(
            tuple((c, tuple(fold(w) for w in c.words)) for c in rule.context) for rule in rules
        )
        # A rule that reads gaps like terms keeps only the noise characters it names itself.
        self.keep = tuple(_kept(rule.regex) if rule.gaps else None for rule in rules)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for layer_index in range(len(analysis.document.layers)):
            read = [
                found
                for index, rule in enumerate(self.rules)
                for found in self._rule_hits(analysis, layer_index, index, rule)
            ]
            yield from one_reading(read)

    def _projection(self, analysis: Analysis, layer: int, index: int) -> Projection:
        keep = self.keep[index]
        return analysis.visible(layer) if keep is None else analysis.compact(layer, keep)

    def _header(self, analysis: Analysis, layer: int, index: int, position: int) -> str:
        """The header of the table column the match at `position` stands in, if any."""
        grid = analysis.grid(layer, self.keep[index])
        return grid.header(position) if grid else ""

    def _rule_hits(
        self, analysis: Analysis, layer_index: int, index: int, rule: Rule
    ) -> Iterator[tuple[Hit, Verdict | None]]:
        projection = self._projection(analysis, layer_index, index)
        layer = analysis.document.layers[layer_index]
        text, regex = projection.text, self.compiled[index]
        for match in find(regex, text, analysis.document.path, rule.id):
            group = "m" if "m" in regex.groupindex and match.group("m") is not None else 0
            start, end = match.span(group)
            if end <= start or (rule.gaps and not projection.joined(start, end)):
                continue
            verdict = VALIDATORS[rule.validate](text[start:end]) if rule.validate else None
            level = _validated_level(rule, verdict)
            if level is None:
                continue
            header = self._header(analysis, layer_index, index, start) if self.contexts[index] else ""
            level, words = _context_level(level, self.contexts[index], text, start, end, header)
            origin, origin_end = projection.to_origin(start), layer.end_after(projection.to_origin(end - 1))
            written = analysis.document.text[origin:origin_end]
            plausible = verdict is Verdict.PLAUSIBLE
            hit = Hit(
                rule=rule,
                start=origin,
                end=origin_end,
                level=level,
                key=noise_re().sub("", text[start:end]),
                layer=layer_index,
                context_words=words,
                suggestion=masked(rule.mask, written) if rule.mask else "",
                message=rule.plausible_message if plausible else "",
            )
            yield hit, verdict


# How personal numbers are published when they must be (the form inspections require): which of
# a number's significant characters (digits, an ID's check letter) stay, counted from each end.
# `number`: whichever of the three a number is by its length (a weakly masked one, pii.weak_mask).
MASKS = {"mobile": (3, 4), "resident_id": (2, 3), "bank_card": (0, 4), "number": (0, 0)}
_MOBILE_DIGITS = 11
_ID_CHARACTERS = 18
# The characters of a personal number as written, digits aside: an ID's check letter, mask stars.
_MASKS_AS_WRITTEN = "＊＃" + MASK_CHARACTERS  # each written as the official * in the masked form
NUMBER_CHARACTERS = "xX" + _MASKS_AS_WRITTEN


def masked(mask: str, number: str) -> str:
    """`number` with its middle starred as `mask` says, separators kept: 138****1234,
    35*************123, ************1234. A mobile number's country code (+86) stays. Masks
    already there count as the characters they hide, and are written as stars (110105●●●●●●●●002X
    → 11*************02X). Digits written as numerals or letters are written as digits
    (一三八一二三四五六七八 and l38l2345678 → 138****5678)."""
    significant = [i for i, c in enumerate(number) if digit_read(c) or c in NUMBER_CHARACTERS]
    if mask == "number":
        first = (digit_read(number[significant[0]]) or "") if significant else ""
        mask = _kind_by_length(len(significant), first)
    keep_first, keep_last = MASKS[mask]
    if mask == "mobile":
        significant = significant[-_MOBILE_DIGITS:]
    hidden = set(significant[keep_first : len(significant) - keep_last])
    return "".join(
        "*" if i in hidden or c in _MASKS_AS_WRITTEN else digit_read(c) or c for i, c in enumerate(number)
    )


def _kind_by_length(size: int, first: str) -> str:
    """A personal number's kind from how many characters it has: 11 (or 13 with 86 before it) a
    mobile number, 18 a resident ID number, else a card."""
    if size == _MOBILE_DIGITS or (size == _MOBILE_DIGITS + 2 and first == "8"):
        return "mobile"
    return "resident_id" if size == _ID_CHARACTERS else "bank_card"


def _kept(pattern: str) -> str:
    """The noise characters `pattern` names itself: they stay significant in the text it reads."""
    return "".join(sorted(c for c in {fold(c) for c in literal_characters(pattern)} if is_noise(c)))


# One number, one reading: where numbers read by these validators overlap, the strongest reading
# stands alone. An ID number with its check digit right comes first, then a card number next to
# a card's cue, then an ID number whose check digit is wrong, then a bare Luhn pass (one
# 18-digit number in ten passes Luhn by chance), then a mobile number inside any of them (eleven
# of an ID's digits written one by one read as a mobile number too).
_READINGS = ("gb11643", "luhn")
_MOBILE = "mobile"  # the mask of a mobile-number rule: it has no validator


def _reading(hit: Hit) -> bool:
    return hit.rule.validate in _READINGS or hit.rule.mask == _MOBILE


def _strength(hit: Hit, verdict: Verdict | None) -> int:
    if hit.rule.validate == "gb11643":
        return 3 if verdict is Verdict.VALID else 1
    if hit.rule.mask == _MOBILE:
        return -1
    return 2 if hit.context_words else 0


def one_reading(read: list[tuple[Hit, Verdict | None]]) -> list[Hit]:
    """The hits, without the weaker readings of a number another reading of it beats."""
    numbers = sorted(((h, v) for h, v in read if _reading(h)), key=lambda p: p[0].start)
    beaten: set[int] = set()
    for index, (hit, verdict) in enumerate(numbers):
        strength = _strength(hit, verdict)
        for other, other_verdict in numbers[index + 1 :]:
            if other.start >= hit.end:
                break
            other_strength = _strength(other, other_verdict)
            if other_strength != strength:
                beaten.add(id(hit) if other_strength > strength else id(other))
    return [hit for hit, _ in read if id(hit) not in beaten]


def _validated_level(rule: Rule, verdict: Verdict | None) -> Level | None:
    if verdict is None:
        return rule.level
    if verdict is Verdict.VALID:
        return rule.level
    if verdict is Verdict.PLAUSIBLE:
        return rule.plausible_level
    return None


def _context_level(
    level: Level,
    contexts: tuple[tuple[Context, tuple[str, ...]], ...],
    text: str,
    start: int,
    end: int,
    header: str = "",
) -> tuple[Level, tuple[str, ...]]:
    """The first context entry with a word in its window sets the level; report those words. A
    window ends at a block's edge (a paragraph, a heading, a table row): a word in another block
    says nothing of this match. In a table, the header of the match's column is in every
    window (a card number under 银行卡号 has its card cue)."""
    for context, words in contexts:
        before = text[max(0, start - context.window) : start]
        after = text[end : end + context.window]
        window = before.rpartition(BREAK)[2] + text[start:end] + after.partition(BREAK)[0]
        found = tuple(w for w in words if w in window or w in header)
        if found:
            return context.level, found
    return level, ()


DETECTOR = PatternDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """The regex, its validator and the level a merely plausible match gets, and the context words."""
    fields: dict[str, Any] = {"context": read_context(name, raw, problems, _context_entry)}
    regex = raw.get("regex")
    if not isinstance(regex, str) or not regex:
        problems.add(located(name, raw), _("a pattern rule needs a 'regex'"))
    elif check_regex(regex, located(name, raw, "regex"), problems):
        fields["regex"] = regex
    gaps = raw.get("gaps", False)
    if not isinstance(gaps, bool):
        problems.add(
            located(name, raw, "gaps"), _("'gaps' must be true or false (got {got})").format(got=repr(gaps))
        )
    fields["gaps"] = gaps is True
    validate = raw.get("validate", "")
    check_validator(validate, located(name, raw, "validate"), problems)
    fields["validate"] = validate or ""
    mask = raw.get("mask", "")
    if mask and mask not in MASKS:
        problems.add(
            located(name, raw, "mask"),
            _("unknown mask {value}; one of {names}").format(value=repr(mask), names=listed(tuple(MASKS))),
        )
        mask = ""
    fields["mask"] = mask or ""
    if "plausible_level" in raw:
        fields["plausible_level"] = read_level(
            raw, "plausible_level", located(name, raw, "plausible_level"), problems
        )
    plausible_message = raw.get("plausible_message", "")
    if not isinstance(plausible_message, str):
        problems.add(located(name, raw, "plausible_message"), _("'plausible_message' must be text"))
        plausible_message = ""
    fields["plausible_message"] = plausible_message
    return fields


def _context_entry(
    name: str, entry: dict[str, Any], where: str, level: Level | None, problems: Problems
) -> Context | None:
    """A pattern rule's context entry: words that, within the window of a match, set its level."""
    words = read_strings(entry, "words", where, problems)
    return Context(words=words, window=entry["window"], level=level) if level and words else None
