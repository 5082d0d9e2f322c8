"""`baomi sign`: who is signing (git's SSH signing key, matched to a signer in force), what the
sign-off would record, why it refuses, and the signed, empty commit that records it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from pathlib import Path

from screen import sshsig
from screen.errors import UsageError
from screen.i18n import _
from screen.model import Finding
from screen.screening import read_bytes
from screen.signoff.facts import file_facts
from screen.signoff.message import SignOffMessage, Waiver, cleared_for, format_message, payload
from screen.signoff.records import FileFacts, wrote
from screen.signoff.signers import Signer, key_fingerprint, role_names
from screen.signoff.workspace import Workspace
from screen.vcs import Repository


def signing_key(repo: Repository) -> str:
    """The public key line git will sign with (`user.signingkey`, gpg.format=ssh)."""
    if (repo.config("gpg.format") or "openpgp") != "ssh":
        raise UsageError(
            _(
                "git is not set up to sign with SSH: run `git config gpg.format ssh` and "
                "`git config user.signingkey ~/.ssh/id_ed25519.pub`"
            )
        )
    configured = repo.config("user.signingkey")
    if not configured:
        raise UsageError(_("no signing key: run `git config user.signingkey ~/.ssh/id_ed25519.pub`"))
    if configured.startswith("key::"):
        return configured.removeprefix("key::")
    if configured.startswith("ssh-"):
        return configured
    path = Path(configured).expanduser()
    public = path if path.suffix == ".pub" else path.with_name(path.name + ".pub")
    try:
        return public.read_text(encoding="utf-8").strip()
    except OSError:
        raise UsageError(
            _("cannot read the public key {path}; point user.signingkey at it").format(path=public)
        ) from None


def current_signer(workspace: Workspace) -> Signer:
    """The signer in force whose key git will sign with, or a `UsageError` that says why none."""
    signer = workspace.trust.signers.by_fingerprint(key_fingerprint(signing_key(workspace.repo)))
    if signer is None:
        raise UsageError(
            _("your signing key is not in rules/signers.yml as in force; a principal must add it first")
        )
    if signer.revoked or (signer.valid_until and not signer.valid_at(datetime.datetime.now(tz=datetime.UTC))):
        raise UsageError(
            _("{name} may no longer sign (revoked or past valid_until in rules/signers.yml)").format(
                name=signer.name
            )
        )
    return signer


@dataclass(frozen=True, slots=True, kw_only=True)
class SignPlan:
    signer: Signer
    message: SignOffMessage
    findings: tuple[Finding, ...]


def plan_signoff(
    workspace: Workspace, paths: list[str], waivers: list[tuple[str, str]], comment: str = ""
) -> SignPlan:
    """What `baomi sign` would record, or a `UsageError` that says why it refuses."""
    repo = workspace.repo
    signer = current_signer(workspace)
    if not paths:
        raise UsageError(_("name the files to sign"))
    targets = workspace.select(paths)
    dirty = repo.dirty([t.display for t in targets])
    if dirty:
        raise UsageError(
            _("uncommitted changes ({paths}): commit them first; a sign-off binds committed bytes").format(
                paths=", ".join(dirty)
            )
        )
    if repo.staged_anything():
        raise UsageError(
            _("uncommitted changes (staged files): commit them first; a sign-off binds committed bytes")
        )
    findings, errors = workspace.screen(targets)
    if errors:
        raise UsageError(
            "; ".join(_("{path}: {reason}").format(path=e.path, reason=e.message) for e in errors)
        )
    waived = dict(waivers)
    known = {f.fingerprint for f in findings}
    unknown = set(waived) - known
    if unknown:
        raise UsageError(
            _("no finding has fingerprint {fingerprints} in these files").format(
                fingerprints=", ".join(sorted(unknown))
            )
        )
    cleared = []
    for target in targets:
        data = read_bytes(target)
        facts = file_facts(workspace, target, [f for f in findings if f.path == target.display])
        refusal = _refusal(signer, facts, waived)
        if refusal:
            raise UsageError(refusal)
        cleared.append(cleared_for(target.display, data))
    message = SignOffMessage(
        cleared=tuple(cleared),
        rules_fingerprint=workspace.engine.fingerprint,
        waivers=tuple(Waiver(fingerprint=fp, reason=reason) for fp, reason in waivers),
        comment=comment,
        parent=workspace.head,
    )
    return SignPlan(signer=signer, message=message, findings=tuple(findings))


def _refusal(signer: Signer, facts: FileFacts, waived: dict[str, str]) -> str:
    """Why `signer` may not clear the file described by `facts` ("" when they may)."""
    if facts.withheld:
        return _("{path} is withheld whatever its sign-offs: {why}").format(
            path=facts.path, why=facts.withheld
        )
    second = bool(facts.unproven and signer.roles)  # a second leader for an unproven change
    if not set(facts.roles) & signer.may and not second:
        return _("{path} needs role {roles}; {name} holds {held}").format(
            path=facts.path,
            roles=role_names(facts.roles, facts.titles),
            name=signer.name,
            held=signer.title or _("no role"),
        )
    if wrote(signer, facts.authors, facts.author_keys):
        return _("{name} changed {path} since its last sign-off; another reviewer must sign it").format(
            name=signer.name, path=facts.path
        )
    for finding in facts.blocking:
        if finding.fingerprint not in waived:
            return _(
                "{location}: blocking {rule} ({excerpt}); remove it, or waive it with "
                "--waive {fingerprint} --reason '…'"
            ).format(
                location=f"{finding.path}:{finding.line}:{finding.column}",
                rule=finding.rule,
                excerpt=finding.excerpt,
                fingerprint=finding.fingerprint,
            )
    return ""


def seal_here(repo: Repository, parent: str, data: bytes, command: str) -> str:
    """The signer's `baomi` seal (screen.sshsig) of `data`, made with git's signing key, for a
    record planned on `parent`: refused if HEAD moved since (the record names its parent)."""
    if repo.resolve("HEAD") != parent:
        raise UsageError(
            _("HEAD moved while the record was made; run baomi {command} again").format(command=command)
        )
    return sshsig.seal(data, repo.config("user.signingkey") or "", repo.config("gpg.ssh.program"))


def sign(workspace: Workspace, plan: SignPlan) -> str:
    """Record `plan` in a sealed, signed, empty commit on the commit it was planned on; the
    commit id."""
    message = plan.message
    sealed = replace(message, seal=seal_here(workspace.repo, message.parent, payload(message), "sign"))
    return workspace.repo.commit_signoff(format_message(sealed))
