"""`baomi review`: what a reviewer needs before signing: each pending file's state, what changed
since the version last fairly cleared, its findings unredacted, and what a sign-off would record."""

from __future__ import annotations

import difflib

from screen.errors import UsageError
from screen.i18n import _
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
    old = workspace.repo.blob(cleared.blob)
    if old is None:
        diff = _("(the cleared version {blob} is not in this repository: read the whole file)").format(
            blob=cleared.blob[:10]
        )
    else:
        target = workspace.select([state.path])[0]
        new = target.data if target.data is not None else target.path.read_bytes()
        before = _("{path} (cleared in {commit})").format(path=state.path, commit=sha[:10])
        diff = unified(old, new, before, _("{path} (now)").format(path=state.path))
    return ReviewItem(status=state, since=sha, diff=diff, findings=tuple(findings))


def unified(old: bytes, new: bytes, old_label: str, new_label: str) -> str:
    """A unified diff of two versions of a file, labelled by what they are (no file names of
    temporary copies), marking a missing final newline only where one is missing."""
    before = old.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = new.decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(before, after, old_label, new_label):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines).strip() or _("(no change)")


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
