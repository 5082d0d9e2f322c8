"""The gate: one file's facts × verified sign-offs × policy → its clearance state. Pure.

A file is cleared when a valid sign-off (good signature by a trusted, current signer, reachable
from the published ref) names its exact path and blob, its signers cover every required role as
different people, none of them changed the file since its last cleared version, and no blocking
finding under the current rules is left unwaived (which waivers count: `screen.signoff.waivers`)."""

from __future__ import annotations

from dataclasses import replace

from screen.signoff.records import FileFacts, FileStatus, VerifiedSignOff
from screen.signoff.signers import Signer, enough_people, roles_covered
from screen.signoff.waivers import counts, fair, waived


def _short(sha: str) -> str:
    return sha[:10]


def _who(roles: tuple[str, ...]) -> str:
    """Who must run `baomi sign`, saying so when it takes different people."""
    if len(roles) == 1:
        return f"a reviewer with role {roles[0]} runs"
    return f"{len(roles)} different reviewers, one with each role ({', '.join(roles)}), each run"


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
            if cleared.path == facts.path and facts.deleted:
                reason = (
                    f"deleted since its sign-off in {_short(signoff.sha)}: its last cleared version "
                    f"stays in force until a reviewer with role {', '.join(facts.roles)} clears the "
                    f"deletion: baomi sign {facts.path}"
                )
            elif cleared.path == facts.path:
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
        reasons=(f"no sign-off names these bytes; {_who(facts.roles)} `baomi sign {facts.path}`",),
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
    valid = [s for s in exact if counts(s, facts)]
    own = [s for s in valid if not fair(s, facts)]
    cleared_by = [s for s in valid if fair(s, facts)]
    blocked = _blocked(facts, set(waived(facts, signoffs)))
    if blocked:
        return FileStatus(path=facts.path, state="blocked", reasons=blocked)
    people = [s.signer for s in cleared_by if s.signer]
    if enough_people(facts.roles, people, bool(facts.unproven)):
        if facts.not_in_force:  # signed, but not by those in force before the change
            return FileStatus(path=facts.path, state="untrusted-signer", reasons=(facts.not_in_force,))
        return FileStatus(path=facts.path, state="cleared", signoffs=tuple(cleared_by))
    short = (
        _not_named(facts, signoffs) if not exact else _short_of_clearance(facts, exact, valid, own, people)
    )
    if facts.stuck and short.state in ("unsigned", "stale", "self-approved", "missing-role"):
        return replace(short, reasons=(facts.stuck, *short.reasons))
    return short


def _short_of_clearance(
    facts: FileFacts,
    exact: list[VerifiedSignOff],
    valid: list[VerifiedSignOff],
    own: list[VerifiedSignOff],
    people: list[Signer],
) -> FileStatus:
    """Signed, but not enough: bad signatures, self-approval or a missing role."""
    ended = next((facts.ending(s.sha) for s in exact if facts.ending(s.sha)), "")
    if not valid and ended and all(facts.ending(s.sha) or s.problem for s in exact):
        return FileStatus(path=facts.path, state="unsigned", reasons=(ended,))
    if not valid:
        first = next((s for s in exact if s.problem), exact[0])
        state = first.state or "bad-signature"
        reason = (
            first.problem
            or f"sign-off {_short(first.sha)} changes the file it clears; sign in an empty commit"
        )
        return FileStatus(path=facts.path, state=state, reasons=(f"sign-off {_short(first.sha)}: {reason}",))
    # Self-approval is the reason only when the self-approver could otherwise have cleared it; a
    # signer without any required role is short of a role whoever wrote the file.
    if own and not people and any(s.signer and s.signer.may & set(facts.roles) for s in own):
        names = ", ".join(sorted({s.signer.name for s in own if s.signer}))
        return FileStatus(
            path=facts.path,
            state="self-approved",
            reasons=(f"signed by {names}, who also changed it: a reviewer never clears their own writing",),
        )
    have = sorted({role for p in people for role in p.roles})
    if people and roles_covered(facts.roles, people):  # short of a second leader only
        unproven = ", ".join(_short(sha) for sha in facts.unproven[:3])
        return FileStatus(
            path=facts.path,
            state="missing-role",
            reasons=(
                f"changed in {unproven} by a commit no key in rules/signers.yml signed: who wrote it "
                "is not proven (policy authors: signed), so two different leaders must clear it; "
                f"signed so far by {', '.join(sorted({p.name for p in people}))}",
            ),
        )
    reasons = [
        f"needs roles {', '.join(facts.roles)} from different people; signed so far by "
        f"{', '.join(sorted({p.name for p in people})) or 'nobody eligible'} "
        f"({', '.join(have) or 'no role'})"
    ]
    if own:
        names = ", ".join(sorted({s.signer.name for s in own if s.signer}))
        reasons.append(f"the sign-off of {names} does not count: they also changed the file")
    return FileStatus(path=facts.path, state="missing-role", reasons=tuple(reasons))
