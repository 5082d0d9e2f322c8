"""The last cleared version stays live: a published page whose working version waits for a
sign-off is built from the bytes a sign-off last cleared (read from git), judged again as it
stands today: screened with today's rules and decided by the gate with its own sign-offs. A page
never cleared, classified above 公开 in its new version, deleted or revoked, or whose last
cleared version today's rules block, is not kept: the invariant wins over availability."""

from __future__ import annotations

from dataclasses import dataclass

from screen.portal import Target
from screen.signoff.facts import file_facts, last_cleared
from screen.signoff.gate import decide
from screen.signoff.records import FileStatus
from screen.signoff.workspace import Workspace

# The states of a working version that may wait while its last cleared version stays up; an
# error (unreadable) and a classified page (blocked by its record) take the page down.
_WAITING = frozenset({"stale", "unsigned", "self-approved", "missing-role", "bad-signature", "blocked"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Live:
    path: str
    data: bytes  # the bytes last cleared
    since: str  # the sign-off commit that cleared them
    waiting: str  # why the working version is not published (its state and first reason)
    status: FileStatus  # the gate's decision on the cleared bytes today (cleared)


@dataclass(frozen=True, slots=True, kw_only=True)
class Down:
    path: str
    why: str  # why the last cleared version is not kept either


def live_version(workspace: Workspace, state: FileStatus) -> Live | Down | None:
    """What of `path` (not publishable now) the site keeps: its last cleared version (`Live`),
    nothing with a reason (`Down`), or None when it was never cleared."""
    if state.publishable or state.state not in _WAITING:
        return None
    (target,) = workspace.select([state.path])
    working = file_facts(workspace, target, [])
    if working.withheld:
        return Down(path=state.path, why=f"its new version is withheld: {working.withheld}")
    previous = last_cleared(workspace, target)
    if previous is None:
        return None
    sha, cleared = previous
    data = workspace.repo.blob(cleared.blob)
    if data is None:
        return Down(path=state.path, why=f"the version cleared in {sha[:10]} is not in this repository")
    old = Target(path=target.path, display=target.display, data=data, theme=target.theme)
    findings, errors = workspace.screen([old])
    facts = file_facts(workspace, old, findings, errors[0].message if errors else "")
    decided = decide(facts, workspace.signoffs_for(state.path, facts.blob))
    if not decided.publishable:
        why = decided.reasons[0] if decided.reasons else decided.state
        return Down(
            path=state.path, why=f"its last cleared version ({sha[:10]}) is {decided.state} today: {why}"
        )
    reason = state.reasons[0] if state.reasons else ""
    return Live(path=state.path, data=data, since=sha, waiting=f"{state.state}: {reason}", status=decided)
