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
from screen.normalize import Projection, fold, is_noise, noise_re
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
FIELDS = frozenset({"regex", "validate", "plausible_level", "context", "gaps", "mask"})
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
            for index, rule in enumerate(self.rules):
                yield from self._rule_hits(analysis, layer_index, index, rule)

    def _projection(self, analysis: Analysis, layer: int, index: int) -> Projection:
        keep = self.keep[index]
        return analysis.visible(layer) if keep is None else analysis.compact(layer, keep)

    def _rule_hits(self, analysis: Analysis, layer_index: int, index: int, rule: Rule) -> Iterator[Hit]:
        projection = self._projection(analysis, layer_index, index)
        layer = analysis.document.layers[layer_index]
        text, regex = projection.text, self.compiled[index]
        for match in find(regex, text, analysis.document.path, rule.id):
            group = "m" if "m" in regex.groupindex and match.group("m") is not None else 0
            start, end = match.span(group)
            if end <= start or (rule.gaps and not projection.joined(start, end)):
                continue
            level = _validated_level(rule, text[start:end])
            if level is None:
                continue
            level, words = _context_level(level, self.contexts[index], text, start, end)
            origin, origin_end = projection.to_origin(start), layer.end_after(projection.to_origin(end - 1))
            written = analysis.document.text[origin:origin_end]
            yield Hit(
                rule=rule,
                start=origin,
                end=origin_end,
                level=level,
                key=noise_re().sub("", text[start:end]),
                layer=layer_index,
                context_words=words,
                suggestion=masked(rule.mask, written) if rule.mask else "",
            )


# How personal numbers are published when they must be (the form inspections require): which of
# a number's significant characters (digits, an ID's check letter) stay, counted from each end.
MASKS = {"mobile": (3, 4), "resident_id": (2, 3), "bank_card": (0, 4)}
_MOBILE_DIGITS = 11


def masked(mask: str, number: str) -> str:
    """`number` with its middle starred as `mask` says, separators kept: 138****1234,
    35*************123, ************1234. A mobile number's country code (+86) stays."""
    keep_first, keep_last = MASKS[mask]
    significant = [i for i, c in enumerate(number) if c.isdigit() or c in "xX"]
    if mask == "mobile":
        significant = significant[-_MOBILE_DIGITS:]
    hidden = set(significant[keep_first : len(significant) - keep_last])
    return "".join("*" if i in hidden else c for i, c in enumerate(number))


def _kept(pattern: str) -> str:
    """The noise characters `pattern` names itself: they stay significant in the text it reads."""
    return "".join(sorted(c for c in {fold(c) for c in literal_characters(pattern)} if is_noise(c)))


def _validated_level(rule: Rule, matched: str) -> Level | None:
    if not rule.validate:
        return rule.level
    verdict = VALIDATORS[rule.validate](matched)
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
) -> tuple[Level, tuple[str, ...]]:
    """The first context entry with a word in its window sets the level; report those words."""
    for context, words in contexts:
        window = text[max(0, start - context.window) : end + context.window]
        found = tuple(w for w in words if w in window)
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
    return fields


def _context_entry(
    name: str, entry: dict[str, Any], where: str, level: Level | None, problems: Problems
) -> Context | None:
    """A pattern rule's context entry: words that, within the window of a match, set its level."""
    words = read_strings(entry, "words", where, problems)
    return Context(words=words, window=entry["window"], level=level) if level and words else None
