"""One Aho–Corasick automaton for every kind that looks words up in the compact text: term
dictionaries, replace entries, roster names and titles, and the halves of protected phrases.
The text of each layer is walked once, and each detector reads the matches of its own kind.

A second automaton costs a second walk: over the 20 MB benchmark, a walk costs about as much as
the whole term pass, whatever few words the automaton holds, because every character is looked
at. So the kinds share one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

import ahocorasick

# A match: compact offsets of its first and last character, and the payloads of its kind.
Match = tuple[int, int, tuple[Any, ...]]


@runtime_checkable
class WordSource(Protocol):
    """A detector that looks words up: its kind, and its words with what each one means to it."""

    kind: str

    def words(self) -> Iterable[tuple[str, Any]]: ...


class Lexicon:
    def __init__(self, sources: Iterable[WordSource]) -> None:
        found: dict[str, dict[str, list[Any]]] = {}
        for source in sources:
            for key, payload in source.words():
                found.setdefault(key, {}).setdefault(source.kind, []).append(payload)
        self.automaton = ahocorasick.Automaton()
        for key, kinds in found.items():
            # (length, kind, payloads, kind, payloads, …): one flat tuple, as few objects as the
            # term automaton had before it was shared (100k terms are unpickled at every start).
            entry: list[Any] = [len(key)]
            for kind, payloads in kinds.items():
                entry += [kind, tuple(payloads)]
            self.automaton.add_word(key, tuple(entry))
        self.empty = not found
        if found:
            self.automaton.make_automaton()

    def matches(self, text: str) -> dict[str, list[Match]]:
        """Every word of `text`, by kind (overlapping matches included, in order of their end)."""
        by_kind: dict[str, list[Match]] = {}
        if self.empty:
            return by_kind
        for end, entry in self.automaton.iter(text):
            first = end - entry[0] + 1
            for index in range(1, len(entry), 2):
                by_kind.setdefault(entry[index], []).append((first, end, entry[index + 1]))
        return by_kind
