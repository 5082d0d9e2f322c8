"""Text a reader can fetch from binary attachments: image metadata, PDF and Word documents.

The extracted text becomes the document's source; positions point into that extraction (one
metadata field, page or paragraph per line), which is the closest thing to a source position a
binary file has.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from screen.errors import InputError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"})
DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx"})

# EXIF tags that carry free text (TIFF/EXIF numbering).
_EXIF_TEXT = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9286: "UserComment",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
    0x9C9E: "XPKeywords",
    0x9C9F: "XPSubject",
}
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def _text(value: object) -> str:
    if isinstance(value, str) and not value.isascii() and max(value) <= "\xff":
        # Pillow reads EXIF ASCII fields and PNG tEXt chunks as Latin-1, but phones, exiftool and
        # Chinese editors write UTF-8 there: 青松计划 came back as `é\x9d\x92…` and was missed.
        try:
            return value.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00"):
            value = value[8:]
        for codec in ("utf-8", "utf-16-le"):
            try:
                return value.decode(codec).rstrip("\x00")
            except UnicodeDecodeError:
                continue
        return value.decode("latin-1")
    return str(value)


def _image_fields(data: bytes) -> Iterator[tuple[str, str]]:
    from PIL import Image  # Pillow only loads for images

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        exif = image.getexif()
        tags = dict(exif) | dict(exif.get_ifd(_EXIF_IFD))
        for tag, name in _EXIF_TEXT.items():
            if tag in tags:
                yield name, _text(tags[tag])
        gps = exif.get_ifd(_GPS_IFD)
        if gps:
            yield "GPS", " ".join(f"{k}={_text(v)}" for k, v in sorted(gps.items()))
        for key, value in image.info.items():
            if isinstance(value, (str, bytes)) and key not in (
                "exif",
                "icc_profile",
                "dpi",
            ):
                yield str(key), _text(value)


def _pdf_fields(data: bytes) -> Iterator[tuple[str, str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise InputError(
            "",
            "the PDF is encrypted; publish an unencrypted copy so it can be screened",
        )
    for key, value in (reader.metadata or {}).items():
        yield str(key).lstrip("/"), _text(value)
    for number, page in enumerate(reader.pages, 1):
        yield f"page {number}", page.extract_text() or ""


def _docx_fields(data: bytes) -> Iterator[tuple[str, str]]:
    import docx

    document = docx.Document(io.BytesIO(data))
    core = document.core_properties
    for name in (
        "title",
        "subject",
        "author",
        "keywords",
        "comments",
        "last_modified_by",
    ):
        yield name, str(getattr(core, name) or "")
    for paragraph in document.paragraphs:
        yield "paragraph", paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield "table", " | ".join(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield "header/footer", "\n".join(p.text for p in part.paragraphs)


def extract(path: str, suffix: str, data: bytes) -> str:
    """The attachment's text, one field per line (`name: value`)."""
    reader = _image_fields if suffix in IMAGE_SUFFIXES else _pdf_fields
    if suffix == ".docx":
        reader = _docx_fields
    try:
        fields = list(reader(data))
    except InputError as error:
        raise InputError(path, error.reason) from None
    except Exception as error:  # a parser's own error type: the file cannot be screened
        raise InputError(
            path,
            f"cannot read this {suffix} file ({type(error).__name__}: {error}); "
            "re-export it or remove it from content/",
        ) from None
    lines = []
    for name, value in fields:
        if value.strip():
            lines.append(f"{name}: " + value.replace("\r", " ").replace("\n", " "))
    return "\n".join(lines)
