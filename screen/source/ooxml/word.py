"""The .docx reader: body, tables, headers, footers, notes, comments, tracked changes, text boxes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from screen.i18n import N_, _
from screen.source.fields import Field, TableCell
from screen.source.ooxml.package import Package, Path, events
from screen.source.ooxml.parts import attribute, main_part, natural, one_line, properties, sweep, text_field

_WORD_PARTS = re.compile(
    r"word/(?:(?:header|footer)\d*|footnotes|endnotes|comments|glossary/document)\.xml", re.IGNORECASE
)


def read_docx(package: Package) -> Iterator[Field]:
    main = package.claim(main_part(package, "docx")) or ""
    yield from _Word(main, "").read(package)
    others = sorted((n for n in package.names if _WORD_PARTS.fullmatch(n) and n != main), key=natural)
    for name in others:
        package.claim(name)
        yield from _Word(name, name.partition("/")[2]).read(package)
    yield from properties(package)
    yield from sweep(package)


@dataclass(slots=True)
class _Box:
    """Where paragraphs go: numbered (`paragraph N` in the body or a header) or joined into one
    field (a table cell, a text box, a footnote, a comment). A cell says where it stands in its
    table (its row is read as one row: `screen.source.tables`)."""

    location: str
    joined: bool
    cell: TableCell | None = None
    paragraphs: int = 0
    tables: int = 0
    texts: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def prefix(self) -> str:
        return f"{self.location} " if self.location else ""


@dataclass(slots=True)
class _Paragraph:
    location: str
    box: _Box
    text: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Table:
    prefix: str
    rows: int = 0
    cells: int = 0
    columns: int = 0  # of the grid, so far in the row: a merged cell (gridSpan) takes several


class _Word:
    """One WordprocessingML part: the body, a header or footer, footnotes, endnotes, comments."""

    def __init__(self, part: str, label: str) -> None:
        self.part = part
        self.boxes = [_Box(location=label, joined=False)]
        self.tables: list[_Table] = []
        self.paragraphs: list[_Paragraph] = []
        self.opened: list[str] = []  # what each open element pushed: box, table, paragraph, del
        self.deleting = 0
        self.notes: Counter[str] = Counter()
        self.starts: dict[str, Callable[[Element, Path], str]] = {
            "footnote": self._note,
            "endnote": self._note,
            "comment": self._note,
            "tbl": self._table,
            "tr": self._row,
            "tc": self._cell,
            "gridSpan": self._span,
            "txbxContent": self._text_box,
            "p": self._paragraph,
            "del": self._delete,
            "moveFrom": self._delete,
            "tab": self._space,
            "br": self._space,
            "cr": self._space,
        }

    def read(self, package: Package) -> Iterator[Field]:
        for event, element, path in events(package, self.part):
            if event == "start":
                start = self.starts.get(path.name)
                self.opened.append(start(element, path) if start else "")
            elif event == "end":
                yield from self._end(element, path)

    def _end(self, element: Element, path: Path) -> Iterator[Field]:
        if path.name in ("t", "delText"):
            yield from self._text(element.text or "", path.name == "delText" or self.deleting > 0)
        pushed = self.opened.pop()
        if pushed == "paragraph":
            yield from self._close_paragraph()
        elif pushed == "box":
            yield from self._close_box(element, path)
        elif pushed == "table":
            self.tables.pop()
        elif pushed == "del":
            self.deleting -= 1

    def _note(self, element: Element, path: Path) -> str:
        kind = attribute(element, "type")
        if kind in (None, "normal"):  # separators and continuation notices are not numbered
            self.notes[path.name] += 1
            location = f"{path.name} {self.notes[path.name]}"
        else:
            location = f"{path.name} ({one_line(kind)})"
        self.boxes.append(_Box(location=location, joined=True))
        return "box"

    def _table(self, element: Element, path: Path) -> str:
        box = self.boxes[-1]
        box.tables += 1
        self.tables.append(_Table(prefix=f"{box.prefix()}table {box.tables}"))
        return "table"

    def _row(self, element: Element, path: Path) -> str:
        if self.tables:
            self.tables[-1].rows += 1
            self.tables[-1].cells = 0
            self.tables[-1].columns = 0
        return ""

    def _cell(self, element: Element, path: Path) -> str:
        if not self.tables:
            return ""
        table = self.tables[-1]
        table.cells += 1
        table.columns += 1
        cell = TableCell(table=table.prefix, row=table.rows, column=table.columns)
        location = f"{table.prefix} row {table.rows} cell {table.cells}"
        self.boxes.append(_Box(location=location, joined=True, cell=cell))
        return "box"

    def _span(self, element: Element, path: Path) -> str:
        value = attribute(element, "val") or ""
        if path.parent == "tcPr" and self.tables and value.isascii() and value.isdigit():
            self.tables[-1].columns += min(int(value), 64) - 1  # Word's grid has at most 63 columns
        return ""

    def _text_box(self, element: Element, path: Path) -> str:
        anchor = self.paragraphs[-1].location if self.paragraphs else self.boxes[-1].location
        self.boxes.append(_Box(location=f"{anchor} text box".strip(), joined=True))
        return "box"

    def _paragraph(self, element: Element, path: Path) -> str:
        box = self.boxes[-1]
        if box.joined:
            location = box.location
        else:
            box.paragraphs += 1
            location = f"{box.prefix()}paragraph {box.paragraphs}"
        self.paragraphs.append(_Paragraph(location=location, box=box))
        return "paragraph"

    def _delete(self, element: Element, path: Path) -> str:
        self.deleting += 1
        return "del"

    def _space(self, element: Element, path: Path) -> str:
        if path.parent == "r" and self.paragraphs:  # not a tab stop in paragraph properties
            self._append(" ", self.deleting > 0)
        return ""

    def _text(self, text: str, deleted: bool) -> Iterator[Field]:
        if self.paragraphs:
            self._append(text, deleted)
            return
        where = self.boxes[-1].location or self.part  # text outside any paragraph: still published
        yield from text_field(f"{where} (tracked deletion)" if deleted else where, text)

    def _append(self, text: str, deleted: bool) -> None:
        paragraph = self.paragraphs[-1]
        if deleted:
            paragraph.deleted.append(text)
            return
        paragraph.text.append(text)
        if text and paragraph.deleted and paragraph.deleted[-1] != " ":
            paragraph.deleted.append(" ")  # two deletions apart in the text do not join

    def _close_paragraph(self) -> Iterator[Field]:
        paragraph = self.paragraphs.pop()
        text, deleted = "".join(paragraph.text), "".join(paragraph.deleted).strip()
        if paragraph.box.joined:
            paragraph.box.texts.append(text)
            paragraph.box.deleted.append(deleted)
            return
        yield from text_field(paragraph.location, text)
        yield from text_field(f"{paragraph.location} (tracked deletion)", deleted)

    def _close_box(self, element: Element, path: Path) -> Iterator[Field]:
        box = self.boxes.pop()
        yield from text_field(box.location, " ".join(t for t in box.texts if t.strip()), box.cell)
        deleted = " ".join(d for d in box.deleted if d)
        row_text = box.cell._replace(column=0) if box.cell else None  # in the row, no cell's value
        yield from text_field(f"{box.location} (tracked deletion)", deleted, row_text)
        if path.name == "comment":
            yield from text_field(f"{box.location} author", one_line(attribute(element, "author") or ""))


# Tracked changes Word records (insertions, deletions, moves, and formatting changes) and what to
# call them; a comment is anchored by commentRangeStart/commentReference and kept in comments.xml.
_INSERTION, _DELETION = N_("tracked insertion"), N_("tracked deletion")
_MOVE, _FORMATTING = N_("tracked move"), N_("tracked formatting change")
_REVISIONS = {
    "ins": _INSERTION,
    "del": _DELETION,
    "moveFrom": _MOVE,
    "moveTo": _MOVE,
    "rPrChange": _FORMATTING,
    "pPrChange": _FORMATTING,
    "sectPrChange": _FORMATTING,
    "tblPrChange": _FORMATTING,
    "trPrChange": _FORMATTING,
    "tcPrChange": _FORMATTING,
    "numberingChange": _FORMATTING,
}


def revisions(package: Package) -> list[str]:
    """Every tracked change and comment of a .docx, with where it is (`paragraph 7: tracked
    insertion by 李四`), in document order."""
    main = main_part(package, "docx")
    others = sorted((n for n in package.names if _WORD_PARTS.fullmatch(n) and n != main), key=natural)
    found: list[str] = []
    for part in [main, *others]:
        label = "" if part == main else f"{part.partition('/')[2]} "
        paragraph = 0
        for event, element, path in events(package, part):
            if (
                event == "end"
                and path.name == "p"
                and not path.within("tbl")
                and not path.within("txbxContent")
            ):
                paragraph += 1  # numbered as the reader numbers them: a table counts apart
            if event != "start":
                continue
            author = attribute(element, "author")
            if path.name in _REVISIONS:
                change = _(_REVISIONS[path.name])
                if author:
                    change = _("{change} by {author}").format(change=change, author=author)
                found.append(
                    _("{place}paragraph {number}: {change}").format(
                        place=label, number=paragraph + 1, change=change
                    )
                )
            elif path.name == "comment" and part.lower().endswith("comments.xml"):
                number = attribute(element, "id")
                found.append(
                    _("comment {number} by {author}").format(number=number, author=author)
                    if author
                    else _("comment {number}").format(number=number)
                )
    return found
