"""What every detector shares about one document, computed once and on demand."""

from __future__ import annotations

from screen.model import Rule
from screen.normalize import HIDDEN_RE, Projection, noise_re
from screen.source import Document, read_document


class Analysis:
    """Per-document views shared across detectors (so the document is analysed once)."""

    __slots__ = ("_compact", "_visible", "document")

    def __init__(self, document: Document) -> None:
        self.document = document
        self._compact: dict[tuple[int, str], Projection] = {}
        self._visible: dict[int, Projection] = {}

    def compact(self, layer: int, keep: str = "") -> Projection:
        """Layer text without hidden markup and noise (but the characters of `keep`): what the
        term automaton and the patterns that read gaps like terms read."""
        if (layer, keep) not in self._compact:
            self._compact[layer, keep] = Projection(self.document.layers[layer].text, noise_re(keep))
        return self._compact[layer, keep]

    def visible(self, layer: int) -> Projection:
        """Layer text without hidden markup: what pattern regexes read."""
        if layer not in self._visible:
            self._visible[layer] = Projection(self.document.layers[layer].text, HIDDEN_RE)
        return self._visible[layer]


def text_example(rule: Rule, text: str) -> Document:
    """A rule's `hits` or `misses` example as a Markdown page: what most kinds' examples are."""
    return read_document("example.md", text.encode("utf-8"))
