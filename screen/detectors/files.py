"""File rules: a file that is neither text nor an attachment Baomi can read (an archive, an old
binary Office document, any other binary) is blocked as a whole, unless its extension is let
through. Nothing inside such a file can be screened, so nothing inside it may be published
unseen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from screen.detectors.analysis import Analysis
from screen.model import Hit, Rule


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
