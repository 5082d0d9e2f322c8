"""Detectors: one kind per module behind `Detector`, registered in one literal dict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from screen.detectors.analysis import Analysis
from screen.detectors.classification import ClassificationDetector
from screen.detectors.entities import EntityDetector
from screen.detectors.files import FileDetector
from screen.detectors.patterns import PatternDetector
from screen.detectors.terms import TermDetector
from screen.model import Hit, Rule


class Detector(Protocol):
    def detect(self, analysis: Analysis) -> Iterator[Hit]: ...


REGISTRY: dict[str, Callable[[tuple[Rule, ...]], Detector]] = {
    "term": TermDetector,
    "pattern": PatternDetector,
    "entity": EntityDetector,
    "file": FileDetector,
    "classification": ClassificationDetector,
}


def compile_detectors(rules: tuple[Rule, ...]) -> tuple[Detector, ...]:
    """One detector per kind that has enabled rules."""
    detectors = []
    for kind, factory in REGISTRY.items():
        selected = tuple(r for r in rules if r.kind == kind and r.enabled)
        if selected:
            detectors.append(factory(selected))
    return tuple(detectors)
