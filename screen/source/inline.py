"""Inline Markdown and HTML: hide markup, expose link targets and attributes, decode entities.

Every scanner here is linear (possessive quantifiers, stack pairing), so pathological input such
as thousands of brackets or backticks is screened in bounded time.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote_to_bytes

from screen.model import Scope
from screen.source.layers import LayerBuilder

_BACKTICKS = re.compile(r"`+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~\n])")
_ATTR = r"""(?:\s++[A-Za-z_:][\w.:-]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`]++))?+)*+"""
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*+)" + _ATTR + r"\s*+/?>")
_ATTR_VALUE = re.compile(r"""([A-Za-z_:][\w.:-]*+)\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'=<>`]++))""")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*+|[^\s@<>]++@[^\s<>]++)>")
_IMAGE_ALT = re.compile(r"!\[([^\[\]\n]*+)\](?=\(|\[)")
_DEST = re.compile(
    r"""\]\(\s*+(?:<([^<>\n]*+)>|((?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*+\))*+))"""
    r"""(?:\s++("[^"]*+"|'[^']*+'|\([^()]*+\)))?+\s*+\)"""
)
_REF_LABEL = re.compile(r"\]\[[^\[\]\n]{0,999}+\]")
_DELIMS = re.compile(r"\*++|_++|~~|==|\^\^|\+\+")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})++")
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~，。、；：？！“”‘’（）《》【】…—")

# Tags that start a new block: text on either side of them is not read as one word.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_URL_ATTRS = frozenset({"href", "src", "srcset", "action", "poster", "data", "cite"})


def code_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(open, content_start, content_end, close_end) spans of `code` in [start, end), paired the
    CommonMark way: a run of backticks closes at the next run of the same length."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, start, end)]
    following: dict[int, int] = {}
    nxt: list[int | None] = [None] * len(runs)
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        nxt[index] = following.get(length)
        following[length] = index
    spans: list[tuple[int, int, int]] = []
    index = 0
    while index < len(runs):
        partner = nxt[index]
        if partner is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[index][1], runs[partner][0]))
        index = partner + 1
    return spans


def mark_inline(builder: LayerBuilder, start: int, end: int, markdown: bool = True) -> None:
    """Mark every inline construct of the paragraph (or HTML text) at [start, end)."""
    text = builder.source
    work = text
    if markdown:
        pieces: list[str] = []
        cursor = start
        for open_at, content_at, close_at in code_spans(text, start, end):
            close_end = close_at + (content_at - open_at)
            builder.hide(open_at, content_at)
            builder.hide(close_at, close_end)
            builder.scope(content_at, close_at, Scope.CODE)
            pieces.append(text[cursor:open_at])
            pieces.append(" " * (close_end - open_at))
            cursor = close_end
        if pieces:  # blank out code so nothing inside it is read as markup
            pieces.append(text[cursor:end])
            work = text[:start] + "".join(pieces) + text[end:]
    _mark_html(builder, work, start, end)
    for match in _ENTITY.finditer(work, start, end):
        decoded = html.unescape(match.group())
        if len(decoded) == 1 and decoded != match.group():
            builder.decode(match.start(), match.end(), decoded)
    if markdown:
        _mark_links(builder, work, start, end)
        for match in _ESCAPE.finditer(work, start, end):
            builder.hide(match.start(), match.start() + 1)
        _mark_emphasis(builder, work, start, end)


def _mark_html(builder: LayerBuilder, work: str, start: int, end: int) -> None:
    for match in _AUTOLINK.finditer(work, start, end):
        builder.hide(match.start(), match.start() + 1)
        builder.hide(match.end() - 1, match.end())
        builder.scope(match.start(1), match.end(1), Scope.LINK)
        percent_decode(builder, match.start(1), match.end(1))
    for match in _TAG.finditer(work, start, end):
        if _AUTOLINK.match(work, match.start()):
            continue
        builder.hide(match.start(), match.end())
        if match.group(1).lower() in BLOCK_TAGS:
            builder.brk(match.start())
        for attr in _ATTR_VALUE.finditer(work, match.end(1), match.end()):
            group = next(g for g in (2, 3, 4) if attr.group(g) is not None)
            name = attr.group(1).lower()
            scope = Scope.LINK if name in _URL_ATTRS else Scope.BODY
            if name in ("alt",):
                scope = Scope.IMAGE_ALT
            builder.show(attr.start(group), attr.end(group), scope)
            if scope is Scope.LINK:
                percent_decode(builder, attr.start(group), attr.end(group))


def _mark_links(builder: LayerBuilder, work: str, start: int, end: int) -> None:
    for match in _IMAGE_ALT.finditer(work, start, end):
        builder.hide(match.start(), match.start(1))
        builder.scope(match.start(1), match.end(1), Scope.IMAGE_ALT)
    for match in _DEST.finditer(work, start, end):
        builder.hide(match.start(), match.end())
        group = 1 if match.group(1) is not None else 2
        builder.show(match.start(group), match.end(group), Scope.LINK)
        percent_decode(builder, match.start(group), match.end(group))
        if match.group(3):
            builder.show(match.start(3) + 1, match.end(3) - 1, Scope.LINK)
    for match in _REF_LABEL.finditer(work, start, end):
        builder.hide(match.start(), match.end())


def percent_decode(builder: LayerBuilder, start: int, end: int) -> None:
    """Let `%E9%9D%92` read as `青`, each character placed at its first escape."""
    text = builder.source
    for match in _PERCENT.finditer(text, start, end):
        try:
            decoded = unquote_to_bytes(match.group()).decode("utf-8")
        except UnicodeDecodeError:
            continue  # not UTF-8: the escapes stay as they are, and are screened as such
        cursor = match.start()
        for char in decoded:
            width = 3 * len(char.encode("utf-8"))
            builder.decode(cursor, cursor + width, char)
            cursor += width


def _flanks(work: str, start: int, end: int, lo: int, hi: int) -> tuple[bool, bool]:
    before = work[start - 1] if start > lo else " "
    after = work[end] if end < hi else " "
    before_space, after_space = before.isspace(), after.isspace()
    before_punct, after_punct = before in _PUNCT, after in _PUNCT
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if work[start] == "_":  # intraword underscores are literal (snake_case)
        return left and (not right or before_punct), right and (not left or after_punct)
    return left, right


def _mark_emphasis(builder: LayerBuilder, work: str, start: int, end: int) -> None:
    """Pair delimiter runs with a stack per kind and hide the paired ones; unpaired stay literal
    (so `机密*5年` keeps its star)."""
    stacks: dict[str, list[tuple[int, int]]] = {}
    for match in _DELIMS.finditer(work, start, end):
        kind = match.group()[0]
        can_open, can_close = _flanks(work, match.start(), match.end(), start, end)
        stack = stacks.setdefault(kind, [])
        if can_close and stack:
            open_start, open_end = stack.pop()
            builder.hide(open_start, open_end)
            builder.hide(match.start(), match.end())
        elif can_open:
            stack.append(match.span())
