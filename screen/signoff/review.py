"""`baomi review`: what a reviewer needs before signing: each pending file's state, what changed
since the version last fairly cleared, its findings unredacted, and what a sign-off would record."""

from __future__ import annotations

from screen.errors import UsageError
from screen.model import Finding
from screen.signoff.facts import last_cleared
from screen.signoff.message import format_message
from screen.signoff.records import FileStatus, Review, ReviewItem
from screen.signoff.signing import plan_signoff
from screen.signoff.status import status
from screen.signoff.workspace import Workspace


def _item(workspace: Workspace, state: FileStatus, findings: list[Finding]) -> ReviewItem:
    # the last version that was fairly cleared: a self-approved "previous version" would hide
    # exactly the changes the reviewer must see
    previous = last_cleared(workspace, workspace.select([state.path])[0]) if state.state != "error" else None
    if previous is None:
        return ReviewItem(status=state, since="", diff="", findings=tuple(findings))
    sha, cleared = previous
    diff = workspace.repo.diff_blob(cleared.blob, workspace.settings.root / state.path)
    return ReviewItem(status=state, since=sha, diff=diff, findings=tuple(findings))


def review(workspace: Workspace, paths: list[str]) -> Review:
    """The review of `paths` (default: every file not yet publishable)."""
    result = status(workspace, paths)
    pending = [f for f in result.files if not f.publishable or paths]
    findings, _ = workspace.screen(workspace.select([f.path for f in pending]) if pending else [])
    items = tuple(_item(workspace, s, [f for f in findings if f.path == s.path]) for s in pending)
    signable = tuple(f.path for f in pending if f.state != "error")
    signoff, refusal = "", ""
    if pending:
        try:
            signoff = format_message(plan_signoff(workspace, list(signable), []).message)
        except UsageError as error:
            refusal = str(error)
    return Review(
        items=items,
        signable=signable,
        signoff=signoff,
        refusal=refusal,
        publishable=result.publishable,
        rules_fingerprint=workspace.engine.fingerprint,
    )
