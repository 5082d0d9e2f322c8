"""The gate: one file's facts × verified sign-offs × policy → its clearance state. Pure.

A file is cleared when a valid sign-off (good signature by a trusted, current signer, reachable
from the published ref) names its exact path and blob, its signers cover every required role as
different people, none of them changed the file since its last cleared version, and no blocking
finding under the current rules is left unwaived."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from screen.model import Finding
from screen.signers import Signer, roles_covered
from screen.signoff import SignOffMessage

STATES = (
    "cleared",
    "unsigned",
    "stale",
    "bad-signature",
    "untrusted-signer",
    "self-approved",
    "missing-role",
    "blocked",
    "error",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedSignOff:
    sha: str
    message: SignOffMessage
    committed: datetime.datetime
    signer: Signer | None  # the trusted signer, when the signature verified
    problem: str = ""  # why it does not count ("" when it does)
    state: str = ""  # bad-signature | untrusted-signer, when it does not count
    touches: tuple[str, ...] = ()  # files the sign-off commit itself changed

    def names(self, path: str, blob: str, sha256: str = "") -> bool:
        return any(
            c.path == path and c.blob == blob and (not sha256 or c.sha256 == sha256)
            for c in self.message.cleared
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFacts:
    path: str
    blob: str
    sha256: str
    roles: tuple[str, ...]  # every role the policy requires for this file
    blocking: tuple[Finding, ...] = ()  # blocking findings under the current rules
    authors: frozenset[str] = frozenset()  # emails of who changed it since its last clearance
    author_keys: frozenset[str] = frozenset()  # fingerprints of keys that signed those changes
    not_in_force: str = ""  # a rules file whose version the chain of trust did not accept: why
    error: str = ""
    classification: str = ""  # a page's recorded level, described (公开, 机密★5年（… 定密）)
    withheld: str = ""  # why its classification keeps it from publication ("" when public)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStatus:
    path: str
    state: str
    reasons: tuple[str, ...] = ()
    signoffs: tuple[VerifiedSignOff, ...] = ()  # the ones that clear it
    classification: str = ""  # a page's level as its front matter records it (公开, 机密★5年 …)

    @property
    def publishable(self) -> bool:
        return self.state == "cleared"


def wrote(signer: Signer, emails: frozenset[str], keys: frozenset[str]) -> bool:
    """Whether `signer` made a change whose author `emails` and signing `keys` are given. An
    email is anyone's to claim; a key that signed the change ties it to its holder."""
    return bool(set(signer.emails) & emails or signer.fingerprints & keys)


def _short(sha: str) -> str:
    return sha[:10]


def _blocked(facts: FileFacts, waived: set[str]) -> tuple[str, ...]:
    return tuple(
        f"{f.path}:{f.line}:{f.column}: {f.rule} ({f.excerpt}) blocks; remove it, or a reviewer may "
        f"waive it: baomi sign {f.path} --waive {f.fingerprint} --reason '…'"
        for f in facts.blocking
        if f.fingerprint not in waived
    )


def _not_named(facts: FileFacts, signoffs: list[VerifiedSignOff]) -> FileStatus:
    for signoff in signoffs:
        if signoff.problem:
            continue
        for cleared in signoff.message.cleared:
            if cleared.path == facts.path:
                reason = (
                    f"changed after its sign-off in {_short(signoff.sha)}: a sign-off binds the "
                    "exact bytes; ask a reviewer to sign the new version"
                )
            elif cleared.blob == facts.blob:
                reason = (
                    f"these bytes were signed as {cleared.path} in {_short(signoff.sha)}: a "
                    "sign-off binds path and bytes; sign again after a rename"
                )
            else:
                continue
            return FileStatus(path=facts.path, state="stale", reasons=(reason,))
    return FileStatus(
        path=facts.path,
        state="unsigned",
        reasons=(
            f"no sign-off names these bytes; a reviewer with role {', '.join(facts.roles)} "
            f"runs `baomi sign {facts.path}`",
        ),
    )


def decide(facts: FileFacts, signoffs: list[VerifiedSignOff]) -> FileStatus:
    """The state of one file (see `STATES`); `signoffs` are newest first."""
    return replace(_decide(facts, signoffs), classification=facts.classification)


def _decide(facts: FileFacts, signoffs: list[VerifiedSignOff]) -> FileStatus:
    # an unreadable file, or a classified page: no sign-off and no waiver publishes it
    if facts.error or facts.withheld:
        state = "error" if facts.error else "blocked"
        return FileStatus(path=facts.path, state=state, reasons=(facts.error or facts.withheld,))
    exact = [s for s in signoffs if s.names(facts.path, facts.blob, facts.sha256)]
    counting = [s for s in exact if not s.problem and facts.path not in s.touches]
    own = [s for s in counting if s.signer and wrote(s.signer, facts.authors, facts.author_keys)]
    fair = [s for s in counting if s not in own]
    # A waiver is a reviewer's decision: it counts only from a fair sign-off by a signer who holds
    # a role this file requires (a listed drafter's signed waiver is not one).
    deciders = [s for s in fair if s.signer and s.signer.roles & set(facts.roles)]
    waived = {w.fingerprint for s in deciders for w in s.message.waivers}
    blocked = _blocked(facts, waived)
    if blocked:
        return FileStatus(path=facts.path, state="blocked", reasons=blocked)
    people = [s.signer for s in fair if s.signer]
    if people and roles_covered(facts.roles, people):
        if facts.not_in_force:  # signed, but not by those in force before the change
            return FileStatus(path=facts.path, state="untrusted-signer", reasons=(facts.not_in_force,))
        return FileStatus(path=facts.path, state="cleared", signoffs=tuple(fair))
    if not exact:
        return _not_named(facts, signoffs)
    return _short_of_clearance(facts, exact, counting, own, people)


def _short_of_clearance(
    facts: FileFacts,
    exact: list[VerifiedSignOff],
    counting: list[VerifiedSignOff],
    own: list[VerifiedSignOff],
    people: list[Signer],
) -> FileStatus:
    """Signed, but not enough: bad signatures, self-approval or a missing role."""
    if not counting:
        first = next((s for s in exact if s.problem), exact[0])
        state = first.state or "bad-signature"
        reason = (
            first.problem
            or f"sign-off {_short(first.sha)} changes the file it clears; sign in an empty commit"
        )
        return FileStatus(path=facts.path, state=state, reasons=(f"sign-off {_short(first.sha)}: {reason}",))
    # Self-approval is the reason only when the self-approver could otherwise have cleared it; a
    # signer without any required role is short of a role whoever wrote the file.
    if own and not people and any(s.signer and s.signer.roles & set(facts.roles) for s in own):
        names = ", ".join(sorted({s.signer.name for s in own if s.signer}))
        return FileStatus(
            path=facts.path,
            state="self-approved",
            reasons=(f"signed by {names}, who also changed it: a reviewer never clears their own writing",),
        )
    have = sorted({role for p in people for role in p.roles})
    reasons = [
        f"needs roles {', '.join(facts.roles)} from different people; signed so far by "
        f"{', '.join(sorted({p.name for p in people})) or 'nobody eligible'} "
        f"({', '.join(have) or 'no role'})"
    ]
    if own:
        names = ", ".join(sorted({s.signer.name for s in own if s.signer}))
        reasons.append(f"the sign-off of {names} does not count: they also changed the file")
    return FileStatus(path=facts.path, state="missing-role", reasons=tuple(reasons))


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusResult:
    files: tuple[FileStatus, ...]
    trust_problems: tuple[str, ...]
    rules_fingerprint: str

    @property
    def publishable(self) -> bool:
        return all(f.publishable for f in self.files)
