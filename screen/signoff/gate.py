"""The gate: one file's facts × verified sign-offs × policy → its clearance state. Pure.

A file is cleared when a valid sign-off (good signature by a trusted, current signer, reachable
from the published ref) names its exact path and blob, its signers cover every required role as
different people, none of them changed the file since its last cleared version, and no blocking
finding under the current rules is left unwaived (which waivers count: `screen.signoff.waivers`)."""

from __future__ import annotations

from dataclasses import replace

from screen.i18n import _, listed
from screen.signoff.records import FileFacts, FileStatus, VerifiedSignOff
from screen.signoff.signers import Signer, enough_people, role_names, roles_covered
from screen.signoff.waivers import counts, fair, waived


def _short(sha: str) -> str:
    return sha[:10]


def _unsigned(facts: FileFacts) -> str:
    """No sign-off names the file: who must run `baomi sign`, saying so when it takes different
    people."""
    roles = facts.roles
    if len(roles) == 1:
        return _(
            "no sign-off names these bytes; a reviewer with role {role} runs `baomi sign {path}`"
        ).format(role=role_names(roles, facts.titles), path=facts.path)
    return _(
        "no sign-off names these bytes; {count} different reviewers, one with each role ({roles}), "
        "each run `baomi sign {path}`"
    ).format(count=len(roles), roles=role_names(roles, facts.titles), path=facts.path)


def _blocked(facts: FileFacts, waived: set[str]) -> tuple[str, ...]:
    return tuple(
        _(
            "{location}: {rule} ({excerpt}) blocks; remove it, or a reviewer may "
            "waive it: baomi sign {path} --waive {fingerprint} --reason '…'"
        ).format(
            location=f"{f.path}:{f.line}:{f.column}",
            rule=f.rule,
            excerpt=f.excerpt,
            path=f.path,
            fingerprint=f.fingerprint,
        )
        for f in facts.blocking
        if f.fingerprint not in waived
    )


def _not_named(facts: FileFacts, signoffs: list[VerifiedSignOff]) -> FileStatus:
    for signoff in signoffs:
        if signoff.problem:
            continue
        for cleared in signoff.message.cleared:
            if cleared.path == facts.path and facts.deleted:
                reason = _(
                    "deleted since its sign-off in {commit}: its last cleared version "
                    "stays in force until a reviewer with role {roles} clears the "
                    "deletion: baomi sign {path}"
                ).format(
                    commit=_short(signoff.sha), roles=role_names(facts.roles, facts.titles), path=facts.path
                )
            elif cleared.path == facts.path:
                reason = _(
                    "changed after its sign-off in {commit}: a sign-off binds the "
                    "exact bytes; ask a reviewer to sign the new version"
                ).format(commit=_short(signoff.sha))
            elif cleared.blob == facts.blob:
                reason = _(
                    "these bytes were signed as {path} in {commit}: a "
                    "sign-off binds path and bytes; sign again after a rename"
                ).format(path=cleared.path, commit=_short(signoff.sha))
            else:
                continue
            return FileStatus(path=facts.path, state="stale", reasons=(reason,))
    return FileStatus(path=facts.path, state="unsigned", reasons=(_unsigned(facts),))


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
        reason = first.problem or _(
            "sign-off {commit} changes the file it clears; sign in an empty commit"
        ).format(commit=_short(first.sha))
        why = _("sign-off {commit}: {reason}").format(commit=_short(first.sha), reason=reason)
        return FileStatus(path=facts.path, state=state, reasons=(why,))
    # Self-approval is the reason only when the self-approver could otherwise have cleared it; a
    # signer without any required role is short of a role whoever wrote the file.
    if own and not people and any(s.signer and s.signer.may & set(facts.roles) for s in own):
        names = listed(sorted({s.signer.name for s in own if s.signer}))
        return FileStatus(
            path=facts.path,
            state="self-approved",
            reasons=(
                _("signed by {names}, who also changed it: a reviewer never clears their own writing").format(
                    names=names
                ),
            ),
        )
    have = sorted({role for p in people for role in p.roles})
    if people and roles_covered(facts.roles, people):  # short of a second leader only
        unproven = ", ".join(_short(sha) for sha in facts.unproven[:3])
        return FileStatus(
            path=facts.path,
            state="missing-role",
            reasons=(
                _(
                    "changed in {commits} by a commit no key in rules/signers.yml signed: who wrote it "
                    "is not proven (policy authors: signed), so two different leaders must clear it; "
                    "signed so far by {names}"
                ).format(commits=unproven, names=listed(sorted({p.name for p in people}))),
            ),
        )
    reasons = [
        _("needs roles {roles} from different people; signed so far by {names} ({held})").format(
            roles=role_names(facts.roles, facts.titles),
            names=listed(sorted({p.name for p in people})) or _("nobody eligible"),
            held=role_names(have, facts.titles) or _("no role"),
        )
    ]
    if own:
        names = listed(sorted({s.signer.name for s in own if s.signer}))
        reasons.append(
            _("the sign-off of {names} does not count: they also changed the file").format(names=names)
        )
    return FileStatus(path=facts.path, state="missing-role", reasons=tuple(reasons))
