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
_COMMENT_EMPTY = re.compile(r"-?>")
_COMMENT_CLOSE = re.compile(r"--!?>")
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~，。、；：？！“”‘’（）《》【】…—")

# Tags that read as a character where they stand: a cell boundary as a space (the cells of one
# row are one run: a name and its ID number in the next cell are one row's; `tr` breaks the
# rows apart), a line break as a newline (the line goes on below, as after a hard break in
# Markdown: 青松<br>计划 is read across it, as a reader reads it).
_READ_AS = {"td": " ", "th": " ", "br": "\n"}
# Tags that start a new block: text on either side of them is not read as one word.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
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


def mark_inline(
    builder: LayerBuilder,
    start: int,
    end: int,
    markdown: bool = True,
    labels: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """Mark every inline construct of the paragraph (or HTML text) at [start, end); return the
    (start, end) of its code spans, where `<!--` opens no comment. `labels` are the reference
    labels the page defines (see `reference_label`)."""
    text = builder.source
    code: list[tuple[int, int]] = []
    # The scanners read a copy of the paragraph alone (positions relative to `start`): copying
    # the whole file per paragraph made an 18 MB page take minutes.
    work = text[start:end]
    if markdown:
        pieces: list[str] = []
        cursor = start
        for open_at, content_at, close_at in code_spans(text, start, end):
            close_end = close_at + (content_at - open_at)
            builder.hide(open_at, content_at)
            builder.hide(close_at, close_end)
            builder.scope(content_at, close_at, Scope.CODE)
            code.append((open_at, close_end))
            pieces.append(text[cursor:open_at])
            pieces.append(" " * (close_end - open_at))
            cursor = close_end
        if pieces:  # blank out code so nothing inside it is read as markup
            pieces.append(text[cursor:end])
            work = "".join(pieces)
    _mark_html(builder, work, start)
    for match in _ENTITY.finditer(work):
        decoded = html.unescape(match.group())
        if len(decoded) == 1 and decoded != match.group():
            builder.decode(start + match.start(), start + match.end(), decoded)
    if markdown:
        _mark_links(builder, work, start, labels)
        for match in _ESCAPE.finditer(work):
            builder.hide(start + match.start(), start + match.start() + 1)
        _mark_emphasis(builder, work, start)
    return code


def _mark_html(builder: LayerBuilder, work: str, base: int) -> None:
    """`work` is the text from source position `base` on."""
    for match in _AUTOLINK.finditer(work):
        builder.hide(base + match.start(), base + match.start() + 1)
        builder.hide(base + match.end() - 1, base + match.end())
        builder.scope(base + match.start(1), base + match.end(1), Scope.LINK)
        percent_decode(builder, base + match.start(1), base + match.end(1))
    for match in _TAG.finditer(work):
        if _AUTOLINK.match(work, match.start()):
            continue
        tag = match.group(1).lower()
        if tag in _READ_AS:
            builder.hide(base + match.start() + 1, base + match.end())
            builder.decode(base + match.start(), base + match.start() + 1, _READ_AS[tag])
        else:
            builder.hide(base + match.start(), base + match.end())
            if tag in BLOCK_TAGS:
                builder.brk(base + match.start())
        for attr in _ATTR_VALUE.finditer(work, match.end(1), match.end()):
            group = next(g for g in (2, 3, 4) if attr.group(g) is not None)
            name = attr.group(1).lower()
            scope = Scope.LINK if name in _URL_ATTRS else Scope.BODY
            if name in ("alt",):
                scope = Scope.IMAGE_ALT
            builder.show(base + attr.start(group), base + attr.end(group), scope)
            if scope is Scope.LINK:
                percent_decode(builder, base + attr.start(group), base + attr.end(group))


def reference_label(label: str) -> str:
    """A reference label as Markdown matches it: case and runs of white space do not count."""
    return " ".join(label.split()).casefold()


def _mark_links(builder: LayerBuilder, work: str, base: int, labels: frozenset[str]) -> None:
    """`work` is the text from source position `base` on."""
    for match in _IMAGE_ALT.finditer(work):
        builder.hide(base + match.start(), base + match.start(1))
        builder.scope(base + match.start(1), base + match.end(1), Scope.IMAGE_ALT)
    for match in _DEST.finditer(work):
        builder.hide(base + match.start(), base + match.end())
        group = 1 if match.group(1) is not None else 2
        builder.show(base + match.start(group), base + match.end(group), Scope.LINK)
        percent_decode(builder, base + match.start(group), base + match.end(group))
        if match.group(3):
            builder.show(base + match.start(3) + 1, base + match.end(3) - 1, Scope.LINK)
    for match in _REF_LABEL.finditer(work):
        label = match.group()[2:-1]
        if not label.strip() or reference_label(label) in labels:
            builder.hide(base + match.start(), base + match.end())
        # an undefined label is printed as it stands, label included: it stays in the text


class CommentEnds:
    """Where HTML comments close, the way browsers close them (HTML Living Standard, comment
    states): `<!-->` and `<!--->` are empty and `--!>` closes like `-->`, so the text after them
    is read, not hidden. Ask in increasing order: a found closer is reused until passed, so
    thousands of openers cost one scan."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._searched = -1  # where the last search started
        self._close: re.Match[str] | None = None

    def at(self, open_at: int) -> tuple[int, int]:
        """(content_end, end) of the comment whose `<!--` is at `open_at`; an unclosed comment
        runs to the end of the text."""
        body = open_at + 4
        empty = _COMMENT_EMPTY.match(self.text, body)
        if empty:
            return body, empty.end()
        if self._searched < 0 or self._searched > body or (self._close and self._close.start() < body):
            self._close = _COMMENT_CLOSE.search(self.text, body)
            self._searched = body
        if self._close is None:
            return len(self.text), len(self.text)
        return self._close.start(), self._close.end()


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


def _flanks(work: str, start: int, end: int) -> tuple[bool, bool]:
    before = work[start - 1] if start > 0 else " "
    after = work[end] if end < len(work) else " "
    before_space, after_space = before.isspace(), after.isspace()
    before_punct, after_punct = before in _PUNCT, after in _PUNCT
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if work[start] == "_":  # intraword underscores are literal (snake_case)
        return left and (not right or before_punct), right and (not left or after_punct)
    return left, right


def _mark_emphasis(builder: LayerBuilder, work: str, base: int) -> None:
    """Pair delimiter runs with a stack per kind and hide the paired ones; unpaired stay literal
    (so `机密*5年` keeps its star). `work` is the text from source position `base` on."""
    stacks: dict[str, list[tuple[int, int]]] = {}
    for match in _DELIMS.finditer(work):
        kind = match.group()[0]
        can_open, can_close = _flanks(work, match.start(), match.end())
        stack = stacks.setdefault(kind, [])
        if can_close and stack:
            open_start, open_end = stack.pop()
            builder.hide(base + open_start, base + open_end)
            builder.hide(base + match.start(), base + match.end())
        elif can_open:
            stack.append(match.span())
