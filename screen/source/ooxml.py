"""Text a reader can get at in Office Open XML attachments (.docx, .xlsx, .pptx).

The package is read directly (zipfile for the directory, zlib for the members, defusedxml for the
XML), not through python-docx or openpyxl: those hide or drop what the published file still holds
(tracked deletions, comments, hidden sheets, speaker notes, custom properties) and inflate members
without limits. Here every member is inflated in chunks against the size its header declares and
one package budget, XML is streamed with flat memory and bounded depth, and parts no specific
reader claims (charts, SmartArt, drawings, slide masters, custom XML, link targets) are still swept
for text, so nothing a reader can open goes unscreened.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from screen.errors import InputError
from screen.source.fields import Field

_MIB = 1024 * 1024
MAX_ENTRIES = 10_000  # Office writes a few dozen; thousands of slides or sheets stay well below
MAX_TOTAL = 256 * _MIB  # declared by the directory, and actually inflated, for the whole package
MAX_RATIO = 200  # XML deflates 10-50:1; a bomb of zeros reaches 1000:1
RATIO_FLOOR = _MIB  # small members (an empty sheet, a blank style) may compress better
MAX_DEPTH = 512  # nested tables in text boxes stay under 100
MAX_ELEMENTS = 10_000_000  # ~3 µs each to stream and read: about half a minute at worst
MAX_FIELDS = 1_000_000

_CHUNK = 64 * 1024
_BATCH = 256  # finished siblings dropped at once: one list shift per batch, not per element
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
_MAIN = {
    "docx": ("word/document.xml", ("wordprocessingml", "ms-word")),
    "xlsx": ("xl/workbook.xml", ("spreadsheetml", "ms-excel")),
    "pptx": ("ppt/presentation.xml", ("presentationml", "ms-powerpoint")),
}
# What a damaged package raises from zipfile, zlib, struct, expat and defusedxml (a ValueError).
_MALFORMED = (
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
    ValueError,
    LookupError,
    EOFError,
    OSError,
    OverflowError,
    struct.error,
    NotImplementedError,
)


def docx_fields(data: bytes) -> Iterator[Field]:
    """Body, tables, headers, footers, notes, comments, tracked changes, text boxes, properties."""
    return _read(data, "docx", _docx)


def xlsx_fields(data: bytes) -> Iterator[Field]:
    """Every sheet (hidden ones too), cells, formulas, comments, defined names, properties."""
    return _read(data, "xlsx", _xlsx)


def pptx_fields(data: bytes) -> Iterator[Field]:
    """Slides in presentation order, speaker notes, comments, properties."""
    return _read(data, "pptx", _pptx)


def _fix(kind: str) -> str:
    return f"re-export it from Office or WPS as .{kind} (or as a PDF) and publish that copy"


def _read(data: bytes, kind: str, reader: Callable[[_Package], Iterator[Field]]) -> Iterator[Field]:
    if data.startswith(_OLE):
        raise InputError("", _ole_reason(data, kind))
    package: _Package | None = None
    try:
        package = _Package(data, kind)
        package.read_types(kind)
        for count, item in enumerate(reader(package), 1):
            if count > MAX_FIELDS:
                raise InputError("", f"the file holds more than {MAX_FIELDS} pieces of text; split it")
            yield item
    except DefusedXmlException as error:
        where = package.current if package else "the zip directory"
        raise InputError(
            "",
            f"{where} declares a DTD or entities, which Office never writes ({error}); refused: {_fix(kind)}",
        ) from None
    except _MALFORMED as error:
        where = package.current if package else "the zip directory"
        raise InputError(
            "",
            f"cannot read this .{kind} file ({where}: {type(error).__name__}: {error}); "
            f"it is damaged or not an Office file: {_fix(kind)}",
        ) from None


def _ole_reason(data: bytes, kind: str) -> str:
    """Encrypted OOXML and the legacy binary formats are both OLE compound files; an encrypted one
    names its `EncryptedPackage` stream (UTF-16) in the directory."""
    fix = f"re-export it from Office or WPS as an unencrypted .{kind} (or as a PDF) and publish that"
    if "EncryptedPackage".encode("utf-16-le") in data:
        return f"the file is encrypted (password-protected), so it cannot be screened; {fix} instead"
    return (
        "the file is an OLE compound file, not a .docx/.xlsx/.pptx package: an old binary Office "
        "document (.doc/.xls/.ppt saved with a different extension) or an encrypted "
        f"(password-protected) one; {fix} instead"
    )


# --- the package: a checked zip directory, members inflated against one budget -----------------


class _Package:
    def __init__(self, data: bytes, kind: str) -> None:
        self.current = "the zip directory"  # the part being read, for error messages
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
        _check_directory(infos, kind)
        self.kind = kind
        self._data = data
        self._parts: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename.lower() in self._parts:  # OPC part names ignore case
                raise InputError("", f"the zip holds two parts named {info.filename}; {_fix(kind)}")
            self._parts[info.filename.lower()] = info
        self.names = [info.filename for info in infos if not info.filename.endswith("/")]
        self.claimed: set[str] = set()  # parts a specific reader handles, left out of the sweep
        self._budget = MAX_TOTAL
        self._elements = MAX_ELEMENTS
        self._defaults: dict[str, str] = {}
        self._overrides: dict[str, str] = {}

    def read_types(self, kind: str) -> None:
        """[Content_Types].xml: what each part is, by name or by extension."""
        types = self.claim("[Content_Types].xml")
        if types is None:
            raise InputError(
                "",
                "the zip has no [Content_Types].xml, so it is not an Office Open XML package "
                f"(a plain zip renamed?); {_fix(kind)}",
            )
        for event, element, path in _events(self, types):
            if event == "start" and path.name == "Default":
                self._defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
            elif event == "start" and path.name == "Override":
                part = unquote(element.get("PartName", "")).lstrip("/").lower()
                self._overrides[part] = element.get("ContentType", "")

    def find(self, name: str) -> str | None:
        info = self._parts.get(name.lower())
        return info.filename if info and not info.filename.endswith("/") else None

    def claim(self, name: str) -> str | None:
        """Part `name` for a reader to read, unless it is missing or already read: a part listed
        twice (two sheets, two slides) is read once, so a long list cannot multiply the work."""
        found = self.find(name)
        if found is None or found.lower() in self.claimed:
            return None
        self.claimed.add(found.lower())
        return found

    def content_type(self, name: str) -> str:
        override = self._overrides.get(name.lower())
        if override is not None:
            return override.lower()
        return self._defaults.get(posixpath.splitext(name)[1].lstrip(".").lower(), "").lower()

    def count_element(self, depth: int) -> None:
        self._elements -= 1
        if self._elements < 0:
            raise InputError("", f"the package holds more than {MAX_ELEMENTS} XML elements; split the file")
        if depth >= MAX_DEPTH:
            raise InputError("", f"{self.current} nests XML more than {MAX_DEPTH} deep; {_fix(self.kind)}")

    def chunks(self, name: str) -> Iterator[bytes]:
        """The inflated bytes of part `name`, refused as soon as they exceed its declared size."""
        info = self._parts[name.lower()]
        self.current = info.filename
        raw = self._raw(info)
        produced = crc = 0
        for chunk in _stored(raw) if info.compress_type == zipfile.ZIP_STORED else _inflated(raw):
            produced += len(chunk)
            self._budget -= len(chunk)
            if produced > info.file_size:
                raise InputError(
                    "",
                    f"{info.filename} inflates to more than the {info.file_size} bytes its zip header "
                    f"declares; a package whose headers lie is refused (a zip bomb?): {_fix(self.kind)}",
                )
            if self._budget < 0:
                raise InputError(
                    "", f"the package inflates to more than {MAX_TOTAL // _MIB} MiB; split the file"
                )
            crc = zlib.crc32(chunk, crc)
            yield chunk
        if produced != info.file_size or crc != info.CRC:
            raise InputError(
                "",
                f"{info.filename} does not match the size or checksum in the zip directory; "
                "the file is damaged: copy or export it again",
            )

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        offset = info.header_offset
        header = self._data[offset : offset + 30] if offset >= 0 else b""
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise InputError("", f"{info.filename} has no local header; the zip is damaged: export it again")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_length + extra_length
        if start + info.compress_size > len(self._data):
            raise InputError("", f"{info.filename} is cut off (a truncated file): copy or export it again")
        return memoryview(self._data)[start : start + info.compress_size]


def _check_directory(infos: list[zipfile.ZipInfo], kind: str) -> None:
    """Refuse a bomb from its directory, before a byte is inflated."""
    bomb = f"refused unread (a zip bomb?); if it is a genuine document, split it or {_fix(kind)}"
    if len(infos) > MAX_ENTRIES:
        raise InputError("", f"the zip lists {len(infos)} members, more than {MAX_ENTRIES}; {bomb}")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL:
        raise InputError(
            "",
            f"the zip declares {total // _MIB} MiB uncompressed, more than {MAX_TOTAL // _MIB} MiB; {bomb}",
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            ratio = info.file_size // max(info.compress_size, 1)
            raise InputError(
                "",
                f"{info.filename} compresses {ratio}:1, above the {MAX_RATIO}:1 limit; {bomb}",
            )
        if info.flag_bits & 1:
            raise InputError("", f"{info.filename} is encrypted inside the zip; publish an unencrypted file")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(
                "",
                f"{info.filename} uses zip compression method {info.compress_type}, which Office "
                "never writes; save the file again from Office or WPS",
            )


def _stored(raw: memoryview) -> Iterator[bytes]:
    for start in range(0, len(raw), _CHUNK):
        yield bytes(raw[start : start + _CHUNK])


def _inflated(raw: memoryview) -> Iterator[bytes]:
    """Inflate at most _CHUNK bytes at a time, so a bomb is stopped at the first chunk too many."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position = 0
    while not inflater.eof:
        pending: bytes | memoryview = inflater.unconsumed_tail
        if not pending:
            pending = raw[position : position + _CHUNK]
            position += len(pending)
        chunk = inflater.decompress(pending, _CHUNK)
        if not chunk and not pending:
            raise zlib.error("the compressed data ends early")
        if chunk:
            yield chunk


# --- streaming XML ------------------------------------------------------------------------------


class _Path:
    """Local names of the open elements, innermost last."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._open: Counter[str] = Counter()

    def push(self, name: str) -> None:
        self.names.append(name)
        self._open[name] += 1

    def pop(self) -> None:
        self._open[self.names.pop()] -= 1

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def parent(self) -> str:
        return self.names[-2] if len(self.names) > 1 else ""

    def within(self, name: str) -> bool:
        return self._open[name] > 0


class _Stream:
    """The file object iterparse reads: one inflated chunk a call."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1, /) -> bytes:
        return next(self._chunks, b"")


def _events(package: _Package, part: str) -> Iterator[tuple[str, Element, _Path]]:
    """`start`, `end` and `tail` events of `part`; an element's text is complete at `end`, its tail
    at `tail` (yielded before the next sibling starts or the parent ends). Finished elements are cut
    from their parent in batches, so memory stays flat however long the part is."""
    path = _Path()
    open_: list[Element] = []
    finished = [0]
    last: list[Element | None] = [None]
    for event, element in iterparse(_Stream(package.chunks(part)), ("start", "end"), forbid_dtd=True):
        if event == "start":
            if (previous := last[-1]) is not None:
                yield "tail", previous, path
                last[-1] = None
            package.count_element(len(open_))
            path.push(_local(element.tag))
            open_.append(element)
            finished.append(0)
            last.append(None)
            yield "start", element, path
            continue
        if (child := last.pop()) is not None:
            yield "tail", child, path
        yield "end", element, path
        path.pop()
        open_.pop()
        finished.pop()
        last[-1] = element
        finished[-1] += 1
        if open_ and finished[-1] >= _BATCH:
            del open_[-1][: finished[-1]]
            finished[-1] = 0


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (Transitional or Strict OOXML)."""
    for key, value in element.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


def _relationship_id(element: Element) -> str:
    return next((v for k, v in element.attrib.items() if k.startswith("{") and k.endswith("}id")), "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _field(location: str, text: str) -> Iterator[Field]:
    if text.strip():
        yield Field(location=location, text=text)


_DIGITS = re.compile(r"([0-9]+)")


def _natural(name: str) -> tuple[str | int, ...]:
    """`slide2.xml` sorts before `slide10.xml`."""
    return tuple(int(p) if i % 2 else p for i, p in enumerate(_DIGITS.split(name.lower())))


# --- package structure: relationships, the main part, properties, the sweep ---------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Relationship:
    id: str
    type: str
    target: str  # a part name, or the URL of an external target
    external: bool


def _relationships(package: _Package, source: str) -> dict[str, _Relationship]:
    """Relationships of part `source` ('' for the package) by id, targets resolved to part names."""
    folder, _, base = source.rpartition("/")
    part = package.find(posixpath.join(folder, "_rels", f"{base}.rels"))
    found: dict[str, _Relationship] = {}
    for event, element, path in _events(package, part) if part else ():
        if event == "start" and path.name == "Relationship":
            target = element.get("Target", "")
            external = element.get("TargetMode") == "External"
            if not external:
                target = unquote(target)
                target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                target = posixpath.normpath(target)
            identifier = element.get("Id", "")
            found[identifier] = _Relationship(
                id=identifier, type=element.get("Type", ""), target=target, external=external
            )
    return found


def _targets(relationships: dict[str, _Relationship], kind: str) -> list[str]:
    """Internal targets of relationships whose type ends with `/kind`."""
    return [r.target for r in relationships.values() if r.type.endswith("/" + kind) and not r.external]


def _main_part(package: _Package, kind: str) -> str:
    default, markers = _MAIN[kind]
    for candidate in [*_targets(_relationships(package, ""), "officeDocument"), default]:
        name = package.find(candidate)
        if name and any(marker in package.content_type(name) for marker in markers):
            return name
    raise InputError(
        "",
        f"the package has no {default} (the main part of a .{kind} file); it is another kind of "
        f"Office file or damaged: {_fix(kind)}",
    )


_CORE_SKIPPED = frozenset({"created", "modified", "lastPrinted", "revision"})  # dates and counters
_APP_KEPT = frozenset({"Company", "Manager", "Template", "HyperlinkBase"})


def _properties(package: _Package) -> Iterator[Field]:
    """docProps: core (title, creator, …), app (company, manager, …) and custom properties, each
    as `name: value` so the name is screened too."""
    if core := package.claim("docProps/core.xml"):
        for event, element, path in _events(package, core):
            if event == "end" and len(path.names) == 2 and path.name not in _CORE_SKIPPED:
                yield from _property(core, path.name, element.text)
    if app := package.claim("docProps/app.xml"):
        for event, element, path in _events(package, app):
            if event == "end" and len(path.names) == 2 and path.name in _APP_KEPT:
                yield from _property(app, path.name, element.text)
            elif event == "end" and path.within("TitlesOfParts"):
                yield from _property(app, "TitlesOfParts", element.text)
    if custom := package.claim("docProps/custom.xml"):
        values: list[str] = []
        for event, element, path in _events(package, custom):
            if event == "end" and len(path.names) > 2 and element.text:
                values.append(element.text)
            elif event == "end" and len(path.names) == 2:
                yield from _property(custom, _one_line(_attribute(element, "name") or ""), " ".join(values))
                values = []


def _property(part: str, name: str, value: str | None) -> Iterator[Field]:
    if value and value.strip():
        yield Field(location=f"{part} {name}".rstrip(), text=f"{name}: {value.strip()}")


def _sweep(package: _Package) -> Iterator[Field]:
    """Every part no specific reader claimed: XML text by paragraph, external link targets."""
    for name in sorted(package.names, key=_natural):
        lower = name.lower()
        if lower in package.claimed:
            continue
        if lower.endswith(".rels"):
            for event, element, _ in _events(package, name):
                if event == "start" and element.get("TargetMode") == "External":
                    yield from _field(f"{name} {element.get('Id', '')}", element.get("Target", ""))
        elif lower.endswith((".xml", ".vml")) or package.content_type(name).endswith("xml"):
            yield from _paragraphs(package, name, name)


_BREAKS = frozenset({"tab", "br", "cr"})


def _paragraphs(package: _Package, part: str, location: str, hidden: str = "") -> Iterator[Field]:
    """Text of `part` joined per paragraph (`p` in DrawingML and WordprocessingML alike), so a term
    split across runs stays whole; text outside paragraphs comes one element at a time. `hidden`
    is added to the location when the root says `show="0"` (a hidden slide)."""
    open_: list[list[str]] = []
    for event, element, path in _events(package, part):
        if event == "start":
            if len(path.names) == 1 and hidden and element.get("show") in ("0", "false"):
                location += hidden
            if path.name == "p":
                open_.append([])
            elif path.name in _BREAKS and path.parent in ("r", "p") and open_:  # w:br in a run, a:br
                open_[-1].append(" ")
            continue
        text = element.tail if event == "tail" else element.text
        if event == "end" and path.name == "s":  # a pivot cache keeps its strings in `v`
            text = element.get("v")
        keep = text and (text.strip() or (event == "end" and path.name == "t"))
        if text and keep and open_:
            open_[-1].append(text)
        elif text and keep:
            yield from _field(location, text)
        if event == "end" and path.name == "p":
            yield from _field(location, "".join(open_.pop()))


# --- .docx ---------------------------------------------------------------------------------------

_WORD_PARTS = re.compile(
    r"word/(?:(?:header|footer)\d*|footnotes|endnotes|comments|glossary/document)\.xml", re.IGNORECASE
)


def _docx(package: _Package) -> Iterator[Field]:
    main = package.claim(_main_part(package, "docx")) or ""
    yield from _Word(main, "").read(package)
    others = sorted((n for n in package.names if _WORD_PARTS.fullmatch(n) and n != main), key=_natural)
    for name in others:
        package.claim(name)
        yield from _Word(name, name.partition("/")[2]).read(package)
    yield from _properties(package)
    yield from _sweep(package)


@dataclass(slots=True)
class _Box:
    """Where paragraphs go: numbered (`paragraph N` in the body or a header) or joined into one
    field (a table cell, a text box, a footnote, a comment)."""

    location: str
    joined: bool
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
        self.starts: dict[str, Callable[[Element, _Path], str]] = {
            "footnote": self._note,
            "endnote": self._note,
            "comment": self._note,
            "tbl": self._table,
            "tr": self._row,
            "tc": self._cell,
            "txbxContent": self._text_box,
            "p": self._paragraph,
            "del": self._delete,
            "moveFrom": self._delete,
            "tab": self._space,
            "br": self._space,
            "cr": self._space,
        }

    def read(self, package: _Package) -> Iterator[Field]:
        for event, element, path in _events(package, self.part):
            if event == "start":
                start = self.starts.get(path.name)
                self.opened.append(start(element, path) if start else "")
            elif event == "end":
                yield from self._end(element, path)

    def _end(self, element: Element, path: _Path) -> Iterator[Field]:
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

    def _note(self, element: Element, path: _Path) -> str:
        kind = _attribute(element, "type")
        if kind in (None, "normal"):  # separators and continuation notices are not numbered
            self.notes[path.name] += 1
            location = f"{path.name} {self.notes[path.name]}"
        else:
            location = f"{path.name} ({_one_line(kind)})"
        self.boxes.append(_Box(location=location, joined=True))
        return "box"

    def _table(self, element: Element, path: _Path) -> str:
        box = self.boxes[-1]
        box.tables += 1
        self.tables.append(_Table(prefix=f"{box.prefix()}table {box.tables}"))
        return "table"

    def _row(self, element: Element, path: _Path) -> str:
        if self.tables:
            self.tables[-1].rows += 1
            self.tables[-1].cells = 0
        return ""

    def _cell(self, element: Element, path: _Path) -> str:
        if not self.tables:
            return ""
        table = self.tables[-1]
        table.cells += 1
        self.boxes.append(_Box(location=f"{table.prefix} row {table.rows} cell {table.cells}", joined=True))
        return "box"

    def _text_box(self, element: Element, path: _Path) -> str:
        anchor = self.paragraphs[-1].location if self.paragraphs else self.boxes[-1].location
        self.boxes.append(_Box(location=f"{anchor} text box".strip(), joined=True))
        return "box"

    def _paragraph(self, element: Element, path: _Path) -> str:
        box = self.boxes[-1]
        if box.joined:
            location = box.location
        else:
            box.paragraphs += 1
            location = f"{box.prefix()}paragraph {box.paragraphs}"
        self.paragraphs.append(_Paragraph(location=location, box=box))
        return "paragraph"

    def _delete(self, element: Element, path: _Path) -> str:
        self.deleting += 1
        return "del"

    def _space(self, element: Element, path: _Path) -> str:
        if path.parent == "r" and self.paragraphs:  # not a tab stop in paragraph properties
            self._append(" ", self.deleting > 0)
        return ""

    def _text(self, text: str, deleted: bool) -> Iterator[Field]:
        if self.paragraphs:
            self._append(text, deleted)
            return
        where = self.boxes[-1].location or self.part  # text outside any paragraph: still published
        yield from _field(f"{where} (tracked deletion)" if deleted else where, text)

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
        yield from _field(paragraph.location, text)
        yield from _field(f"{paragraph.location} (tracked deletion)", deleted)

    def _close_box(self, element: Element, path: _Path) -> Iterator[Field]:
        box = self.boxes.pop()
        yield from _field(box.location, " ".join(t for t in box.texts if t.strip()))
        yield from _field(f"{box.location} (tracked deletion)", " ".join(d for d in box.deleted if d))
        if path.name == "comment":
            yield from _field(f"{box.location} author", _one_line(_attribute(element, "author") or ""))


# --- .xlsx ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Sheet:
    name: str
    hidden: str  # "" or " (hidden sheet)": hidden and veryHidden sheets are still published
    strings: tuple[str, ...]

    def at(self, reference: str, what: str = "") -> str:
        return f"{self.name}!{reference}{what}{self.hidden}"


def _xlsx(package: _Package) -> Iterator[Field]:
    book = package.claim(_main_part(package, "xlsx")) or ""
    relationships = _relationships(package, book)
    sheets: list[tuple[str, str, str]] = []
    for event, element, path in _events(package, book):
        if event == "start" and path.name == "sheet":
            name = _one_line(element.get("name", ""))
            sheets.append((name, element.get("state", "visible"), _relationship_id(element)))
        elif event == "end" and path.name == "definedName":
            name = _one_line(element.get("name", ""))
            yield Field(location=f"definedName {name}", text=f"{name}: {element.text or ''}")
        elif event == "end" and element.text:
            yield from _field(f"{book} {path.name}", element.text)
    candidates = [*_targets(relationships, "sharedStrings"), "xl/sharedStrings.xml"]
    strings = tuple(_shared_strings(package, candidates))
    for number, (name, state, identifier) in enumerate(sheets, 1):
        sheet = _Sheet(name=name, hidden="" if state == "visible" else " (hidden sheet)", strings=strings)
        yield Field(location=f"sheet {number} name{sheet.hidden}", text=f"sheet name: {name}")
        yield from _sheet(package, relationships.get(identifier), sheet)
    yield from _properties(package)
    yield from _sweep(package)


def _run(runs: list[str], text: str | None, path: _Path) -> None:
    """Rich-text runs join as they read; a phonetic guide (`rPh`) is kept apart by spaces."""
    if text:
        runs.append(f" {text} " if path.within("rPh") else text)


def _shared_strings(package: _Package, candidates: list[str]) -> Iterator[str]:
    part = next((found for candidate in candidates if (found := package.claim(candidate))), None)
    runs: list[str] = []
    for event, element, path in _events(package, part) if part else ():
        if event == "start" and path.name == "si":
            runs = []
        elif event == "end" and path.name == "t":
            _run(runs, element.text, path)
        elif event == "end" and path.name == "si":
            yield "".join(runs).strip()


def _sheet(package: _Package, relationship: _Relationship | None, sheet: _Sheet) -> Iterator[Field]:
    target = relationship.target if relationship and not relationship.external else ""
    if package.find(target) is None:
        raise InputError(
            "",
            f"sheet {sheet.name!r} points to no part of the package; the workbook is damaged: {_fix('xlsx')}",
        )
    part = package.claim(target)
    if part is None:
        return
    yield from _Cells(sheet).read(package, part)
    relationships = _relationships(package, part)
    for target in _targets(relationships, "comments"):
        yield from _cell_comments(package, target, sheet)
    for target in _targets(relationships, "threadedComment"):
        yield from _threaded_comments(package, target, sheet)


_REFERENCE = re.compile(r"([A-Za-z]{1,3})[0-9]{1,7}")


class _Cells:
    """One worksheet: values (shared and inline strings resolved), formulas, and text outside the
    grid (print headers and footers, validation lists)."""

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet
        self.row = 0
        self.column = 0
        self.reference = ""
        self.type = "n"
        self.runs: list[str] = []

    def read(self, package: _Package, part: str) -> Iterator[Field]:
        for event, element, path in _events(package, part):
            if event == "start":
                self._start(element, path)
            elif event == "end" and path.within("sheetData"):
                yield from self._end(element, path)
            elif event == "end" and element.text:
                yield from _field(f"{self.sheet.name} {path.name}{self.sheet.hidden}", element.text)

    def _start(self, element: Element, path: _Path) -> None:
        if path.name == "row":
            self.row = int(element.get("r") or self.row + 1)
            self.column = 0
        elif path.name == "c":  # `r` may be left out: count rows and columns
            self.column += 1
            self.reference = _one_line(element.get("r", "")) or f"{_column_name(self.column)}{self.row}"
            if match := _REFERENCE.fullmatch(self.reference):
                self.column = _column_number(match[1])
            self.type = element.get("t", "n")
        elif path.name == "is":
            self.runs = []

    def _end(self, element: Element, path: _Path) -> Iterator[Field]:
        text = element.text or ""
        if path.name == "v" and path.parent == "c":
            yield from _field(self.sheet.at(self.reference), self._value(text))
        elif path.name == "f" and path.parent == "c":
            yield from _field(self.sheet.at(self.reference, " formula"), text)
        elif path.name == "t" and path.within("is"):
            _run(self.runs, text, path)
        elif path.name == "is":
            yield from _field(self.sheet.at(self.reference), "".join(self.runs).strip())

    def _value(self, text: str) -> str:
        if self.type != "s":
            return text  # numbers, booleans, errors, cached formula results: as written
        index = int(text)
        if not 0 <= index < len(self.sheet.strings):
            raise InputError(
                "",
                f"cell {self.sheet.at(self.reference)} refers to shared string {index}, which the "
                f"workbook does not have; it is damaged: {_fix('xlsx')}",
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


def _cell_comments(package: _Package, target: str, sheet: _Sheet) -> Iterator[Field]:
    part = package.claim(target)
    authors: list[str] = []
    runs: list[str] = []
    for event, element, path in _events(package, part) if part else ():
        if event == "start" and path.name == "comment":
            runs = []
        elif event == "end" and path.name == "author":
            authors.append(_one_line(element.text or ""))
        elif event == "end" and path.name == "t":
            _run(runs, element.text, path)
        elif event == "end" and path.name == "comment":
            reference = _one_line(element.get("ref", ""))
            yield from _field(sheet.at(reference, " comment"), "".join(runs).strip())
            author = element.get("authorId", "")
            if author.isascii() and author.isdigit() and int(author) < len(authors):
                yield from _field(sheet.at(reference, " comment author"), authors[int(author)])


def _threaded_comments(package: _Package, target: str, sheet: _Sheet) -> Iterator[Field]:
    part = package.claim(target)
    reference = ""
    for event, element, path in _events(package, part) if part else ():
        if event == "start" and path.name == "threadedComment":
            reference = _one_line(element.get("ref", ""))
        elif event == "end" and path.name == "text" and path.parent == "threadedComment":
            yield from _field(sheet.at(reference, " threaded comment"), element.text or "")


# --- .pptx ---------------------------------------------------------------------------------------


def _pptx(package: _Package) -> Iterator[Field]:
    main = _main_part(package, "pptx")  # not claimed: the sweep reads any stray text in it
    relationships = _relationships(package, main)
    order = [
        _relationship_id(e)
        for event, e, path in _events(package, main)
        if event == "start" and path.name == "sldId"
    ]
    authors = _comment_authors(package)
    for number, identifier in enumerate(order, 1):
        relationship = relationships.get(identifier)
        target = relationship.target if relationship and not relationship.external else ""
        if package.find(target) is None:
            raise InputError(
                "", f"slide {number} points to no part of the package; it is damaged: {_fix('pptx')}"
            )
        slide = package.claim(target)
        if slide is None:
            continue
        yield from _paragraphs(package, slide, f"slide {number}", hidden=" (hidden slide)")
        slide_relationships = _relationships(package, slide)
        for target in _targets(slide_relationships, "notesSlide"):
            if notes := package.claim(target):
                yield from _paragraphs(package, notes, f"slide {number} notes")
        for target in _targets(slide_relationships, "comments"):
            if comments := package.claim(target):
                yield from _slide_comments(package, comments, f"slide {number}", authors)
    yield from _properties(package)
    yield from _sweep(package)


def _comment_authors(package: _Package) -> dict[str, str]:
    """Comment author names by id: legacy `commentAuthors.xml`, modern `authors.xml`."""
    authors: dict[str, str] = {}
    for name in ("ppt/commentAuthors.xml", "ppt/authors.xml"):
        part = package.claim(name)
        for event, element, path in _events(package, part) if part else ():
            if event == "start" and path.name in ("cmAuthor", "author"):
                authors[element.get("id", "")] = _one_line(element.get("name", ""))
    return authors


_COMMENTS = frozenset({"cm", "reply"})


def _slide_comments(package: _Package, part: str, slide: str, authors: dict[str, str]) -> Iterator[Field]:
    """Legacy comments (`p:cm` holding `p:text`) and modern ones (`cm` with `a:p` text and replies),
    numbered in the order they are stored."""
    open_: list[tuple[int, list[str]]] = []
    count = 0
    for event, element, path in _events(package, part):
        if event == "start" and path.name in _COMMENTS:
            count += 1
            open_.append((count, []))
        elif event == "end" and path.name in _COMMENTS:
            number, runs = open_.pop()
            where = f"{slide} comment {number}"
            yield from _field(where, "".join(runs).strip())
            yield from _field(f"{where} author", authors.get(element.get("authorId", ""), ""))
        elif event == "end" and open_ and element.text and path.name in ("t", "text"):
            open_[-1][1].append(element.text)
        elif event == "end" and open_ and path.name == "p":
            open_[-1][1].append(" ")
