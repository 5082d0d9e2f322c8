"""One repository read once per command: the portal's published files, the trust in force, the
rules (the working tree's and the trust ref's), the verified sign-offs, the ledger of fair
clearances and the classification history; and from them, the facts the gate decides on."""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path

from screen.classification import withheld
from screen.engine import Engine, load_engine_from, shared_engine
from screen.errors import UsageError
from screen.model import FileError, Finding, Level, blob_id
from screen.portal import Portal, Target, published, read_portal
from screen.ruleset import rule_source
from screen.screening import screen
from screen.settings import Settings
from screen.signoff.classification_history import ClassificationHistory, classification_of_page, page_front
from screen.signoff.ledger import Ledger
from screen.signoff.message import CLEARED, Cleared
from screen.signoff.records import FileFacts, VerifiedSignOff
from screen.signoff.signers import TRUST_PATHS, required_roles
from screen.signoff.trust import Trust, load_trust, not_before, verify
from screen.source import MARKDOWN_SUFFIXES
from screen.vcs import Commit, Repository


class Workspace:
    """The repository at `settings.root`, with the trust of `settings.trust_ref`."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.repo = Repository(settings.root)
        if self.repo.root.resolve() != settings.root.resolve():
            # git names files from the repository's root, sign-offs and the gate from the portal's:
            # out of step, nobody's authorship would be found
            raise UsageError(
                f"run baomi in the root of the git repository ({self.repo.root}), where rules/ and "
                "the published files are"
            )
        self._engine = engine

    @cached_property
    def portal(self) -> Portal:
        return read_portal(self.settings.root)

    @cached_property
    def trust(self) -> Trust:
        pinned = self.settings.trust_root or self.repo.config("baomi.trustRoot")
        return load_trust(self.repo, self.settings.trust_ref, pinned)

    @cached_property
    def engine(self) -> Engine:
        return self._engine or shared_engine(self.settings.rules_dir, self.settings.cache_dir)

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
        files = {Path(p).relative_to(folder).as_posix(): d for p, d in trusted.items()}
        return load_engine_from(
            rule_source(Path(f"{self.trust.sha[:10]}:{folder}"), files), self.settings.cache_dir
        )

    def screen(self, targets: list[Target]) -> tuple[list[Finding], list[FileError]]:
        """Findings under the working tree's rules and, where they differ, the trust ref's:
        a finding either one raises counts."""
        findings, errors = screen(self.engine, targets, self.settings)
        if self.trusted_engine is not None:
            seen = {(f.rule, f.path, f.line, f.column) for f in findings}
            extra, _ = screen(self.trusted_engine, targets, self.settings)
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
        return published(self.portal) + trust_files

    @cached_property
    def signoffs(self) -> list[VerifiedSignOff]:
        names = frozenset(t.display for t in self.targets)
        commits = self.repo.log(self.head, self.trust.allowed, grep=f"{CLEARED}:")
        dates = {c.sha: c.committed for c in self.history}
        found = (verify(c, self.trust.signers, names, not_before(c, dates)) for c in commits)
        return [s for s in found if s is not None]

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(history=self.history, signoffs=self.signoffs, reachable=self.repo.reachable)

    @cached_property
    def classification(self) -> ClassificationHistory:
        pages = [t.display for t in self.targets if t.display.endswith(tuple(MARKDOWN_SUFFIXES))]
        return ClassificationHistory(repo=self.repo, head=self.head, trust=self.trust, pages=pages)

    def roles(self, path: str, data: bytes, theme: bool = False) -> tuple[str, ...]:
        """The roles the policy requires for these bytes of `path`: those of an important page
        also when the last cleared version was one (dropping `important: true` is a change the
        roles that cleared it must approve)."""
        policy = self.trust.policy
        roles = required_roles(path, policy, _important(path, data), theme)
        previous = self.ledger.last_clearance(path, blob_id(data), roles)
        if previous and not _important(path, data):
            old = self.repo.blob(previous[1].blob)
            if old is None or _important(path, old):  # a cleared version git lacks: assume it was
                roles = required_roles(path, policy, True, theme)
        return roles

    def last_cleared(self, target: Target) -> tuple[str, Cleared] | None:
        """The sign-off and version a reviewer compares the file with."""
        data = target.path.read_bytes()
        return self.ledger.last_clearance(target.display, blob_id(data), self.roles(target.display, data))

    def version(self, path: str, data: bytes, theme: bool = False) -> FileFacts:
        """What the waiver rule needs of one version of `path`: its identity, roles and authors."""
        blob, roles = blob_id(data), self.roles(path, data, theme)
        authorship = self.ledger.authorship(path, blob, roles)
        return FileFacts(
            path=path,
            blob=blob,
            sha256=hashlib.sha256(data).hexdigest(),
            roles=roles,
            authors=authorship.emails,
            author_keys=authorship.keys,
        )

    def cleared_version(self, cleared: Cleared) -> FileFacts | None:
        """The facts of a version a sign-off names, or None when git lacks its bytes (then
        nothing can show that the sign-off was fair, and it is taken as not)."""
        data = self.repo.blob(cleared.blob)
        if data is None:
            return None
        return self.version(cleared.path, data, self.portal.in_theme(cleared.path))

    def facts(self, target: Target, findings: list[Finding], error: str = "") -> FileFacts:
        path = target.display
        if error:
            return FileFacts(path=path, blob="", sha256="", roles=(), error=error)
        data = target.path.read_bytes()
        version = self.version(path, data, target.theme)
        record = classification_of_page(path, data)
        return FileFacts(
            path=path,
            blob=version.blob,
            sha256=version.sha256,
            roles=version.roles,
            blocking=tuple(f for f in findings if f.level is Level.BLOCK),
            authors=version.authors,
            author_keys=version.author_keys,
            not_in_force=self.trust.not_in_force(path, version.blob),
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


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
