"""Turn the bytes of a published file into a `Document`: its text and its screening layers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from screen.errors import InputError
from screen.i18n import _
from screen.model import Scope
from screen.source.attachments import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, extract
from screen.source.delimited import DELIMITED_SUFFIXES, delimited_layers, delimiter_of
from screen.source.frontmatter import front_matter_values, mark_yaml, split_front_matter
from screen.source.htmlview import Construct, View, decode_declared, parse_view, style_view
from screen.source.inline import CommentEnds, mark_inline
from screen.source.layers import Cell, Layer, LayerBuilder
from screen.source.markdown import markdown_layers
from screen.source.reading import MAX_BYTES
from screen.source.rendering import DEFAULT_SETUP, MarkdownSetup, reads_as_written, render
from screen.source.tables import BLANK_LINE, TableRows, field_layers
from screen.source.views import Shared, narrow

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".svg", ".xml"})
_XML_SUFFIXES = frozenset({".xhtml", ".svg", ".xml"})
YAML_SUFFIXES = frozenset({".yml", ".yaml"})
# Text formats: a NUL byte in one of these is a broken file (exit 2), not a binary type.
TEXT_SUFFIXES = (
    MARKDOWN_SUFFIXES | HTML_SUFFIXES | YAML_SUFFIXES | DELIMITED_SUFFIXES | {".txt", ".json", ".css", ".js"}
)
ARCHIVE_SUFFIXES = frozenset(
    {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".iso", ".arj", ".lzh"}
)
LEGACY_OFFICE_SUFFIXES = frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".vsd"})
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    path: str
    text: str  # decoded source (or an attachment's extracted text)
    layers: tuple[Layer, ...]
    locations: tuple[str, ...] = ()  # an attachment's: where each line of `text` is in the file
    kind: str = "text"  # or a file type no reader can open (model.FILE_TYPES): screened by file rules
    # The page as a browser parses it (`screen.source.htmlview`), screened next to the source:
    # its lines are the runs a reader meets, `locations` the rendered element of each.
    view: Document | None = None
    # A view's: what the page policy weighs, each at the start of an empty line of its own.
    constructs: tuple[tuple[int, Construct], ...] = ()
    # Pieces of this document the view repeats word for word, dropped from it (`views.narrow`).
    shared: Shared = ()
    markup: str = ""  # a view's: the HTML it was parsed from, when that is not the source itself
    # A view's: [start, end) of each table cell in `text` and its element (`<td>#7`), sorted: a
    # finding in a cell is reported at the cell, not at the row's first element.
    cells: tuple[tuple[int, int, str], ...] = ()
    unrendered: str = ""  # why a page has no rendered view (it is an error to fix: exit 2)


def decode(path: str, data: bytes) -> str:
    """UTF-8 text of `data`, or an error that says how to fix the file."""
    if len(data) > MAX_BYTES:
        raise InputError(
            path,
            _("file is {size:.1f} MB, above the {limit} MB limit; split it into smaller pages").format(
                size=len(data) / 1048576, limit=MAX_BYTES // 1048576
            ),
        )
    if b"\x00" in data[:8192]:
        raise InputError(path, _("binary file (NUL bytes) under a text name; save it as UTF-8 or remove it"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        position = error.start
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            path, _("not valid UTF-8 (at byte {position}); save it as UTF-8").format(position=position)
        ) from None
    raise InputError(
        path,
        _(
            "not valid UTF-8 (at byte {position}); it reads as GBK/GB18030, common for files saved "
            "by Office on Chinese Windows: convert it with `iconv -f GB18030 -t UTF-8 '{path}' > tmp "
            "&& mv tmp '{path}'`, then commit the UTF-8 file"
        ).format(position=position, path=path),
    )


def _sized(path: str, data: bytes, text: str) -> str:
    """`text` decoded from a declared encoding, under the same limits as UTF-8 text."""
    if len(data) > MAX_BYTES or "\x00" in text[:8192]:
        decode(path, data)  # raises the size or binary error
    return text


def _plain_layers(text: str, default: Scope) -> tuple[Layer, ...]:
    builder = LayerBuilder(text, default)
    for match in BLANK_LINE.finditer(text):
        builder.brk(match.start())
    return builder.build()


def _html_layers(text: str) -> tuple[Layer, ...]:
    builder = LayerBuilder(text)
    for match in BLANK_LINE.finditer(text):
        builder.brk(match.start())
    mark_inline(builder, 0, len(text), markdown=False)
    ends = CommentEnds(text)
    start = text.find("<!--")
    while start >= 0:
        content_end, end = ends.at(start)
        builder.hide(start, end)
        builder.show(start + 4, content_end, Scope.HTML_COMMENT)
        start = text.find("<!--", end)
    return builder.build()


def view_document(path: str, view: View, *, markup: bool = True) -> Document:
    """The runs of a parsed page as a document: one run a line, nothing matches across lines.
    With `markup` (a page, not the theme), each construct follows as an empty line, so a finding
    of the page policy has the element for its location. A table's row is a run; its cells are
    recorded as the table's (`screen.source.tables`)."""
    texts = [" ".join(run.text.splitlines()) for run in view.runs]
    constructs = view.constructs if markup else ()
    text = "\n".join(texts + [""] * len(constructs))
    builder = LayerBuilder(text)
    rows = TableRows()
    cells: list[tuple[int, int, str]] = []
    cursor = 0
    for run, line in zip(view.runs, texts, strict=True):
        builder.scope(cursor, cursor + len(line), run.scope)
        if len(line) == len(run.text):  # a line break read as a space keeps the offsets
            for cell in run.cells:
                place = Cell(
                    start=cursor + cell.start, end=cursor + cell.end, column=cell.column, label=cell.heading
                )
                rows.add((cell.table, cell.row), place)
                if cell.where:
                    cells.append((place.start, place.end, cell.where))
        cursor += len(line)
        builder.brk(cursor)
        cursor += 1
    for table in rows.tables():
        builder.table(table)
    placed = []
    for construct in constructs:
        placed.append((cursor, construct))
        cursor += 1
    return Document(
        path=path,
        text=text,
        layers=builder.build(),
        locations=tuple(run.where for run in view.runs) + tuple(c.where for c in constructs),
        constructs=tuple(placed),
        cells=tuple(sorted(cells)),
    )


def _with_view(
    path: str, text: str, layers: tuple[Layer, ...], view: View, markup: bool, html: str = ""
) -> Document:
    narrowed, shared = narrow(layers, view)
    rendered = replace(view_document(path, narrowed, markup=markup), markup=html)
    return Document(path=path, text=text, layers=layers, view=rendered, shared=shared)


def _yaml_layers(path: str, text: str, scope: Scope) -> tuple[Layer, ...]:
    builder = LayerBuilder(text, scope)
    builder.hide(0, len(text))
    mark_yaml(builder, path, text, 0, len(text), title_key=None, scope=scope)
    return builder.build()


def name_document(path: str) -> Document:
    """The name of the file at `path` (folders included) as a document of its own: MkDocs turns
    names into URLs, navigation section titles and the title of a page that has none. Nothing
    matches across a `/`, as each folder is its own menu entry."""
    builder = LayerBuilder(path, Scope.PATH)
    for index, char in enumerate(path):
        if char == "/":
            builder.brk(index)
    return Document(path=path, text=path, layers=builder.build(), locations=("file name",))


def file_kind(suffix: str, data: bytes) -> str:
    """`text` for what a reader can open; otherwise the type file rules decide on: an archive or
    an old binary Office document by its extension or its first bytes, or any other binary."""
    if suffix in ARCHIVE_SUFFIXES:
        return "archive"
    if suffix in LEGACY_OFFICE_SUFFIXES:
        return "legacy_office"
    if suffix in TEXT_SUFFIXES or suffix in IMAGE_SUFFIXES or suffix in DOCUMENT_SUFFIXES:
        return "text"
    if data.startswith(_ARCHIVE_MAGIC):
        return "archive"
    if data.startswith(_OLE_MAGIC):
        return "legacy_office"
    return "binary" if b"\x00" in data[:8192] else "text"


def read_document(
    path: str,
    data: bytes,
    *,
    config: bool = False,
    markup: bool = True,
    markdown: MarkdownSetup = DEFAULT_SETUP,
) -> Document:
    """A `Document` for `path` (used only to choose the format and name the file in messages).

    `config` marks the MkDocs configuration, whose strings are screened with scope `config`.
    `markup` says the page policy applies (a page or a file under the docs folder); the theme's
    templates and a built page, whose markup is the theme's, are screened without it.
    `markdown` is how the portal renders its pages (MkDocs' defaults outside a portal)."""
    suffix = PurePosixPath(path).suffix.lower()
    kind = "text" if config else file_kind(suffix, data)
    if kind != "text":
        layers = _plain_layers("", Scope.ATTACHMENT)
        return Document(path=path, text="", layers=layers, locations=("whole file",), kind=kind)
    if suffix in IMAGE_SUFFIXES or suffix in DOCUMENT_SUFFIXES:
        if len(data) > MAX_BYTES:
            decode(path, data)  # raises the size error
        fields = extract(path, suffix, data)
        text, layers = field_layers(fields)
        return Document(path=path, text=text, layers=layers, locations=tuple(f.location for f in fields))
    declared = decode_declared(path, data, xml=suffix in _XML_SUFFIXES) if suffix in HTML_SUFFIXES else None
    text = decode(path, data) if declared is None else _sized(path, data, declared)
    if config:
        return Document(path=path, text=text, layers=_yaml_layers(path, text, Scope.CONFIG))
    return _text_document(path, suffix, text, markup, markdown)


def _strings(value: object) -> list[str]:
    """Every string in front matter read as data (keys are names, not shown)."""
    found: list[str] = []
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            found.append(current)
        elif isinstance(current, Mapping):
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return found


def _markdown_document(path: str, text: str, markup: bool, markdown: MarkdownSetup) -> Document:
    """A page, with the view of it rendered as MkDocs renders it unless it reads as written."""
    front = split_front_matter(path, text)
    layers = markdown_layers(path, text)
    body = text[front.end :] if front else text
    if reads_as_written(text, markdown):
        return Document(path=path, text=text, layers=layers)
    try:
        # The theme writes front-matter values into the page as HTML (Material's <h1> and
        # <title> show `title` unescaped): they are read as the browser reads them.
        values = "".join(f"<div>{value}</div>" for value in _strings(front_matter_values(path, text)))
        html = render(path, body, markdown) + values
        page = parse_view(html)
    except InputError as error:  # the source is still screened; the error stops the page
        return Document(path=path, text=text, layers=layers, unrendered=error.reason)
    return _with_view(path, text, layers, page, markup, html)


def _text_document(path: str, suffix: str, text: str, markup: bool, markdown: MarkdownSetup) -> Document:
    """A text file by its format: pages and markup with their rendered view, the rest as read."""
    if suffix in MARKDOWN_SUFFIXES:
        return _markdown_document(path, text, markup, markdown)
    if suffix in HTML_SUFFIXES:
        try:
            page = parse_view(text)
        except InputError as error:
            raise InputError(path, error.reason) from None
        return _with_view(path, text, _html_layers(text), page, markup)
    if suffix in DELIMITED_SUFFIXES:  # a table exported as text: one record a line
        return Document(path=path, text=text, layers=delimited_layers(text, delimiter_of(text, suffix)))
    plain = _plain_layers(text, Scope.ATTACHMENT)
    if suffix in (".css", ".js"):  # a style sheet as read, a script as a whole
        script = View(runs=(), constructs=(Construct(kind="file", name="script", where="whole file"),))
        return _with_view(path, text, plain, style_view(text) if suffix == ".css" else script, markup)
    if suffix in YAML_SUFFIXES:
        return Document(path=path, text=text, layers=_yaml_layers(path, text, Scope.FRONT_MATTER))
    return Document(path=path, text=text, layers=plain)
