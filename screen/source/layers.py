"""Build same-length views of a source file: what the reader sees, and what else is published.

Layer 0 is the reader's view (markup hidden, so `青**松**` reads `青松`); layer 1 holds text that
is published but not read inline (HTML comments, link targets, attribute values), kept apart so it
cannot split a term of layer 0. Both are `fold`ed and exactly as long as the source, so a position
in either is a position in the source. Layer 0 also carries the tables its reader met
(`screen.source.tables`).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from screen.model import Scope
from screen.normalize import BREAK, HIDDEN, fold

_TYPECODE = "w" if sys.version_info >= (3, 13) else "u"


class Cell(NamedTuple):
    """One cell of a table row: its text in the source (white space trimmed) and its column. A
    tuple of plain values, not a dataclass: a spreadsheet has 100,000 of them, and the garbage
    collector leaves such tuples alone."""

    start: int
    end: int
    column: int  # 0-based; a merged cell (colspan, gridSpan) stands at its first column
    label: bool = False  # a heading cell (`<th>`) in a body row names its row: no value


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table as its reader read it: rows of non-empty cells, in reading order (each row is a
    block of its own), and which row names the columns (see `screen.source.tables`)."""

    rows: tuple[tuple[Cell, ...], ...]
    header: int = -1  # index into `rows` of the header row, or -1 when the table has none


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    text: str
    scopes: tuple[tuple[int, int, Scope], ...]  # sorted by start; the innermost tag wins
    default: Scope
    # Decoded characters (an entity, a %-escape, a YAML escape): first position → end of the
    # escape in the source, so a match that ends on one covers the whole escape.
    decoded: Mapping[int, int] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()  # the reader's layer only

    def end_after(self, position: int) -> int:
        """Source end (exclusive) of the character shown at `position`."""
        return self.decoded.get(position, position + 1)

    def scope_at(self, position: int) -> Scope:
        best: tuple[int, int, Scope] | None = None
        for start, end, scope in self.scopes:
            if start > position:
                break
            if position < end and (best is None or end - start <= best[1] - best[0]):
                best = (start, end, scope)
        return best[2] if best else self.default


class LayerBuilder:
    """Collects edits from a parser, then renders the layers in one pass each."""

    def __init__(self, source: str, default: Scope = Scope.BODY) -> None:
        self.source = source
        self.default = default
        self._hide: list[tuple[int, int]] = []
        self._show: list[tuple[int, int, Scope]] = []
        self._reveal: list[tuple[int, int]] = []
        self._decode: list[tuple[int, int, str]] = []
        self._breaks: list[int] = []
        self._scopes: list[tuple[int, int, Scope]] = []
        self._tables: list[Table] = []

    def hide(self, start: int, end: int) -> None:
        """Hide [start, end) from the reader's view (markup)."""
        if end > start:
            self._hide.append((start, end))

    def show(self, start: int, end: int, scope: Scope) -> None:
        """Publish [start, end) in layer 1 (and hide it from layer 0)."""
        if end > start:
            self._show.append((start, end, scope))
            self._hide.append((start, end))

    def reveal(self, start: int, end: int, scope: Scope) -> None:
        """Show [start, end) in the reader's layer although an enclosing region is hidden (a
        front-matter value inside the hidden metadata block)."""
        if end > start:
            self._reveal.append((start, end))
            self._scopes.append((start, end, scope))

    def decode(self, start: int, end: int, char: str) -> None:
        """[start, end) reads as one character (an entity, a percent-escape, a YAML escape)."""
        self._decode.append((start, end, char))

    def brk(self, position: int) -> None:
        """Nothing matches across `position` (a paragraph break, a block boundary)."""
        if 0 <= position < len(self.source):
            self._breaks.append(position)

    def scope(self, start: int, end: int, scope: Scope) -> None:
        if end > start:
            self._scopes.append((start, end, scope))

    def table(self, table: Table) -> None:
        """A table the reader met (its rows' breaks are the reader's to place, with `brk`)."""
        if table.rows:
            self._tables.append(table)

    def build(self) -> tuple[Layer, ...]:
        folded = fold(self.source)
        reader = array(_TYPECODE, folded)
        for start, end in self._hide:
            reader[start:end] = array(_TYPECODE, HIDDEN * (end - start))
        for start, end in self._reveal:
            reader[start:end] = array(_TYPECODE, folded[start:end])
        layers = [self._finish(reader, folded, tuple(self._scopes), self.default, tuple(self._tables))]
        if self._show:
            extra = array(_TYPECODE, HIDDEN * len(folded))
            for start, end, _ in self._show:
                extra[start:end] = array(_TYPECODE, folded[start:end])
                if start > 0:
                    extra[start - 1] = BREAK  # two neighbouring targets must not join
            shown = tuple((s, e, sc) for s, e, sc in self._show)
            layers.append(self._finish(extra, folded, shown, Scope.LINK))
        return tuple(layers)

    def _finish(
        self,
        chars: array[str],
        folded: str,
        scopes: tuple[tuple[int, int, Scope], ...],
        default: Scope,
        tables: tuple[Table, ...] = (),
    ) -> Layer:
        for start, end, char in self._decode:
            if chars[start] != HIDDEN:
                chars[start:end] = array(_TYPECODE, fold(char) + HIDDEN * (end - start - 1))
        for position in self._breaks:
            chars[position] = BREAK
        text = chars.tounicode()
        decoded = {start: end for start, end, _ in self._decode if chars[start] not in (HIDDEN, BREAK)}
        return Layer(text=text, scopes=tuple(sorted(scopes)), default=default, decoded=decoded, tables=tables)
