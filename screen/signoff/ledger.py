"""The ledger: which sign-offs fairly cleared which version of a file, and so who wrote a version
since its last fair clearance. Built from the history of the published ref and its verified
sign-offs; it asks nothing of git but reachability, so it can be tested with records alone.

Authorship starts over at a fair clearance only: a self-approved, role-less or made-up "previous
clearance" ends nobody's authorship and is nothing to diff against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from screen.signoff.message import Cleared
from screen.signoff.records import VerifiedSignOff, wrote
from screen.signoff.signers import enough_people
from screen.vcs import Commit


class Ancestors(Protocol):
    """The commits a commit reaches: a set, or `screen.vcs.Reach`."""

    def __contains__(self, sha: object, /) -> bool: ...


Reachable = Callable[[str], Ancestors]


class _Except:
    """The commits `reach` holds but `sha`."""

    def __init__(self, reach: Ancestors, sha: str) -> None:
        self._reach, self._sha = reach, sha

    def __contains__(self, sha: object, /) -> bool:
        return sha != self._sha and sha in self._reach


_NOTHING: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Authorship:
    """Who changed a file since its last fair clearance, and that clearance (if any)."""

    emails: frozenset[str]
    keys: frozenset[str]
    previous: tuple[str, Cleared] | None  # (sign-off commit, the version it cleared)
    unproven: tuple[str, ...] = ()  # changes no listed key signed (policy `authors: signed`)


# git's %G? of a signature that verifies cryptographically: G (key allowed), U (key not listed in
# the allowed-signers file git was given); whose key it is, the signers file says.
_VERIFIES = frozenset({"G", "U"})


@dataclass(kw_only=True)
class Ledger:
    history: list[Commit]  # of the published ref, newest first
    signoffs: list[VerifiedSignOff]  # verified, newest first
    reachable: Reachable  # every commit reachable from a commit (itself included)
    signed_authors: bool = False  # policy `authors: signed`: a change's author is its key's owner
    known_keys: frozenset[str] = frozenset()  # fingerprints of every listed signer's keys
    _reach: dict[str, Ancestors] = field(default_factory=dict)
    _fair: dict[tuple[str, str, str, tuple[str, ...]], bool] = field(default_factory=dict)
    _index: tuple[dict[str, list[VerifiedSignOff]], dict[str, list[Commit]]] | None = None

    def _indexed(self) -> tuple[dict[str, list[VerifiedSignOff]], dict[str, list[Commit]]]:
        """Sign-offs (newest first) by the paths they name, and changes by the paths they change:
        each question about one file reads only what concerns it."""
        if self._index is None:
            naming: dict[str, list[VerifiedSignOff]] = {}
            for signoff in self.signoffs:
                for path in dict.fromkeys(c.path for c in signoff.message.cleared):
                    naming.setdefault(path, []).append(signoff)
            changing: dict[str, list[Commit]] = {}
            for commit in self.history:
                for path in commit.paths:
                    changing.setdefault(path, []).append(commit)
            self._index = naming, changing
        return self._index

    def named_paths(self) -> list[str]:
        """Every path a verified sign-off names, in order."""
        return sorted(self._indexed()[0])

    def naming(self, path: str) -> list[VerifiedSignOff]:
        """The sign-offs that name `path`, newest first."""
        return self._indexed()[0].get(path, [])

    def reach(self, sha: str) -> Ancestors:
        """Every commit reachable from `sha` (itself included), asked of git once."""
        if sha not in self._reach:
            self._reach[sha] = self.reachable(sha)
        return self._reach[sha]

    def changers(
        self, path: str, base: Ancestors, within: Ancestors | None = None
    ) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
        """Author emails and signing keys of the changes to `path` after `base` (within
        `within`), and the changes whose author is not proven. Under `authors: signed` only a
        listed key that signed a change names its author (an e-mail is anyone's to claim), and
        a change without one is unproven."""
        changes = [
            c
            for c in self._indexed()[1].get(path, [])
            if c.sha not in base and (within is None or c.sha in within)
        ]
        if not self.signed_authors:
            return frozenset(c.author_email for c in changes), frozenset(c.key for c in changes if c.key), ()
        proven = [c for c in changes if c.signature in _VERIFIES and c.key in self.known_keys]
        unproven = tuple(c.sha for c in changes if c not in proven)
        return frozenset(), frozenset(c.key for c in proven), unproven

    def authorship(self, path: str, blob: str, roles: tuple[str, ...]) -> Authorship:
        """Who changed `path` since the last fair clearance of other bytes than `blob`."""
        previous = self.last_clearance(path, blob, roles)
        base = self.reach(previous[0]) if previous else _NOTHING
        emails, keys, unproven = self.changers(path, base)
        return Authorship(emails=emails, keys=keys, previous=previous, unproven=unproven)

    def last_clearance(
        self, path: str, blob: str, roles: tuple[str, ...], within: Ancestors | None = None
    ) -> tuple[str, Cleared] | None:
        """The newest sign-off (within `within`) that fairly cleared `path` with bytes other than
        `blob`, and the version it cleared."""
        for signoff in self.naming(path):
            other = next((c for c in signoff.message.cleared if c.path == path and c.blob != blob), None)
            if signoff.problem or other is None or (within is not None and signoff.sha not in within):
                continue
            key = (path, signoff.sha, other.blob, roles)
            if key not in self._fair:
                self._fair[key] = self.fairly_cleared(signoff.sha, other, roles)
            if self._fair[key]:
                return signoff.sha, other
        return None

    def fairly_cleared(self, sha: str, version: Cleared, roles: tuple[str, ...]) -> bool:
        """Whether, as of commit `sha`, sign-offs by people holding `roles` cleared `version`, none
        of whom changed the file since the version cleared before it (recursively)."""
        reach = self.reach(sha)
        before = self.last_clearance(version.path, version.blob, roles, _Except(reach, sha))
        emails, keys, unproven = self.changers(
            version.path, self.reach(before[0]) if before else _NOTHING, reach
        )
        people = [
            s.signer
            for s in self.naming(version.path)
            if s.sha in reach and s.signer and not s.problem and version.path not in s.touches
            if s.names(version.path, version.blob, version.sha256) and not wrote(s.signer, emails, keys)
        ]
        return enough_people(roles, people, bool(unproven))
