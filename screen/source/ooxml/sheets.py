"""The .xlsx reader: every sheet (hidden ones too), cells, formulas, comments, defined names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field, TableCell
from screen.source.ooxml.package import Package, Path, events, fix
from screen.source.ooxml.parts import (
    Relationship,
    main_part,
    one_line,
    properties,
    relationship_id,
    relationships,
    sweep,
    targets,
    text_field,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Sheet:
    name: str
    hidden: str  # "" or " (hidden sheet)": hidden and veryHidden sheets are still published
    strings: tuple[str, ...]

    def at(self, reference: str, what: str = "") -> str:
        return f"{self.name}!{reference}{what}{self.hidden}"


def read_xlsx(package: Package) -> Iterator[Field]:
    book = package.claim(main_part(package, "xlsx")) or ""
    book_relationships = relationships(package, book)
    sheets: list[tuple[str, str, str]] = []
    for event, element, path in events(package, book):
        if event == "start" and path.name == "sheet":
            name = one_line(element.get("name", ""))
            sheets.append((name, element.get("state", "visible"), relationship_id(element)))
        elif event == "end" and path.name == "definedName":
            name = one_line(element.get("name", ""))
            yield Field(location=f"definedName {name}", text=f"{name}: {element.text or ''}")
        elif event == "end" and element.text:
            yield from text_field(f"{book} {path.name}", element.text)
    candidates = [*targets(book_relationships, "sharedStrings"), "xl/sharedStrings.xml"]
    strings = tuple(_shared_strings(package, candidates))
    for number, (name, state, identifier) in enumerate(sheets, 1):
        sheet = _Sheet(name=name, hidden="" if state == "visible" else " (hidden sheet)", strings=strings)
        yield Field(location=f"sheet {number} name{sheet.hidden}", text=f"sheet name: {name}")
        yield from _sheet(package, book_relationships.get(identifier), sheet)
    yield from properties(package)
    yield from sweep(package)


def _run(runs: list[str], text: str | None, path: Path) -> None:
    """Rich-text runs join as they read; a phonetic guide (`rPh`) is kept apart by spaces."""
    if text:
        runs.append(f" {text} " if path.within("rPh") else text)


def _shared_strings(package: Package, candidates: list[str]) -> Iterator[str]:
    part = next((found for candidate in candidates if (found := package.claim(candidate))), None)
    runs: list[str] = []
    for event, element, path in events(package, part) if part else ():
        if event == "start" and path.name == "si":
            runs = []
        elif event == "end" and path.name == "t":
            _run(runs, element.text, path)
        elif event == "end" and path.name == "si":
            yield "".join(runs).strip()


def _sheet(package: Package, relationship: Relationship | None, sheet: _Sheet) -> Iterator[Field]:
    target = relationship.target if relationship and not relationship.external else ""
    if package.find(target) is None:
        raise InputError(
            "",
            _("sheet {name} points to no part of the package; the workbook is damaged: {fix}").format(
                name=repr(sheet.name), fix=fix("xlsx")
            ),
        )
    part = package.claim(target)
    if part is None:
        return
    yield from _Cells(sheet).read(package, part)
    sheet_relationships = relationships(package, part)
    for target in targets(sheet_relationships, "comments"):
        yield from _cell_comments(package, target, sheet)
    for target in targets(sheet_relationships, "threadedComment"):
        yield from _threaded_comments(package, target, sheet)


_REFERENCE = re.compile(r"([A-Za-z]{1,3})[0-9]{1,7}")


# Cell types that hold text; the others hold numbers, booleans, dates and errors.
_TEXT_TYPES = frozenset({"s", "inlineStr", "str"})


class _Cells:
    """One worksheet: values (shared and inline strings resolved), formulas, and text outside the
    grid (print headers and footers, validation lists). Each value says its row and column (a
    row of the sheet is read as one row: `screen.source.tables`)."""

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet
        self.row = 0
        self.column = 0
        self.reference = ""
        self.type = "n"
        self.runs: list[str] = []

    def read(self, package: Package, part: str) -> Iterator[Field]:
        for event, element, path in events(package, part):
            if event == "start":
                self._start(element, path)
            elif event == "end" and path.within("sheetData"):
                yield from self._end(element, path)
            elif event == "end" and element.text:
                yield from text_field(f"{self.sheet.name} {path.name}{self.sheet.hidden}", element.text)

    def _start(self, element: Element, path: Path) -> None:
        if path.name == "row":
            self.row = int(element.get("r") or self.row + 1)
            self.column = 0
        elif path.name == "c":  # `r` may be left out: count rows and columns
            self.column += 1
            self.reference = one_line(element.get("r", "")) or f"{_column_name(self.column)}{self.row}"
            if match := _REFERENCE.fullmatch(self.reference):
                self.column = _column_number(match[1])
            self.type = element.get("t", "n")
        elif path.name == "is":
            self.runs = []

    def _end(self, element: Element, path: Path) -> Iterator[Field]:
        text = element.text or ""
        if path.name == "v" and path.parent == "c":
            yield from text_field(self.sheet.at(self.reference), self._value(text), self._cell())
        elif path.name == "f" and path.parent == "c":
            yield from text_field(self.sheet.at(self.reference, " formula"), text, self._cell(value=False))
        elif path.name == "t" and path.within("is"):
            _run(self.runs, text, path)
        elif path.name == "is":
            yield from text_field(self.sheet.at(self.reference), "".join(self.runs).strip(), self._cell())

    def _cell(self, value: bool = True) -> TableCell:
        """Where the current cell is; a formula is text of its row, not the cell's value."""
        return TableCell(
            table=self.sheet.name,
            row=self.row,
            column=self.column if value else 0,
            number=self.type not in _TEXT_TYPES,
        )

    def _value(self, text: str) -> str:
        if self.type != "s":
            return text  # numbers, booleans, errors, cached formula results: as written
        index = int(text)
        if not 0 <= index < len(self.sheet.strings):
            raise InputError(
                "",
                _(
                    "cell {cell} refers to shared string {index}, which the workbook does not have; "
                    "it is damaged: {fix}"
                ).format(cell=self.sheet.at(self.reference), index=index, fix=fix("xlsx")),
            )
        return self.sheet.strings[index]


def _column_name(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell_comments(package: Package, target: str, sheet: _Sheet) -> Iterator[Field]:
    part = package.claim(target)
    authors: list[str] = []
    runs: list[str] = []
    for event, element, path in events(package, part) if part else ():
        if event == "start" and path.name == "comment":
            runs = []
        elif event == "end" and path.name == "author":
            authors.append(one_line(element.text or ""))
        elif event == "end" and path.name == "t":
            _run(runs, element.text, path)
        elif event == "end" and path.name == "comment":
            reference = one_line(element.get("ref", ""))
            yield from text_field(sheet.at(reference, " comment"), "".join(runs).strip())
            author = element.get("authorId", "")
            if author.isascii() and author.isdigit() and int(author) < len(authors):
                yield from text_field(sheet.at(reference, " comment author"), authors[int(author)])


def _threaded_comments(package: Package, target: str, sheet: _Sheet) -> Iterator[Field]:
    part = package.claim(target)
    reference = ""
    for event, element, path in events(package, part) if part else ():
        if event == "start" and path.name == "threadedComment":
            reference = one_line(element.get("ref", ""))
        elif event == "end" and path.name == "text" and path.parent == "threadedComment":
            yield from text_field(sheet.at(reference, " threaded comment"), element.text or "")
