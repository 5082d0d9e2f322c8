"""Reachability within one history, in memory: which commits each commit reaches (itself
included), as bitsets computed once from the parents, instead of a `git rev-list` per question
(a long history has a sign-off every few commits, and each asks)."""

from __future__ import annotations

from collections.abc import Callable

from screen.i18n import _
from screen.vcs import Commit, GitError


class Reach:
    """The commits one commit reaches (itself included), as a bitset over a history's order."""

    __slots__ = ("_bits", "_index")

    def __init__(self, bits: int, index: dict[str, int]) -> None:
        self._bits, self._index = bits, index

    def __contains__(self, sha: object) -> bool:
        at = self._index.get(sha) if isinstance(sha, str) else None
        return at is not None and (self._bits >> at) & 1 == 1

    def __len__(self) -> int:
        return self._bits.bit_count()


class Ancestry:
    """Reachability within one complete history (every parent of a commit in it is in it, as in
    `git log --topo-order` of a ref): computed once from the parents, in memory, instead of a
    `git rev-list` per question. A commit outside the history is asked of `fallback`."""

    def __init__(self, history: list[Commit], fallback: Callable[[str], frozenset[str]]) -> None:
        order = list(reversed(history))  # parents before children
        self._index = {c.sha: at for at, c in enumerate(order)}
        self._fallback = fallback
        self._bits: list[int] = []
        for at, commit in enumerate(order):
            bits = 1 << at
            for parent in commit.parents:
                before = self._index.get(parent)
                if before is None or before >= at:
                    raise GitError(
                        _("the history of {commit} is incomplete or out of order").format(
                            commit=commit.sha[:10]
                        )
                    )
                bits |= self._bits[before]
            self._bits.append(bits)

    def __call__(self, sha: str) -> Reach | frozenset[str]:
        at = self._index.get(sha)
        return self._fallback(sha) if at is None else Reach(self._bits[at], self._index)
