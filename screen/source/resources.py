"""What a built page or style sheet makes a browser load without a click, and from where: the
audit of a built site holds every such URL against the site's own origin, so that a government
site sends its visitors' requests to no third party (no web fonts, CDNs, hot-linked images or
outside scripts). Plain links (`<a href>`) are followed only when a visitor clicks them: they
are not resources.

URLs are read as a browser reads them (WHATWG URL): tabs and newlines inside are dropped, a
backslash is a slash, `//host/…` takes the page's scheme, and `<base href>` moves every relative
URL of the page, so it is held like a resource. A form a browser would read otherwise is taken as
leaving the site (fail closed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

# Elements and the attributes whose URL a browser fetches by itself.
_FETCHED = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
    "base": ("href",),
}
# `<link rel>` values that only describe a navigation: every other link is taken as fetched
# (stylesheet, icon, preconnect, dns-prefetch, preload, prefetch, modulepreload, manifest …).
_NAVIGATION = frozenset(
    {
        "alternate",
        "canonical",
        "next",
        "prev",
        "author",
        "license",
        "help",
        "bookmark",
        "me",
        "external",
        "tag",
    }
)
_SELECTOR = ", ".join([*_FETCHED, "link[href]", "[style]", "style"])
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_LOCAL_SCHEMES = frozenset({"data", "blob", "about", "javascript", "mailto", "tel"})
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Outside:
    context: str  # "<script src>", "CSS url()", …
    url: str
    host: str


def _clean(url: str) -> str:
    """The URL as a browser parses it: ASCII tab and newline removed anywhere, leading and
    trailing C0 controls and spaces stripped, backslashes as slashes."""
    url = re.sub("[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    return url.replace("\\", "/")


def _absolute(url: str, scheme: str) -> str | None:
    """`url` as an absolute URL when it names a host (a scheme-relative one with the page's
    `scheme`), "" when its scheme fetches from no host or it is relative, None when its form is
    one a browser may read as a host (`https:evil.example`, an unknown scheme)."""
    # a browser reads any run of slashes after the scheme (or at the start) as the two before a host
    url = re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*:)?/{2,}", r"\1//", _clean(url))
    found = _SCHEME.match(url)
    if found is None:
        return f"{scheme}:{url}" if url.startswith("//") else ""
    name = found.group(1).lower()
    if name in _LOCAL_SCHEMES:
        return ""
    if name not in _WEB_SCHEMES or not url[len(name) + 1 :].startswith("//"):
        return None
    return url


def leaves(url: str, own: tuple[str, str, int | None] | None) -> str | None:
    """The host `url` is fetched from when that is not the site's own origin `own` (scheme,
    host, port), else None (relative, or a scheme that fetches from no host)."""
    absolute = _absolute(url, own[0] if own else "https")
    if absolute == "":
        return None
    if absolute is None:
        return _clean(url)[:80]
    parts = urlsplit(absolute)
    try:
        origin = (
            parts.scheme.lower(),
            (parts.hostname or "").rstrip("."),
            parts.port or _default(parts.scheme),
        )
    except ValueError:  # a port that is no number
        return parts.netloc
    return None if origin == own else origin[1] or absolute[:80]


def _default(scheme: str) -> int | None:
    return {"http": 80, "ws": 80, "https": 443, "wss": 443, "ftp": 21}.get(scheme.lower())


def own_origin(site_url: str | None) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of the site's `site_url` (None: the site knows no origin of its own,
    so every absolute URL leaves it)."""
    if not site_url:
        return None
    parts = urlsplit(site_url)
    if not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.rstrip("."), parts.port or _default(parts.scheme)


def _srcset(value: str) -> Iterator[str]:
    for candidate in value.split(","):
        words = candidate.split()
        if words:
            yield words[0]


def css_urls(css: str) -> Iterator[tuple[str, str]]:
    """(context, URL) of every `url()`, `@import` and `image-set()` of a style sheet or a
    `style` attribute (tinycss2 tokenizes it as a browser does: escapes decoded)."""
    import tinycss2

    pending = list(tinycss2.parse_stylesheet(css, skip_comments=True))
    while pending:
        node = pending.pop()
        if node.type == "url":
            yield "CSS url()", node.value
        elif node.type == "at-rule" and node.lower_at_keyword == "import":
            for token in node.prelude:
                if token.type == "string":
                    yield "CSS @import", token.value
        elif node.type == "function" and node.lower_name in ("url", "src", "image-set", "-webkit-image-set"):
            for token in node.arguments:
                if token.type == "string":
                    yield f"CSS {node.lower_name}()", token.value
        for part in ("prelude", "content", "arguments"):
            children = getattr(node, part, None)
            if isinstance(children, list):
                pending.extend(children)


def html_urls(html: str) -> Iterator[tuple[str, str]]:
    """(context, URL) of everything a page fetches by itself: the elements of `_FETCHED`, links
    other than navigation, and the CSS of `<style>` elements and `style` attributes."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css(_SELECTOR):
        tag, attributes = (node.tag or "").lower(), node.attributes
        if tag == "style":
            yield from css_urls(node.text(deep=True) or "")
        if attributes.get("style"):
            yield from css_urls(f"x{{{attributes['style']}}}")
        if tag == "link" and attributes.get("href") is not None:
            rels = set((attributes.get("rel") or "").lower().split())
            if not rels or not rels <= _NAVIGATION:
                yield f"<link rel={' '.join(sorted(rels)) or '?'}>", attributes["href"] or ""
        for name in _FETCHED.get(tag, ()):
            value = attributes.get(name)
            if value is None:
                continue
            values = _srcset(value) if name == "srcset" else [value]
            for url in values:
                yield f"<{tag} {name}>", url


def outside(kind: str, text: str, own: tuple[str, str, int | None] | None) -> list[Outside]:
    """What a built file of `kind` ("html", "css" or "svg") loads from another origin."""
    urls = css_urls(text) if kind == "css" else html_urls(text)
    found = []
    for context, url in urls:
        host = leaves(url, own)
        if host is not None:
            found.append(Outside(context=context, url=url, host=host))
    return found
