"""`baomi strip`: copies of images without their metadata, made at the container level.

Nothing is decoded or re-compressed: the JPEG segments, PNG chunks and WebP chunks that draw the
image (and its ICC colour profile) are copied byte for byte from an allow-list, and everything
else is left out: EXIF with GPS, XMP, comments, text chunks, IPTC, thumbnails, whatever follows
the end of the image. So the copy is lossless, and a decompression bomb costs nothing. An EXIF
Orientation other than 1 is kept as a bare EXIF block holding only that tag, so a phone photo
still stands the right way up. The copy is read back with `image_fields` before it is kept."""

from __future__ import annotations

import shutil
import struct
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

from screen.errors import InputError
from screen.i18n import _
from screen.source.images import PNG_SIGNATURE, image_fields, jpeg_segments, png_chunks, webp_chunks

_JPEG_KEEP = frozenset({0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0x01, *range(0xC0, 0xD0), *range(0xD0, 0xD8)})
_JPEG_COLOUR = {0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}  # the ICC profile, Adobe's colour transform
_JPEG_METADATA = frozenset({*range(0xE0, 0xF0), 0xFE})  # APPn and COM
_PNG_KEEP = frozenset(
    b"IHDR PLTE IDAT IEND tRNS cHRM gAMA iCCP sBIT sRGB cICP mDCv cLLi bKGD pHYs acTL fcTL fdAT".split()
)
_WEBP_KEEP = frozenset({b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_WEBP_EXIF, _WEBP_XMP = 0x08, 0x04  # VP8X flags
_SUFFIXES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WebP"}
# What parsers raise on damaged input (the container walkers raise InputError themselves).
_MALFORMED = (OSError, SyntaxError, ValueError, TypeError, LookupError, struct.error, zlib.error)


def strip_image(data: bytes, suffix: str) -> bytes:
    """`data` without metadata; `InputError("", reason)` for a type it cannot strip or a damaged image."""
    kind = _SUFFIXES.get(suffix.lower())
    if kind is None:
        raise InputError(
            "",
            _(
                "baomi strip handles JPEG, PNG and WebP images (.jpg, .jpeg, .png, .webp), not "
                "{suffix}; convert another image type to PNG or JPEG first"
            ).format(suffix=suffix or _("files without a suffix")),
        )
    if _kind(data) != kind:
        raise InputError(
            "", _("the file is not a {kind} image, whatever its suffix says; re-export it").format(kind=kind)
        )
    strippers: dict[str, Callable[[bytes], bytes]] = {"JPEG": _jpeg, "PNG": _png, "WebP": _webp}
    try:
        stripped = strippers[kind](data)
    except _MALFORMED as error:
        raise InputError(
            "", _("cannot read this image ({error}); re-export it from an image editor").format(error=error)
        ) from None
    verify(stripped)
    return stripped


def verify(data: bytes) -> None:
    """Refuse an image in which the screener still finds metadata."""
    left = [field.location for field in image_fields(data)]
    if left:
        raise InputError(
            "",
            _("metadata remains after stripping ({fields}); remove it in an image editor").format(
                fields=", ".join(left)
            ),
        )


def strip_file(path: Path, *, in_place: bool = False) -> Path:
    """Write `path` without metadata to `<stem>.stripped<suffix>` beside it, or over it with
    `in_place`; return the path written. The copy is verified on disk before it takes its name."""
    target = path if in_place else path.with_name(f"{path.stem}.stripped{path.suffix}")
    temporary = target.with_name(f".{target.name}.baomi-strip")
    if path.exists() and not path.is_file():  # a FIFO or a device would never end
        raise InputError(str(path), _("not a regular file; name an image file"))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), _("cannot read it ({reason})").format(reason=_("no such file"))) from None
    except OSError as error:
        raise InputError(
            str(path), _("cannot read it ({reason})").format(reason=error.strerror or error)
        ) from None
    try:
        stripped = strip_image(data, path.suffix)
        temporary.write_bytes(stripped)
        verify(temporary.read_bytes())
        shutil.copymode(path, temporary)
        temporary.replace(target)
    except InputError as error:
        raise InputError(str(path), error.reason) from None
    except OSError as error:
        raise InputError(
            str(path), _("cannot write {path} ({reason})").format(path=target, reason=error.strerror or error)
        ) from None
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _kind(data: bytes) -> str:
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return "unknown"


def _orientation(raw: bytes) -> int | None:
    """The EXIF Orientation when it turns the image (2 to 8). Damaged EXIF gives none: it is
    being removed, and the image then shows as stored."""
    from PIL import Image

    exif = Image.Exif()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exif.load(raw)
            value = exif.get(0x0112)
        except _MALFORMED:
            return None
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def _bare_exif(orientation: int) -> bytes:
    """A TIFF-structured EXIF block holding only the Orientation (no `Exif\\0\\0` prefix)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()[6:]


def _jpeg(data: bytes) -> bytes:
    segments = list(jpeg_segments(data))
    orientation = None
    kept: list[bytes] = []
    for marker, start, end in segments:
        body = data[start + 4 : end]
        if marker == 0xE1 and body.startswith(b"Exif\x00") and orientation is None:
            orientation = _orientation(body[6:])
        if marker == 0xE0 and body.startswith(b"JFIF\x00") and len(body) >= 14:
            kept.append(_segment(0xE0, body[:12] + b"\x00\x00"))  # without its thumbnail
        elif marker in _JPEG_KEEP or (marker in _JPEG_COLOUR and body.startswith(_JPEG_COLOUR[marker])):
            kept.append(data[start:end])
        elif marker not in _JPEG_METADATA:
            raise InputError(
                "",
                _("unusual JPEG marker 0x{marker:02X} at byte {start}; re-export the image").format(
                    marker=marker, start=start
                ),
            )
    if orientation:
        at = 2 if len(kept) > 1 and kept[1].startswith(b"\xff\xe0") else 1  # after SOI and JFIF
        kept.insert(at, _segment(0xE1, b"Exif\x00\x00" + _bare_exif(orientation)))
    return b"".join(kept)


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _png(data: bytes) -> bytes:
    chunks = list(png_chunks(data))
    orientation = next((_orientation(body) for kind, body in chunks if kind == b"eXIf"), None)
    out = [PNG_SIGNATURE]
    for kind, body in chunks:
        if kind == b"iCCP":  # the profile's name is free text
            out.append(_chunk(kind, b"ICC profile\x00" + body.partition(b"\x00")[2]))
        elif kind in _PNG_KEEP:
            out.append(_chunk(kind, body))
        elif kind[:1].isupper():
            raise InputError(
                "", _("unknown critical PNG chunk {chunk}; re-export the image").format(chunk=kind.decode())
            )
        if kind == b"IHDR" and orientation:
            out.append(_chunk(b"eXIf", _bare_exif(orientation)))
    return b"".join(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))


def _webp(data: bytes) -> bytes:
    chunks = list(webp_chunks(data))
    orientation = next((_orientation(body) for kind, body in chunks if kind == b"EXIF"), None)
    kept = [(kind, body) for kind, body in chunks if kind in _WEBP_KEEP]
    if kept and kept[0][0] == b"VP8X":  # only the extended format can carry metadata at all
        flags = kept[0][1][0] & ~(_WEBP_EXIF | _WEBP_XMP) | (_WEBP_EXIF if orientation else 0)
        kept[0] = (b"VP8X", bytes([flags]) + kept[0][1][1:])
        if orientation:
            kept.append((b"EXIF", _bare_exif(orientation)))
    riff = b"WEBP" + b"".join(
        kind + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1) for kind, body in kept
    )
    return b"RIFF" + struct.pack("<I", len(riff)) + riff
