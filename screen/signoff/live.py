"""The last cleared version stays live: a published page whose working version waits for a
sign-off is built from the bytes a sign-off last cleared (read from git), judged again as it
stands today: screened with today's rules and decided by the gate with its own sign-offs. A page
never cleared, classified above 公开 in its new version, deleted or revoked, or whose last
cleared version today's rules block, is not kept: the invariant wins over availability."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from screen.i18n import _
from screen.portal import Target
from screen.signoff.facts import file_facts, last_cleared, roles_for
from screen.signoff.gate import decide
from screen.signoff.records import FileStatus, state_label
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


def _judged(
    workspace: Workspace, target: Target, data: bytes, ended: tuple[tuple[str, str], ...] | None = None
) -> FileStatus:
    """The gate's decision today on `data` as the file `target` names: screened with today's
    rules, with its own sign-offs, revocations and classification (`ended`: what ended its
    clearances, when the file is not in the working tree to have them read)."""
    old = Target(
        path=target.path, display=target.display, data=data, theme=target.theme, config=target.config
    )
    findings, errors = workspace.screen([old])
    facts = file_facts(workspace, old, findings, errors[0].message if errors else "")
    if ended is not None and not errors:
        facts = replace(facts, ended=ended)
    return decide(facts, workspace.signoffs_for(target.display, facts.blob))


def _down_today(path: str, sha: str, decided: FileStatus) -> Down:
    why = decided.reasons[0] if decided.reasons else decided.state
    return Down(
        path=path,
        why=_("its last cleared version ({commit}) is {state} today: {why}").format(
            commit=sha[:10], state=state_label(decided.state), why=why
        ),
    )


def live_version(workspace: Workspace, state: FileStatus) -> Live | Down | None:
    """What of `path` (not publishable now) the site keeps: its last cleared version (`Live`),
    nothing with a reason (`Down`), or None when it was never cleared."""
    if state.publishable or state.state not in _WAITING:
        return None
    (target,) = workspace.select([state.path])
    working = file_facts(workspace, target, [])
    if working.withheld:
        return Down(path=state.path, why=_("its new version is withheld: {why}").format(why=working.withheld))
    previous = last_cleared(workspace, target)
    if previous is None:
        return None
    sha, cleared = previous
    data = workspace.repo.blob(cleared.blob)
    if data is None:
        return Down(
            path=state.path,
            why=_("the version cleared in {commit} is not in this repository").format(commit=sha[:10]),
        )
    decided = _judged(workspace, target, data)
    if not decided.publishable:
        return _down_today(state.path, sha, decided)
    reason = state.reasons[0] if state.reasons else ""
    return Live(
        path=state.path,
        data=data,
        since=sha,
        waiting=_("{state}: {why}").format(state=state_label(state.state), why=reason),
        status=decided,
    )


# Git's rename detection calls a file renamed when half of it is unchanged (its default -M50%).
_RENAMED = 0.5


def _similar(old: bytes, new: bytes) -> bool:
    a, b = old.decode("utf-8", "replace"), new.decode("utf-8", "replace")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= _RENAMED
        and matcher.quick_ratio() >= _RENAMED
        and (matcher.ratio() >= _RENAMED)
    )


def renamed_versions(workspace: Workspace, states: Sequence[FileStatus], folder: str) -> dict[str, Live]:
    """Pages under `folder` a sign-off once cleared that are gone from the working tree while a
    page that waits for its sign-off holds what they said (git would call it a rename): the old
    path keeps its last cleared version, judged today, until the new one is cleared. A deletion
    with no such page, a revoked or withheld page, and a version today's rules block are not kept."""
    present = {s.path for s in states}
    waiting = [s for s in states if s.path.startswith(folder) and s.state in _WAITING and not s.publishable]
    gone = [p for p in workspace.ledger.named_paths() if p.startswith(folder) and p not in present]
    if not waiting or not gone:
        return {}
    new_pages = []
    for state in waiting:
        (target,) = workspace.select([state.path])
        if not file_facts(workspace, target, []).withheld:
            new_pages.append((state, workspace.repo.root / state.path))
    kept: dict[str, Live] = {}
    endings = workspace.endings_of(frozenset(gone)).by_path
    for path in gone:
        newest = next(
            (c for s in workspace.ledger.naming(path) for c in s.message.cleared if c.path == path), None
        )
        newest_data = workspace.repo.blob(newest.blob) if newest else None
        if newest_data is None:
            continue
        previous = workspace.ledger.last_clearance(path, "", roles_for(workspace, path, newest_data))
        data = workspace.repo.blob(previous[1].blob) if previous else None
        if previous is None or data is None:
            continue
        into = next(
            (s for s, file in new_pages if file.is_file() and _similar(data, file.read_bytes())), None
        )
        if into is None:
            continue
        # every ending counts but the deletion that took it from the tree: the rename itself
        before = [e for e in endings.get(path, []) if e.kind != "deleted"]
        before += [e for e in endings.get(path, []) if e.kind == "deleted"][1:]
        ended = workspace.ended_among(path, before)
        decided = _judged(workspace, Target(path=workspace.repo.root / path, display=path), data, ended)
        if decided.publishable:
            waits = _("renamed to {path}, which waits: {state}").format(
                path=into.path, state=state_label(into.state)
            )
            kept[path] = Live(path=path, data=data, since=previous[0], waiting=waits, status=decided)
    return kept
