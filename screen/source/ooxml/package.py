"""The bounded package reader: a checked zip directory, members inflated in chunks against the size
their headers declare and one package budget, and their XML streamed with flat memory and bounded
depth."""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse

from screen.errors import InputError
from screen.i18n import _

_MIB = 1024 * 1024
MAX_ENTRIES = 10_000  # Office writes a few dozen; thousands of slides or sheets stay well below
MAX_TOTAL = 256 * _MIB  # declared by the directory, and actually inflated, for the whole package
MAX_RATIO = 200  # XML deflates 10-50:1; a bomb of zeros reaches 1000:1
RATIO_FLOOR = _MIB  # small members (an empty sheet, a blank style) may compress better
MAX_DEPTH = 512  # nested tables in text boxes stay under 100
MAX_ELEMENTS = 10_000_000  # ~3 µs each to stream and read: about half a minute at worst

_CHUNK = 64 * 1024
_BATCH = 256  # finished siblings dropped at once: one list shift per batch, not per element


def fix(kind: str) -> str:
    return _("re-export it from Office or WPS as .{kind} (or as a PDF) and publish that copy").format(
        kind=kind
    )


class Package:
    def __init__(self, data: bytes, kind: str) -> None:
        self.current = ""  # the part being read, for error messages ("": the zip directory)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
        _check_directory(infos, kind)
        self.kind = kind
        self._data = data
        self._parts: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename.lower() in self._parts:  # OPC part names ignore case
                raise InputError(
                    "",
                    _("the zip holds two parts named {name}; {fix}").format(
                        name=info.filename, fix=fix(kind)
                    ),
                )
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
                _(
                    "the zip has no [Content_Types].xml, so it is not an Office Open XML package "
                    "(a plain zip renamed?); {fix}"
                ).format(fix=fix(kind)),
            )
        for event, element, path in events(self, types):
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
            raise InputError(
                "",
                _("the package holds more than {limit} XML elements; split the file").format(
                    limit=MAX_ELEMENTS
                ),
            )
        if depth >= MAX_DEPTH:
            raise InputError(
                "",
                _("{part} nests XML more than {limit} deep; {fix}").format(
                    part=self.place(), limit=MAX_DEPTH, fix=fix(self.kind)
                ),
            )

    def place(self) -> str:
        """The part being read, for an error message."""
        return self.current or _("the zip directory")

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
                    _(
                        "{name} inflates to more than the {size} bytes its zip header declares; "
                        "a package whose headers lie is refused (a zip bomb?): {fix}"
                    ).format(name=info.filename, size=info.file_size, fix=fix(self.kind)),
                )
            if self._budget < 0:
                raise InputError(
                    "",
                    _("the package inflates to more than {limit} MiB; split the file").format(
                        limit=MAX_TOTAL // _MIB
                    ),
                )
            crc = zlib.crc32(chunk, crc)
            yield chunk
        if produced != info.file_size or crc != info.CRC:
            raise InputError(
                "",
                _(
                    "{name} does not match the size or checksum in the zip directory; "
                    "the file is damaged: copy or export it again"
                ).format(name=info.filename),
            )

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        offset = info.header_offset
        header = self._data[offset : offset + 30] if offset >= 0 else b""
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise InputError(
                "",
                _("{name} has no local header; the zip is damaged: export it again").format(
                    name=info.filename
                ),
            )
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_length + extra_length
        if start + info.compress_size > len(self._data):
            raise InputError(
                "",
                _("{name} is cut off (a truncated file): copy or export it again").format(name=info.filename),
            )
        return memoryview(self._data)[start : start + info.compress_size]


def _check_directory(infos: list[zipfile.ZipInfo], kind: str) -> None:
    """Refuse a bomb from its directory, before a byte is inflated."""
    bomb = _("refused unread (a zip bomb?); if it is a genuine document, split it or {fix}").format(
        fix=fix(kind)
    )
    if len(infos) > MAX_ENTRIES:
        raise InputError(
            "",
            _("the zip lists {count} members, more than {limit}; {bomb}").format(
                count=len(infos), limit=MAX_ENTRIES, bomb=bomb
            ),
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL:
        raise InputError(
            "",
            _("the zip declares {size} MiB uncompressed, more than {limit} MiB; {bomb}").format(
                size=total // _MIB, limit=MAX_TOTAL // _MIB, bomb=bomb
            ),
        )
    for info in infos:
        _check_member(info, bomb)


def _check_member(info: zipfile.ZipInfo, bomb: str) -> None:
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
        ratio = info.file_size // max(info.compress_size, 1)
        raise InputError(
            "",
            _("{name} compresses {ratio}:1, above the {limit}:1 limit; {bomb}").format(
                name=info.filename, ratio=ratio, limit=MAX_RATIO, bomb=bomb
            ),
        )
    if info.flag_bits & 1:
        raise InputError(
            "",
            _("{name} is encrypted inside the zip; publish an unencrypted file").format(name=info.filename),
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(
            "",
            _(
                "{name} uses zip compression method {method}, which Office never writes; "
                "save the file again from Office or WPS"
            ).format(name=info.filename, method=info.compress_type),
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
            raise zlib.error(_("the compressed data ends early"))
        if chunk:
            yield chunk


# --- streaming XML ------------------------------------------------------------------------------


class Path:
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


def events(package: Package, part: str) -> Iterator[tuple[str, Element, Path]]:
    """`start`, `end` and `tail` events of `part`; an element's text is complete at `end`, its tail
    at `tail` (yielded before the next sibling starts or the parent ends). Finished elements are cut
    from their parent in batches, so memory stays flat however long the part is."""
    path = Path()
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
