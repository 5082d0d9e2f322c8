"""EXIF text tags and GPS positions, parsed by Pillow's `Image.Exif`; and how every metadata value
becomes a field: bytes decoded, blank values dropped, coordinates written one way."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from screen.source.fields import Field

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


def field(location: str, label: str, value: str) -> Iterator[Field]:
    value = value.strip("\x00 \t\r\n")
    if value:
        yield Field(location=location, text=f"{label}: {value}")


def exif_fields(raw: bytes) -> Iterator[Field]:
    from PIL import Image

    exif = Image.Exif()
    exif.load(raw)
    return exif_tags(exif, "")


def exif_tags(exif: Any, where: str) -> Iterator[Field]:
    tags = dict(exif) | exif.get_ifd(_EXIF_IFD)
    for tag, name in _EXIF_TEXT.items():
        if tag in tags:
            yield from field(f"EXIF {name}{where}", f"image.{name}", _exif_text(tag, tags[tag]))
    yield from _gps_fields(exif.get_ifd(_GPS_IFD), where)


def _gps_fields(gps: dict[int, Any], where: str) -> Iterator[Field]:
    for name, lat, lat_ref, lon, lon_ref in _GPS_PAIRS:
        if lat not in gps and lon not in gps:
            continue
        try:
            position = ", ".join(
                coordinate(_degrees(gps[key]), gps.get(ref), axis)
                for key, ref, axis in ((lat, lat_ref, "NS"), (lon, lon_ref, "EW"))
                if key in gps
            )
            if name == "GPSPosition" and 6 in gps:  # GPSAltitudeRef 1: below sea level
                position += ", " + altitude(gps[6], below=gps.get(5) in (1, b"\x01"))
        except (ValueError, TypeError, ArithmeticError):
            # Unconvertible, still a position: show it raw so the rule fires all the same.
            position = " ".join(f"{key}={gps[key]!r}" for key in sorted(gps))
        yield from field(f"EXIF GPS{where}", f"image.{name}", position)
    if 0x1C in gps:
        area = _exif_text(0x9286, gps[0x1C])  # coded like UserComment
        yield from field(f"EXIF GPSAreaInformation{where}", "image.GPSAreaInformation", area)


def _degrees(value: object) -> float:
    numbers = value if isinstance(value, tuple) else (value,)
    if not 1 <= len(numbers) <= 3:
        raise ValueError("not a coordinate")
    degrees = sum(float(n) / 60.0**i for i, n in enumerate(numbers))
    if not math.isfinite(degrees):
        raise ValueError("not a coordinate")
    return degrees


def coordinate(degrees: float, ref: object, axis: str) -> str:
    letter = _exif_text(0, ref).strip("\x00 ").upper()[:1] if ref is not None else ""
    if letter not in axis or not letter:
        letter = axis[degrees < 0]
    elif degrees < 0:
        letter = axis[axis.index(letter) ^ 1]
    return f"{abs(degrees):.6f} {letter}"


def altitude(value: object, *, below: bool) -> str:
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
        return decode(body if code in (b"ASCII\x00\x00\x00", b"JIS\x00\x00\x00\x00\x00", bytes(8)) else value)
    if isinstance(value, str) and not value.isascii() and max(value) <= "\xff":
        # Pillow reads EXIF ASCII fields as Latin-1, but phones, exiftool and Chinese editors
        # write UTF-8 (or GBK) there: 青松计划 came back as `é\x9d\x92…` and was missed.
        return decode(value.encode("latin-1"))
    return decode(value) if isinstance(value, bytes) else str(value)


def decode(raw: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")
