"""A large WARC file cut into ranges of records, so that several workers read it at once.

The driver scans the file once for where its records start and cuts it, at record boundaries,
into ranges of about `SPLIT_BYTES`; a worker seeks to a range's start and reads records until
its end. In a `.warc.gz` each record is a gzip member of its own, and a member's compressed
length is written nowhere: finding the boundaries means inflating every member (measured in
bench/sweep.py). In an uncompressed `.warc` the scan reads each record's header and seeks over
its `Content-Length`.

The scan cuts only before a record it has read whole and found well formed (one record to a
member, its length what its header says, the blank lines after it), and it stops at the first
that is not: what follows is one range to the end of the file, read exactly as the unsplit file
would be, so a cut-off or corrupt file still ends in one error row naming the last good URL."""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

SPLIT_BYTES = 64 << 20  # a WARC file larger than this is cut into ranges of about this size
_CHUNK = 1 << 16  # compressed bytes inflated at once while scanning
_HEAD = 1 << 16  # a record's WARC header is read from its first bytes: longer is not well formed
_END = b"\r\n\r\n"  # after every record


@dataclass(frozen=True, slots=True)
class Range:
    """Records of a WARC file from byte `start` to `end` (None: to the end of the file)."""

    start: int = 0
    end: int | None = None
    after: str = ""  # the URL of the last record before `start` (for an error's "after …")


def ranges(path: Path, split: int = SPLIT_BYTES) -> list[Range]:
    """`path` as ranges of about `split` bytes each, cut where records start; one range for a
    file no larger than `split`."""
    if path.stat().st_size <= split:
        return [Range()]
    found: list[Range] = []
    start, after, last = 0, "", ""
    with path.open("rb") as stream:
        gzipped = stream.read(2) == b"\x1f\x8b"
        stream.seek(0)
        for offset, url in (_members if gzipped else _records)(stream):
            if offset - start >= split:
                found.append(Range(start, offset, after))
                start, after = offset, last
            last = url or last
    return [*found, Range(start, None, after)]


def _members(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """Where each record of a `.warc.gz` starts, and its URL, while each gzip member holds one
    whole, well-formed record."""
    offset, data = 0, b""
    while True:
        data = data or stream.read(_CHUNK)
        if not data:
            return
        member = zlib.decompressobj(31)
        length, size, head, tail = 0, 0, b"", b""
        while True:
            try:
                out = member.decompress(data)
            except zlib.error:
                return
            length += len(data) - len(member.unused_data)
            size += len(out)
            head += out[: _HEAD - len(head)]
            tail = (tail + out[-4:])[-4:]
            if member.eof:
                data = member.unused_data
                break
            if size > _expected(head):
                return  # more than one record in a member (a gzip file, not a .warc.gz of members)
            data = stream.read(_CHUNK)
            if not data:
                return  # cut off inside a member
        url = _whole(head, size, tail)
        if url is None:
            return
        yield offset, url
        offset += length


def _records(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """Where each record of an uncompressed `.warc` starts, and its URL, while each is whole."""
    offset = 0
    while True:
        stream.seek(offset)
        lines: list[bytes] = []
        while not lines or lines[-1] not in (b"\r\n", b"\n"):
            line = stream.readline(_HEAD)
            if not line or sum(map(len, lines)) + len(line) >= _HEAD:
                return
            lines.append(line)
        header = b"".join(lines)
        parsed = _header(header)
        if parsed is None:
            return
        url, length = parsed
        stream.seek(offset + len(header) + length)
        if stream.read(4) != _END:
            return
        yield offset, url
        offset += len(header) + length + 4


def _whole(head: bytes, size: int, tail: bytes) -> str | None:
    """The URL of a member's record when the member is that record and nothing else."""
    end = head.find(b"\r\n\r\n")
    parsed = _header(head[: end + 4]) if end >= 0 else None
    if parsed is None or tail != _END or size != end + 4 + parsed[1] + 4:
        return None
    return parsed[0]


def _expected(head: bytes) -> float:
    """How long a member whose record starts with `head` is, inflated, once its header is whole."""
    end = head.find(b"\r\n\r\n")
    parsed = _header(head[: end + 4]) if end >= 0 else None
    return math.inf if parsed is None else end + 4 + parsed[1] + 4


def _header(block: bytes) -> tuple[str, int] | None:
    """A record header's URL and `Content-Length`, parsed as warcio parses it; None when it is
    not a WARC header."""
    from warcio.statusandheaders import StatusAndHeadersParser

    if not block.startswith(b"WARC/"):
        return None
    try:
        parsed = StatusAndHeadersParser([], verify=False).parse(BytesIO(block))
        length = int(parsed.get_header("Content-Length") or "")
    except (ValueError, EOFError):
        return None
    return (parsed.get_header("WARC-Target-URI") or "", length) if length >= 0 else None
