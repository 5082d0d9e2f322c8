"""Image metadata (screen/source/images/), the rules that read it (rules/patterns/metadata.yml)
and `baomi strip` (screen/strip.py). Every image is generated here, with Pillow or chunk by chunk:
table-driven, one comment per case."""

from __future__ import annotations

import io
import struct
import time
import warnings
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.TiffImagePlugin import IFDRational, ImageFileDirectory_v2

from screen.engine import Engine
from screen.errors import InputError
from screen.source import read_document
from screen.source.fields import Field
from screen.source.images import image_fields, png_chunks
from screen.strip import strip_image
from tests.conftest import Run, hits_of, rule_ids

Cli = Callable[..., Run]

GPS, OWNER = "metadata.gps_position", "metadata.device_owner"


def exif_block(*, orientation: int = 0, south_west: bool = False) -> bytes:
    """EXIF with a person, a device and a position: 31°13'49.5"N 121°28'25.3236"E, 12.3 m."""
    exif = Image.Exif()
    exif[0x013B] = "陈红".encode()  # Artist, UTF-8 as phones write it (Pillow reads Latin-1)
    exif[0x9C9D] = "陈红".encode("utf-16-le")  # XPAuthor, Windows' UCS-2
    exif[0x8298] = b"Copyright 2024"
    if orientation:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0xA430] = "王伟".encode()  # CameraOwnerName
    sub[0xA431] = b"012345678901"  # BodySerialNumber
    sub[0xA435] = b"0000c1234"  # LensSerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[3] = ("S", "W") if south_west else ("N", "E")
    gps[2] = (IFDRational(31), IFDRational(13), IFDRational(495, 10))
    gps[4] = (IFDRational(121), IFDRational(28), IFDRational(253236, 10000))
    gps[5], gps[6] = 0, IFDRational(123, 10)
    return exif.tobytes()


EXIF_FIELDS = [
    ("EXIF Artist", "image.Artist: 陈红"),
    ("EXIF Copyright", "image.Copyright: Copyright 2024"),
    ("EXIF XPAuthor", "image.XPAuthor: 陈红"),
    ("EXIF CameraOwnerName", "image.CameraOwnerName: 王伟"),
    ("EXIF BodySerialNumber", "image.BodySerialNumber: 012345678901"),
    ("EXIF LensSerialNumber", "image.LensSerialNumber: 0000c1234"),
    ("EXIF GPS", "image.GPSPosition: 31.230417 N, 121.473701 E, 12.3 m"),
]

XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 5.6">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
    aux:SerialNumber="2031004511" exif:GPSLatitude="31,13.825N" exif:GPSLongitude="121,28.42206E">
   <dc:creator><rdf:Seq><rdf:li>陈红</rdf:li></rdf:Seq></dc:creator>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">青松计划现场</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()

XMP_FIELDS = [
    ("XMP exif:GPS", "image.GPSPosition: 31.230417 N, 121.473701 E"),
    ("XMP aux:SerialNumber", "image.xmp.aux:SerialNumber: 2031004511"),
    ("XMP dc:creator", "image.xmp.dc:creator: 陈红"),
    ("XMP dc:title", "image.xmp.dc:title: 青松计划现场"),
]


def picture(size: tuple[int, int] = (8, 8)) -> Image.Image:
    """A fixed colourful image (the same bytes every run, so Hypothesis can replay its examples)."""
    width, height = size
    return Image.frombytes("RGB", size, bytes((i * 37 + i // 7) % 256 for i in range(width * height * 3)))


def saved(fmt: str, image: Image.Image | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    (image or picture()).save(buffer, fmt, **options)
    return buffer.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(
    before: Sequence[bytes] = (), after: Sequence[bytes] = (), *, size: tuple[int, int] = (8, 8)
) -> bytes:
    """A grey PNG written chunk by chunk: `before` go ahead of IDAT, `after` between IDAT and IEND."""
    width, height = size
    rows = b"".join(b"\x00" + bytes(range(min(width, 8))) for _ in range(min(height, 8)))  # huge: header only
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    body = [header, *before, chunk(b"IDAT", zlib.compress(rows)), *after, chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(body)


def ztxt(keyword: bytes, text: bytes) -> bytes:
    return chunk(b"zTXt", keyword + b"\x00\x00" + zlib.compress(text))


def itxt(keyword: bytes, text: str, *, compressed: bool = False) -> bytes:
    data = zlib.compress(text.encode()) if compressed else text.encode()
    return chunk(b"iTXt", keyword + b"\x00" + bytes([compressed, 0]) + b"zh\x00\x00" + data)


def with_segments(jpeg: bytes, *segments: tuple[int, bytes]) -> bytes:
    """`jpeg` with extra marker segments right after SOI."""
    extra = b"".join(struct.pack(">BBH", 0xFF, m, len(b) + 2) + b for m, b in segments)
    return jpeg[:2] + extra + jpeg[2:]


def extended_xmp(packet: bytes) -> bytes:
    """A JPEG whose XMP is split over two extended-XMP APP1 segments (as Photoshop does)."""
    guid, half = b"0" * 32, len(packet) // 2
    parts = [(0, packet[:half]), (half, packet[half:])]
    signature = b"http://ns.adobe.com/xmp/extension/\x00"
    return with_segments(
        saved("JPEG"),
        *[(0xE1, signature + guid + struct.pack(">II", len(packet), o) + p) for o, p in reversed(parts)],
    )


def imagemagick_exif() -> bytes:
    hexed = exif_block().hex()
    text = f"\nexif\n{len(hexed) // 2:8d}\n" + "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
    return png([ztxt(b"Raw profile type exif", text.encode())])


def tiff_pages() -> bytes:
    """Two pages with their own Artist (Pillow writes the same tags to each page; patch page 2's)."""
    tags = ImageFileDirectory_v2()
    tags[315] = "Chen Hong"
    buffer = io.BytesIO()
    picture().save(buffer, "TIFF", tiffinfo=tags, save_all=True, append_images=[picture()])
    data = buffer.getvalue()
    second = data.index(b"Chen Hong", data.index(b"Chen Hong") + 1)
    return data[:second] + b"Page Two!" + data[second + 9 :]


def fields(data: bytes) -> list[tuple[str, str]]:
    return [(field.location, field.text) for field in image_fields(data)]


EXTRACTION: list[tuple[str, Callable[[], bytes], list[tuple[str, str]]]] = [
    # JPEG: EXIF in APP1, XMP in APP1, a COM comment; XMP's GPS becomes a position like EXIF's
    (
        "jpeg",
        lambda: saved("JPEG", exif=exif_block(), xmp=XMP, comment="内部资料".encode()),
        [*EXIF_FIELDS, *XMP_FIELDS, ("JPEG COM", "image.jpeg.Comment: 内部资料")],
    ),
    # WebP: EXIF and XMP chunks, read from the RIFF container without Pillow's decoder
    ("webp", lambda: saved("WEBP", exif=exif_block(), xmp=XMP), [*EXIF_FIELDS, *XMP_FIELDS]),
    # TIFF: the tags are the image's own IFD; every page is read
    ("tiff", lambda: saved("TIFF", exif=exif_block()).replace(b"??????", "陈红".encode()), EXIF_FIELDS),
    (
        "tiff pages",
        tiff_pages,
        [
            ("EXIF Artist, page 1", "image.Artist: Chen Hong"),
            ("EXIF Artist, page 2", "image.Artist: Page Two!"),
        ],
    ),
    # GIF comment extension
    (
        "gif",
        lambda: saved("GIF", comment="内部资料".encode()),
        [("GIF comment", "image.gif.Comment: 内部资料")],
    ),
    # PNG text before IDAT and after it (where Pillow's open() never looks), each kind of chunk
    (
        "png text",
        lambda: png(
            [chunk(b"tEXt", b"Comment\x00\xe9\x9d\x92\xe6\x9d\xbe"), chunk(b"eXIf", exif_block())],
            [
                ztxt(b"Author", "陈红".encode()),
                itxt(b"Title", "东岭基地", compressed=True),
                itxt(b"Note", "x"),
            ],
        ),
        [
            ("PNG tEXt Comment", "image.png.Comment: 青松"),
            *EXIF_FIELDS,
            ("PNG zTXt Author", "image.png.Author: 陈红"),
            ("PNG iTXt Title", "image.png.Title: 东岭基地"),
            ("PNG iTXt Note", "image.png.Note: x"),
        ],
    ),
    # PNG XMP in iTXt, after IDAT
    ("png xmp", lambda: png(after=[itxt(b"XML:com.adobe.xmp", XMP.decode())]), XMP_FIELDS),
    # ImageMagick's hex "Raw profile type exif" is EXIF like any other
    ("imagemagick", imagemagick_exif, EXIF_FIELDS),
    # JPEG extended XMP, parts out of order, joined by offset
    ("extended xmp", lambda: extended_xmp(XMP), XMP_FIELDS),
    # southern and western hemisphere
    (
        "south west",
        lambda: saved("JPEG", exif=exif_block(south_west=True)),
        [*EXIF_FIELDS[:-1], ("EXIF GPS", "image.GPSPosition: 31.230417 S, 121.473701 W, 12.3 m")],
    ),
    # a packet that declares Dublin Core as `d:` still reads as dc:creator, so rules match
    (
        "xmp prefix",
        lambda: saved("JPEG", xmp=XMP.replace(b"dc:", b"d:").replace(b"xmlns:dc", b"xmlns:d")),
        XMP_FIELDS,
    ),
    # GBK text (Chinese Windows tools) in a JPEG comment
    ("gbk", lambda: saved("JPEG", comment="陈红".encode("gbk")), [("JPEG COM", "image.jpeg.Comment: 陈红")]),
    # nothing to report: no metadata, or only blank values
    ("clean", lambda: saved("JPEG"), []),
    ("blank", lambda: png([chunk(b"tEXt", b"Comment\x00   ")]), []),
]


@pytest.mark.parametrize(("name", "build", "expected"), EXTRACTION, ids=[case[0] for case in EXTRACTION])
def test_fields(name: str, build: Callable[[], bytes], expected: list[tuple[str, str]]) -> None:
    assert fields(build()) == expected


def gps_exif(**tags: object) -> bytes:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    for name, value in tags.items():
        gps[{"lat_ref": 1, "lat": 2, "lon_ref": 3, "lon": 4, "alt_ref": 5, "alt": 6}[name]] = value
    return saved("JPEG", exif=exif.tobytes())


def xmp_gps(latitude: str, longitude: str) -> bytes:
    packet = XMP.replace(b"31,13.825N", latitude.encode()).replace(b"121,28.42206E", longitude.encode())
    return saved("JPEG", xmp=packet)


R = IFDRational
GPS_CASES = [
    # degrees, minutes, seconds: 31 + 13/60 + 49.5/3600 = 31.2304166…, shown with 6 decimals
    (gps_exif(lat_ref="N", lat=(R(31), R(13), R(495, 10))), "31.230417 N"),
    # degrees and decimal minutes in the seconds-less form some phones write
    (gps_exif(lat_ref="S", lat=(R(31), R(13825, 1000), R(0))), "31.230417 S"),
    # longitude alone, west; altitude below sea level
    (
        gps_exif(lon_ref="W", lon=(R(121), R(28), R(253236, 10000)), alt_ref=1, alt=R(5, 1)),
        "121.473701 W, -5.0 m",
    ),
    # no reference letter: the sign decides
    (gps_exif(lat=(R(31), R(0), R(0))), "31.000000 N"),
    # unconvertible (1/0 seconds) is still a position: reported raw so the rule fires all the same
    (gps_exif(lat_ref="N", lat=(R(31), R(13), R(1, 0))), "1='N' 2=(31.0, 13.0, nan)"),
    # XMP's forms: DDD,MM,SSk and DDD,MM.mmk
    (xmp_gps("31,13,49.5N", "121,28.42206W"), "31.230417 N, 121.473701 W"),
]


@pytest.mark.parametrize(("data", "position"), GPS_CASES)
def test_gps_position(data: bytes, position: str) -> None:
    [(location, text)] = [(loc, text) for loc, text in fields(data) if "GPS" in loc]
    assert location in ("EXIF GPS", "XMP exif:GPS")
    assert text == f"image.GPSPosition: {position}"


def test_unparsable_xmp_coordinates_stay_raw() -> None:
    found = fields(xmp_gps("somewhere", "121,28.42206E"))
    assert ("XMP exif:GPSLatitude", "image.xmp.exif:GPSLatitude: somewhere") in found
    assert ("XMP exif:GPSLongitude", "image.xmp.exif:GPSLongitude: 121,28.42206E") in found


def bomb() -> bytes:
    """A zTXt chunk that inflates to 100 MiB of zeros (about 100 KB on disk)."""
    compressor = zlib.compressobj(9)
    stream = b"".join(compressor.compress(bytes(1 << 20)) for _ in range(100)) + compressor.flush()
    return png(after=[chunk(b"zTXt", b"Comment\x00\x00" + stream)])


def with_sof(jpeg: bytes, width: int, height: int) -> bytes:
    at = jpeg.index(b"\xff\xc0")
    return jpeg[: at + 5] + struct.pack(">HH", height, width) + jpeg[at + 9 :]


def huge_webp() -> bytes:
    data = bytearray(saved("WEBP", exif=b"Exif\x00\x00" + exif_block()))
    at = data.index(b"VP8X") + 8
    data[at + 4 : at + 10] = (16383).to_bytes(3, "little") * 2
    return bytes(data)


def gif_of(width: int, height: int) -> bytes:
    data = saved("GIF", comment="内部资料".encode())
    return data[:6] + struct.pack("<HH", width, height) + data[10:]


def damaged_gps() -> bytes:
    raw = bytearray(exif_block())
    at = raw.index(struct.pack(">HHI", 0x8825, 4, 1)) + 8  # Pillow writes big-endian EXIF
    raw[at : at + 4] = struct.pack(">I", 10**6)  # the GPS IFD points beyond the block
    return saved("JPEG", exif=bytes(raw))


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><x>&c;</x>"""

REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    # a zTXt bomb: inflation stops at 1 MiB + 1 byte
    ("ztxt bomb", bomb, "inflates to more than 1 MiB"),
    # many chunks under the per-chunk cap, over the 8 MiB total
    ("text budget", lambda: png(after=[ztxt(b"Comment", bytes(1 << 20))] * 9), "more than 8 MiB"),
    # headers that claim absurd sizes: refused from the header, nothing decoded
    (
        "png 100000x100000",
        lambda: png([chunk(b"tEXt", b"Comment\x00x")], size=(100000, 100000)),
        "100000×100000",
    ),
    ("jpeg 65535x65535", lambda: with_sof(saved("JPEG", exif=exif_block()), 65535, 65535), "megapixel limit"),
    ("webp 16384x16384", huge_webp, "megapixel limit"),
    ("gif 60000x60000", lambda: gif_of(60000, 60000), "more pixels than Pillow will open"),
    # damaged containers
    (
        "png checksum",
        lambda: png([chunk(b"tEXt", b"Comment\x00x")]).replace(b"t\x00x", b"t\x00y"),
        "checksum",
    ),
    ("png truncated", lambda: png()[:-12], "truncated"),
    ("png without IHDR", lambda: b"\x89PNG\r\n\x1a\n" + chunk(b"IEND", b""), "IHDR"),
    ("jpeg truncated", lambda: saved("JPEG")[:-2], "truncated"),
    ("webp truncated", lambda: saved("WEBP")[:-10], "truncated"),
    ("not an image", lambda: b"%PDF-1.7 hello", "not a PNG, JPEG, WebP"),
    ("empty", lambda: b"", "not a PNG, JPEG, WebP"),
    # damaged or hostile metadata
    ("exif pointer", damaged_gps, "metadata is damaged"),
    ("exif header", lambda: png([chunk(b"eXIf", b"XX\x2a\x00")]), "cannot read this image"),
    ("xmp entities", lambda: saved("JPEG", xmp=BILLION_LAUGHS), "EntitiesForbidden"),
    (
        "xmp malformed",
        lambda: saved("JPEG", xmp=b"<x:xmpmeta><unclosed></x:xmpmeta>"),
        "XMP metadata is not well-formed XML",
    ),
]


@pytest.mark.parametrize(("name", "build", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_refused(name: str, build: Callable[[], bytes], message: str) -> None:
    data = build()
    started = time.perf_counter()
    with pytest.raises(InputError) as raised:
        image_fields(data)
    assert time.perf_counter() - started < 0.5
    assert message in raised.value.reason
    assert raised.value.path == ""


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # 120 megapixels: above Pillow's warning (89 MP), under our limit: headers only, quickly
        ("gif", gif_of(12000, 10000), [("GIF comment", "image.gif.Comment: 内部资料")]),
        (
            "png",
            png([chunk(b"tEXt", b"Comment\x00x")], size=(12000, 10000)),
            [("PNG tEXt Comment", "image.png.Comment: x")],
        ),
    ],
)
def test_large_header_read_without_decoding(name: str, data: bytes, expected: list[tuple[str, str]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning must not escape
        started = time.perf_counter()
        assert fields(data) == expected
        assert time.perf_counter() - started < 0.5


SEEDS = {
    "jpeg": saved("JPEG", exif=exif_block(), xmp=XMP, comment=b"c"),
    "png": png(
        [chunk(b"eXIf", exif_block())], [ztxt(b"Author", b"x"), itxt(b"XML:com.adobe.xmp", XMP.decode())]
    ),
    "webp": saved("WEBP", exif=exif_block(), xmp=XMP),
    "tiff": saved("TIFF", exif=exif_block()),
    "gif": saved("GIF", comment=b"c"),
}
SUFFIX = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "tiff": ".tif", "gif": ".gif"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    changes=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=6),
    keep=st.one_of(st.none(), st.integers(0, 2000)),
)
def test_mutated_images_fail_only_as_input_errors(
    seed: str, changes: list[tuple[int, int]], keep: int | None
) -> None:
    """Bytes changed, the file cut short: a normal result or an InputError, nothing else."""
    data = bytearray(SEEDS[seed])
    for at, value in changes:
        data[at % len(data)] = value
    mutated = bytes(data[:keep])
    try:
        assert all(isinstance(field, Field) for field in image_fields(mutated))
    except InputError as error:
        assert error.reason
    try:
        assert isinstance(strip_image(mutated, SUFFIX[seed]), bytes)
    except InputError as error:
        assert error.reason


# --- the rules ---------------------------------------------------------------------------------


def screened(engine: Engine, lines: list[str]) -> set[str]:
    return rule_ids(engine, "\n".join(lines), "x.txt") & {GPS, OWNER}


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # everything a phone photo with an owner and a position carries
        ([f.text for f in image_fields(SEEDS["jpeg"])], {GPS, OWNER}),
        # position only, from XMP
        (["image.GPSPosition: 31.230417 N, 121.473701 E"], {GPS}),
        # unparsable XMP coordinates are reported raw, and still a position
        (["image.xmp.exif:GPSLatitude: 31.5"], {GPS}),
        # each owner or device field alone
        (["image.Artist: 陈红"], {OWNER}),
        (["image.XPAuthor: 陈红"], {OWNER}),
        (["image.CameraOwnerName: 王伟"], {OWNER}),
        (["image.BodySerialNumber: 012345678901"], {OWNER}),
        (["image.LensSerialNumber: 0000c1234"], {OWNER}),
        (["image.Copyright: 某某县融媒体中心"], {OWNER}),
        (["image.xmp.dc:creator: 陈红"], {OWNER}),
        (["image.xmp.aux:OwnerName: 王伟"], {OWNER}),
        (["image.xmp.aux:SerialNumber: 2031004511"], {OWNER}),
        # technical fields, a camera without a fix (0,0), text that only quotes a field name
        (["image.Make: Canon", "image.Model: EOS R5", "image.Software: GIMP"], set()),
        (["image.GPSPosition: 0.000000 N, 0.000000 E"], set()),
        (["说明：元数据字段 image.Artist: 陈红 应去除"], set()),
        # a clean image gives no lines at all
        ([f.text for f in image_fields(saved("JPEG"))], set()),
    ],
)
def test_rules(engine: Engine, lines: list[str], expected: set[str]) -> None:
    assert screened(engine, lines) == expected


def test_rule_marks_the_value(engine: Engine) -> None:
    text = "image.Make: Canon\nimage.Artist: 陈红\nimage.GPSPosition: 31.230417 N, 121.473701 E"
    marked = {hit.rule.id: text[hit.start : hit.end] for hit in hits_of(engine, text, "x.txt")}
    assert marked[OWNER] == "陈红"
    assert marked[GPS] == "31.230417 N, 121.473701 E"


def test_rules_through_the_document_reader(engine: Engine) -> None:
    document = read_document("x.txt", "\n".join(f.text for f in image_fields(SEEDS["png"])).encode())
    assert {finding.rule for finding in engine.screen(document, b"key")} >= {GPS, OWNER}


# --- baomi strip -------------------------------------------------------------------------------


def text_chunks(data: bytes) -> list[bytes]:
    return [kind for kind, _ in png_chunks(data) if kind in (b"tEXt", b"zTXt", b"iTXt", b"tIME")]


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def strippable(kind: str) -> bytes:
    if kind == "jpg":
        data = saved("JPEG", picture((32, 24)), exif=exif_block(orientation=6), xmp=XMP, comment=b"c")
        return with_segments(data, (0xE2, b"FPXR\x00" + bytes(8)), (0xED, b"Photoshop 3.0\x00")) + b"trailer"
    if kind == "png":
        return png(
            [
                chunk(b"tEXt", b"Comment\x00x"),
                chunk(b"eXIf", exif_block(orientation=6)),
                chunk(b"tIME", bytes(7)),
            ],
            [ztxt(b"Author", "陈红".encode()), itxt(b"XML:com.adobe.xmp", XMP.decode())],
        )
    return saved("WEBP", picture((32, 24)), exif=exif_block(orientation=6), xmp=XMP)


@pytest.mark.parametrize("kind", ["jpg", "png", "webp"])
def test_strip_writes_a_clean_copy(cli: Cli, tmp_path: Path, kind: str) -> None:
    original = tmp_path / f"照片.{kind}"
    original.write_bytes(data := strippable(kind))
    run = cli(["strip", original.name], cwd=tmp_path)
    copy = tmp_path / f"照片.stripped.{kind}"
    assert (run.code, run.out, run.err) == (0, f"wrote {copy.name}\n", "")
    assert original.read_bytes() == data  # untouched
    stripped = copy.read_bytes()
    assert list(image_fields(stripped)) == []
    assert pixels(stripped) == pixels(data)  # nothing re-encoded
    with Image.open(io.BytesIO(stripped)) as image:
        assert not {"xmp", "comment", "photoshop"} & set(image.info)
        exif = image.getexif()
        assert not exif.get_ifd(0x8825)
        assert dict(exif) == {0x0112: 6}  # only the orientation stays
    if kind == "png":
        assert text_chunks(stripped) == []
        with Image.open(io.BytesIO(stripped)) as image:
            image.load()
            assert getattr(image, "text", None) == {}
    if kind == "jpg":
        assert not stripped.endswith(b"trailer")


def test_strip_keeps_icc_profile() -> None:
    profile = b"\x00" * 128 + b"acsp" + b"\x00" * 64
    stripped = strip_image(saved("JPEG", exif=exif_block(), icc_profile=profile), ".JPG")
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["icc_profile"] == profile
    icc = chunk(b"iCCP", b"Chen Hong's monitor\x00\x00" + zlib.compress(profile))
    [(_, body)] = [(k, b) for k, b in png_chunks(strip_image(png([icc]), ".png")) if k == b"iCCP"]
    assert body.startswith(b"ICC profile\x00")  # the name is free text, the profile stays
    assert zlib.decompress(body.split(b"\x00", 2)[2]) == profile


def test_strip_in_place(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(strippable("png"))
    run = cli(["strip", "--in-place", "a.png"], cwd=tmp_path)
    assert (run.code, run.out) == (0, "wrote a.png\n")
    assert text_chunks(path.read_bytes()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["a.png"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        # a type it cannot strip
        ("a.pdf", b"%PDF-1.7", "handles JPEG, PNG and WebP images"),
        ("a.tif", saved("TIFF"), "not .tif"),
        # a corrupt image, and one whose content is not what its suffix says
        ("a.jpg", saved("JPEG")[:300], "truncated"),
        ("a.jpg", saved("PNG"), "not a JPEG image"),
        # a header claiming an absurd size: nothing decoded, refused by the read-back
        ("a.png", png(size=(100000, 100000)), "megapixel limit"),
    ],
)
def test_strip_refuses(cli: Cli, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(data)
    run = cli(["strip", name, "missing.png"], cwd=tmp_path)
    assert run.code == 2
    assert f"baomi: error: {name}: " in run.err and message in run.err
    assert "missing.png: cannot read it" in run.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == [name]  # nothing left behind


def test_strip_goes_on_after_a_failure(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8junk")
    (tmp_path / "good.jpg").write_bytes(strippable("jpg"))
    run = cli(["strip", "bad.jpg", "good.jpg"], cwd=tmp_path)
    assert (run.code, run.out) == (2, "wrote good.stripped.jpg\n")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        # a JPEG marker strip does not know (here JPEG-LS's SOF55) is not guessed at
        ("jpeg marker", with_segments(saved("JPEG"), (0xF7, b"\x00" * 4)), "unusual JPEG marker 0xF7"),
        # an unknown critical PNG chunk would change how the image is drawn
        ("png critical", png([chunk(b"ABCD", b"")]), "unknown critical PNG chunk ABCD"),
    ],
)
def test_strip_image_refuses(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        strip_image(data, ".jpg" if name.startswith("jpeg") else ".png")
