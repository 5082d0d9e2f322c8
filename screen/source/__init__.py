"""Turn the bytes of a published file into a `Document`: its text and its screening layers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from screen.errors import InputError
from screen.model import Scope
from screen.source.attachments import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, extract
from screen.source.frontmatter import mark_yaml
from screen.source.inline import CommentEnds, mark_inline
from screen.source.layers import Layer, LayerBuilder
from screen.source.markdown import markdown_layers
from screen.source.reading import MAX_BYTES

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".svg", ".xml"})
YAML_SUFFIXES = frozenset({".yml", ".yaml"})
# Text formats: a NUL byte in one of these is a broken file (exit 2), not a binary type.
TEXT_SUFFIXES = MARKDOWN_SUFFIXES | HTML_SUFFIXES | YAML_SUFFIXES | {".txt", ".csv", ".json", ".css", ".js"}
ARCHIVE_SUFFIXES = frozenset(
    {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".iso", ".arj", ".lzh"}
)
LEGACY_OFFICE_SUFFIXES = frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".vsd"})
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?=\n)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    path: str
    text: str  # decoded source (or an attachment's extracted text)
    layers: tuple[Layer, ...]
    locations: tuple[str, ...] = ()  # an attachment's: where each line of `text` is in the file
    kind: str = "text"  # or a file type no reader can open (model.FILE_TYPES): screened by file rules


def decode(path: str, data: bytes) -> str:
    """UTF-8 text of `data`, or an error that says how to fix the file."""
    if len(data) > MAX_BYTES:
        raise InputError(
            path,
            f"file is {len(data) / 1048576:.1f} MB, above the {MAX_BYTES // 1048576} MB limit; "
            "split it into smaller pages",
        )
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file (NUL bytes) under a text name; save it as UTF-8 or remove it")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = f"at byte {error.start}"
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(path, f"not valid UTF-8 ({where}); save it as UTF-8") from None
    raise InputError(
        path,
        f"not valid UTF-8 ({where}); it reads as GBK/GB18030, common for files saved by Office on "
        f"Chinese Windows: convert it with `iconv -f GB18030 -t UTF-8 '{path}' > tmp && mv tmp "
        f"'{path}'`, then commit the UTF-8 file",
    )


def _plain_layers(text: str, default: Scope) -> tuple[Layer, ...]:
    builder = LayerBuilder(text, default)
    for match in _BLANK_LINE.finditer(text):
        builder.brk(match.start())
    return builder.build()


def _html_layers(text: str) -> tuple[Layer, ...]:
    builder = LayerBuilder(text)
    for match in _BLANK_LINE.finditer(text):
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


def read_document(path: str, data: bytes, *, config: bool = False) -> Document:
    """A `Document` for `path` (used only to choose the format and name the file in messages).

    `config` marks the MkDocs configuration, whose strings are screened with scope `config`."""
    suffix = PurePosixPath(path).suffix.lower()
    kind = "text" if config else file_kind(suffix, data)
    if kind != "text":
        layers = _plain_layers("", Scope.ATTACHMENT)
        return Document(path=path, text="", layers=layers, locations=("whole file",), kind=kind)
    if suffix in IMAGE_SUFFIXES or suffix in DOCUMENT_SUFFIXES:
        if len(data) > MAX_BYTES:
            decode(path, data)  # raises the size error
        fields = extract(path, suffix, data)
        text = "\n".join(f.text for f in fields)
        layers = _plain_layers(text, Scope.ATTACHMENT)
        return Document(path=path, text=text, layers=layers, locations=tuple(f.location for f in fields))
    text = decode(path, data)
    if config:
        layers = _yaml_layers(path, text, Scope.CONFIG)
    elif suffix in MARKDOWN_SUFFIXES:
        layers = markdown_layers(path, text)
    elif suffix in HTML_SUFFIXES:
        layers = _html_layers(text)
    elif suffix in YAML_SUFFIXES:
        layers = _yaml_layers(path, text, Scope.FRONT_MATTER)
    else:
        layers = _plain_layers(text, Scope.ATTACHMENT)
    return Document(path=path, text=text, layers=layers)
