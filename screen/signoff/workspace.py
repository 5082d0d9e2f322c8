"""One repository read once per command: the portal's published files, the trust in force, the
rules (the working tree's and the trust ref's), the verified sign-offs, the ledger of fair
clearances and the classification history. What the gate decides on is derived from it in
`screen.signoff.facts`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from screen.ancestry import Ancestry
from screen.engine import Engine, load_engine_from, shared_engine
from screen.errors import InputError, UsageError
from screen.i18n import N_, _
from screen.model import FileError, Finding, blob_id
from screen.packaged import LOCK_FILE, lock_problem
from screen.portal import Portal, Target, published, read_portal
from screen.ruleset import is_rule_file, rule_source
from screen.screening import screen
from screen.settings import Settings
from screen.signoff.classification_history import ClassificationHistory
from screen.signoff.endings import Ending, Endings, read_endings
from screen.signoff.ledger import Ledger
from screen.signoff.message import CLEARED, cleared_for
from screen.signoff.records import VerifiedSignOff
from screen.signoff.signers import TRUST_PATHS, required_roles
from screen.signoff.trust import Trust, load_trust, not_before, verify, verify_seals
from screen.source import MARKDOWN_SUFFIXES
from screen.source.reading import read_file
from screen.vcs import Commit, Repository


class Workspace:
    """The repository at `settings.root`, with the trust of `settings.trust_ref`."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.repo = Repository(settings.root, settings.cache_dir)
        if self.repo.root.resolve() != settings.root.resolve():
            # git names files from the repository's root, sign-offs and the gate from the portal's:
            # out of step, nobody's authorship would be found
            raise UsageError(
                _(
                    "run baomi in the root of the git repository ({path}), where rules/ and "
                    "the published files are"
                ).format(path=self.repo.root)
            )
        self._engine = engine

    @cached_property
    def portal(self) -> Portal:
        return read_portal(self.settings.root)

    @cached_property
    def trust(self) -> Trust:
        pinned = self.settings.trust_root or self.repo.config("baomi.trustRoot")
        # every sign-off's seal checked at once, on every core, before the chain replays them
        trust_sha = self.repo.require(self.settings.trust_ref, N_("trust ref"))
        candidates = {
            c.sha: c for rev in (trust_sha, self.head) for c in self.repo.log(rev, "", grep=f"{CLEARED}:")
        }
        verify_seals(list(candidates.values()), self.repo.seal_store)
        return load_trust(self.repo, self.settings.trust_ref, pinned)

    @cached_property
    def engine(self) -> Engine:
        return self._engine or shared_engine(self.settings.rules_dir, self.settings.cache_dir)

    @cached_property
    def rules_folder(self) -> str:
        """The rules folder, relative to the repository (`rules`)."""
        return self.settings.rules_dir.resolve().relative_to(self.repo.root.resolve()).as_posix()

    @cached_property
    def rule_targets(self) -> list[Target]:
        """Every rule file (terms, patterns, term lists, overrides) but the trust files, and the
        lock of the packaged rules (listed when missing, to say so): each needs the principal's
        clearance before it takes effect, as the signers and policy do."""
        folder = self.settings.root / self.rules_folder
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        lock = Target(path=folder / LOCK_FILE, display=f"{self.rules_folder}/{LOCK_FILE}")
        return [
            Target(path=folder / name, display=f"{self.rules_folder}/{name}")
            for name in names
            if is_rule_file(name) and f"{self.rules_folder}/{name}" not in TRUST_PATHS
        ] + [lock]

    @cached_property
    def deleted_rules(self) -> list[Target]:
        """Rule files the trust ref has, or the history deleted, that are gone now: each stays in
        force in its last cleared version until the principal clears its deletion (a sign-off of
        the path as empty: `baomi sign` on the deleted path)."""
        folder = self.rules_folder
        present = {t.display for t in self.rule_targets}
        names = set(self._trusted_rules) | {p for _, _, p in self.repo.deletions(self.head, [f"{folder}/"])}
        return [
            Target(path=self.repo.root / path, display=path, data=b"")
            for path in sorted(names - present)
            if is_rule_file(path.removeprefix(f"{folder}/")) and path not in TRUST_PATHS
        ]

    @cached_property
    def _trusted_rules(self) -> dict[str, bytes]:
        """The trust ref's rule files (path → bytes)."""
        found = self.repo.tree_files(self.trust.sha, self.rules_folder)
        return {p: d for p, d in found.items() if p not in TRUST_PATHS}

    def _in_force(self, path: str, data: bytes | None) -> bytes | None:
        """The version of the rule file `path` (working bytes `data`, None when deleted) in
        force: its bytes when the principal cleared them, else the version last cleared, else
        the trust ref's (None: none, or its deletion was cleared)."""
        roles = self.trust.policy.rules
        if data is not None and self.ledger.fairly_cleared(self.head, cleared_for(path, data), roles):
            return data
        previous = self.ledger.last_clearance(path, blob_id(data) if data is not None else "", roles)
        if previous is not None:
            return self.repo.blob(previous[1].blob) if previous[1].blob != _EMPTY else None
        return self._trusted_rules.get(path)

    @cached_property
    def lock_problem(self) -> str:
        """Why the packaged rules may not publish as locked ("" when they may)."""
        return lock_problem(_read(self.settings.rules_dir / LOCK_FILE), self.rules_folder)

    @cached_property
    def trusted_engine(self) -> Engine | None:
        """The rules in force, when the working tree's differ: a rule file changed and not yet
        cleared by the principal counts in its last cleared version (or the trust ref's) as well,
        so a change can add terms at once but removes them only once cleared. A deleted rule
        file counts until its deletion is cleared."""
        folder = self.rules_folder
        working = {t.display: _read(t.path) for t in self.rule_targets if is_rule_file(_name(t, folder))}
        in_force = {path: self._in_force(path, data) for path, data in working.items()}
        in_force.update(self._deleted_in_force)
        if all(in_force.get(p) in (None, working.get(p)) for p in in_force):
            return None  # nothing in force that the working rules lack
        # the working files fill in what has no version in force, so every rule finds its terms
        merged = {**working, **{p: d for p, d in in_force.items() if d is not None}}
        files = {Path(p).relative_to(folder).as_posix(): d for p, d in merged.items() if d is not None}
        return load_engine_from(
            rule_source(Path(f"{self.head[:10]}:{folder}"), files, in_force=True), self.settings.cache_dir
        )

    @cached_property
    def _deleted_in_force(self) -> dict[str, bytes | None]:
        """Each deleted rule file's version in force (None: its deletion is cleared, or it never
        was in force): read once for the rules in force and for every `select`."""
        return {t.display: self._in_force(t.display, None) for t in self.deleted_rules}

    def screen(self, targets: list[Target]) -> tuple[list[Finding], list[FileError]]:
        """Findings under the working tree's rules and, where they differ, the rules in force
        (`trusted_engine`): a finding either one raises counts. Rule files are not screened."""
        rules = {t.display for t in self.rule_targets + self.deleted_rules}
        targets = [t for t in targets if t.display not in rules]  # rule data: gated, not screened
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
    def ancestry(self) -> Ancestry:
        """Which commit reaches which, in the history of HEAD (in memory)."""
        return Ancestry(self.history, self.repo.reachable)

    @cached_property
    def targets(self) -> list[Target]:
        trust_files = [Target(path=self.repo.root / p, display=p) for p in TRUST_PATHS]
        return published(self.portal) + trust_files + self.rule_targets + self.deleted_rules

    @cached_property
    def signoffs(self) -> list[VerifiedSignOff]:
        names = frozenset(t.display for t in self.targets)
        commits = self.repo.log(self.head, self.trust.allowed, grep=f"{CLEARED}:")
        dates = {c.sha: c.committed for c in self.history}
        found = (verify(c, self.trust.signers, names, not_before(c, dates)) for c in commits)
        return [s for s in found if s is not None]

    @cached_property
    def ledger(self) -> Ledger:
        signers = self.trust.signers.signers
        return Ledger(
            history=self.history,
            signoffs=self.signoffs,
            reachable=self.ancestry,
            signed_authors=self.trust.policy.signed_authors,
            known_keys=frozenset(fp for signer in signers for fp in signer.fingerprints),
        )

    @cached_property
    def endings(self) -> Endings:
        """Deletions and revocations (撤稿) of the files published now."""
        return self.endings_of(frozenset(t.display for t in self.targets))

    def endings_of(self, published: frozenset[str]) -> Endings:
        """Deletions and revocations (撤稿) of `published` in the history."""
        policy, portal = self.trust.policy, self.portal

        def roles(path: str) -> tuple[str, ...]:  # any role the file can require
            return required_roles(path, policy, True, portal.needs_config_role(path))

        dates = {c.sha: c.committed for c in self.history}
        return read_endings(self.repo, self.head, self.trust, published, roles, dates)

    def signoffs_for(self, path: str, blob: str) -> list[VerifiedSignOff]:
        """The sign-offs that name `path` or these bytes (under any path), newest first: all the
        gate weighs for one file."""
        chosen = {s.sha for s in self.ledger.naming(path)} | self._naming_blob.get(blob, set())
        return [s for s in self.signoffs if s.sha in chosen] if chosen else []

    @cached_property
    def _naming_blob(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for signoff in self.signoffs:
            for cleared in signoff.message.cleared:
                found.setdefault(cleared.blob, set()).add(signoff.sha)
        return found

    def ended(self, path: str) -> tuple[tuple[str, str], ...]:
        """(sign-off commit, why) of each sign-off naming `path` whose clearance a later
        deletion or revocation of it ended."""
        return self.ended_among(path, self.endings.by_path.get(path, []))

    def ended_among(self, path: str, endings: list[Ending]) -> tuple[tuple[str, str], ...]:
        """(sign-off commit, why) of each sign-off naming `path` that one of `endings` ended."""
        if not endings:
            return ()
        found = []
        for signoff in self.ledger.naming(path):
            ending = next((e for e in endings if signoff.sha in self.ledger.reach(e.commit)), None)
            if ending is not None:
                found.append((signoff.sha, ending.describe()))
        return tuple(found)

    @cached_property
    def classification(self) -> ClassificationHistory:
        pages = [t.display for t in self.targets if t.display.endswith(tuple(MARKDOWN_SUFFIXES))]
        return ClassificationHistory(
            repo=self.repo, head=self.head, trust=self.trust, pages=pages, reachable=self.ledger.reach
        )

    def select(self, paths: list[str]) -> list[Target]:
        """The targets named (all by default); a deleted rule file only while it is in force."""
        gone = {path for path, data in self._deleted_in_force.items() if data is None}
        targets = [t for t in self.targets if t.display not in gone]
        if not paths:
            return targets
        chosen: dict[str, Target] = {}
        missing = []
        for path in paths:
            name = Path(path).as_posix().removeprefix("./")
            # a file by its name, or a folder (`content/`, `rules/`) by every file under it
            found = [t for t in targets if name in (t.display, ".") or t.display.startswith(f"{name}/")]
            if not found:
                missing.append(name)
            chosen.update((t.display, t) for t in found)
        if missing:
            raise UsageError(_("not a published file: {paths}").format(paths=", ".join(sorted(missing))))
        return list(chosen.values())


_EMPTY = blob_id(b"")  # what a sign-off of a deleted rule file clears


def _name(target: Target, folder: str) -> str:
    return target.display.removeprefix(f"{folder}/")


def _read(path: Path) -> bytes | None:
    try:
        return read_file(path, path.name)
    except InputError:
        return None
