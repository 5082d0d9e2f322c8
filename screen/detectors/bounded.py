"""Rule regexes that run in bounded time. Patterns are compiled with the `regex` module (its
matcher avoids most catastrophic backtracking that `re` falls into) and every search carries a
deadline proportional to the text: a pattern that still runs away makes the file unscreenable
(exit 2, naming the rule), never a hang. `baomi rules check` refuses the usual cause up front
(`nested_quantifier` in `screen/rulefields.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from screen.errors import InputError
from screen.i18n import _

Pattern = regex.Pattern[str]
Match = regex.Match[str]
_BASE_SECONDS = 1.0
_SECONDS_PER_CHAR = 1e-6  # a linear pattern reads tens of MB a second; this is 1 MB a second


def compile_bounded(pattern: str) -> Pattern:
    return regex.compile(pattern)


def find(pattern: Pattern, text: str, path: str, rule_id: str) -> Iterator[Match]:
    """`pattern.finditer(text)` within the deadline, or an `InputError` for `path`."""
    try:
        yield from pattern.finditer(text, timeout=_BASE_SECONDS + len(text) * _SECONDS_PER_CHAR)
    except TimeoutError:
        raise InputError(
            path,
            _(
                "rule {rule}: its regex ran out of time on this file (it backtracks); simplify the "
                "pattern, and run `baomi rules check`"
            ).format(rule=rule_id),
        ) from None
