"""JSON as every report writes it: readable Chinese, and no character that could steer a reader's
terminal or flip the text around it (C1 controls, bidi overrides, zero-width joiners in a path or
a matched text), which are written as `\\u` escapes instead: the same string, safe to show."""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls json escapes itself; these are every other Cc and Cf character of Unicode 14 (the
# version Python 3.11 knows) and the line and paragraph separators, which some viewers break on
_UNSAFE = re.compile(
    "[\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def dumps(document: Any) -> str:
    """`document` as indented UTF-8 JSON, with a final newline."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _UNSAFE.sub(_escape, text) + "\n"


def _escape(match: re.Match[str]) -> str:
    """JSON's escape: one `\\uXXXX`, or a UTF-16 surrogate pair beyond the BMP."""
    units = match.group().encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))
