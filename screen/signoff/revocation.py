"""`baomi revoke PATH --reason TEXT`: a leader's sealed, signed record that a published file is
taken down (撤稿) at the next publish, without deleting it from the repository. Every clearance
of it made before the record ends (`screen.signoff.endings`); a new sign-off publishes it again."""

from __future__ import annotations

from dataclasses import dataclass, replace

from screen.errors import UsageError
from screen.i18n import _
from screen.screening import read_bytes
from screen.signoff.facts import roles_for
from screen.signoff.message import Revocation, format_revocation, revocation_payload
from screen.signoff.signers import Signer
from screen.signoff.signing import current_signer, seal_here
from screen.signoff.workspace import Workspace


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokePlan:
    signer: Signer
    record: Revocation


def plan_revocation(workspace: Workspace, path: str, reason: str) -> RevokePlan:
    """What `baomi revoke` would record, or a `UsageError` that says why it refuses."""
    signer = current_signer(workspace)
    if not reason.strip():
        raise UsageError(_("say why the page is taken down: --reason '…'"))
    target = workspace.select([path])[0]
    roles = roles_for(workspace, target.display, read_bytes(target), target.theme)
    if not signer.may & set(roles):
        raise UsageError(
            _("{path} needs role {roles} to take down; {name} holds {held}").format(
                path=target.display,
                roles=workspace.trust.policy.names(roles),
                name=signer.name,
                held=signer.title or _("no role"),
            )
        )
    if workspace.repo.staged_anything():
        raise UsageError(
            _("staged changes: commit or unstage them first; a revocation is a commit of its own")
        )
    record = Revocation(path=target.display, reason=" ".join(reason.split()), parent=workspace.head)
    return RevokePlan(signer=signer, record=record)


def revoke(workspace: Workspace, plan: RevokePlan) -> str:
    """Record `plan` in a sealed, signed, empty commit; the commit id."""
    data = revocation_payload(plan.record)
    record = replace(plan.record, seal=seal_here(workspace.repo, plan.record.parent, data, "revoke"))
    return workspace.repo.commit_signoff(format_revocation(record))
