"""Status, sign and review: the sign-off contract assembled from git, the trust chain, the rules
and the gate. The CLI's `status`, `sign` and `review` are thin doors over these functions."""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from screen.api import CONFIG_NAME, Target, published, screen_remembered
from screen.classification import withheld
from screen.classified import ClassificationHistory, classification_of_page, page_front
from screen.engine import Engine, load_engine
from screen.errors import UsageError
from screen.gate import FileFacts, StatusResult, VerifiedSignOff, decide, wrote
from screen.model import FileError, Finding, Level
from screen.settings import Settings
from screen.signers import TRUST_PATHS, Policy, Signer, key_fingerprint, roles_covered
from screen.signoff import (
    CLEARED,
    Cleared,
    SignOffMessage,
    Waiver,
    blob_id,
    cleared_for,
    format_message,
)
from screen.source import MARKDOWN_SUFFIXES
from screen.trust import Trust, load_trust, not_before, verify
from screen.vcs import Commit, Repository


def required_roles(path: str, policy: Policy, important: bool, config: bool = False) -> tuple[str, ...]:
    """Every role the policy requires for `path` (repository-relative); `config` marks the MkDocs
    configuration and theme overrides."""
    if path in TRUST_PATHS:
        return policy.rules
    roles = list(policy.default)
    if config or path == CONFIG_NAME:
        roles += policy.config
    if important:
        roles += policy.important
    return tuple(dict.fromkeys(roles))


@dataclass(kw_only=True)
class Workspace:
    """One repository, its trust and rules, read once per command."""

    settings: Settings
    trust_ref: str
    trust_root: str | None = None
    repo: Repository = field(init=False)
    _reach: dict[str, frozenset[str]] = field(init=False, default_factory=dict)
    _fair: dict[tuple[str, str, str, tuple[str, ...]], bool] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.repo = Repository(self.settings.root)
        if self.repo.root.resolve() != self.settings.root.resolve():
            # git names files from the repository's root, sign-offs and the gate from the portal's:
            # out of step, nobody's authorship would be found
            raise UsageError(
                f"run baomi in the root of the git repository ({self.repo.root}), where rules/ and "
                "the published files are"
            )

    @cached_property
    def trust(self) -> Trust:
        pinned = self.trust_root or self.repo.config("baomi.trustRoot")
        return load_trust(self.repo, self.trust_ref, pinned)

    @cached_property
    def engine(self) -> Engine:
        return load_engine(self.settings.rules_dir, self.settings.cache_dir)

    @cached_property
    def trusted_engine(self) -> Engine | None:
        """The trust ref's own rules, when the working tree's differ: a change under review must
        not unblock its own pages by weakening the rules it is screened with."""
        folder = self.settings.rules_dir.resolve().relative_to(self.repo.root.resolve()).as_posix()
        trusted = self.repo.tree_files(self.trust.sha, folder)
        if not trusted:
            return None  # the trust ref has no rules yet: nothing to weaken
        if all(_read(self.repo.root / p) == data for p, data in trusted.items()):
            return None  # nothing the trust ref has was removed or changed
        with tempfile.TemporaryDirectory(prefix="baomi-trusted-rules-") as copy:
            for path, data in trusted.items():
                target = Path(copy) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            return load_engine(Path(copy) / folder, self.settings.cache_dir)

    def screen(self, targets: list[Target]) -> tuple[list[Finding], list[FileError]]:
        """Findings under the working tree's rules and, where they differ, the trust ref's:
        a finding either one raises counts."""
        findings, errors = screen_remembered(self.engine, targets, self.settings)
        if self.trusted_engine is not None:
            seen = {(f.rule, f.path, f.line, f.column) for f in findings}
            extra, _ = screen_remembered(self.trusted_engine, targets, self.settings)
            findings += [f for f in extra if (f.rule, f.path, f.line, f.column) not in seen]
        return findings, errors

    @cached_property
    def head(self) -> str:
        return self.repo.require("HEAD", "HEAD")

    @cached_property
    def history(self) -> list[Commit]:
        return self.repo.log(self.head, "")

    @cached_property
    def targets(self) -> list[Target]:
        trust_files = [Target(path=self.repo.root / p, display=p) for p in TRUST_PATHS]
        return published(self.settings.root) + trust_files

    @cached_property
    def signoffs(self) -> list[VerifiedSignOff]:
        names = frozenset(t.display for t in self.targets)
        commits = self.repo.log(self.head, self.trust.allowed, grep=f"{CLEARED}:")
        dates = {c.sha: c.committed for c in self.history}
        found = (verify(c, self.trust.signers, names, not_before(c, dates)) for c in commits)
        return [s for s in found if s is not None]

    def _reachable(self, sha: str) -> frozenset[str]:
        if sha not in self._reach:
            self._reach[sha] = self.repo.reachable(sha)
        return self._reach[sha]

    def changers(
        self, path: str, base: frozenset[str], within: frozenset[str] | None = None
    ) -> tuple[frozenset[str], frozenset[str]]:
        """Author emails and signing keys of the changes to `path` after `base` (within `within`)."""
        changes = [
            c
            for c in self.history
            if path in c.paths and c.sha not in base and (within is None or c.sha in within)
        ]
        return frozenset(c.author_email for c in changes), frozenset(c.key for c in changes if c.key)

    def last_clearance(
        self, path: str, blob: str, roles: tuple[str, ...], within: frozenset[str] | None = None
    ) -> tuple[str, Cleared] | None:
        """The newest sign-off (within `within`) that fairly cleared `path` with bytes other than
        `blob`, and the version it cleared. A self-approved, role-less or made-up "previous
        clearance" ends nobody's authorship and is nothing to diff against."""
        for signoff in self.signoffs:
            other = next((c for c in signoff.message.cleared if c.path == path and c.blob != blob), None)
            if signoff.problem or other is None or (within is not None and signoff.sha not in within):
                continue
            key = (path, signoff.sha, other.blob, roles)
            if key not in self._fair:
                self._fair[key] = self._fairly_cleared(signoff.sha, other, roles)
            if self._fair[key]:
                return signoff.sha, other
        return None

    def _fairly_cleared(self, sha: str, version: Cleared, roles: tuple[str, ...]) -> bool:
        """Whether, as of commit `sha`, sign-offs by people holding `roles` cleared `version`, none
        of whom changed the file since the version cleared before it (recursively)."""
        reach = self._reachable(sha)
        before = self.last_clearance(version.path, version.blob, roles, reach - {sha})
        emails, keys = self.changers(
            version.path, self._reachable(before[0]) if before else frozenset(), reach
        )
        people = [
            s.signer
            for s in self.signoffs
            if s.sha in reach and s.signer and not s.problem and version.path not in s.touches
            if s.names(version.path, version.blob, version.sha256) and not wrote(s.signer, emails, keys)
        ]
        return bool(people) and roles_covered(roles, people)

    @cached_property
    def classification(self) -> ClassificationHistory:
        pages = [t.display for t in self.targets if t.display.endswith(tuple(MARKDOWN_SUFFIXES))]
        return ClassificationHistory(repo=self.repo, head=self.head, trust=self.trust, pages=pages)

    def _identity(self, target: Target) -> tuple[bytes, str, tuple[str, ...]]:
        """The bytes of a file, their blob id, and the roles the policy requires for it: those of
        an important page also when the last cleared version was one (dropping `important: true`
        is a change the roles that cleared it must approve)."""
        path, data = target.display, target.path.read_bytes()
        blob = blob_id(data)
        roles = required_roles(path, self.trust.policy, _important(path, data), target.theme)
        previous = self.last_clearance(path, blob, roles)
        if previous and not _important(path, data):
            old = self.repo.blob(previous[1].blob)
            if old is None or _important(path, old):  # a cleared version git lacks: assume it was
                roles = required_roles(path, self.trust.policy, True, target.theme)
        return data, blob, roles

    def last_cleared(self, target: Target) -> tuple[str, Cleared] | None:
        """The sign-off and version a reviewer compares the file with."""
        _, blob, roles = self._identity(target)
        return self.last_clearance(target.display, blob, roles)

    def facts(self, target: Target, findings: list[Finding], error: str = "") -> FileFacts:
        path = target.display
        if error:
            return FileFacts(path=path, blob="", sha256="", roles=(), error=error)
        data, blob, roles = self._identity(target)
        previous = self.last_clearance(path, blob, roles)
        authors, keys = self.changers(path, self._reachable(previous[0]) if previous else frozenset())
        record = classification_of_page(path, data)
        return FileFacts(
            path=path,
            blob=blob,
            sha256=hashlib.sha256(data).hexdigest(),
            roles=roles,
            blocking=tuple(f for f in findings if f.level is Level.BLOCK),
            authors=authors,
            author_keys=keys,
            not_in_force=self.trust.not_in_force(path, blob),
            classification=record.describe() if record else "",
            withheld=(withheld(record) if record else "") or self.classification.undeclassified(path),
        )

    def select(self, paths: list[str]) -> list[Target]:
        if not paths:
            return self.targets
        wanted = {Path(p).as_posix().removeprefix("./") for p in paths}
        chosen = [t for t in self.targets if t.display in wanted]
        missing = wanted - {t.display for t in chosen}
        if missing:
            raise UsageError(f"not a published file: {', '.join(sorted(missing))}")
        return chosen


def _important(path: str, data: bytes) -> bool:
    if not path.lower().endswith((".md", ".markdown")):
        return False
    return page_front(path, data).get("important") is True


def status(workspace: Workspace, paths: list[str]) -> StatusResult:
    targets = workspace.select(paths)
    findings, errors = workspace.screen(targets)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    failed = {e.path: e.message for e in errors}
    files = tuple(
        decide(workspace.facts(t, by_path.get(t.display, []), failed.get(t.display, "")), workspace.signoffs)
        for t in targets
    )
    return StatusResult(
        files=files, trust_problems=workspace.trust.problems, rules_fingerprint=workspace.engine.fingerprint
    )


def signing_key(repo: Repository) -> str:
    """The public key line git will sign with (`user.signingkey`, gpg.format=ssh)."""
    if (repo.config("gpg.format") or "openpgp") != "ssh":
        raise UsageError(
            "git is not set up to sign with SSH: run `git config gpg.format ssh` and "
            "`git config user.signingkey ~/.ssh/id_ed25519.pub`"
        )
    configured = repo.config("user.signingkey")
    if not configured:
        raise UsageError("no signing key: run `git config user.signingkey ~/.ssh/id_ed25519.pub`")
    if configured.startswith("key::"):
        return configured.removeprefix("key::")
    if configured.startswith("ssh-"):
        return configured
    path = Path(configured).expanduser()
    public = path if path.suffix == ".pub" else path.with_name(path.name + ".pub")
    try:
        return public.read_text(encoding="utf-8").strip()
    except OSError:
        raise UsageError(f"cannot read the public key {public}; point user.signingkey at it") from None


def current_signer(workspace: Workspace) -> Signer:
    """The signer in force whose key git will sign with, or a `UsageError` that says why none."""
    signer = workspace.trust.signers.by_fingerprint(key_fingerprint(signing_key(workspace.repo)))
    if signer is None:
        raise UsageError(
            "your signing key is not in rules/signers.yml as in force; a principal must add it first"
        )
    if signer.revoked or (signer.valid_until and not signer.valid_at(datetime.datetime.now(tz=datetime.UTC))):
        raise UsageError(
            f"{signer.name} may no longer sign (revoked or past valid_until in rules/signers.yml)"
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
        raise UsageError("name the files to sign")
    targets = workspace.select(paths)
    dirty = repo.dirty([t.display for t in targets])
    if dirty or repo.staged_anything():
        raise UsageError(
            f"uncommitted changes ({', '.join(dirty) or 'staged files'}): commit them first; "
            "a sign-off binds committed bytes"
        )
    findings, errors = workspace.screen(targets)
    if errors:
        raise UsageError("; ".join(f"{e.path}: {e.message}" for e in errors))
    waived = dict(waivers)
    known = {f.fingerprint for f in findings}
    unknown = set(waived) - known
    if unknown:
        raise UsageError(f"no finding has fingerprint {', '.join(sorted(unknown))} in these files")
    cleared = []
    for target in targets:
        data = target.path.read_bytes()
        facts = workspace.facts(target, [f for f in findings if f.path == target.display])
        refusal = _refusal(signer, facts, waived)
        if refusal:
            raise UsageError(refusal)
        cleared.append(cleared_for(target.display, data))
    message = SignOffMessage(
        cleared=tuple(cleared),
        rules_fingerprint=workspace.engine.fingerprint,
        waivers=tuple(Waiver(fingerprint=fp, reason=reason) for fp, reason in waivers),
        comment=comment,
    )
    return SignPlan(signer=signer, message=message, findings=tuple(findings))


def _refusal(signer: Signer, facts: FileFacts, waived: dict[str, str]) -> str:
    """Why `signer` may not clear the file described by `facts` ("" when they may)."""
    if not set(facts.roles) & signer.roles:
        held = ", ".join(sorted(signer.roles)) or "no role"
        return f"{facts.path} needs role {', '.join(facts.roles)}; {signer.name} holds {held}"
    if wrote(signer, facts.authors, facts.author_keys):
        return f"{signer.name} changed {facts.path} since its last sign-off; another reviewer must sign it"
    for finding in facts.blocking:
        if finding.fingerprint not in waived:
            return (
                f"{finding.path}:{finding.line}:{finding.column}: blocking {finding.rule} "
                f"({finding.excerpt}); remove it, or waive it with --waive {finding.fingerprint} --reason '…'"
            )
    return ""


def sign(workspace: Workspace, plan: SignPlan) -> str:
    return workspace.repo.commit_signoff(format_message(plan.message))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
