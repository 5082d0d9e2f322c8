"""What a reader of a binary attachment yields: text with the place a person finds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class TableCell(NamedTuple):
    """Where a field stands in a table: which table (`Sheet1`, `table 2` of a Word part), which
    row of it (numbered as the file numbers them), which column (1-based; 0 for text of the row
    that is no cell's value, such as a formula or a tracked deletion), and whether the cell holds
    a number (a spreadsheet's numbers, booleans and dates: a header row holds text only). A tuple
    of plain values, as `layers.Cell` is."""

    table: str
    row: int
    column: int = 0
    number: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One piece of an attachment's text and where it is: `page 3`, `Sheet1!B3`,
    `comment 2`, `EXIF GPS`, `docProps/core.xml creator`. The text is one line (line breaks
    inside it become spaces when the document is built). A cell of a table says so in `cell`:
    the cells of one row are read as one row (`screen.source.tables`)."""

    location: str
    text: str
    cell: TableCell | None = None
