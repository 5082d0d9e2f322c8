"""XMP packets: every attribute, text and comment, names qualified by known prefixes, and GPS
latitude and longitude joined into one position like EXIF's."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from screen.errors import InputError
from screen.i18n import N_, _
from screen.source.fields import Field
from screen.source.images.exif import altitude, coordinate, field
from screen.source.images.limits import Budget

READ_AGAIN = N_("re-export the image, or write a copy without metadata with `baomi strip`")

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


def xmp_fields(packet: bytes, budget: Budget, where: str = "") -> Iterator[Field]:
    budget.take(len(packet))
    try:
        found = _xmp_values(packet)
    except (SyntaxError, ValueError) as error:  # ParseError; defusedxml's refusals are ValueErrors
        raise InputError(
            "",
            _(
                "the image's XMP metadata is not well-formed XML or uses refused XML features "
                "({kind}: {error}); {advice}"
            ).format(kind=type(error).__name__, error=error, advice=_(READ_AGAIN)),
        ) from None
    found, positions = _xmp_gps(found)
    yield from (f for text in positions for f in field(f"XMP exif:GPS{where}", "image.GPSPosition", text))
    for name, value in found:
        yield from field(f"XMP {name}{where}", f"image.xmp.{name}", value)


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
            position += ", " + altitude(metres, below=below)
    except (KeyError, ValueError, ArithmeticError):
        return found, []
    used = ("exif:GPSLatitude", "exif:GPSLongitude", "exif:GPSAltitude", "exif:GPSAltitudeRef")
    return [(name, value) for name, value in found if name not in used], [position]


def _xmp_coordinate(value: str, axis: str) -> str:
    match = _XMP_COORDINATE.fullmatch(value.strip())
    if match is None or match[4] not in axis:
        raise ValueError("not an XMP coordinate")
    degrees, minutes, seconds, letter = match.groups()
    return coordinate(float(degrees) + float(minutes) / 60 + float(seconds or 0) / 3600, letter, axis)
