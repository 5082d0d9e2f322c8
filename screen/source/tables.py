"""Tables as their readers read them: rows of cells, and the row that names the columns.

A 公示 table is a list of records: one row, one person. Its text alone says little of that (a
row is a line, a cell a few characters between bars), so the readers record the structure they
already know as data on the reader's layer (`Layer.tables`: `Table`s of `Cell` spans, positions in
the document's text like every other position), and the detectors ask it two questions
(`screen.detectors.tables`):

- **which row is a position in**: a row is one block (its reader puts a break after it, so no
  cue reaches a name in another row), and inside it the cells are one record: a name in one cell
  and an ID number in another of the same row belong together, however wide the row;
- **what does the header say of its column**: the header row is the context of every cell below
  it. A cell under a name header (姓名, 户主 …) is a name; a cue word in a header (卡号, 病史 …)
  counts for each cell under it as if it stood in that cell's row.

Who records what, and which row is the header:

- Markdown (`screen.source.markdown`): the rows of a pipe table, split at its bars; the header is
  the row before the delimiter row, as the syntax says.
- HTML, in the parsed view (`screen.source.htmlview`, as the browser builds the table: implied
  `<tbody>`, `colspan`, blocks inside a cell kept in its row): a row is one run, its cells
  recorded in the run (`FlowTables`, `RunCell`); the header is the first row of two or more
  cells (`<th>` or not); a `<th>` in a body row names its row, it is no value. The source
  reading of an HTML page records no table: it is a scanner, not a parser (DESIGN, "read what
  is really shown"). A finding only the view makes is reported at its element, and a number the
  view reads more strongly than the source (a card under 银行卡号) takes the view's level
  (`screen.findings.rendered_only`).
- .xlsx and .docx (`screen.source.ooxml`): each cell is a `Field` that says its table, row and
  column (`TableCell`); `field_layers` keeps a row's cells together (see there). The header is
  the first row of two or more cells when all of them hold text: a spreadsheet's title row of
  one cell above it is skipped, and a first row with a number in it is data (no header).

PDF is not read as tables (its text comes as lines of a page, with no cells).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from screen.model import Scope
from screen.source.fields import Field
from screen.source.layers import Cell, Layer, LayerBuilder, Table

BLANK_LINE = re.compile(r"\n[ \t\r]*(?=\n)")  # a blank line: a block ends there, in any text


def header_row(rows: Sequence[Sequence[bool]]) -> int:
    """The header of a table whose syntax marks none, given whether each cell of each row holds
    text: the first row of two or more cells, if all of them do; -1 otherwise."""
    for index, row in enumerate(rows):
        if len(row) >= 2:
            return index if all(row) else -1
    return -1


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) of `text` without the white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class TableRows:
    """Cells as a reader meets them, gathered by table and row: a row may come in pieces (a
    table nested in one of its cells is read in between)."""

    def __init__(self) -> None:
        # table → row → (the row's cells, whether each holds text)
        self._tables: dict[Hashable, dict[Hashable, tuple[list[Cell], list[bool]]]] = {}
        self._key: tuple[Hashable, Hashable] | None = None
        self._row: tuple[list[Cell], list[bool]] = ([], [])

    def add(self, row: tuple[Hashable, Hashable], cell: Cell, text: bool = True) -> None:
        """One non-empty cell of (table, row), in reading order; `text` says whether it holds
        text (not a number)."""
        if row != self._key:  # a spreadsheet has 100,000 cells: look the row up once
            self._key = row
            self._row = self._tables.setdefault(row[0], {}).setdefault(row[1], ([], []))
        self._row[0].append(cell)
        self._row[1].append(text)

    def tables(self) -> tuple[Table, ...]:
        """The tables, their rows in the order first met, the header found by `header_row`."""
        return tuple(
            Table(
                rows=tuple(tuple(cells) for cells, _ in rows.values()),
                header=header_row([texts for _, texts in rows.values()]),
            )
            for rows in self._tables.values()
        )


def field_layers(fields: Sequence[Field]) -> tuple[str, tuple[Layer, ...]]:
    """An attachment's text, one field a line, and its layers. The fields of one table row (an
    .xlsx row, a .docx table row) are one block: a break before the row and after it, none
    between its cells, so a name and an ID number in two cells of a row pair and nothing pairs
    across rows. Each cell stays a line of its own, so a finding's location is the cell it
    starts in (`Sheet1!B3`, `table 1 row 3 cell 2`). Other fields read as before: one block."""
    text = "\n".join(field.text for field in fields)
    builder = LayerBuilder(text, Scope.ATTACHMENT)
    for match in BLANK_LINE.finditer(text):
        builder.brk(match.start())
    rows = TableRows()
    start = 0
    previous: tuple[str, int] | None = None
    for piece in fields:
        cell, end = piece.cell, start + len(piece.text)
        row = (cell.table, cell.row) if cell else None
        if start and row != previous and (row or previous):
            builder.brk(start - 1)  # the line break between two rows, or a row and other text
        if cell and cell.column > 0:
            first, last = start, end
            if piece.text[:1].isspace() or piece.text[-1:].isspace():
                first, last = trimmed(text, start, end)
            rows.add((cell.table, cell.row), Cell(first, last, cell.column - 1), not cell.number)
        previous = row
        start = end + 1
    for table in rows.tables():
        builder.table(table)
    return text, builder.build()


@dataclass(frozen=True, slots=True, kw_only=True)
class RunCell:
    """A table cell in a run of the parsed view (a row): [start, end) of the run's text, white
    space trimmed; which table of the page (counted in document order), which row of it, which
    column (a `colspan` takes the columns it spans), and whether it is a heading cell (`<th>`)."""

    start: int
    end: int
    table: int
    row: int
    column: int
    heading: bool = False
    where: str = ""  # the cell's element (`<td>#7`): where a finding in it is reported


@dataclass(slots=True)
class _OpenCell:
    start: int | None  # in the current run; None while a table nested in the cell is read
    table: int  # 0: a cell outside any table (recorded nowhere)
    row: int
    column: int
    heading: bool
    where: str = ""


@dataclass(slots=True)
class _OpenTable:
    """An open table: its number on the page, its current row and the next free column."""

    number: int
    row: int = -1
    column: int = 0
    paused: list[_OpenCell] = field(default_factory=list)  # the cells it is nested in


class FlowTables:
    """The tables of a page as its walk meets them (`screen.source.htmlview`): the walker says
    where tables, rows and cells open and close, as offsets into the run of text it is building,
    and takes each run's cells when the run ends. A table nested in a cell ends the run: the
    cell it is in pauses and goes on in the run after it."""

    def __init__(self) -> None:
        self.count = 0
        self.open: list[_OpenTable] = []  # innermost last
        self.cells: list[_OpenCell] = []  # open cells, innermost last
        self.pieces: list[tuple[int, int, _OpenCell]] = []  # of cells, in the current run

    def open_table(self, in_flow: bool = True) -> None:
        """A table starts (after the run before it has ended, when it is `in_flow`: not inside
        something read apart, such as a `<template>`)."""
        self.count += 1
        paused = [cell for cell in self.cells if cell.start is not None] if in_flow else []
        for cell in paused:
            cell.start = None
        self.open.append(_OpenTable(self.count, paused=paused))

    def close_table(self) -> None:
        """A table ends (its last run has ended): the cells it was in go on in the next run."""
        if self.open:
            for cell in self.open.pop().paused:
                cell.start = 0

    def open_row(self) -> None:
        if self.open:
            self.open[-1].row += 1
            self.open[-1].column = 0

    def open_cell(self, at: int, heading: bool, span: int, where: str = "") -> None:
        table = self.open[-1] if self.open else None
        if table is None:
            self.cells.append(_OpenCell(at, 0, 0, 0, heading, where))
            return
        self.cells.append(_OpenCell(at, table.number, table.row, table.column, heading, where))
        table.column += span

    def close_cell(self, at: int) -> None:
        if self.cells:
            cell = self.cells.pop()
            if cell.start is not None:
                self.pieces.append((cell.start, at, cell))

    def end_run(self, raw: str) -> tuple[RunCell, ...]:
        """The cells of the run `raw` (as built, before white space is stripped from its ends)."""
        for cell in self.cells:  # open still: the part in this run
            if cell.start is not None:
                self.pieces.append((cell.start, len(raw), cell))
                cell.start = 0
        lead = len(raw) - len(raw.lstrip())
        found = []
        for first, last, cell in self.pieces:
            start, end = trimmed(raw, first, last)
            if end > start and cell.table:
                place = RunCell(
                    start=start - lead,
                    end=end - lead,
                    table=cell.table,
                    row=cell.row,
                    column=cell.column,
                    heading=cell.heading,
                    where=cell.where,
                )
                found.append(place)
        self.pieces = []
        return tuple(found)
