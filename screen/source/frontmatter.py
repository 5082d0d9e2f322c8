"""YAML text (front matter, mkdocs.yml): every scalar value is published; keys are not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import yaml

from screen.errors import InputError
from screen.i18n import _
from screen.model import Scope
from screen.source.layers import LayerBuilder

_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_DQ_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
# Every single-letter escape of YAML 1.1 double-quoted scalars (PyYAML's table): one left out
# would read as its letter, so `"青松\r计划"` (published as 青松<CR>计划) would hide the term.
_SIMPLE_ESCAPES = {
    "0": "\x00",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "\\": "\\",
    "/": "/",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontMatter:
    start: int  # first character of the YAML text
    content_end: int  # where the closing `---` line starts
    end: int  # first character after the closing line


def split_front_matter(path: str, text: str) -> FrontMatter | None:
    """The `---` fenced YAML block at the very top of a page, if any."""
    opening = _OPEN.match(text)
    if not opening:
        return None
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        raise InputError(
            path,
            _(
                "line 1: front matter opened with '---' is never closed; "
                "add a closing '---' line after the metadata"
            ),
        )
    if closing.end() >= len(text):
        # MkDocs takes the block for front matter only when a newline follows the closing line;
        # without one it renders the page as Markdown, keys and all
        return None
    return FrontMatter(start=opening.end(), content_end=closing.start(), end=closing.end() + 1)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def mark_yaml(
    builder: LayerBuilder,
    path: str,
    text: str,
    start: int,
    end: int,
    title_key: str | None,
    scope: Scope = Scope.FRONT_MATTER,
) -> None:
    """Show every scalar value of the YAML at [start, end) in the reader's layer."""
    offset_line = _line_of(text, start) - 1
    try:
        root = yaml.compose(text[start:end], Loader=yaml.SafeLoader)
    except RecursionError:
        raise InputError(path, _deep(offset_line + 1)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if mark:
            reason = _("line {line}: malformed YAML ({problem}); fix the metadata block").format(
                line=mark.line + 1 + offset_line, problem=problem
            )
        else:
            reason = _("malformed YAML ({problem}); fix the metadata block").format(problem=problem)
        raise InputError(path, reason) from None
    if root is None:
        return
    if scope is Scope.FRONT_MATTER and not isinstance(root, yaml.MappingNode):
        raise InputError(
            path,
            _("line {line}: front matter must be a mapping of keys to values").format(line=offset_line + 1),
        )
    try:
        _walk(builder, text, start, root, scope, title_key, top=True)
    except RecursionError:
        raise InputError(path, _deep(offset_line + 1)) from None


def _deep(line: int) -> str:
    return _("line {line}: the YAML is nested too deeply to read").format(line=line)


def _walk(
    builder: LayerBuilder,
    text: str,
    base: int,
    node: yaml.Node,
    scope: Scope,
    title_key: str | None,
    top: bool = False,
) -> None:
    if isinstance(node, yaml.ScalarNode):
        _mark_scalar(builder, text, base, node, scope)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(builder, text, base, item, scope, title_key)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if scope is Scope.CONFIG:
                # In mkdocs.yml, keys are published too: nav titles are keys (`- 标题: page.md`).
                _walk(builder, text, base, key, scope, title_key)
            value_scope = scope
            if top and title_key and isinstance(key, yaml.ScalarNode) and key.value == title_key:
                value_scope = Scope.TITLE
            _walk(builder, text, base, value, value_scope, title_key)


def _mark_scalar(builder: LayerBuilder, text: str, base: int, node: yaml.ScalarNode, scope: Scope) -> None:
    start = base + node.start_mark.index
    end = base + node.end_mark.index
    if end <= start:
        return
    style = node.style
    if style in ("|", ">"):
        header_end = text.find("\n", start, end)
        start = end if header_end < 0 else header_end + 1
    elif style in ('"', "'"):
        start, end = start + 1, end - 1
    builder.reveal(start, end, scope)
    builder.brk(start - 1)
    if style == '"':
        for match in _DQ_ESCAPE.finditer(text, start, end):
            builder.decode(match.start(), match.end(), _unescape(match.group()))
    elif style == "'":
        for match in re.finditer("''", text[start:end]):
            builder.decode(start + match.start(), start + match.end(), "'")


def _unescape(escape: str) -> str:
    if escape[1] in "xuU":
        return chr(int(escape[2:], 16))
    return _SIMPLE_ESCAPES.get(escape[1], escape[1])


_FAST_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=64)
def front_matter_values(path: str, text: str) -> Mapping[str, object]:
    """The front matter of a page as read-only data ({} when it has none). Read once per text:
    screening (the classification rules) and the sign-off facts (the record, `important`) ask
    the same page's front matter."""
    front = split_front_matter(path, text)
    if front is None:
        return _EMPTY
    try:
        # libyaml when PyYAML has it (ten times faster, the same safe constructors): status reads
        # the front matter of every page
        loaded = yaml.load(text[front.start : front.content_end], Loader=_FAST_SAFE)  # noqa: S506
    except (yaml.YAMLError, RecursionError):
        return _EMPTY  # screening reports the malformed block with its line
    return MappingProxyType(loaded) if isinstance(loaded, dict) else _EMPTY


_EMPTY: Mapping[str, object] = MappingProxyType({})
