"""Where the source's reading and the browser's reading of a page agree, and where they do not.

Both readings are split into pieces: the source's layers at their breaks (a paragraph, a heading,
an attribute value), the parsed page into its runs. A run whose text, white space collapsed, is
the text of a source piece says nothing new: it is dropped from the view, and that source piece
is *shared*. What is left of the view is screened; its hits are then compared only with the
source hits outside shared pieces (`screen.findings.rendered_only`). So an ordinary page costs
little more than its source, and a finding the browser alone would show is never lost to a
count of the same term elsewhere in the page."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from screen.normalize import BREAK, HIDDEN, fold
from screen.source.htmlview import View
from screen.source.layers import Layer

_SPACE = re.compile(r"\s+")
Shared = tuple[tuple[int, int, int], ...]  # (layer, start, end) of source pieces the view repeats


def _pieces(layer: Layer) -> list[tuple[int, int]]:
    pieces, start = [], 0
    for piece in layer.text.split(BREAK):
        pieces.append((start, start + len(piece)))
        start += len(piece) + 1
    return pieces


def _plain(text: str) -> str:
    return _SPACE.sub(" ", text.replace(HIDDEN, "")).strip()


def narrow(layers: tuple[Layer, ...], view: View) -> tuple[View, Shared]:
    """The view without the runs the source already reads the same, and the source pieces they
    repeat."""
    found: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for number, layer in enumerate(layers):
        for start, end in _pieces(layer):
            plain = _plain(layer.text[start:end])
            if plain:
                found[plain].append((number, start, end))
    kept, shared = [], []
    for run in view.runs:
        candidates = found.get(_plain(fold(" ".join(run.text.split()))))
        if candidates:
            shared.append(candidates.pop(0))
        else:
            kept.append(run)
    return replace(view, runs=tuple(kept)), tuple(sorted(shared))
