"""The facts the gate and the waiver rule decide on, read from a workspace: the roles a version of
a file needs, who wrote it since its last fair clearance, and everything `decide` weighs."""

from __future__ import annotations

import datetime
import hashlib

from screen.classification import withheld
from screen.i18n import _, listed
from screen.model import Finding, Level, blob_id
from screen.portal import Target
from screen.screening import read_bytes
from screen.signoff.classification_history import classification_of_page, page_front
from screen.signoff.message import Cleared
from screen.signoff.records import FileFacts, wrote
from screen.signoff.signers import enough_people, required_roles, role_names
from screen.signoff.workspace import Workspace


def roles_for(workspace: Workspace, path: str, data: bytes, theme: bool = False) -> tuple[str, ...]:
    """The roles the policy requires for these bytes of `path`: those of an important page
    also when the last cleared version was one (dropping `important: true` is a change the
    roles that cleared it must approve)."""
    policy = workspace.trust.policy
    roles = required_roles(path, policy, _important(path, data), theme)
    previous = workspace.ledger.last_clearance(path, blob_id(data), roles)
    if previous and not _important(path, data):
        old = workspace.repo.blob(previous[1].blob)
        if old is None or _important(path, old):  # a cleared version git lacks: assume it was
            roles = required_roles(path, policy, True, theme)
    return roles


def last_cleared(workspace: Workspace, target: Target) -> tuple[str, Cleared] | None:
    """The sign-off and version a reviewer compares the file with."""
    data = read_bytes(target)
    return workspace.ledger.last_clearance(
        target.display, blob_id(data), roles_for(workspace, target.display, data)
    )


def version_facts(workspace: Workspace, path: str, data: bytes, theme: bool = False) -> FileFacts:
    """What the waiver rule needs of one version of `path`: its identity, roles and authors."""
    blob, roles = blob_id(data), roles_for(workspace, path, data, theme)
    authorship = workspace.ledger.authorship(path, blob, roles)
    return FileFacts(
        path=path,
        blob=blob,
        sha256=hashlib.sha256(data).hexdigest(),
        roles=roles,
        authors=authorship.emails,
        author_keys=authorship.keys,
        unproven=authorship.unproven,
        titles=workspace.trust.policy.titles,
    )


def cleared_version(workspace: Workspace, cleared: Cleared) -> FileFacts | None:
    """The facts of a version a sign-off names, or None when git lacks its bytes (then
    nothing can show that the sign-off was fair, and it is taken as not)."""
    data = workspace.repo.blob(cleared.blob)
    if data is None:
        return None
    return version_facts(workspace, cleared.path, data, workspace.portal.needs_config_role(cleared.path))


def file_facts(workspace: Workspace, target: Target, findings: list[Finding], error: str = "") -> FileFacts:
    path = target.display
    if error:
        return FileFacts(
            path=path, blob="", sha256="", roles=(), error=error, titles=workspace.trust.policy.titles
        )
    data = read_bytes(target)
    version = version_facts(workspace, path, data, target.theme)
    record = classification_of_page(path, data)
    return FileFacts(
        path=path,
        blob=version.blob,
        sha256=version.sha256,
        roles=version.roles,
        blocking=tuple(f for f in findings if f.level is Level.BLOCK),
        authors=version.authors,
        author_keys=version.author_keys,
        unproven=version.unproven,
        ended=workspace.ended(path),
        deleted=any(t.display == path for t in workspace.deleted_rules),
        stuck=_stuck(workspace, version),
        not_in_force=workspace.trust.not_in_force(path, version.blob),
        classification=record.describe() if record else "",
        withheld=(withheld(record) if record else "")
        or workspace.classification.undeclassified(path, version.blob),
        titles=version.titles,
    )


def _stuck(workspace: Workspace, version: FileFacts) -> str:
    """Why nobody in force can clear `version`: every signer who may sign for its roles changed
    it ("" when others could)."""
    now = datetime.datetime.now(tz=datetime.UTC)
    able = [s for s in workspace.trust.signers.signers if s.may & set(version.roles) and s.valid_at(now)]
    others = [s for s in able if not wrote(s, version.authors, version.author_keys)]
    if not able or enough_people(version.roles, others, bool(version.unproven)):
        return ""
    authors = listed(s.name for s in able if s not in others)
    if not authors:
        return ""
    return _(
        "nobody else may clear it: it needs {roles} from people who did not change "
        "it, and {names} changed it; add another leader (baomi signer add), or let the principal "
        "sign for the deputy ({covers} in rules/policy.yml)"
    ).format(
        roles=role_names(version.roles, version.titles),
        names=authors,
        covers="covers: {principal: [deputy]}",
    )


def _important(path: str, data: bytes) -> bool:
    if not path.lower().endswith((".md", ".markdown")):
        return False
    return page_front(path, data).get("important") is True
