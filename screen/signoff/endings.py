"""What ends a clearance (撤稿): deleting a published file, and a leader's `baomi revoke` record.

A clearance ends for every sign-off the ending commit builds on (reachable from it): a page
deleted and later re-added with the same bytes, or taken down by a revocation record, needs a
new sign-off. A revocation counts when a signer in force, holding a role the file requires,
sealed it where it stands (`trust.sealed_here`) in a commit that changes nothing published."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from screen.i18n import _
from screen.signoff.message import REVOKED, parse_revocation, revocation_payload
from screen.signoff.signers import RULES_FOLDER
from screen.signoff.trust import Trust, judge_signature, not_before, sealed_here
from screen.vcs import Commit, Repository


@dataclass(frozen=True, slots=True, kw_only=True)
class Ending:
    commit: str
    committed: datetime.datetime
    path: str
    kind: str  # deleted | revoked
    who: str = ""  # the leader who revoked it
    reason: str = ""

    def describe(self) -> str:
        day = self.committed.date().isoformat()
        if self.kind == "deleted":
            return _(
                "deleted in {commit} ({day}), which ends every earlier clearance of it: "
                "the file now here needs a new sign-off"
            ).format(commit=self.commit[:10], day=day)
        return _(
            "taken down by {name} in {commit} ({day}): {reason}; a new sign-off publishes it again"
        ).format(name=self.who, commit=self.commit[:10], day=day, reason=self.reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class Endings:
    by_path: dict[str, list[Ending]]  # newest first
    refused: list[tuple[Commit, str]]  # revocation records that do not count, and why


def read_endings(
    repo: Repository,
    head: str,
    trust: Trust,
    published: frozenset[str],
    roles: Callable[[str], tuple[str, ...]],
    dates: dict[str, datetime.datetime],
) -> Endings:
    """Deletions and verified revocations of the files published now, in the history of `head`."""
    found: dict[str, list[Ending]] = {}
    refused: list[tuple[Commit, str]] = []
    if published:
        folders = sorted({p.split("/", 1)[0] for p in published})  # a pathspec per file is slow
        for sha, when, path in repo.deletions(head, folders):
            if path in published:
                found.setdefault(path, []).append(
                    Ending(commit=sha, committed=when, path=path, kind="deleted")
                )
    for commit in repo.log(head, trust.allowed, grep=f"{REVOKED}:"):
        record = parse_revocation(commit.message)
        if record is None or record.path not in published:
            continue
        signer, problem = judge_signature(commit, trust.signers, not_before(commit, dates))
        problem = problem or sealed_here(
            commit, record.parent, record.seal, revocation_payload(record), "revocation"
        )
        touched = [p for p in commit.paths if p in published or p.startswith(RULES_FOLDER)]
        if not problem and touched:
            problem = _("the revocation commit changes published files; revoke in an empty commit")
        if not problem and signer is not None and not signer.may & set(roles(record.path)):
            problem = _("{name} holds no role {path} requires ({roles})").format(
                name=signer.name, path=record.path, roles=trust.policy.names(roles(record.path))
            )
        if problem or signer is None:
            refused.append((commit, problem))
            continue
        ending = Ending(
            commit=commit.sha,
            committed=commit.committed,
            path=record.path,
            kind="revoked",
            who=signer.name,
            reason=record.reason,
        )
        found.setdefault(record.path, []).append(ending)
    for endings in found.values():
        endings.sort(key=lambda e: e.committed, reverse=True)
    return Endings(by_path=found, refused=refused)
