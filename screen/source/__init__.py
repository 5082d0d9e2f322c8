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

MAX_BYTES = 32 * 1024 * 1024  # larger files are refused, never passed

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".svg", ".xml"})
YAML_SUFFIXES = frozenset({".yml", ".yaml"})
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?=\n)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    path: str
    text: str  # decoded source (or an attachment's extracted text)
    layers: tuple[Layer, ...]


def decode(path: str, data: bytes) -> str:
    """UTF-8 text of `data`, or an error that says how to fix the file."""
    if len(data) > MAX_BYTES:
        raise InputError(
            path,
            f"file is {len(data) / 1048576:.1f} MB, above the {MAX_BYTES // 1048576} MB limit; "
            "split it into smaller pages",
        )
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file of a type Baomi cannot screen; remove it from content/")
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


def read_document(path: str, data: bytes, *, config: bool = False) -> Document:
    """A `Document` for `path` (used only to choose the format and name the file in messages).

    `config` marks the MkDocs configuration, whose strings are screened with scope `config`."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES or suffix in DOCUMENT_SUFFIXES:
        if len(data) > MAX_BYTES:
            decode(path, data)  # raises the size error
        text = extract(path, suffix, data)
        return Document(path=path, text=text, layers=_plain_layers(text, Scope.ATTACHMENT))
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
