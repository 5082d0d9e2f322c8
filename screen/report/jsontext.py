"""JSON as every report writes it: readable Chinese, and no character that could steer a reader's
terminal or flip the text around it (C1 controls, bidi overrides, zero-width joiners in a path or
a matched text), which are written as `\\u` escapes instead: the same string, safe to show."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TextIO

# C0 controls json escapes itself; these are every other Cc and Cf character of Unicode 14 (the
# version Python 3.11 knows) and the line and paragraph separators, which some viewers break on
_UNSAFE = re.compile(
    "[\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def dumps(document: Any) -> str:
    """`document` as indented UTF-8 JSON, with a final newline."""
    return encode(document) + "\n"


def _escape(match: re.Match[str]) -> str:
    """JSON's escape: one `\\uXXXX`, or a UTF-16 surrogate pair beyond the BMP."""
    units = match.group().encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))


_string = json.encoder.encode_basestring  # json's own (C) string encoder, non-ASCII kept as is


def encode(value: Any, indent: str = "") -> str:
    """`value` as `dumps` writes it (`json.dumps(value, ensure_ascii=False, indent=2)`, unsafe
    characters escaped), nested at `indent`. Several times faster than json's own, whose C
    encoder is not used when it indents: a report of 400,000 findings spent most of its writing
    time there."""
    kind = type(value)
    if kind is str or kind is int:
        return _text(value) if kind is str else int.__repr__(value)
    inner = indent + "  "
    if kind is dict:
        return _dict(value, indent) if value else "{}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        return "[\n" + ",\n".join([inner + encode(v, inner) for v in value]) + "\n" + indent + "]"
    return _other(value, indent)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _dict(value: dict[Any, Any], indent: str) -> str:
    """A dict's members, each run of scalar members written by json's C encoder in one call."""
    inner = indent + "  "
    pieces = []
    run: dict[str, Any] = {}
    for key, member in value.items():
        if type(member) in _SCALARS and type(key) is str:
            run[key] = member
            continue
        if run:
            pieces.append(_scalars(run, inner))
            run = {}
        pieces.append(f"{inner}{_key(key)}: {encode(member, inner)}")
    if run:
        pieces.append(_scalars(run, inner))
    return "{\n" + ",\n".join(pieces) + "\n" + indent + "}"


def _scalars(run: dict[str, Any], inner: str) -> str:
    """Members with scalar values, as `json.dumps(indent=2)` writes them at `inner`."""
    text = inner + _flat(inner)(run)[1:-1]
    strings = [*run, *(v for v in run.values() if type(v) is str)]
    return text if "".join(strings).isprintable() else _UNSAFE.sub(_escape, text)


@lru_cache(maxsize=16)
def _flat(inner: str) -> Callable[[Any], str]:
    """json's C encoder, its members separated as an indented dict's are at `inner`."""
    return json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",\n" + inner, ": ")).encode


def _other(value: Any, indent: str) -> str:
    """What `encode` sees rarely: None, booleans, floats, and subclasses of the common types."""
    if value is None or isinstance(value, bool | float):
        return json.dumps(value)
    plain: tuple[tuple[Any, Callable[[Any], Any]], ...] = (
        (str, str),
        (int, int),
        (dict, dict),
        (list | tuple, list),
    )
    for kind, convert in plain:
        if isinstance(value, kind):
            return encode(convert(value), indent)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _text(text: str) -> str:
    """A JSON string; a printable one (nearly all) has no character to escape beyond json's."""
    encoded = _string(text)
    return encoded if text.isprintable() else _UNSAFE.sub(_escape, encoded)


def _key(key: object) -> str:
    return _text(key) if type(key) is str else _text(json.dumps(key))


class JsonStream:
    """A JSON document written as it goes: the document up to one list of it (`ITEMS` stands for
    the list), the list's items one at a time, and the rest at the end (`end` is given the
    document again, the rest now known). Written exactly as `dumps` writes the whole."""

    ITEMS = "\x00baomi-items\x00"

    def __init__(self, out: TextIO, document: Any) -> None:
        self._out = out
        head, _ = self._split(document)
        line = head[head.rfind("\n") + 1 :]
        self._indent = line[: len(line) - len(line.lstrip(" "))]
        self._items = 0
        out.write(head)

    def _split(self, document: Any) -> tuple[str, str]:
        text = encode(document)
        mark = _string(self.ITEMS)
        at = text.index(mark)
        return text[:at], text[at + len(mark) :]

    def encoded(self, value: Any) -> str:
        """An item as the list holds it (what `items` takes; pure, so made anywhere)."""
        return encode(value, self._indent + "  ")

    def items(self, encoded: list[str]) -> None:
        """Items made by `encoded`, in order."""
        if encoded:
            inner = ",\n" + self._indent + "  "
            self._out.write(("[" + inner[1:] if not self._items else inner) + inner.join(encoded))
            self._items += len(encoded)

    def item(self, value: Any) -> None:
        self.items([self.encoded(value)])

    def end(self, document: Any) -> None:
        _, tail = self._split(document)
        close = "\n" + self._indent + "]" if self._items else "[]"
        self._out.write(close + tail + "\n")
