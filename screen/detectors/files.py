"""File rules: a file that is neither text nor an attachment Baomi can read (an archive, an old
binary Office document, any other binary) is blocked as a whole, unless its extension is let
through. Nothing inside such a file can be screened, so nothing inside it may be published
unseen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from screen.detectors.analysis import Analysis
from screen.i18n import N_, _, listed
from screen.model import FILE_TYPES, Hit, Rule
from screen.rulefields import Problems, located, read_strings
from screen.source import Document, read_document

KIND = "file"
NAME = N_("a file rule")  # how messages name a rule of this kind
FIELDS = frozenset({"file_types", "allow_extensions"})
MARKERS = frozenset({"file_types"})


class FileDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        document = analysis.document
        if document.kind == "text":
            return
        suffix = PurePosixPath(document.path).suffix.lower()
        for rule in self.rules:
            if document.kind in rule.file_types and suffix not in rule.allow_extensions:
                yield Hit(rule=rule, start=0, end=0, level=rule.level, key=document.kind)


DETECTOR = FileDetector


def example(rule: Rule, text: str) -> Document:
    """A file rule's examples are file names, each read as a file of a few binary bytes."""
    return read_document(text, b"\x00\x01\x02\x03")


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """`file_types` a file rule blocks and the `allow_extensions` it lets through."""
    types = read_strings(raw, "file_types", located(name, raw, "file_types"), problems)
    for value in types:
        if value not in FILE_TYPES:
            problems.add(
                located(name, raw, "file_types"),
                _("unknown file type {value}; one of {types}").format(
                    value=repr(value), types=listed(FILE_TYPES)
                ),
            )
    if not types:
        problems.add(located(name, raw), _("a file rule needs 'file_types'"))
    allowed = read_strings(raw, "allow_extensions", located(name, raw, "allow_extensions"), problems)
    for value in allowed:
        if not value.startswith(".") or value != value.lower() or len(value) < 2:
            problems.add(
                located(name, raw, "allow_extensions"),
                _("an extension is written lowercase with its dot, like '.woff2' (got {got})").format(
                    got=repr(value)
                ),
            )
    return {"file_types": types, "allow_extensions": allowed}
