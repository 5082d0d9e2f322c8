"""What every detector shares about one document, computed once and on demand."""

from __future__ import annotations

from typing import Any

from screen.detectors.lexicon import Lexicon, Match
from screen.detectors.tables import Grid
from screen.model import Rule
from screen.normalize import HIDDEN_RE, Projection, noise_re, numerals_as_digits
from screen.source import Document, read_document


class Analysis:
    """Per-document views shared across detectors (so the document is analysed once)."""

    __slots__ = ("_compact", "_grids", "_visible", "_words", "document", "lexicon", "memo")

    def __init__(self, document: Document, lexicon: Lexicon | None = None) -> None:
        self.document = document
        self.lexicon = lexicon
        self._words: dict[int, dict[str, list[Match]]] = {}
        self._compact: dict[tuple[int, str], Projection] = {}
        self._visible: dict[int, Projection] = {}
        self._grids: dict[tuple[int, str | None], Grid] = {}
        self.memo: dict[str, Any] = {}  # what one detector computes for the document, by name

    def compact(self, layer: int, keep: str = "") -> Projection:
        """Layer text without hidden markup and noise (but the characters of `keep`): what the
        term automaton and the patterns that read gaps like terms read."""
        if (layer, keep) not in self._compact:
            self._compact[layer, keep] = Projection(self.document.layers[layer].text, noise_re(keep))
        return self._compact[layer, keep]

    def words(self, layer: int, kind: str) -> list[Match]:
        """The lexicon's words of `kind` in the layer's compact text (one walk serves all kinds)."""
        if self.lexicon is None:
            return []
        if layer not in self._words:
            self._words[layer] = self.lexicon.matches(self.compact(layer).text)
        return self._words[layer].get(kind, [])

    def visible(self, layer: int) -> Projection:
        """Layer text without hidden markup, numbers written in Chinese numerals read as digits
        (`numerals_as_digits`): what pattern regexes read."""
        if layer not in self._visible:
            text = self.document.layers[layer].text
            self._visible[layer] = Projection(text, HIDDEN_RE, numerals_as_digits)
        return self._visible[layer]

    def grid(self, layer: int, keep: str | None = None) -> Grid:
        """The layer's tables in the coordinates of `visible(layer)`, or of `compact(layer, keep)`
        when `keep` is given (`screen.detectors.tables`)."""
        if (layer, keep) not in self._grids:
            projection = self.visible(layer) if keep is None else self.compact(layer, keep)
            self._grids[layer, keep] = Grid(self.document.layers[layer], projection)
        return self._grids[layer, keep]


def text_example(rule: Rule, text: str) -> Document:
    """A rule's `hits` or `misses` example as a Markdown page: what most kinds' examples are."""
    return read_document("example.md", text.encode("utf-8"))
