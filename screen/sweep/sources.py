"""What a sweep reads: the resources of already-published sites, from WARC files (read with
`warcio`, the archival standard wget `--warc-file`, Heritrix and browsertrix write) or from a
folder mirrored with `wget -m` (host/path layout, the URL rebuilt from the path). Each resource
becomes a `Resource`; one that cannot be read becomes a `Broken` with the reason."""

from __future__ import annotations

import datetime
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from screen.i18n import _
from screen.source import HTML_SUFFIXES
from screen.source.attachments import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES
from screen.source.reading import MAX_BYTES

# Content types a sweep screens, by the suffix the page is read as.
_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".xhtml",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
}
# What warcio raises on bytes that are not a WARC file (a header cut off: AttributeError).
_BROKEN = (OSError, EOFError, ValueError, LookupError, AttributeError, zlib.error)
SCREENED = HTML_SUFFIXES | DOCUMENT_SUFFIXES | IMAGE_SUFFIXES | {".txt"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    site: str  # the host
    url: str
    fetched: str  # when it was fetched (WARC-Date), or the mirrored file's time, ISO 8601
    name: str  # the path it is read as: its suffix says its format
    data: bytes
    charset: str | None = None  # from the HTTP Content-Type header


@dataclass(frozen=True, slots=True, kw_only=True)
class Broken:
    site: str
    url: str
    fetched: str
    reason: str


Item = Resource | Broken


def name_of(url: str, content_type: str | None) -> str | None:
    """The path a resource is read as, its suffix from its content type (else its URL); None for
    what a sweep does not screen (style sheets, scripts, fonts)."""
    path = unquote(urlsplit(url).path) or "/"
    if path.endswith("/"):
        path += "index.html"
    suffix = PurePosixPath(path).suffix.lower()
    mime = (content_type or "").split(";")[0].strip().lower()
    wanted = _TYPES.get(mime) or (suffix if suffix in SCREENED else None)
    if wanted is None:
        return None
    return (
        path if suffix == wanted or (suffix in HTML_SUFFIXES and wanted in HTML_SUFFIXES) else path + wanted
    )


def charset_of(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip().strip("\"'").lower()
    return None


def read_warc(path: Path, start: int = 0, end: int | None = None, after: str = "") -> Iterator[Item]:
    """The response records of a WARC file that a sweep screens, in order: those that start from
    byte `start` to `end` (a range cut at record boundaries, `screen.sweep.ranges`), else all. A
    truncated or corrupt record ends the range with a `Broken` naming where it stopped (`after`:
    the URL of the last record before the range)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    where = after or _("its start")
    try:
        with path.open("rb") as stream:
            stream.seek(start)
            records = ArchiveIterator(stream if end is None else _Window(stream, end))
            for record in records:
                if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
                    raise EOFError(_("a record's header has no Content-Length: the file was cut off"))
                found = _response(record)
                _drain(record)  # every record read to its end: a short one is a truncated file
                if found is not None:
                    yield found
                where = record.rec_headers.get_header("WARC-Target-URI") or where
            if records.offset < (os.fstat(stream.fileno()).st_size if end is None else end):
                raise EOFError(_("the file ends inside a record's header: it was cut off"))
    except (*_BROKEN, ArchiveLoadFailed, StatusAndHeadersParserException) as error:
        yield Broken(
            site="",
            url=str(path),
            fetched="",
            reason=_("the WARC file cannot be read after {where}: {reason}").format(
                where=where, reason=error
            ),
        )


class _Window:
    """A file read up to byte `end` (its end, for warcio)."""

    def __init__(self, stream: BinaryIO, end: int) -> None:
        self.stream = stream
        self.end = end

    def tell(self) -> int:
        return self.stream.tell()

    def read(self, size: int = -1) -> bytes:
        left = max(0, self.end - self.stream.tell())
        return self.stream.read(left if size < 0 else min(size, left))


def _response(record: Any) -> Item | None:
    """The resource of a response record a sweep screens; None for anything else (requests,
    metadata, redirects and error pages, style sheets and scripts)."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    fetched = record.rec_headers.get_header("WARC-Date") or ""
    site = urlsplit(url).hostname or ""
    if not (record.http_headers.get_statuscode() or "").startswith("2"):
        return None  # a redirect or an error page: what it points to is a record of its own
    content_type = record.http_headers.get_header("Content-Type")
    name = name_of(url, content_type)
    if name is None:
        return None
    data = record.content_stream().read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return Broken(site=site, url=url, fetched=fetched, reason=_too_big())
    return Resource(
        site=site, url=url, fetched=fetched, name=name, data=data, charset=charset_of(content_type)
    )


def _drain(record: Any) -> None:
    while record.raw_stream.read(1 << 16):
        pass
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise EOFError(_("a record is shorter than its Content-Length: the file was cut off"))


def read_mirror(site: Path) -> Iterator[Item]:
    """The files of one site's folder of a `wget -m` mirror (`host/path…`), each as the URL it
    was fetched from."""
    host = site.name
    for root, dirs, files in os.walk(site):
        dirs.sort()
        for file in sorted(files):
            path = Path(root) / file
            url = f"http://{host}/{path.relative_to(site).as_posix()}"
            name = name_of(url, None)
            if name is None or path.is_symlink():
                continue
            fetched = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC).isoformat()
            if path.stat().st_size > MAX_BYTES:
                yield Broken(site=host, url=url, fetched=fetched, reason=_too_big())
                continue
            yield Resource(site=host, url=url, fetched=fetched, name=name, data=path.read_bytes())


def _too_big() -> str:
    return _("larger than the {limit} MB limit").format(limit=MAX_BYTES // 1048576)
