"""Text a reader can get at in Office Open XML attachments (.docx, .xlsx, .pptx).

The package is read directly (zipfile for the directory, zlib for the members, defusedxml for the
XML), not through python-docx or openpyxl: those hide or drop what the published file still holds
(tracked deletions, comments, hidden sheets, speaker notes, custom properties) and inflate members
without limits. Here every member is inflated in chunks against the size its header declares and
one package budget, XML is streamed with flat memory and bounded depth, and parts no specific
reader claims (charts, SmartArt, drawings, slide masters, custom XML, link targets) are still swept
for text, so nothing a reader can open goes unscreened.

Layout: `package` (the bounded zip and XML reader, and its limits), `parts` (relationships,
properties, paragraphs, the sweep), and one reader per format: `word`, `sheets`, `slides`.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field
from screen.source.ooxml.package import Package, fix
from screen.source.ooxml.sheets import read_xlsx
from screen.source.ooxml.slides import read_pptx
from screen.source.ooxml.word import read_docx, revisions

MAX_FIELDS = 1_000_000

_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
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
    return _read(data, "docx", read_docx)


def docx_revisions(data: bytes) -> list[str]:
    """The tracked changes and comments of a .docx, with where each is (see `word.revisions`)."""
    found: list[list[str]] = []

    def collect(package: Package) -> Iterator[Field]:
        found.append(revisions(package))
        yield from ()

    for _field in _read(data, "docx", collect):
        pass
    return found[0] if found else []


def xlsx_fields(data: bytes) -> Iterator[Field]:
    """Every sheet (hidden ones too), cells, formulas, comments, defined names, properties."""
    return _read(data, "xlsx", read_xlsx)


def pptx_fields(data: bytes) -> Iterator[Field]:
    """Slides in presentation order, speaker notes, comments, properties."""
    return _read(data, "pptx", read_pptx)


def _read(data: bytes, kind: str, reader: Callable[[Package], Iterator[Field]]) -> Iterator[Field]:
    if data.startswith(_OLE):
        raise InputError("", _ole_reason(data, kind))
    package: Package | None = None
    try:
        package = Package(data, kind)
        package.read_types(kind)
        for count, item in enumerate(reader(package), 1):
            if count > MAX_FIELDS:
                raise InputError(
                    "",
                    _("the file holds more than {limit} pieces of text; split it").format(limit=MAX_FIELDS),
                )
            yield item
    except DefusedXmlException as error:
        where = package.place() if package else _("the zip directory")
        raise InputError(
            "",
            _(
                "{part} declares a DTD or entities, which Office never writes ({error}); refused: {fix}"
            ).format(part=where, error=error, fix=fix(kind)),
        ) from None
    except _MALFORMED as error:
        where = package.place() if package else _("the zip directory")
        raise InputError(
            "",
            _(
                "cannot read this .{kind} file ({part}: {error_type}: {error}); "
                "it is damaged or not an Office file: {fix}"
            ).format(kind=kind, part=where, error_type=type(error).__name__, error=error, fix=fix(kind)),
        ) from None


def _ole_reason(data: bytes, kind: str) -> str:
    """Encrypted OOXML and the legacy binary formats are both OLE compound files; an encrypted one
    names its `EncryptedPackage` stream (UTF-16) in the directory."""
    fix = _(
        "re-export it from Office or WPS as an unencrypted .{kind} (or as a PDF) and publish that"
    ).format(kind=kind)
    if "EncryptedPackage".encode("utf-16-le") in data:
        return _(
            "the file is encrypted (password-protected), so it cannot be screened; {fix} instead"
        ).format(fix=fix)
    return _(
        "the file is an OLE compound file, not a .docx/.xlsx/.pptx package: an old binary Office "
        "document (.doc/.xls/.ppt saved with a different extension) or an encrypted "
        "(password-protected) one; {fix} instead"
    ).format(fix=fix)


__all__ = ["MAX_FIELDS", "docx_fields", "docx_revisions", "pptx_fields", "xlsx_fields"]
