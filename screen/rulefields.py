"""The field vocabulary every rule kind shares: each helper reads a field, records every problem
with its file and line in `Problems`, and returns the typed value. The shared fields are read by
`screen/ruleset.py`; each kind's own fields by its module in `screen/detectors/`."""

from __future__ import annotations

import re
import re._constants as sre_constants  # type: ignore[import-not-found]  # the stdlib regex parser
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Callable, Iterator
from typing import Any

import regex

from screen.i18n import N_, _, listed
from screen.model import Context, Level

RULE_ID = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)+")
# The validators of `screen/detectors/validators.py`, by name: this layer sits below the detectors.
VALIDATOR_NAMES = ("gb11643", "luhn", "gb32100", "cn_person", "weak_mask", "minor_birth")


class Problems:
    """Every problem found so far, each as "rules/FILE:LINE: message": all are reported at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(_("{where}: {message}").format(where=where, message=message))


# Where the rules that ship with Baomi are said to stand: "baomi:patterns/marking.yml:3".
PACKAGED = "baomi:"


def at(name: str, line: int) -> str:
    """ "rules/FILE:LINE" for a portal's rule file, "baomi:FILE:LINE" for a packaged one."""
    return f"{name}:{line}" if name.startswith(PACKAGED) else f"rules/{name}:{line}"


def located(name: str, raw: dict[str, Any], key: str | None = None) -> str:
    """Where the field `key` of `raw` stands ("rules/FILE:LINE"; the mapping itself without a key)."""
    line = raw.get("__lines__", {}).get(key) if key else None
    return at(name, line or raw.get("__line__", 1))


def read_strings(raw: dict[str, Any], key: str, where: str, problems: Problems) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(
            where, _("'{key}' must be a list of strings (quote numbers such as '4111…')").format(key=key)
        )
        return ()
    return tuple(value)


def read_level(raw: dict[str, Any], key: str, where: str, problems: Problems) -> Level | None:
    value = raw.get(key)
    try:
        return Level(str(value))
    except ValueError:
        problems.add(
            where,
            _("'{key}' must be one of block, review, info (got {value})").format(key=key, value=repr(value)),
        )
        return None


def check_validator(value: object, where: str, problems: Problems) -> None:
    """A `validate:` value (of a pattern rule or an entity rule's cue) names a known validator."""
    if value and value not in VALIDATOR_NAMES:
        problems.add(
            where,
            _("unknown validator {value}; one of {names}").format(
                value=repr(value), names=listed(VALIDATOR_NAMES)
            ),
        )


# How a kind reads one `context` entry whose shared shape is sound:
# (rule file name, entry, where the `context` field stands, its level or None, problems).
EntryReader = Callable[[str, dict[str, Any], str, Level | None, Problems], Context | None]


def read_context(
    name: str, raw: dict[str, Any], problems: Problems, read_entry: EntryReader
) -> tuple[Context, ...]:
    """The `context` entries of a rule: the shape every kind shares ('window', 'level') is checked
    here, the rest of each entry by the kind's own `read_entry`."""
    value = raw.get("context", [])
    entries = value if isinstance(value, list) else [value]
    contexts = []
    where = located(name, raw, "context")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("window"), int):
            problems.add(where, _("each context entry needs 'words' (list), 'window' (int) and 'level'"))
            continue
        level = read_level(entry, "level", where, problems)
        context = read_entry(name, entry, where, level, problems)
        if context is not None:
            contexts.append(context)
    return tuple(contexts)


# --- regexes --------------------------------------------------------------------------------

_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _children(op: object, argument: Any) -> Iterator[Any]:
    """The subpatterns directly under one parsed regex item."""
    if op in _REPEATS:
        yield argument[2]
    elif op is sre_constants.SUBPATTERN:
        yield argument[3]
    elif op is sre_constants.BRANCH:
        yield from argument[1]
    elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        yield argument[1]
    elif op is sre_constants.ATOMIC_GROUP:
        yield argument
    elif op is sre_constants.GROUPREF_EXISTS:
        yield from (p for p in argument[1:] if p is not None)


def _unbounded_repeats(parsed: Any, depth: int = 0) -> Iterator[int]:
    """For every unbounded repeat (`*`, `+`, `{n,}`), how many unbounded repeats enclose it."""
    for op, argument in parsed:
        inner = depth
        if op in _REPEATS and argument[1] == sre_constants.MAXREPEAT:
            yield depth
            inner = depth + 1
        for child in _children(op, argument):
            yield from _unbounded_repeats(child, inner)


def literal_characters(pattern: str) -> frozenset[str]:
    """The characters `pattern` names literally, alone or in a set (a negated set names none)."""
    found: set[str] = set()
    pending = [sre_parse.parse(pattern)]
    while pending:
        for op, argument in pending.pop():
            if op is sre_constants.LITERAL:
                found.add(chr(argument))
            elif op is sre_constants.IN and not any(o is sre_constants.NEGATE for o, _a in argument):
                found.update(chr(a) for o, a in argument if o is sre_constants.LITERAL)
                for o, a in argument:
                    if o is sre_constants.RANGE and a[1] - a[0] < 256:
                        found.update(chr(c) for c in range(a[0], a[1] + 1))
            pending.extend(_children(op, argument))
    return frozenset(found)


REGEX = N_("regex")
CONTEXT_REGEX = N_("context regex")


def check_regex(pattern: str, where: str, problems: Problems, what: str = REGEX) -> bool:
    """A rule regex compiles, and has no unbounded quantifier inside another (`(\\d+)*`,
    `(a|b+)+`): the classic cause of a match that backtracks for ever. `what` names the regex
    (`REGEX`, `CONTEXT_REGEX`: marked, translated here)."""
    try:
        # the syntax `re` accepts (its parse tree is what the check below walks), compiled as
        # `regex` too, which runs it
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
        regex.compile(pattern)
    except (re.error, regex.error, RecursionError, OverflowError) as error:
        problems.add(where, _("invalid {what}: {error}").format(what=_(what), error=error))
        return False
    if any(depth > 0 for depth in _unbounded_repeats(parsed)):
        problems.add(
            where,
            _(
                "{what} '{pattern}' repeats a part that itself repeats without bound (like (\\d+)*): it "
                "can take exponential time; bound the inner or the outer repeat ({{1,20}})"
            ).format(what=_(what), pattern=pattern),
        )
        return False
    return True
