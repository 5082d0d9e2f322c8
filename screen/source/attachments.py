"""Text a reader can fetch from binary attachments, each piece with where it is in the file.

Which reader reads what:

- images (`.png .jpg .jpeg .gif .webp .bmp .tif .tiff`): `screen.source.images`, EXIF (GPS,
  owner, serial numbers, free text), XMP and PNG text chunks, without ever decoding pixels;
- Word, Excel, PowerPoint (`.docx .xlsx .pptx`): `screen.source.ooxml`, which reads the package
  itself (tracked deletions, comments, hidden sheets, notes, properties) with bounded inflation;
- PDF: pypdf, text per page and the document information, within pypdf's own output limits.

The extracted fields become the document's lines (one field a line); a finding's `location`
names the field's place (`page 3`, `Sheet1!B3`, `EXIF GPS`). The cells of a table row (.xlsx,
.docx) are one block and their table is recorded (`screen.source.tables.field_layers`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import replace

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"})
OFFICE_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx"})
DOCUMENT_SUFFIXES = OFFICE_SUFFIXES | {".pdf"}
MAX_PDF_PAGES = 5000
MAX_FIELD_CHARS = 64 * 1024 * 1024  # all the text of one attachment


def _pdf_fields(data: bytes) -> Iterator[Field]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise InputError("", _("the PDF is encrypted; publish an unencrypted copy so it can be screened"))
    for key, value in (reader.metadata or {}).items():
        name = str(key).lstrip("/")
        yield Field(location=f"PDF info {name}", text=f"{name}: {value}")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise InputError(
            "",
            _("the PDF has {pages} pages, above {limit}; split it").format(
                pages=len(reader.pages), limit=MAX_PDF_PAGES
            ),
        )
    for number, page in enumerate(reader.pages, 1):
        yield Field(location=f"page {number}", text=page.extract_text() or "")


def _reader(suffix: str) -> Callable[[bytes], Iterator[Field]]:
    if suffix in IMAGE_SUFFIXES:
        from screen.source.images import image_fields

        return image_fields
    if suffix in OFFICE_SUFFIXES:
        from screen.source import ooxml

        return {".docx": ooxml.docx_fields, ".xlsx": ooxml.xlsx_fields, ".pptx": ooxml.pptx_fields}[suffix]
    return _pdf_fields


def extract(path: str, suffix: str, data: bytes) -> tuple[Field, ...]:
    """The attachment's non-empty fields, each text on one line."""
    fields: list[Field] = []
    total = 0
    try:
        for field in _reader(suffix)(data):
            text = " ".join(field.text.replace("\r", "\n").split("\n"))
            if not text.strip():
                continue
            total += len(text)
            if total > MAX_FIELD_CHARS:
                raise InputError(
                    "",
                    _("more than {limit} MB of text; split the file").format(
                        limit=MAX_FIELD_CHARS // 1048576
                    ),
                )
            fields.append(field if text == field.text else replace(field, text=text))
    except InputError as error:
        raise InputError(path, error.reason) from None
    except RecursionError:
        raise InputError(
            path, _("this {suffix} file is nested too deeply to read; re-export it").format(suffix=suffix)
        ) from None
    except Exception as error:  # a parser's own error type: the file cannot be screened
        raise InputError(
            path,
            _(
                "cannot read this {suffix} file ({kind}: {error}); re-export it or remove it from content/"
            ).format(suffix=suffix, kind=type(error).__name__, error=error),
        ) from None
    return tuple(fields)
