"""A polite, bounded crawler for `baomi sweep` start-URL lists (the one part of Baomi that uses
the network, and only for the hosts it is given): breadth first from the start URLs, the same
host only, robots.txt honoured, one request per host at a time with a pause between requests,
a page and a depth limit, a timeout and a size limit per response. Fetching is `httpx`; links
are read with Lexbor (selectolax), the HTML reader the rest of Baomi uses.

Every URL it tries becomes a `Resource` or a `Broken` with the reason (an HTTP error status, a
timeout, a refused connection, a response over the size limit): nothing is skipped silently,
but for what robots.txt forbids and what a sweep does not screen (style sheets, scripts)."""

from __future__ import annotations

import datetime
import time
import urllib.robotparser
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from screen.i18n import _
from screen.source.reading import MAX_BYTES
from screen.sweep.sources import Broken, Item, Resource, charset_of, name_of

AGENT = "baomi-sweep/0.1 (secrecy inspection of published sites)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    pages: int = 10_000  # URLs fetched per site
    depth: int = 8  # links followed from a start URL
    pause: float = 0.5  # seconds between two requests to the host
    timeout: float = 15.0  # seconds per request


def read_urls(text: str) -> list[str]:
    """The start URLs of a list: one a line, `#` starts a comment."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def crawl(starts: list[str], limits: Limits) -> Iterator[Item]:
    """Every resource reachable from `starts` (all of one host) within `limits`."""
    import httpx

    host = urlsplit(starts[0]).netloc
    queue: deque[tuple[str, int]] = deque((urldefrag(url)[0], 0) for url in starts)
    seen = {url for url, _depth in queue}
    with httpx.Client(
        headers={"User-Agent": AGENT}, timeout=limits.timeout, follow_redirects=False, trust_env=False
    ) as client:
        robots = _robots(client, starts[0])
        last = 0.0
        fetched = 0
        while queue and fetched < limits.pages:
            url, depth = queue.popleft()
            if not robots.can_fetch(AGENT, url):
                continue
            wait = last + limits.pause - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last = time.monotonic()
            fetched += 1
            item, links = _fetch(client, url)
            if item is not None:
                yield item
            if depth >= limits.depth:
                continue
            for found in links:
                link = urldefrag(found)[0]
                if (
                    urlsplit(link).netloc == host
                    and urlsplit(link).scheme in ("http", "https")
                    and link not in seen
                ):
                    seen.add(link)
                    queue.append((link, depth + 1))


def _robots(client: object, start: str) -> urllib.robotparser.RobotFileParser:
    """The host's robots.txt (none, or one that cannot be read, allows everything)."""
    import httpx

    assert isinstance(client, httpx.Client)
    parser = urllib.robotparser.RobotFileParser()
    parts = urlsplit(start)
    try:
        response = client.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
        lines = response.text.splitlines() if response.status_code == 200 else []
    except httpx.HTTPError:
        lines = []
    parser.parse(lines)
    return parser


def _fetch(client: object, url: str) -> tuple[Item | None, list[str]]:
    """One URL: its resource (or why not) and the links of an HTML page (or a redirect's target,
    followed like a link: the same host only)."""
    import httpx

    assert isinstance(client, httpx.Client)
    site = urlsplit(url).hostname or ""
    now = datetime.datetime.now(datetime.UTC).isoformat()
    try:
        with client.stream("GET", url) as response:
            if response.is_redirect:
                return None, [urljoin(url, response.headers.get("Location", ""))]
            content_type = response.headers.get("Content-Type")
            name = name_of(url, content_type)
            data = _body(response) if response.status_code < 400 and name is not None else b""
    except httpx.TimeoutException:
        return Broken(site=site, url=url, fetched=now, reason=_("no answer within the timeout")), []
    except httpx.HTTPError as error:
        return Broken(site=site, url=url, fetched=now, reason=str(error) or type(error).__name__), []
    if response.status_code >= 400 or data is None:
        reason = (
            f"HTTP {response.status_code}"
            if response.status_code >= 400
            else _("larger than the {limit} MB limit").format(limit=MAX_BYTES // 1048576)
        )
        return Broken(site=site, url=url, fetched=now, reason=reason), []
    if name is None:
        return None, []
    resource = Resource(
        site=site, url=url, fetched=now, name=name, data=data, charset=charset_of(content_type)
    )
    return resource, _links(resource) if name.endswith((".html", ".htm", ".xhtml")) else []


def _body(response: object) -> bytes | None:
    """The body, read a chunk at a time; None past the size limit."""
    data = bytearray()
    for chunk in response.iter_bytes():  # type: ignore[attr-defined]
        data += chunk
        if len(data) > MAX_BYTES:
            return None
    return bytes(data)


def _links(resource: Resource) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser

    try:
        text = resource.data.decode(resource.charset or "utf-8", errors="replace")
    except LookupError:
        text = resource.data.decode("utf-8", errors="replace")
    tree = LexborHTMLParser(text)
    found = []
    for node in tree.css("a[href], area[href], iframe[src], frame[src]"):
        target = node.attributes.get("href") or node.attributes.get("src")
        if target:
            found.append(urljoin(resource.url, target.strip()))
    return found
