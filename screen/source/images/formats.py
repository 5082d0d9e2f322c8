"""Fields of each image format: PNG text and EXIF chunks, JPEG APP1 and comment segments, WebP
chunks, and the headers Pillow reads for TIFF, GIF and BMP. Every header's pixel count is checked."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field
from screen.source.images.containers import damaged, jpeg_segments, png_chunks, webp_chunks
from screen.source.images.exif import decode, exif_fields, exif_tags, field
from screen.source.images.limits import MAX_CHUNK_TEXT, MAX_PAGES, Budget, check_size
from screen.source.images.xmp import xmp_fields

XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


# --- PNG ---------------------------------------------------------------------------------------


def png_fields(data: bytes, budget: Budget) -> Iterator[Field]:
    chunks = png_chunks(data)
    kind, header = next(chunks)
    if kind != b"IHDR" or len(header) != 13:
        raise damaged(_("the PNG file does not start with its IHDR header"))
    check_size(*struct.unpack_from(">II", header))
    for kind, body in chunks:
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            yield from _png_text(kind.decode(), body, budget)
        elif kind == b"eXIf":
            yield from exif_fields(body)


def _png_text(kind: str, body: bytes, budget: Budget) -> Iterator[Field]:
    keyword, sep, rest = body.partition(b"\x00")
    translated = b""
    if not sep:
        raise damaged(_("a PNG {chunk} chunk has no keyword").format(chunk=kind))
    if kind == "zTXt":
        rest = _inflate(rest[1:], budget)
    elif kind == "iTXt":
        # flag, method, language\0, translated keyword\0, text
        _language, sep, tail = rest[2:].partition(b"\x00")
        translated, sep2, text = tail.partition(b"\x00")
        if len(rest) < 2 or not (sep and sep2):
            raise damaged(_("a PNG {chunk} chunk is malformed").format(chunk=kind))
        rest = _inflate(text, budget) if rest[0] else text
    name = decode(keyword)
    if name == "XML:com.adobe.xmp":
        yield from xmp_fields(rest, budget)
    elif name.lower() in ("raw profile type exif", "raw profile type app1", "raw profile type xmp"):
        # ImageMagick keeps a JPEG's EXIF or XMP in PNG text as hex: `\nexif\n  <length>\n<hex>`
        profile = bytes.fromhex("".join(decode(rest).split()[2:]))
        yield from xmp_fields(profile, budget) if name.endswith("xmp") else exif_fields(profile)
    else:
        yield from field(f"PNG {kind} {name}", f"image.png.{name}", decode(rest))
        yield from field(f"PNG {kind} {name}", f"image.png.{name}.translated", decode(translated))


def _inflate(compressed: bytes, budget: Budget) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(compressed, MAX_CHUNK_TEXT + 1)
    if len(text) > MAX_CHUNK_TEXT:
        raise InputError(
            "",
            _(
                "a compressed PNG text chunk inflates to more than {limit} MiB (a "
                "decompression bomb?); write a copy without metadata with `baomi strip`"
            ).format(limit=MAX_CHUNK_TEXT >> 20),
        )
    if not inflater.eof:
        raise damaged(_("a compressed PNG text chunk is truncated"))
    budget.take(len(text))
    return text


# --- JPEG --------------------------------------------------------------------------------------


def jpeg_fields(data: bytes, budget: Budget) -> Iterator[Field]:
    extended: dict[bytes, list[tuple[int, bytes]]] = {}
    for marker, start, end in jpeg_segments(data):
        body = data[start + 4 : end]
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", body, 1)
            check_size(width, height)
        elif marker == 0xE1 and body.startswith(b"Exif\x00"):
            yield from exif_fields(body[6:])
        elif marker == 0xE1 and body.startswith(XMP_JPEG):
            yield from xmp_fields(body[len(XMP_JPEG) :], budget)
        elif marker == 0xE1 and body.startswith(_XMP_EXTENSION):
            # Extended XMP: GUID (32), full length (4), offset (4), then this part of the packet
            guid, offset = body[35:67], int.from_bytes(body[71:75], "big")
            extended.setdefault(guid, []).append((offset, body[75:]))
        elif marker == 0xFE:
            yield from field("JPEG COM", "image.jpeg.Comment", decode(body))
    for parts in extended.values():
        yield from xmp_fields(b"".join(part for _, part in sorted(parts)), budget)


# --- WebP --------------------------------------------------------------------------------------


def webp_fields(data: bytes, budget: Budget) -> Iterator[Field]:
    for kind, body in webp_chunks(data):
        if kind == b"VP8X" and len(body) >= 10:
            check_size(1 + int.from_bytes(body[4:7], "little"), 1 + int.from_bytes(body[7:10], "little"))
        elif kind == b"VP8 " and len(body) >= 10:
            width, height = struct.unpack_from("<HH", body, 6)
            check_size(width & 0x3FFF, height & 0x3FFF)
        elif kind == b"VP8L" and len(body) >= 5:
            bits = int.from_bytes(body[1:5], "little")
            check_size((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        elif kind == b"EXIF":
            yield from exif_fields(body)
        elif kind == b"XMP ":
            yield from xmp_fields(body, budget)


# --- TIFF, GIF, BMP (Pillow reads their headers) -----------------------------------------------


def pillow_fields(data: bytes, budget: Budget) -> Iterator[Field]:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=("TIFF", "GIF", "BMP"))
    except Image.DecompressionBombError:
        raise InputError(
            "",
            _(
                "the image claims more pixels than Pillow will open (a decompression bomb?); "
                "scale it down and re-export it"
            ),
        ) from None
    except UnidentifiedImageError:
        raise InputError(
            "",
            _(
                "not a PNG, JPEG, WebP, GIF, BMP or TIFF image, or too damaged to identify; "
                "re-export it as PNG or JPEG"
            ),
        ) from None
    with image:
        # Later TIFF pages are only headers away; later GIF frames need the earlier ones decoded.
        pages = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
        if pages > MAX_PAGES:
            raise InputError(
                "",
                _("the TIFF has {pages} pages, more than {limit}; split it").format(
                    pages=pages, limit=MAX_PAGES
                ),
            )
        for page in range(pages):
            image.seek(page)
            check_size(*image.size)
            where = f", page {page + 1}" if pages > 1 else ""
            yield from exif_tags(image.getexif(), where)
            if isinstance(xmp := image.info.get("xmp"), bytes):
                yield from xmp_fields(xmp, budget, where)
            if isinstance(comment := image.info.get("comment"), bytes):
                label = f"image.{str(image.format).lower()}.Comment"
                yield from field(f"{image.format} comment{where}", label, decode(comment))
