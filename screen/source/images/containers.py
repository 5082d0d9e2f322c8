"""Walks of the PNG, JPEG and WebP containers: every chunk or segment, nothing decoded. The
screener reads metadata through them and `baomi strip` copies the image through them."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from screen.errors import InputError
from screen.i18n import _

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def damaged(what: str) -> InputError:
    """`what` is already in the reader's language."""
    return InputError(
        "", _("{problem}; the file is damaged: re-export it from an image editor").format(problem=what)
    )


def png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of every chunk up to IEND, checksums checked."""
    if not data.startswith(PNG_SIGNATURE):
        raise damaged(_("not a PNG file"))
    pos = 8
    while True:
        if pos + 12 > len(data):
            raise damaged(_("the PNG file is truncated (no IEND chunk)"))
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data) or not kind.isalpha():
            raise damaged(
                _("the PNG chunk at byte {position} is truncated or malformed").format(position=pos)
            )
        body = data[pos + 8 : end - 4]
        if zlib.crc32(body, zlib.crc32(kind)) != struct.unpack_from(">I", data, end - 4)[0]:
            raise damaged(
                _("the PNG chunk {chunk} at byte {position} fails its checksum").format(
                    chunk=kind.decode(), position=pos
                )
            )
        yield kind, body
        if kind == b"IEND":
            return
        pos = end


def jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of every segment up to EOI: `data[start:start + 2]` is the marker and
    a scan (SOS) runs to the end of its entropy-coded data."""
    if not data.startswith(b"\xff\xd8"):
        raise damaged(_("not a JPEG file"))
    yield 0xD8, 0, 2
    pos = 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            raise damaged(_("the JPEG structure is broken at byte {position}").format(position=pos))
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
            raise damaged(
                _("the JPEG segment at byte {position} is truncated or malformed").format(position=start)
            )
        pos += length
        if marker == 0xDA:
            pos = _entropy_end(data, pos)
        yield marker, start, pos
    raise damaged(_("the JPEG file is truncated (no end-of-image marker)"))


def _entropy_end(data: bytes, pos: int) -> int:
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        follower = data[pos + 1]
        if follower not in (0xFF, 0x00) and not 0xD0 <= follower <= 0xD7:
            return pos
        pos += 1 if follower == 0xFF else 2


def webp_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(fourcc, body) of every top-level chunk of a WebP file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise damaged(_("not a WebP file"))
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        raise damaged(_("the WebP file is truncated"))
    pos = 12
    while pos < end:
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if pos + 8 + length > end:
            raise damaged(_("the WebP chunk at byte {position} is truncated").format(position=pos))
        yield data[pos : pos + 4], data[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)
