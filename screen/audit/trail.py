"""`baomi log PATH`: the review trail of one page (一事一审的书面记录), as an inspector asks for
it: every version drafted and what screening finds in it, every sign-off (and why one did not
count), waivers with their reasons, declassification records, and where the page stands now."""

from __future__ import annotations

from collections import Counter

from screen.audit.records import Event, Trail
from screen.errors import InputError
from screen.i18n import _
from screen.model import blob_id
from screen.portal import Target
from screen.screening import screen
from screen.signoff.classification_history import classification_of_page
from screen.signoff.facts import cleared_version
from screen.signoff.message import parse_declassification, parse_revocation
from screen.signoff.records import VerifiedSignOff
from screen.signoff.status import status
from screen.signoff.waivers import decides, fair, not_counted
from screen.signoff.workspace import Workspace


def _findings(workspace: Workspace, path: str, data: bytes) -> str:
    """What screening finds in one version, redacted: `1 block (codename.project), 0 review`."""
    target = Target(path=workspace.settings.root / path, display=path, data=data)
    try:
        found, errors = screen(workspace.engine, [target], workspace.settings)
    except InputError as error:
        return _("cannot be screened: {reason}").format(reason=error.reason)
    if errors:
        return _("cannot be screened: {reason}").format(reason=errors[0].message)
    levels = Counter(f.level.value for f in found)
    rules = sorted({f.rule for f in found if f.level.value == "block"})
    counts = {"block": levels["block"], "review": levels["review"], "info": levels["info"]}
    if rules:
        text = _("{block} block ({rules}), {review} review, {info} info").format(
            rules=", ".join(rules), **counts
        )
    else:
        text = _("{block} block, {review} review, {info} info").format(**counts)
    record = classification_of_page(path, data) if path.endswith(".md") else None
    if record is None or record.public:
        return text
    return _("{findings}; {classification}").format(findings=text, classification=record.describe())


def _drafts(workspace: Workspace, path: str) -> list[Event]:
    events = []
    for commit in workspace.history:
        if path not in commit.paths:
            continue
        data = workspace.repo.show(commit.sha, path)
        who = f"{commit.author_name} <{commit.author_email}>"
        if data is None:
            events.append(Event(when=commit.committed, commit=commit.sha, kind="deleted", who=who))
            continue
        record = parse_declassification(commit.message)
        if record is not None and record.path == path:
            counted = commit.sha in workspace.classification.declassified.get(path, [])
            if counted:
                detail = _("was {level}; reason: {reason}").format(level=record.was, reason=record.reason)
            else:
                detail = _("was {level}; reason: {reason}; NOT verified").format(
                    level=record.was, reason=record.reason
                )
            events.append(Event(when=commit.committed, commit=commit.sha, kind="declassified", who=who,
                                blob=record.blob, detail=detail))  # fmt: skip
        events.append(
            Event(
                when=commit.committed,
                commit=commit.sha,
                kind="draft",
                who=who,
                blob=blob_id(data),
                detail=_findings(workspace, path, data),
            )
        )
    return events


def _signoff(workspace: Workspace, signoff: VerifiedSignOff, path: str, blob: str) -> tuple[str, str]:
    """The kind and detail of a sign-off event, judged by the one rule of `waivers`: a sign-off
    that does not count says why; waivers show only where they count."""
    cleared = next(c for c in signoff.message.cleared if c.path == path and c.blob == blob)
    version = cleared_version(workspace, cleared)
    if version is None:
        return "signoff-not-counted", _("the bytes it names are not in the repository")
    if not fair(signoff, version):
        return "signoff-not-counted", not_counted(signoff, version)
    assert signoff.signer is not None
    roles = signoff.signer.title
    listed = "; ".join(
        _("waived {fingerprint}: {reason}").format(fingerprint=w.fingerprint[:12], reason=w.reason)
        for w in signoff.message.waivers
    )
    if listed and not decides(signoff, version):
        listed = _("waivers not counted: {why}").format(why=not_counted(signoff, version))
    return "signoff", ", ".join(x for x in (roles, listed, signoff.message.comment.strip()) if x)


def _signoffs(workspace: Workspace, path: str) -> list[Event]:
    events = []
    for signoff in workspace.signoffs:
        for cleared in signoff.message.cleared:
            if cleared.path != path:
                continue
            who = signoff.signer.name if signoff.signer else _("(unverified)")
            kind, detail = _signoff(workspace, signoff, path, cleared.blob)
            events.append(Event(when=signoff.committed, commit=signoff.sha, kind=kind, who=who,
                                blob=cleared.blob, detail=detail))  # fmt: skip
    return events


def _revocations(workspace: Workspace, path: str) -> list[Event]:
    """撤稿 records of `path`: those that count, and those that do not, with why."""
    events = [
        Event(when=e.committed, commit=e.commit, kind="revoked", who=e.who, detail=e.reason)
        for e in workspace.endings.by_path.get(path, [])
        if e.kind == "revoked"
    ]
    for commit, why in workspace.endings.refused:
        record = parse_revocation(commit.message)
        if record is not None and record.path == path:
            events.append(Event(when=commit.committed, commit=commit.sha, kind="revocation-not-counted",
                                who=commit.author_name, detail=why))  # fmt: skip
    return events


def trail(workspace: Workspace, path: str) -> Trail:
    """The review trail of `path` (a published file) in the history of HEAD."""
    target = workspace.select([path])[0]
    events = _drafts(workspace, target.display) + _signoffs(workspace, target.display)
    events += _revocations(workspace, target.display)
    order = {c.sha: n for n, c in enumerate(reversed(workspace.history))}  # parents before children
    rank = {"declassified": 0, "draft": 1, "deleted": 1}  # a commit's record, then its version
    events.sort(key=lambda e: (order.get(e.commit, -1), rank.get(e.kind, 2)))
    [current] = status(workspace, [target.display]).files
    return Trail(path=target.display, status=current, events=tuple(events))
