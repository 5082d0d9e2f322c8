"""The page a browser shows: HTML parsed by a spec-compliant HTML5 parser, read as a reader meets it.

Baomi's own scanners (`screen.source.inline`) keep every position in the source, so a finding has
a line and column; but a hand-written model of HTML is not what a browser builds. This module is
the other half: Lexbor (through selectolax), the HTML5 tree builder of a browser engine, decodes
character references, comments, attributes and implied elements exactly as the standard says,
and the tree is walked into *runs*, one per thing a reader can meet:

- the text of each block (inline elements joined, white space collapsed as a browser does),
- every attribute's name and value (a `title` shows on hover, a `href` in the status bar),
- each row of a table as one run, its cells recorded in the run (`RunCell`: `screen.source.tables`),
- ruby annotations (`<rt>`) apart from the base text they sit over, comments, `<title>`,
- style sheets with their strings decoded (CSS escapes), and `data:` URIs decoded: a `data:`
  image that is SVG is read as a page of its own; other data as the text it holds.

The runs become a document of their own (`page_view`), screened next to the source; a finding
that only the view holds is reported at the element it was found in. `Construct`s record what the
page policy weighs (scripts, event handlers, styles, `data:` URIs, elements outside the safe
set); the policy itself is a rule kind (`screen.detectors.markup`).

Why the charset prescan is html5lib's: selectolax hands Lexbor a decoded string and does not
expose Lexbor's own sniffing, and a declared `<meta charset=gbk>` must be honoured as the browser
honours it, or the GBK bytes of a term read as something else."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, unquote_to_bytes

from screen.errors import InputError
from screen.i18n import _
from screen.model import Scope
from screen.source.tables import FlowTables, RunCell

MAX_DEPTH = 3  # an SVG in a data: URI in an SVG …: deeper nesting is refused, not read
MAX_DATA_BYTES = 8 << 20  # one decoded data: URI
MAX_NESTING = 1024
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]{0,40})(?:\s[^<>]{0,4000})?(/?)>")
_FLAT = frozenset(
    (  # noqa: SIM905
        "area base br col embed hr img input link meta source track wbr param keygen "
        "p li dt dd option optgroup tr td th thead tbody tfoot rt rp colgroup caption"
    ).split()
)
_SPACE = re.compile(r"[ \t\n\r\f]+")
_URL_NOISE = re.compile(r"[\t\n\r]")
_DATA_URI = re.compile(r"\s*data:([^,]{0,256}),", re.IGNORECASE)
_XML_DECL = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))

# Elements a browser lays out as blocks (or table parts, list items): text on either side of one
# is not one word. Anything else, unknown elements included, flows inline as browsers draw it.
_CELLS = frozenset(["td", "th"])  # a row (`tr`) ends a run; its cells do not
# Inside a cell, blocks (a `<p>`, a `<div>`) keep to the row; a table nested in it is its own.
_TABLE_PARTS = frozenset(["table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr"])
_MAX_SPAN = 1000  # the HTML standard's limit on colspan
BLOCK_ELEMENTS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as words)
        "address article aside blockquote body caption center col colgroup dd details dialog dir "
        "div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head "
        "header hgroup hr html iframe legend li listing main menu nav noframes noscript ol optgroup "
        "option p plaintext pre search section select summary table tbody td textarea tfoot th thead "
        "title tr ul xmp meta link base template object embed video audio canvas svg math"
    ).split()
)
# What a reader does not meet in the text flow: annotations drawn apart, or code run.
_APART = frozenset({"rt", "rp", "script", "style", "title", "textarea", "option"})
_PREFORMATTED = frozenset({"pre", "listing", "textarea", "plaintext", "xmp"})
_URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "srcset",
        "action",
        "formaction",
        "poster",
        "data",
        "cite",
        "background",
        "xlink:href",
        "longdesc",
        "usemap",
        "manifest",
        "ping",
    }
)
_IMAGE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/svg+xml",
        "image/bmp",
        "image/avif",
        "image/x-icon",
        "image/vnd.microsoft.icon",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    """One thing a reader meets: `where` names the rendered element (`<p>#3`, `<span>#2 @title`)."""

    where: str
    text: str
    scope: Scope = Scope.BODY
    cells: tuple[RunCell, ...] = ()  # a table row's cells


@dataclass(frozen=True, slots=True, kw_only=True)
class Construct:
    """Something the page policy weighs: `kind` is what it is (element, attribute, style, …),
    `name` exactly which (`script`, `onclick`, `direction`), `where` the element it is in."""

    kind: str
    name: str
    where: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    runs: tuple[Run, ...]
    constructs: tuple[Construct, ...]


def sniff_encoding(data: bytes, xml: bool = False) -> str | None:
    """The encoding a browser decodes `data` with, if the bytes say: a byte-order mark, an XML
    declaration (for XML types), or the HTML standard's prescan of the first 1,024 bytes for a
    `<meta charset>` or `http-equiv` declaration. None when nothing is declared."""
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    if bom is not None or xml:
        declared = _XML_DECL.match(data[:256].lstrip()) if bom is None else None
        return bom or (_codec(declared[1].decode("ascii")) if declared else None)
    if b"charset" not in data[:1024].lower():
        return None
    from html5lib._inputstream import EncodingParser  # the standard's prescan, as html5lib wrote it

    found = EncodingParser(data[:1024]).getEncoding()
    # The standard: a declared UTF-16 means UTF-8, x-user-defined means windows-1252.
    overrides = {
        "utf-16be": "utf-8",
        "utf-16le": "utf-8",
        "utf-16": "utf-8",
        "x-user-defined": "windows-1252",
    }
    return None if found is None else overrides.get(found.name, str(found.codec_info.name))


def _codec(label: str) -> str | None:
    import webencodings

    found = webencodings.lookup(label)
    return None if found is None else str(found.codec_info.name)


def decode_declared(path: str, data: bytes, xml: bool = False) -> str | None:
    """The text of `data` in its declared encoding, or None when it declares none (the caller
    then reads it as UTF-8). A declared encoding the bytes do not fit is an error to fix."""
    encoding = sniff_encoding(data, xml)
    if encoding is None or encoding in ("utf-8", "utf_8"):
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            path,
            _(
                "the file declares the {encoding} encoding but byte {position} is not {encoding}; "
                'save it as UTF-8 with <meta charset="utf-8">'
            ).format(encoding=encoding, position=error.start),
        ) from None
    except LookupError:
        return None
    return text.lstrip("\ufeff")


class _Walk:
    """One walk over a parsed tree, collecting runs and constructs."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.runs: list[Run] = []
        self.constructs: list[Construct] = []
        self.counts: dict[str, int] = {}
        self.flow: list[str] = []
        self.flow_where = "<body>"
        self.shown = False  # whether the flow has visible text yet
        self.length = 0  # of the flow so far
        self.tables = FlowTables()  # the cells of the flow, as a row's cells

    def name(self, tag: str) -> str:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        return f"<{tag}>#{self.counts[tag]}"

    def add(self, text: str, where: str) -> None:
        """Text in the flow; a run is named by the element its first visible text is in."""
        if not self.shown and text.strip():
            self.flow_where = where
            self.shown = True
        self.flow.append(text)
        self.length += len(text)

    def end_flow(self) -> None:
        raw = "".join(self.flow)
        cells = self.tables.end_run(raw)
        text = raw.strip()
        if text:
            self.runs.append(Run(where=self.flow_where, text=text, cells=cells))
        self.flow = []
        self.length = 0
        self.shown = False

    def apart(self, where: str, text: str, scope: Scope = Scope.BODY) -> None:
        text = text.strip()
        if text:
            self.runs.append(Run(where=where, text=text, scope=scope))


def _elements(node: object) -> Iterator[tuple[object, bool]]:
    """(node, entering) in document order, without recursion (nesting depth is the page's)."""
    stack: list[tuple[object, bool]] = [(node, True)]
    while stack:
        current, entering = stack.pop()
        yield current, entering
        if entering and getattr(current, "is_element_node", False):
            stack.append((current, False))
            children = []
            child = current.child  # type: ignore[attr-defined]
            while child is not None:
                children.append(child)
                child = child.next
            stack.extend((c, True) for c in reversed(children))


def nesting(text: str) -> int:
    """How deeply the start tags of `text` nest, counted as written (void elements, self-closed
    tags and elements the parser closes by itself, such as `<p>` and `<li>`, do not nest)."""
    depth = deepest = 0
    for match in _TAG.finditer(text):
        closing, name, selfclosed = match.group(1), match.group(2).lower(), match.group(3)
        if name in _FLAT or selfclosed:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def parse_view(text: str, depth: int = 0) -> View:
    """The runs and constructs of the HTML document `text`. A document nested more deeply than
    browsers build (Chromium stops at 512 levels) is refused: the parser would take quadratic
    time, and no reader sees it as written."""
    from selectolax.lexbor import LexborHTMLParser

    if len(text) > MAX_NESTING * 4 and nesting(text) > MAX_NESTING:
        raise InputError(
            "", _("the HTML is nested more than {limit} elements deep; simplify it").format(limit=MAX_NESTING)
        )

    walk = _Walk(depth)
    tree = LexborHTMLParser(text)
    root = tree.root
    if root is None:
        return View(runs=(), constructs=())
    stack: list[_Open] = []
    for node, entering in _elements(root):
        _visit(walk, node, entering, stack)
    walk.end_flow()
    return View(runs=tuple(walk.runs), constructs=tuple(walk.constructs))


@dataclass(frozen=True, slots=True)
class _Open:
    """An open element, with what it inherits from those around it (so no lookup walks the
    stack: a page may nest elements tens of thousands deep)."""

    tag: str
    where: str
    apart: tuple[str, str] | None  # the innermost open element read apart (rt, style, …)
    pre: bool  # inside preformatted text
    cell: bool = False  # inside a table cell (not in a table nested in it)


def _visit(walk: _Walk, node: object, entering: bool, stack: list[_Open]) -> None:
    if getattr(node, "is_text_node", False):
        _text(walk, str(node.text_content or ""), stack)  # type: ignore[attr-defined]
        return
    if getattr(node, "is_comment_node", False):
        comment = node.comment_content  # type: ignore[attr-defined]
        walk.apart("<!-- -->", str(comment or ""), Scope.HTML_COMMENT)
        return
    if not getattr(node, "is_element_node", False):
        return
    tag = str(node.tag).lower()  # type: ignore[attr-defined]
    if not entering:
        stack.pop()
        _leave(walk, tag, stack[-1] if stack else None)
        return
    outer = stack[-1] if stack else None
    where = walk.name(tag)
    attributes = node.attributes or {}  # type: ignore[attr-defined]
    _enter(walk, tag, where, outer, attributes)
    walk.constructs.append(Construct(kind="element", name=tag, where=where))
    apart = (tag, where) if tag in _APART else outer.apart if outer else None
    pre = tag in _PREFORMATTED or bool(outer and outer.pre)
    cell = tag in _CELLS or (tag not in _TABLE_PARTS and bool(outer and outer.cell))
    stack.append(_Open(tag, where, apart, pre, cell))
    if tag == "a" and "href" in attributes:
        # A link that shows its own address (an autolink) is one text, not two.
        text = " ".join(str(node.text(deep=True) or "").split())  # type: ignore[attr-defined]
        href = str(attributes.get("href") or "").strip()
        if text and "%" not in href and href in (text, f"mailto:{text}"):
            attributes = {k: v for k, v in attributes.items() if k != "href"}
            walk.constructs.append(
                Construct(kind="attribute", name="a href", where=f"{where} @href", detail=href)
            )
    for attribute, value in attributes.items():
        _attribute(walk, tag, where, str(attribute), "" if value is None else str(value))


def _enter(walk: _Walk, tag: str, where: str, outer: _Open | None, attributes: dict[str, str | None]) -> None:
    """What an element's start does to the flow: a block ends the run (inside a cell it is a space:
    a row is one run), a cell adds ' | ' and starts a recorded cell."""
    if tag == "tr":
        walk.tables.open_row()
    if outer is not None and outer.apart is not None:
        if tag == "table":
            walk.tables.open_table(in_flow=False)
        return
    if tag in _CELLS:
        walk.add(" | ", where)  # the cells of a row are one run, as a reader reads a row
        walk.tables.open_cell(walk.length, tag == "th", _span(attributes.get("colspan")), where)
    elif tag == "br":
        # A line break: the line goes on below (青松<br>计划 reads across it), in a cell too.
        walk.add("\n", where)
    elif tag in BLOCK_ELEMENTS:
        if outer is not None and outer.cell and tag != "table":
            walk.add(" ", where)
        else:
            walk.end_flow()
    if tag == "table":
        walk.tables.open_table()


def _leave(walk: _Walk, tag: str, parent: _Open | None) -> None:
    if parent is None or parent.apart is None:
        if tag in _CELLS:
            walk.tables.close_cell(walk.length)
        elif tag in BLOCK_ELEMENTS and parent is not None and parent.cell and tag != "table":
            walk.add(" ", parent.where)
        elif tag in BLOCK_ELEMENTS:
            walk.end_flow()
    if tag == "table":
        walk.tables.close_table()


def _span(value: str | None) -> int:
    """The columns a cell spans (`colspan`, as the standard parses it: digits, 1 to 1000)."""
    digits = re.match(r"\s*([0-9]+)", value or "")
    return min(max(int(digits[1]), 1), _MAX_SPAN) if digits and len(digits[1]) < 6 else 1


def _text(walk: _Walk, text: str, stack: list[_Open]) -> None:
    inner = stack[-1] if stack else None
    if inner is not None and inner.apart is not None:
        tag, where = inner.apart
        if tag == "style":
            _style_sheet(walk, where, text)
        else:
            walk.apart(where, text, Scope.TITLE if tag == "title" else Scope.BODY)
        return
    where = inner.where if inner else "<html>"
    if inner is not None and inner.pre and not inner.cell:
        lines = text.split("\n")
        walk.add(lines[0], where)
        for line in lines[1:]:
            walk.end_flow()
            walk.add(line, where)
        return
    walk.add(_SPACE.sub(" ", text), where)


def _attribute(walk: _Walk, tag: str, where: str, name: str, value: str) -> None:
    place = f"{where} @{name}"
    walk.apart(f"{where} attribute name", name)
    lowered = name.lower()
    # As a URL parser reads it: tabs and newlines anywhere, spaces and controls in front, dropped
    # (`java&#9;script:` is a script link).
    detail = _URL_NOISE.sub("", value).lstrip("".join(map(chr, range(33))))[:200]
    walk.constructs.append(Construct(kind="attribute", name=f"{tag} {lowered}", where=place, detail=detail))
    if lowered == "style":
        _declarations(walk, place, value)
    if lowered == "srcdoc":  # a whole page in an attribute: read as the page the frame shows
        _nested(walk, place, value)
        return
    if lowered in _URL_ATTRIBUTES or (lowered == "content" and tag == "meta"):
        data = _DATA_URI.match(value)
        if data:
            _data_uri(walk, place, data[1], value[data.end() :])
            return
        walk.apart(place, _percent_decoded(value), Scope.LINK)
        return
    walk.apart(place, value, Scope.IMAGE_ALT if lowered == "alt" else Scope.BODY)


def _percent_decoded(value: str) -> str:
    """A URL with its escapes decoded beside it (`%E9%9D%92` also as 青; escapes that are not
    UTF-8 read as U+FFFD, and the URL as written is screened too)."""
    decoded = unquote(value, errors="replace") if "%" in value else value
    return value if decoded == value else f"{value} {decoded}"


def _data_uri(walk: _Walk, where: str, header: str, payload: str) -> None:
    """A `data:` URI read as the file it is: an image's text fields, an SVG as a page, text as text."""
    parts = [p.strip().lower() for p in header.split(";")]
    media = parts[0] or "text/plain"
    walk.constructs.append(Construct(kind="data", name=media, where=where))
    try:
        raw = (
            base64.b64decode("".join(payload.split()), validate=False)
            if "base64" in parts
            else unquote_to_bytes(payload)
        )
    except (binascii.Error, ValueError):
        walk.apart(f"{where} data:", payload, Scope.LINK)
        return
    if len(raw) > MAX_DATA_BYTES:
        walk.constructs.append(Construct(kind="data", name="too large", where=where, detail=str(len(raw))))
        return
    charset = next((p.split("=", 1)[1] for p in parts if p.startswith("charset=")), "utf-8")
    inner = f"{where} data:{media}"
    if media == "image/svg+xml" or media in ("text/html", "application/xhtml+xml"):
        _nested(walk, inner, _decode_text(raw, charset))
    elif media in _IMAGE_TYPES:
        from screen.source.images import image_fields

        try:
            for field in image_fields(raw):
                walk.apart(f"{inner} {field.location}", field.text, Scope.ATTACHMENT)
        except InputError:
            walk.constructs.append(Construct(kind="data", name="unreadable image", where=where))
    else:
        walk.apart(inner, _decode_text(raw, charset), Scope.ATTACHMENT)


def _nested(walk: _Walk, where: str, html: str) -> None:
    """A document inside the page (an SVG image, a frame's `srcdoc`), read as its own page."""
    if walk.depth >= MAX_DEPTH:
        walk.constructs.append(Construct(kind="data", name="nested too deeply", where=where))
        return
    nested = parse_view(html, walk.depth + 1)
    walk.runs.extend(Run(where=f"{where} {run.where}", text=run.text, scope=run.scope) for run in nested.runs)
    walk.constructs.extend(
        Construct(kind=c.kind, name=c.name, where=f"{where} {c.where}", detail=c.detail)
        for c in nested.constructs
    )


def _decode_text(raw: bytes, charset: str) -> str:
    codec = _codec(charset) or "utf-8"
    return raw.decode(codec, errors="replace")


def _style_sheet(walk: _Walk, where: str, css: str) -> None:
    """A `<style>` element: its text, and every string in it with CSS escapes decoded."""
    import tinycss2

    walk.apart(where, css)
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for rule in rules:
        if rule.type == "at-rule":
            walk.constructs.append(Construct(kind="style", name=f"@{rule.lower_at_keyword}", where=where))
            _strings(walk, where, rule)
        elif rule.type == "qualified-rule":
            selector = tinycss2.serialize(rule.prelude).strip()
            _declarations(walk, f"{where} {selector[:80]}", tinycss2.serialize(rule.content))
            if "::" in selector or ":before" in selector or ":after" in selector:
                walk.constructs.append(
                    Construct(kind="style", name="pseudo-element", where=where, detail=selector)
                )
            _strings(walk, where, rule.prelude)


def _declarations(walk: _Walk, where: str, css: str) -> None:
    import tinycss2

    for declaration in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if declaration.type != "declaration":
            continue
        value = tinycss2.serialize(declaration.value).strip()
        name = declaration.lower_name
        walk.constructs.append(
            Construct(kind="style", name=name, where=f"{where} {name}", detail=value[:200])
        )
        _strings(walk, where, declaration)


def _strings(walk: _Walk, where: str, node: object) -> None:
    """Every string and url() in a CSS node (or list of nodes), escapes decoded (`"\\9752"`
    reads as 青)."""
    pending: list[object] = [node]
    while pending:
        current = pending.pop()
        kind = getattr(current, "type", "")
        if kind in ("string", "url"):
            value = str(current.value)  # type: ignore[attr-defined]
            data = _DATA_URI.match(value)
            if data:
                _data_uri(walk, f"{where} url()", data[1], value[data.end() :])
            else:
                walk.apart(f"{where} css string", value)
        if isinstance(current, list):
            pending.extend(reversed(current))
            continue
        for attribute in ("prelude", "content", "value", "arguments"):
            children = getattr(current, attribute, None)
            if isinstance(children, list):
                pending.extend(reversed(children))


def style_view(css: str) -> View:
    """A CSS file read as a style sheet is (`<style>` without the element)."""
    walk = _Walk(0)
    _style_sheet(walk, "style sheet", css)
    return View(runs=tuple(walk.runs), constructs=tuple(walk.constructs))
