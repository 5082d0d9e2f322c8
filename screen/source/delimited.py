"""Comma- and tab-separated files (`.csv`, `.tsv`) read as the tables they are: a 公示 list
exported from Excel is one record a line, and a name pairs with the numbers of its own line only.

Python's `csv` module reads the fields but not where they stand in the file, and a finding must
say where it is; so the records are scanned here (RFC 4180: quoted fields, doubled quotes, line
breaks inside quotes). Each record is a block of its own (nothing matches across records), each
field a cell of the table (the first line of text cells is its header, as in a spreadsheet), and
the quotes around a field are markup, not text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from screen.model import Scope
from screen.source.layers import Cell, Layer, LayerBuilder
from screen.source.tables import TableRows

DELIMITED_SUFFIXES = frozenset({".csv", ".tsv"})
_CANDIDATES = (",", "\t", ";", "|")
_SNIFF_LINES = 20
_NUMBER = re.compile(r"[\s+\-]*[0-9][0-9.,%\s]*")
_LINE_END = re.compile(r"\r\n|\n|\r")
_HEADER_LINES = 8  # the header is the first line of text cells: it is among the first lines


def delimiter_of(text: str, suffix: str) -> str:
    """The separator of a file's fields: a tab in a `.tsv`; in a `.csv` the candidate (comma,
    tab, semicolon, bar) found most often on its first lines, and as often on each (a comma
    when none is)."""
    if suffix == ".tsv":
        return "\t"
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_score = ",", 0
    for candidate in _CANDIDATES:
        counts = [line.count(candidate) for line in lines]
        if counts and min(counts) > 0:
            score = min(counts) * 2 + (max(counts) == min(counts))
            if score > best_score:
                best, best_score = candidate, score
    return best


def delimited_layers(text: str, delimiter: str) -> tuple[Layer, ...]:
    """The layers of a delimited file: one block a record, one table cell a field."""
    builder = LayerBuilder(text, Scope.ATTACHMENT)
    rows = TableRows()
    for number, (fields, quotes, end) in enumerate(records(text, delimiter)):
        head = number < _HEADER_LINES  # whether a cell holds text matters for the header only
        for column, (start, stop) in enumerate(fields):
            value = text[start:stop]
            shown = value.strip()
            if shown:
                first = start + len(value) - len(value.lstrip())
                cell = Cell(first, first + len(shown), column)
                rows.add((0, number), cell, not (head and _NUMBER.fullmatch(shown)))
        for quote in quotes:
            builder.hide(quote, quote + 1)
        builder.brk(end)
    for table in rows.tables():
        builder.table(table)
    return builder.build()


Record = tuple[list[tuple[int, int]], list[int], int]


def records(text: str, delimiter: str) -> Iterator[Record]:
    """Each record of `text`: its fields' [start, end) (inside the quotes of a quoted field),
    the positions of the quote characters that are markup (a field's own, and the first of each
    doubled pair), and where the record ends (at its line break, or the end of the text)."""
    position, size = 0, len(text)
    while position < size:
        line_end = _LINE_END.search(text, position)
        stop = line_end.start() if line_end else size
        if '"' not in text[position:stop]:  # most lines: split by the delimiter, no quotes
            fields, start = [], position
            for index in _indexes(text, delimiter, position, stop):
                fields.append((start, index))
                start = index + 1
            fields.append((start, stop))
            yield fields, [], stop
            position = line_end.end() if line_end else size
            continue
        fields, quotes, position = _quoted_record(text, delimiter, position)
        yield fields, quotes, position
        line_break = _LINE_END.match(text, position)
        position = line_break.end() if line_break else position + 1


def _indexes(text: str, delimiter: str, start: int, stop: int) -> Iterator[int]:
    index = text.find(delimiter, start, stop)
    while index >= 0:
        yield index
        index = text.find(delimiter, index + 1, stop)


def _quoted_record(text: str, delimiter: str, position: int) -> Record:
    """A record with quotes in it, read a character at a time from `position`."""
    fields: list[tuple[int, int]] = []
    quotes: list[int] = []
    size = len(text)
    while True:
        if position < size and text[position] == '"':
            quotes.append(position)
            position += 1
            start = position
            while position < size:
                if text[position] == '"':
                    if text.startswith('""', position):
                        quotes.append(position)
                        position += 2
                        continue
                    break
                position += 1
            fields.append((start, position))
            if position < size:
                quotes.append(position)  # the closing quote
                position += 1
            while position < size and text[position] not in (delimiter, "\n", "\r"):
                position += 1  # text after a closing quote: shown, no part of the field
        else:
            start = position
            while position < size and text[position] not in (delimiter, "\n", "\r"):
                position += 1
            fields.append((start, position))
        if position < size and text[position] == delimiter:
            position += 1
            continue
        return fields, quotes, position
