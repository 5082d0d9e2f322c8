"""Image metadata as screenable fields, read without decoding a single pixel.

PNG, JPEG and WebP containers are walked here, every chunk and segment (text after the image
data too); EXIF blocks are parsed by Pillow's `Image.Exif`; TIFF, GIF and BMP headers are read
by `Image.open`, which decodes nothing until `load()`, never called here. A decompression bomb
costs what its header costs. Each field reads `image.<name>: <value>` so rules can target image
metadata by name (rules/patterns/metadata.yml)."""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from typing import Any

from screen.errors import InputError
from screen.source.fields import Field

# No portal image comes near this; a header claiming more is a bomb or a mistake. Just under
# Pillow's own refusal (2 × Image.MAX_IMAGE_PIXELS), so every format gets this message.
MAX_PIXELS = 178_000_000
MAX_CHUNK_TEXT = 1 << 20  # inflated size of one compressed PNG text chunk
MAX_TEXT = 8 << 20  # inflated PNG text and XMP packets of one image, in all
MAX_PAGES = 1000  # TIFF pages (each page's header is read)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_READ_AGAIN = "re-export the image, or write a copy without metadata with `baomi strip`"
# What a damaged file makes parsers raise; anything else is a bug and must surface as one.
_MALFORMED = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    LookupError,
    ArithmeticError,
    EOFError,
    RecursionError,
    struct.error,
    zlib.error,
)

# EXIF tags (TIFF numbering) that carry free text or identify a person or a device.
_EXIF_TEXT = {
    0x010D: "DocumentName",
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x011D: "PageName",
    0x0131: "Software",
    0x013B: "Artist",
    0x013C: "HostComputer",
    0x8298: "Copyright",
    0x9286: "UserComment",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
    0x9C9E: "XPKeywords",
    0x9C9F: "XPSubject",
    0xA420: "ImageUniqueID",
    0xA430: "CameraOwnerName",
    0xA431: "BodySerialNumber",
    0xA433: "LensMake",
    0xA434: "LensModel",
    0xA435: "LensSerialNumber",
}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
# (field, latitude, its ref, longitude, its ref) in the GPS IFD
_GPS_PAIRS = (("GPSPosition", 2, 1, 4, 3), ("GPSDestPosition", 0x14, 0x13, 0x16, 0x15))

# Known XMP namespaces get their usual prefix whatever the packet declares, so a rule for
# `xmp.dc:creator` cannot be dodged by declaring Dublin Core as `d:`.
_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
}
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_STRUCTURE = frozenset({_RDF, "http://www.w3.org/XML/1998/namespace", "adobe:ns:meta/"})
_XMP_COORDINATE = re.compile(r"(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])")


def image_fields(data: bytes) -> Iterator[Field]:
    """The image's metadata, one field per value; `InputError("", reason)` if it cannot be read."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fields = tuple(_fields(data, _Budget()))
        except InputError:
            raise
        except _MALFORMED as error:
            raise InputError(
                "", f"cannot read this image ({type(error).__name__}: {error}); {_READ_AGAIN}"
            ) from None
    for warning in caught:
        # Pillow warns where it skips damaged EXIF tags: unread metadata is not screened metadata.
        harmless = warning.category.__name__ == "DecompressionBombWarning" or str(warning.message).startswith(
            "Metadata Warning"
        )
        if issubclass(warning.category, (UserWarning, RuntimeWarning)) and not harmless:
            raise InputError("", f"the image's metadata is damaged ({warning.message}); {_READ_AGAIN}")
    return iter(fields)


class _Budget:
    """Inflated and XML bytes one image may make us read."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_TEXT

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise InputError(
                "",
                f"the image carries more than {MAX_TEXT >> 20} MiB of metadata text (a decompression "
                "bomb?); write a copy without metadata with `baomi strip`",
            )


def _fields(data: bytes, budget: _Budget) -> Iterator[Field]:
    if data.startswith(PNG_SIGNATURE):
        return _png_fields(data, budget)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_fields(data, budget)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_fields(data, budget)
    return _pillow_fields(data, budget)


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(
            "",
            f"the image claims {width}×{height} pixels ({width * height / 1e6:.0f} megapixels), above "
            f"the {MAX_PIXELS // 1_000_000}-megapixel limit: a decompression bomb, or far too large "
            "for a web page; scale it down and re-export it",
        )


def _damaged(what: str) -> InputError:
    return InputError("", f"{what}; the file is damaged: re-export it from an image editor")


def _field(location: str, label: str, value: str) -> Iterator[Field]:
    value = value.strip("\x00 \t\r\n")
    if value:
        yield Field(location=location, text=f"{label}: {value}")


# --- PNG ---------------------------------------------------------------------------------------


def png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of every chunk up to IEND, checksums checked."""
    if not data.startswith(PNG_SIGNATURE):
        raise _damaged("not a PNG file")
    pos = 8
    while True:
        if pos + 12 > len(data):
            raise _damaged("the PNG file is truncated (no IEND chunk)")
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data) or not kind.isalpha():
            raise _damaged(f"the PNG chunk at byte {pos} is truncated or malformed")
        body = data[pos + 8 : end - 4]
        if zlib.crc32(body, zlib.crc32(kind)) != struct.unpack_from(">I", data, end - 4)[0]:
            raise _damaged(f"the PNG chunk {kind.decode()} at byte {pos} fails its checksum")
        yield kind, body
        if kind == b"IEND":
            return
        pos = end


def _png_fields(data: bytes, budget: _Budget) -> Iterator[Field]:
    chunks = png_chunks(data)
    kind, header = next(chunks)
    if kind != b"IHDR" or len(header) != 13:
        raise _damaged("the PNG file does not start with its IHDR header")
    _check_size(*struct.unpack_from(">II", header))
    for kind, body in chunks:
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            yield from _png_text(kind.decode(), body, budget)
        elif kind == b"eXIf":
            yield from _exif_fields(body)


def _png_text(kind: str, body: bytes, budget: _Budget) -> Iterator[Field]:
    keyword, sep, rest = body.partition(b"\x00")
    translated = b""
    if not sep:
        raise _damaged(f"a PNG {kind} chunk has no keyword")
    if kind == "zTXt":
        rest = _inflate(rest[1:], budget)
    elif kind == "iTXt":
        # flag, method, language\0, translated keyword\0, text
        _language, sep, tail = rest[2:].partition(b"\x00")
        translated, sep2, text = tail.partition(b"\x00")
        if len(rest) < 2 or not (sep and sep2):
            raise _damaged(f"a PNG {kind} chunk is malformed")
        rest = _inflate(text, budget) if rest[0] else text
    name = _decode(keyword)
    if name == "XML:com.adobe.xmp":
        yield from _xmp_fields(rest, budget)
    elif name.lower() in ("raw profile type exif", "raw profile type app1", "raw profile type xmp"):
        # ImageMagick keeps a JPEG's EXIF or XMP in PNG text as hex: `\nexif\n  <length>\n<hex>`
        profile = bytes.fromhex("".join(_decode(rest).split()[2:]))
        yield from _xmp_fields(profile, budget) if name.endswith("xmp") else _exif_fields(profile)
    else:
        yield from _field(f"PNG {kind} {name}", f"image.png.{name}", _decode(rest))
        yield from _field(f"PNG {kind} {name}", f"image.png.{name}.translated", _decode(translated))


def _inflate(compressed: bytes, budget: _Budget) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(compressed, MAX_CHUNK_TEXT + 1)
    if len(text) > MAX_CHUNK_TEXT:
        raise InputError(
            "",
            f"a compressed PNG text chunk inflates to more than {MAX_CHUNK_TEXT >> 20} MiB (a "
            "decompression bomb?); write a copy without metadata with `baomi strip`",
        )
    if not inflater.eof:
        raise _damaged("a compressed PNG text chunk is truncated")
    budget.take(len(text))
    return text


# --- JPEG --------------------------------------------------------------------------------------


def jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of every segment up to EOI: `data[start:start + 2]` is the marker and
    a scan (SOS) runs to the end of its entropy-coded data."""
    if not data.startswith(b"\xff\xd8"):
        raise _damaged("not a JPEG file")
    yield 0xD8, 0, 2
    pos = 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            raise _damaged(f"the JPEG structure is broken at byte {pos}")
        while pos + 2 < len(data) and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        start, marker = pos, data[pos + 1]
        pos += 2
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            yield marker, start, pos  # EOI, restart and TEM markers have no length
            if marker == 0xD9:
                return
            continue
        length = int.from_bytes(data[pos : pos + 2], "big")
        if marker in (0x00, 0xD8) or length < 2 or pos + length > len(data):
            raise _damaged(f"the JPEG segment at byte {start} is truncated or malformed")
        pos += length
        if marker == 0xDA:
            pos = _entropy_end(data, pos)
        yield marker, start, pos
    raise _damaged("the JPEG file is truncated (no end-of-image marker)")


def _entropy_end(data: bytes, pos: int) -> int:
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        follower = data[pos + 1]
        if follower not in (0xFF, 0x00) and not 0xD0 <= follower <= 0xD7:
            return pos
        pos += 1 if follower == 0xFF else 2


def _jpeg_fields(data: bytes, budget: _Budget) -> Iterator[Field]:
    extended: dict[bytes, list[tuple[int, bytes]]] = {}
    for marker, start, end in jpeg_segments(data):
        body = data[start + 4 : end]
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", body, 1)
            _check_size(width, height)
        elif marker == 0xE1 and body.startswith(b"Exif\x00"):
            yield from _exif_fields(body[6:])
        elif marker == 0xE1 and body.startswith(XMP_JPEG):
            yield from _xmp_fields(body[len(XMP_JPEG) :], budget)
        elif marker == 0xE1 and body.startswith(_XMP_EXTENSION):
            # Extended XMP: GUID (32), full length (4), offset (4), then this part of the packet
            guid, offset = body[35:67], int.from_bytes(body[71:75], "big")
            extended.setdefault(guid, []).append((offset, body[75:]))
        elif marker == 0xFE:
            yield from _field("JPEG COM", "image.jpeg.Comment", _decode(body))
    for parts in extended.values():
        yield from _xmp_fields(b"".join(part for _, part in sorted(parts)), budget)


# --- WebP --------------------------------------------------------------------------------------


def webp_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(fourcc, body) of every top-level chunk of a WebP file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _damaged("not a WebP file")
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        raise _damaged("the WebP file is truncated")
    pos = 12
    while pos < end:
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if pos + 8 + length > end:
            raise _damaged(f"the WebP chunk at byte {pos} is truncated")
        yield data[pos : pos + 4], data[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)


def _webp_fields(data: bytes, budget: _Budget) -> Iterator[Field]:
    for kind, body in webp_chunks(data):
        if kind == b"VP8X" and len(body) >= 10:
            _check_size(1 + int.from_bytes(body[4:7], "little"), 1 + int.from_bytes(body[7:10], "little"))
        elif kind == b"VP8 " and len(body) >= 10:
            width, height = struct.unpack_from("<HH", body, 6)
            _check_size(width & 0x3FFF, height & 0x3FFF)
        elif kind == b"VP8L" and len(body) >= 5:
            bits = int.from_bytes(body[1:5], "little")
            _check_size((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        elif kind == b"EXIF":
            yield from _exif_fields(body)
        elif kind == b"XMP ":
            yield from _xmp_fields(body, budget)


# --- TIFF, GIF, BMP (Pillow reads their headers) -----------------------------------------------


def _pillow_fields(data: bytes, budget: _Budget) -> Iterator[Field]:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=("TIFF", "GIF", "BMP"))
    except Image.DecompressionBombError:
        raise InputError(
            "",
            "the image claims more pixels than Pillow will open (a decompression bomb?); "
            "scale it down and re-export it",
        ) from None
    except UnidentifiedImageError:
        raise InputError(
            "",
            "not a PNG, JPEG, WebP, GIF, BMP or TIFF image, or too damaged to identify; "
            "re-export it as PNG or JPEG",
        ) from None
    with image:
        # Later TIFF pages are only headers away; later GIF frames need the earlier ones decoded.
        pages = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
        if pages > MAX_PAGES:
            raise InputError("", f"the TIFF has {pages} pages, more than {MAX_PAGES}; split it")
        for page in range(pages):
            image.seek(page)
            _check_size(*image.size)
            where = f", page {page + 1}" if pages > 1 else ""
            yield from _exif_tags(image.getexif(), where)
            if isinstance(xmp := image.info.get("xmp"), bytes):
                yield from _xmp_fields(xmp, budget, where)
            if isinstance(comment := image.info.get("comment"), bytes):
                label = f"image.{str(image.format).lower()}.Comment"
                yield from _field(f"{image.format} comment{where}", label, _decode(comment))


# --- EXIF --------------------------------------------------------------------------------------


def _exif_fields(raw: bytes) -> Iterator[Field]:
    from PIL import Image

    exif = Image.Exif()
    exif.load(raw)
    return _exif_tags(exif, "")


def _exif_tags(exif: Any, where: str) -> Iterator[Field]:
    tags = dict(exif) | exif.get_ifd(_EXIF_IFD)
    for tag, name in _EXIF_TEXT.items():
        if tag in tags:
            yield from _field(f"EXIF {name}{where}", f"image.{name}", _exif_text(tag, tags[tag]))
    yield from _gps_fields(exif.get_ifd(_GPS_IFD), where)


def _gps_fields(gps: dict[int, Any], where: str) -> Iterator[Field]:
    for name, lat, lat_ref, lon, lon_ref in _GPS_PAIRS:
        if lat not in gps and lon not in gps:
            continue
        try:
            position = ", ".join(
                _coordinate(_degrees(gps[key]), gps.get(ref), axis)
                for key, ref, axis in ((lat, lat_ref, "NS"), (lon, lon_ref, "EW"))
                if key in gps
            )
            if name == "GPSPosition" and 6 in gps:  # GPSAltitudeRef 1: below sea level
                position += ", " + _altitude(gps[6], below=gps.get(5) in (1, b"\x01"))
        except (ValueError, TypeError, ArithmeticError):
            # Unconvertible, still a position: show it raw so the rule fires all the same.
            position = " ".join(f"{key}={gps[key]!r}" for key in sorted(gps))
        yield from _field(f"EXIF GPS{where}", f"image.{name}", position)
    if 0x1C in gps:
        area = _exif_text(0x9286, gps[0x1C])  # coded like UserComment
        yield from _field(f"EXIF GPSAreaInformation{where}", "image.GPSAreaInformation", area)


def _degrees(value: object) -> float:
    numbers = value if isinstance(value, tuple) else (value,)
    if not 1 <= len(numbers) <= 3:
        raise ValueError("not a coordinate")
    degrees = sum(float(n) / 60.0**i for i, n in enumerate(numbers))
    if not math.isfinite(degrees):
        raise ValueError("not a coordinate")
    return degrees


def _coordinate(degrees: float, ref: object, axis: str) -> str:
    letter = _exif_text(0, ref).strip("\x00 ").upper()[:1] if ref is not None else ""
    if letter not in axis or not letter:
        letter = axis[degrees < 0]
    elif degrees < 0:
        letter = axis[axis.index(letter) ^ 1]
    return f"{abs(degrees):.6f} {letter}"


def _altitude(value: object, *, below: bool) -> str:
    metres = float(value)  # type: ignore[arg-type]
    if not math.isfinite(metres):
        raise ValueError("not an altitude")
    return f"{-metres if below else metres:.1f} m"


def _exif_text(tag: int, value: object) -> str:
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(value)
    if 0x9C9B <= tag <= 0x9C9F and isinstance(value, bytes):
        return value.decode("utf-16-le", "replace")  # Windows XP tags are UCS-2 little-endian
    if tag == 0x9286 and isinstance(value, bytes):
        code, body = value[:8], value[8:]
        if code == b"UNICODE\x00":  # UCS-2 in the EXIF block's byte order: guess it
            big = body[0::2].count(0) > body[1::2].count(0)
            return body.decode("utf-16-be" if big else "utf-16-le", "replace")
        return _decode(
            body if code in (b"ASCII\x00\x00\x00", b"JIS\x00\x00\x00\x00\x00", bytes(8)) else value
        )
    if isinstance(value, str) and not value.isascii() and max(value) <= "\xff":
        # Pillow reads EXIF ASCII fields as Latin-1, but phones, exiftool and Chinese editors
        # write UTF-8 (or GBK) there: 青松计划 came back as `é\x9d\x92…` and was missed.
        return _decode(value.encode("latin-1"))
    return _decode(value) if isinstance(value, bytes) else str(value)


def _decode(raw: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


# --- XMP ---------------------------------------------------------------------------------------


def _xmp_fields(packet: bytes, budget: _Budget, where: str = "") -> Iterator[Field]:
    budget.take(len(packet))
    try:
        found = _xmp_values(packet)
    except (SyntaxError, ValueError) as error:  # ParseError; defusedxml's refusals are ValueErrors
        raise InputError(
            "",
            f"the image's XMP metadata is not well-formed XML or uses refused XML features "
            f"({type(error).__name__}: {error}); {_READ_AGAIN}",
        ) from None
    found, positions = _xmp_gps(found)
    yield from (f for text in positions for f in _field(f"XMP exif:GPS{where}", "image.GPSPosition", text))
    for name, value in found:
        yield from _field(f"XMP {name}{where}", f"image.xmp.{name}", value)


def _xmp_values(packet: bytes) -> list[tuple[str, str]]:
    """(qualified property name, value) of every attribute, text and comment of an XMP packet."""
    from defusedxml.ElementTree import iterparse  # refuses entity expansion and external DTDs

    declared: dict[str, str] = {}
    properties: list[str | None] = []  # per open element: the property its text belongs to
    found: list[tuple[str, str]] = []
    events = iterparse(
        io.BytesIO(packet.strip(b"\x00 \t\r\n")), events=("start-ns", "start", "end", "comment")
    )
    for event, item in events:
        if event == "start-ns":
            declared.setdefault(item[1], item[0])
        elif event == "start":
            properties.append(_qualified(item.tag, declared) or (properties[-1] if properties else None))
            for key, value in item.attrib.items():
                name = _qualified(key, declared)
                if name is None and key == f"{{{_RDF}}}resource":
                    name = properties[-1]
                if name is not None:
                    found.append((name, value))
        elif event == "end":
            texts = [item.text, *(child.tail for child in item)]
            found.extend((properties[-1] or "text", t) for t in texts if t and t.strip())
            properties.pop()
        elif isinstance(item.text, str):
            found.append(("comment", item.text))
    return found


def _qualified(tag: str, declared: dict[str, str]) -> str | None:
    """`{uri}local` as `prefix:local`; None for RDF and XML structure."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri in _STRUCTURE:
        return None
    return f"{_PREFIXES.get(uri) or declared.get(uri) or uri}:{local}"


def _xmp_gps(found: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Latitude and longitude as one position like EXIF's; left raw when they do not parse."""
    values = dict(found)
    try:
        position = ", ".join(
            _xmp_coordinate(values[key], axis)
            for key, axis in (("exif:GPSLatitude", "NS"), ("exif:GPSLongitude", "EW"))
        )
        if "exif:GPSAltitude" in values:
            numerator, _, denominator = values["exif:GPSAltitude"].partition("/")
            metres = float(numerator) / float(denominator or 1)
            below = values.get("exif:GPSAltitudeRef", "").strip() == "1"
            position += ", " + _altitude(metres, below=below)
    except (KeyError, ValueError, ArithmeticError):
        return found, []
    used = ("exif:GPSLatitude", "exif:GPSLongitude", "exif:GPSAltitude", "exif:GPSAltitudeRef")
    return [(name, value) for name, value in found if name not in used], [position]


def _xmp_coordinate(value: str, axis: str) -> str:
    match = _XMP_COORDINATE.fullmatch(value.strip())
    if match is None or match[4] not in axis:
        raise ValueError("not an XMP coordinate")
    degrees, minutes, seconds, letter = match.groups()
    return _coordinate(float(degrees) + float(minutes) / 60 + float(seconds or 0) / 3600, letter, axis)
