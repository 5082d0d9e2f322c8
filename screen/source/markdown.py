"""Block structure of a Markdown page: front matter, fences, comments, headings, paragraphs."""

from __future__ import annotations

import re
from bisect import bisect_right

from screen.model import Scope
from screen.source.frontmatter import mark_yaml, split_front_matter
from screen.source.inline import CommentEnds, mark_inline, percent_decode, reference_label
from screen.source.layers import Cell, Layer, LayerBuilder, Table
from screen.source.tables import trimmed

_LINE = re.compile(r"[^\n]*+\n?")
_FENCE = re.compile(r"[ \t]*+(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])[ \t]++)*+(`{3,}+|~{3,}+)(.*+)")
_COMMENT_OPEN = re.compile(r"<!--")
_PARAGRAPH_END = re.compile(r"\n[ \t\r>]*+\n")
_PREFIX = re.compile(
    r"[ \t]{0,3}+(?:>[ \t]?+)*+(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]++|$)(?:\[[ xX]\][ \t]++)?+)?+"
)
_BLANK = re.compile(r"[ \t>]*+\n?$")
_ATX = re.compile(r"(#{1,6}+)(?:[ \t]++|$)")
_ATX_CLOSE = re.compile(r"[ \t]++#++[ \t]*+$")
_SETEXT = re.compile(r"[ \t]{0,3}+(?:=++|-++)[ \t]*+$")
_THEMATIC = re.compile(r"[ \t]{0,3}+([-*_])(?:[ \t]*+\1){2,}+[ \t]*+$")
_CELL_BAR = re.compile(r"(?<!\\)\|")  # a cell boundary of a table row (`\|` is a literal bar)
_TABLE_RULE = re.compile(r"[ \t]*+\|?+[ \t]*+:?+-++:?+[ \t]*+(?:\|[ \t]*+:?+-++:?+[ \t]*+)*+\|?+[ \t]*+$")
_LINK_DEF = re.compile(
    r"[ \t]{0,3}+\[(?!\^)[^\]\n]++\]:[ \t]*+(<[^<>\n]*+>|\S++)"
    r"(?:[ \t]++(\"[^\"\n]*+\"|'[^'\n]*+'|\([^()\n]*+\)))?+[ \t]*+$"
)
_ITEM = re.compile(r"[-*+]|\d[.)]")
_ATTR_LIST = re.compile(r"\{:?[ \t]*+[.#:][^{}\n]*+\}")
# Reference definitions anywhere in the page: a reference link renders as a link only when its
# label is defined; otherwise Python-Markdown prints it as it stands, label and all.
_DEFINED = re.compile(r"^[ \t]{0,3}+\[(?!\^)([^\]\n]++)\]:[ \t]*+\S", re.MULTILINE)


def _lines(text: str, start: int) -> list[tuple[int, int]]:
    """(start, end-without-newline) of each line from `start`. A CR before the newline is left
    out too: with it, a Windows-saved page never closed a fence or broke a paragraph."""
    spans = []
    for match in _LINE.finditer(text, start):
        if match.start() == match.end():
            break
        line_end = match.end() - 1 if text[match.end() - 1] == "\n" else match.end()
        if line_end > match.start() and text[line_end - 1] == "\r" and line_end < match.end():
            line_end -= 1
        spans.append((match.start(), line_end))
    return spans


def _comments(
    text: str, lines: list[tuple[int, int]], code: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """(start, content_end, end) of HTML comments outside code (sorted (start, end) spans).

    A comment opened after text on its line must close before the paragraph ends: Python-Markdown
    prints such an opener as text, and what follows it is read, so it is screened as read."""
    spans: list[tuple[int, int, int]] = []
    ends = CommentEnds(text)
    line_starts = [line[0] for line in lines]
    cursor = line_starts[0] if line_starts else len(text)
    code_index = 0
    paragraph_end = -1  # the first paragraph break after the last inline opener
    while match := _COMMENT_OPEN.search(text, cursor):
        position = match.start()
        while code_index < len(code) and code[code_index][1] <= position:
            code_index += 1
        if code_index < len(code) and code[code_index][0] <= position:
            cursor = code[code_index][1]
            continue
        content_end, end = ends.at(position)
        line_start = line_starts[bisect_right(line_starts, position) - 1]
        prefix = _PREFIX.match(text, line_start, position)
        if not prefix or prefix.end() < position:  # an inline opener
            if paragraph_end < position:
                found = _PARAGRAPH_END.search(text, position)
                paragraph_end = found.start() if found else len(text)
            if paragraph_end < content_end:
                cursor = position + 4
                continue
        spans.append((position, content_end, end))
        cursor = end
    return spans


class _Blocks:
    """One pass over the lines; paragraphs are handed to the inline scanner as they close."""

    def __init__(self, builder: LayerBuilder) -> None:
        self.builder = builder
        self.text = builder.source
        self.paragraph: tuple[int, int] | None = None
        self.code: list[tuple[int, int]] = []  # code spans, where `<!--` opens no comment
        self.labels = frozenset(reference_label(m[1]) for m in _DEFINED.finditer(self.text))
        self.table = False  # in the rows of a table (after its delimiter row)
        self.rows: list[tuple[Cell, ...]] = []  # the table's rows so far, its header first

    def flush(self, heading: bool = False) -> None:
        if self.paragraph:
            start, end = self.paragraph
            self.code += mark_inline(self.builder, start, end, labels=self.labels)
            if heading:
                self.builder.scope(start, end, Scope.HEADING)
        self.paragraph = None

    def end_table(self) -> None:
        """The table (if any) ends: record it, its header row first (`screen.source.tables`)."""
        if self.rows:
            self.builder.table(Table(rows=tuple(self.rows), header=0))
        self.rows = []
        self.table = False

    def boundary(self, line_start: int) -> None:
        self.flush()
        self.builder.brk(line_start - 1)

    def fence(self, lines: list[tuple[int, int]], index: int, marker: str) -> int:
        """Mark a fenced code block opening at `lines[index]`; return the next line index."""
        self.end_table()
        self.boundary(lines[index][0])
        start, end = lines[index]
        match = _FENCE.match(self.text, start, end)
        assert match is not None
        self.builder.hide(start, match.end(1))
        self.builder.scope(match.start(2), match.end(2), Scope.CODE)
        closing = re.compile(rf"[ \t>]*+{re.escape(marker[0])}{{{len(marker)},}}+[ \t]*+$")
        index += 1
        while index < len(lines):
            start, end = lines[index]
            if closing.match(self.text, start, end):
                self.builder.hide(start, end)
                self.builder.brk(end)
                return index + 1
            prefix = _PREFIX.match(self.text, start, end)
            if prefix and ">" in self.text[start : prefix.end()]:
                self.builder.hide(start, prefix.end())
            self.builder.scope(start, end, Scope.CODE)
            index += 1
        return index

    def _whole_line(self, start: int, end: int) -> bool:
        """Lines that are markup as a whole: blank, rules, setext underlines, link definitions."""
        text, builder = self.text, self.builder
        if _BLANK.match(text, start, end):
            self.flush()
            self.end_table()
            builder.brk(end)
        elif self.paragraph and _SETEXT.match(text, start, end):
            self.flush(heading=True)
            builder.brk(start - 1)
            builder.brk(end)
        elif _TABLE_RULE.match(text, start, end) and self._header():
            builder.brk(end)
        elif _THEMATIC.match(text, start, end) or _TABLE_RULE.match(text, start, end):
            self.boundary(start)
        elif definition := _LINK_DEF.match(text, start, end):
            self.boundary(start)
            target_start, target_end = definition.span(1)
            if text[target_start] == "<":
                target_start, target_end = target_start + 1, target_end - 1
            builder.show(target_start, target_end, Scope.LINK)
            percent_decode(builder, target_start, target_end)
            if definition.group(2):
                builder.show(definition.start(2) + 1, definition.end(2) - 1, Scope.LINK)
        else:
            return False
        builder.hide(start, end)
        return True

    def _header(self) -> bool:
        """Whether the paragraph before a delimiter row is one line with a `|`: a table's header
        row, read as a row (below); the rows that follow are the table's until a blank line or a
        line without `|`."""
        if not self.paragraph:
            return False
        start, end = self.paragraph
        if "\n" in self.text[start:end] or "|" not in self.text[start:end]:
            return False
        self.paragraph = None
        self.builder.brk(start - 1)
        self.end_table()
        self.rows.append(self._row(start, end))
        self.table = True
        return True

    def _row(self, start: int, end: int) -> tuple[Cell, ...]:
        """A table row: each cell its own inline run, as Python-Markdown's tables read it
        (emphasis never pairs across cells), and a break after the row, so that a cue in one row
        never reaches a name in another (a name belongs to its own row). Returns its cells."""
        cursor = start
        pieces = []
        for bar in _CELL_BAR.finditer(self.text, start, end):
            if bar.start() > cursor:
                self.code += mark_inline(self.builder, cursor, bar.start(), labels=self.labels)
            pieces.append(trimmed(self.text, cursor, bar.start()))
            cursor = bar.end()
        if end > cursor:
            self.code += mark_inline(self.builder, cursor, end, labels=self.labels)
        pieces.append(trimmed(self.text, cursor, end))
        self.builder.brk(end)
        # A bar at either end of the row is the table's border, not a cell boundary.
        if len(pieces) > 1 and pieces[0][0] == pieces[0][1]:
            pieces = pieces[1:]
        if len(pieces) > 1 and pieces[-1][0] == pieces[-1][1]:
            pieces = pieces[:-1]
        return tuple(Cell(start=s, end=e, column=n) for n, (s, e) in enumerate(pieces) if e > s)

    def line(self, start: int, end: int) -> None:
        text, builder = self.text, self.builder
        if self._whole_line(start, end):
            return
        if self.table and "|" in text[start:end]:
            prefix = _PREFIX.match(text, start, end)
            content = prefix.end() if prefix else start
            builder.hide(start, content)
            self.rows.append(self._row(content, end))
            return
        self.end_table()
        prefix = _PREFIX.match(text, start, end)
        content = prefix.end() if prefix else start
        builder.hide(start, content)
        if content > start and self.paragraph and _ITEM.search(text, start, content):
            self.boundary(start)  # a new list item starts a block
        for attr in _ATTR_LIST.finditer(text, content, end):
            # attr_list puts what is inside into the HTML (a title is shown on hover, an id is in
            # the page's URL): only the braces are markup
            opening = 2 if text[attr.start() + 1] == ":" else 1
            builder.hide(attr.start(), attr.start() + opening)
            builder.hide(attr.end() - 1, attr.end())
        heading = _ATX.match(text, content, end)
        if heading:
            self.boundary(start)
            builder.hide(content, heading.end())
            close = _ATX_CLOSE.search(text, heading.end(), end)
            if close:
                builder.hide(close.start(), close.end())
            self.code += mark_inline(builder, heading.end(), end, labels=self.labels)
            builder.scope(heading.end(), end, Scope.HEADING)
            builder.brk(end)
            return
        if self.paragraph:
            self.paragraph = (self.paragraph[0], end)
        else:
            self.paragraph = (content, end)


def markdown_layers(path: str, text: str) -> tuple[Layer, ...]:
    """Layers of a Markdown page (see `screen.source.layers`)."""
    builder = LayerBuilder(text)
    front = split_front_matter(path, text)
    body_start = 0
    if front is not None:
        body_start = front.end
        builder.hide(0, front.end)
        mark_yaml(builder, path, text, front.start, front.content_end, title_key="title")
        builder.brk(front.end - 1)
    lines = _lines(text, body_start)
    fenced: list[tuple[int, int]] = []
    blocks = _Blocks(builder)
    index = 0
    while index < len(lines):
        start, end = lines[index]
        fence = _FENCE.match(text, start, end)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            after = blocks.fence(lines, index, fence.group(1))
            fenced.append((start, lines[after - 1][1]))
            index = after
            continue
        blocks.line(start, end)
        index += 1
    blocks.flush()
    blocks.end_table()
    for start, content_end, end in _comments(text, lines, sorted(fenced + blocks.code)):
        builder.hide(start, end)
        builder.show(start + 4, content_end, Scope.HTML_COMMENT)
    return builder.build()
