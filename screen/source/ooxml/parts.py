"""What every format's reader shares: relationships, the main part, document properties, text joined
by paragraph, and the sweep of parts no specific reader claimed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field, TableCell
from screen.source.ooxml.package import Package, events, fix

_MAIN = {
    "docx": ("word/document.xml", ("wordprocessingml", "ms-word")),
    "xlsx": ("xl/workbook.xml", ("spreadsheetml", "ms-excel")),
    "pptx": ("ppt/presentation.xml", ("presentationml", "ms-powerpoint")),
}


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (Transitional or Strict OOXML)."""
    for key, value in element.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


def relationship_id(element: Element) -> str:
    return next((v for k, v in element.attrib.items() if k.startswith("{") and k.endswith("}id")), "")


def one_line(text: str) -> str:
    return " ".join(text.split())


def text_field(location: str, text: str, cell: TableCell | None = None) -> Iterator[Field]:
    if text.strip():
        yield Field(location=location, text=text, cell=cell)


_DIGITS = re.compile(r"([0-9]+)")


def natural(name: str) -> tuple[str | int, ...]:
    """`slide2.xml` sorts before `slide10.xml`."""
    return tuple(int(p) if i % 2 else p for i, p in enumerate(_DIGITS.split(name.lower())))


# --- package structure: relationships, the main part, properties, the sweep ---------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Relationship:
    id: str
    type: str
    target: str  # a part name, or the URL of an external target
    external: bool


def relationships(package: Package, source: str) -> dict[str, Relationship]:
    """Relationships of part `source` ('' for the package) by id, targets resolved to part names."""
    folder, _, base = source.rpartition("/")
    part = package.find(posixpath.join(folder, "_rels", f"{base}.rels"))
    found: dict[str, Relationship] = {}
    for event, element, path in events(package, part) if part else ():
        if event == "start" and path.name == "Relationship":
            target = element.get("Target", "")
            external = element.get("TargetMode") == "External"
            if not external:
                target = unquote(target)
                target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                target = posixpath.normpath(target)
            identifier = element.get("Id", "")
            found[identifier] = Relationship(
                id=identifier, type=element.get("Type", ""), target=target, external=external
            )
    return found


def targets(relationships: dict[str, Relationship], kind: str) -> list[str]:
    """Internal targets of relationships whose type ends with `/kind`."""
    return [r.target for r in relationships.values() if r.type.endswith("/" + kind) and not r.external]


def main_part(package: Package, kind: str) -> str:
    default, markers = _MAIN[kind]
    for candidate in [*targets(relationships(package, ""), "officeDocument"), default]:
        name = package.find(candidate)
        if name and any(marker in package.content_type(name) for marker in markers):
            return name
    raise InputError(
        "",
        _(
            "the package has no {part} (the main part of a .{kind} file); it is another kind of "
            "Office file or damaged: {fix}"
        ).format(part=default, kind=kind, fix=fix(kind)),
    )


_CORE_SKIPPED = frozenset({"created", "modified", "lastPrinted", "revision"})  # dates and counters
_APP_KEPT = frozenset({"Company", "Manager", "Template", "HyperlinkBase"})


def properties(package: Package) -> Iterator[Field]:
    """docProps: core (title, creator, …), app (company, manager, …) and custom properties, each
    as `name: value` so the name is screened too."""
    if core := package.claim("docProps/core.xml"):
        for event, element, path in events(package, core):
            if event == "end" and len(path.names) == 2 and path.name not in _CORE_SKIPPED:
                yield from _property(core, path.name, element.text)
    if app := package.claim("docProps/app.xml"):
        for event, element, path in events(package, app):
            if event == "end" and len(path.names) == 2 and path.name in _APP_KEPT:
                yield from _property(app, path.name, element.text)
            elif event == "end" and path.within("TitlesOfParts"):
                yield from _property(app, "TitlesOfParts", element.text)
    if custom := package.claim("docProps/custom.xml"):
        yield from _custom_properties(package, custom)


def _custom_properties(package: Package, custom: str) -> Iterator[Field]:
    values: list[str] = []
    for event, element, path in events(package, custom):
        if event == "end" and len(path.names) > 2 and element.text:
            values.append(element.text)
        elif event == "end" and len(path.names) == 2:
            yield from _property(custom, one_line(attribute(element, "name") or ""), " ".join(values))
            values = []


def _property(part: str, name: str, value: str | None) -> Iterator[Field]:
    if value and value.strip():
        yield Field(location=f"{part} {name}".rstrip(), text=f"{name}: {value.strip()}")


def sweep(package: Package) -> Iterator[Field]:
    """Every part no specific reader claimed: XML text by paragraph, external link targets."""
    for name in sorted(package.names, key=natural):
        lower = name.lower()
        if lower in package.claimed:
            continue
        if lower.endswith(".rels"):
            for event, element, _ in events(package, name):
                if event == "start" and element.get("TargetMode") == "External":
                    yield from text_field(f"{name} {element.get('Id', '')}", element.get("Target", ""))
        elif lower.endswith((".xml", ".vml")) or package.content_type(name).endswith("xml"):
            yield from paragraphs(package, name, name)


_BREAKS = frozenset({"tab", "br", "cr"})


@dataclass
class _Cell:
    """A table cell being read: where it is, and its paragraphs so far."""

    location: str
    cell: TableCell
    text: list[str]


@dataclass
class _Grid:
    """A table being read (DrawingML's a:tbl on a slide, or a w:tbl in a header or a note)."""

    name: str
    rows: int = 0
    columns: int = 0  # of the grid, so far in the row: a merged cell (gridSpan) takes several


_MAX_SPAN = 64


class _Tables:
    """The tables open in a part being read: a cell's paragraphs are kept until the cell ends,
    and then are one field that says which row and column it stands in."""

    def __init__(self) -> None:
        self.grids: list[_Grid] = []
        self.cells: list[_Cell] = []
        self.count = 0

    def start(self, name: str, element: Element, location: str) -> None:
        if name == "tbl":
            self.count += 1
            self.grids.append(_Grid(name=f"{location} table {self.count}"))
        elif name == "tr" and self.grids:
            self.grids[-1].rows += 1
            self.grids[-1].columns = 0
        elif name == "tc" and self.grids:
            self.cells.append(_cell(self.grids[-1], element))

    def keep(self, paragraph: str) -> bool:
        """Whether a paragraph just read belongs to the cell being read (kept until it ends)."""
        if self.cells:
            self.cells[-1].text.append(paragraph)
        return bool(self.cells)

    def end(self, name: str) -> Iterator[Field]:
        if name == "tc" and self.cells:
            done = self.cells.pop()
            yield from text_field(done.location, " ".join(done.text), done.cell)
        elif name == "tbl" and self.grids:
            self.grids.pop()


def _cell(grid: _Grid, element: Element) -> _Cell:
    """A cell opening in `grid`'s current row, at its first grid column: one that spans
    (gridSpan) takes several columns, and a DrawingML cell that continues a merge (hMerge) none."""
    if attribute(element, "hMerge") in ("1", "true"):
        column = max(grid.columns, 1)
    else:
        column = grid.columns + 1
        span = attribute(element, "gridSpan") or "1"
        wide = span.isascii() and span.isdigit() and int(span) > 0
        grid.columns += min(int(span), _MAX_SPAN) if wide else 1
    return _Cell(
        location=f"{grid.name} row {grid.rows} cell {column}",
        cell=TableCell(table=grid.name, row=grid.rows, column=column),
        text=[],
    )


def paragraphs(package: Package, part: str, location: str, hidden: str = "") -> Iterator[Field]:
    """Text of `part` joined per paragraph (`p` in DrawingML and WordprocessingML alike), so a term
    split across runs stays whole; text outside paragraphs comes one element at a time. `hidden`
    is added to the location when the root says `show="0"` (a hidden slide). A table's cell is one
    field, its paragraphs joined (`screen.source.tables` reads a row as one record)."""
    open_: list[list[str]] = []
    tables = _Tables()
    for event, element, path in events(package, part):
        if event == "start":
            if len(path.names) == 1 and hidden and element.get("show") in ("0", "false"):
                location += hidden
            if path.name == "p":
                open_.append([])
            elif path.name in _BREAKS and path.parent in ("r", "p") and open_:  # w:br in a run, a:br
                open_[-1].append(" ")
            else:
                tables.start(path.name, element, location)
            continue
        text = element.tail if event == "tail" else element.text
        if event == "end" and path.name == "s":  # a pivot cache keeps its strings in `v`
            text = element.get("v")
        keep = text and (text.strip() or (event == "end" and path.name == "t"))
        if text and keep and open_:
            open_[-1].append(text)
        elif text and keep:
            yield from text_field(location, text)
        if event == "end" and path.name == "p":
            joined = "".join(open_.pop())
            if open_ or not tables.keep(joined):
                yield from text_field(location, joined)
        elif event == "end":
            yield from tables.end(path.name)
