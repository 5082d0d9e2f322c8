"""`baomi declassify`: the principal's signed record that a page is no longer classified (解密).

Declassification is an explicit act: the page's front matter becomes `classification: 公开` with
`declassified_on:`, in one commit signed by a signer holding a role that signs the rules (the
principal), whose message records what the page was and why it may now be public. Only once
its term has passed, or with the declassification condition (解密条件) stated as the reason.
After that the page is screened and signed off like any other."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace

from screen.errors import UsageError
from screen.i18n import _
from screen.model import blob_id
from screen.screening import read_bytes
from screen.signoff.classification_history import classification_of_page
from screen.signoff.message import Declassification, declassification_payload, format_declassification
from screen.signoff.signing import current_signer, seal_here
from screen.signoff.workspace import Workspace
from screen.source.frontmatter import split_front_matter

_LEVEL_LINE = re.compile(r"^([ \t]*classification[ \t]*:).*$", re.MULTILINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclassifyPlan:
    path: str
    data: bytes  # the page's first public version
    record: Declassification


def _public_version(path: str, text: str, today: datetime.date) -> str:
    front = split_front_matter(path, text)
    assert front is not None  # a classified page has a front matter
    block = text[front.start : front.content_end]
    line = _LEVEL_LINE.search(block)
    if line is None:
        raise UsageError(
            _("{path}: no 'classification:' line to change; edit the front matter by hand").format(path=path)
        )
    indent = line[1][: len(line[1]) - len(line[1].lstrip())]
    changed = f"{line[1]} 公开\n{indent}declassified_on: {today.isoformat()}"
    return (
        text[: front.start]
        + block[: line.start()]
        + changed
        + block[line.end() :]
        + text[front.content_end :]
    )


def _reason(given: str, expires: datetime.date | None, today: datetime.date) -> str:
    if given.strip():
        return " ".join(given.split())
    if expires is not None and today >= expires:
        return (
            f"保密期限已满（{expires.isoformat()}）"  # the record's default reason (README), in every locale
        )
    if expires is not None:
        raise UsageError(
            _(
                "the secrecy term runs until {date}: state the declassification condition met with --reason"
            ).format(date=expires.isoformat())
        )
    raise UsageError(
        _("the secrecy term is long-term (长期): state the declassification condition met with --reason")
    )


def plan_declassification(
    workspace: Workspace, path: str, reason: str, today: datetime.date
) -> DeclassifyPlan:
    """What `baomi declassify` would commit, or a `UsageError` that says why it refuses."""
    signer = current_signer(workspace)
    deciders = workspace.trust.policy.rules
    if not signer.may & set(deciders):
        raise UsageError(
            _("only {roles} may declassify; {name} holds {held}").format(
                roles=workspace.trust.policy.names(deciders),
                name=signer.name,
                held=signer.title or _("no role"),
            )
        )
    target = workspace.select([path])[0]
    if workspace.repo.dirty([target.display]) or workspace.repo.staged_anything():
        raise UsageError(
            _("uncommitted changes: commit or stash them first; a declassification binds one change")
        )
    data = read_bytes(target)
    record = classification_of_page(target.display, data)
    if record is None or record.public:
        return _declassify_history(workspace, target.display, data, reason, today)
    if record.problems:
        raise UsageError(
            _("{path}: the classification record cannot be read: {problems}").format(
                path=target.display, problems="; ".join(record.problems)
            )
        )
    why = _reason(reason, record.expires(), today)
    public = _public_version(target.display, data.decode("utf-8"), today).encode("utf-8")
    was = f"{record.level}★{record.term()}" if record.term() else record.level
    return DeclassifyPlan(
        path=target.display,
        data=public,
        record=Declassification(
            path=target.display, blob=blob_id(public), was=was, reason=why, parent=workspace.head
        ),
    )


def _declassify_history(
    workspace: Workspace, path: str, data: bytes, reason: str, today: datetime.date
) -> DeclassifyPlan:
    """A file public now whose content was classified before, under this path or one it was
    renamed or copied from: the record names its current bytes, in a commit of its own."""
    history = workspace.classification
    if blob_id(data) in history.classified_blobs:
        raise UsageError(
            _(
                "{path} holds the exact bytes of a classified version; declassify that page, or make "
                "these bytes its public version first"
            ).format(path=path)
        )
    if not history.undeclassified(path):
        raise UsageError(_("{path} is not recorded as classified; nothing to declassify").format(path=path))
    last = history.last_classified(path)
    if last is None or last.problems:
        was = "涉密"
        expires = None
    else:
        was = f"{last.level}★{last.term()}" if last.term() else last.level
        expires = last.expires()
    why = _reason(reason, expires, today)
    record = Declassification(path=path, blob=blob_id(data), was=was, reason=why, parent=workspace.head)
    return DeclassifyPlan(path=path, data=data, record=record)


def declassify(workspace: Workspace, plan: DeclassifyPlan) -> str:
    """Write the public version and commit it, signed, with the record; the commit id."""
    repo = workspace.repo
    data = declassification_payload(plan.record)
    record = replace(plan.record, seal=seal_here(repo, plan.record.parent, data, "declassify"))
    if read_bytes(workspace.select([plan.path])[0]) == plan.data:  # the bytes are public already
        return repo.commit_signoff(format_declassification(record))
    (workspace.settings.root / plan.path).write_bytes(plan.data)
    return repo.commit_paths([plan.path], format_declassification(record))
