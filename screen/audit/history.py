"""`baomi history`: screen every version of every published file the repository holds.

Deleting a leaked page does not take it out of git: every clone keeps every blob its history
reaches. The audit reads the history (all refs, or what a branch adds since a revision) for each
version of a file under the docs directory, the theme overrides and `mkdocs.yml`, screens each
version once with the current rules (the findings cache makes a second audit cheap), and
reports each finding with the commit that introduced it. A finding a verified sign-off of those
exact bytes waived is reported as waived and does not block."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import replace

from screen.engine import Engine
from screen.errors import ScreenError, UsageError
from screen.i18n import _
from screen.model import Finding, HistoryError, HistoryFinding, HistoryRun, HistoryVersion, Occurrence
from screen.portal import Target
from screen.screening import screen_parts
from screen.signoff.facts import version_facts
from screen.signoff.waivers import waived
from screen.signoff.workspace import Workspace


class _Waivers:
    """The waivers that count for each version screened, by the one rule of
    `screen.signoff.waivers`, as `baomi status` would judge those bytes; none when the sign-offs
    cannot be verified (then `note` says why)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace, self.note = workspace, ""
        try:
            self.signoffs = workspace.signoffs
        except ScreenError as error:
            self.signoffs = []
            self.note = _("sign-offs not verified, so no waiver counts: {error}").format(error=error)

    def of(self, occurrence: Occurrence, data: bytes, findings: list[Finding]) -> dict[str, str]:
        if not findings or not self.signoffs:
            return {}
        theme = self.workspace.portal.needs_config_role(occurrence.path)
        return waived(version_facts(self.workspace, occurrence.path, data, theme), self.signoffs)


_PARALLEL_VERSIONS = 100  # versions below which the audit stays on one core
_PART_BYTES = 256 << 10  # a core's unit of work: consecutive versions of about this size …
_PART_FILES = 64  # … and no more versions than this


class _Versions:
    """The versions to screen, their blobs read from the repository a run at a time as the
    screening asks for them (a long history is never held in memory), and what was read for
    each, in order, until its result comes back (`missing`: a blob the repository lacks)."""

    def __init__(self, workspace: Workspace, occurrences: list[Occurrence]) -> None:
        self.workspace, self.occurrences = workspace, occurrences
        self.read: deque[tuple[Occurrence, bytes | None]] = deque()

    def parts(self) -> Iterator[list[Target]]:
        root, repo = self.workspace.settings.root, self.workspace.repo
        part: list[Target] = []
        size = 0
        for occurrence in self.occurrences:
            blob = repo.blob(occurrence.blob)
            self.read.append((occurrence, blob))
            if blob is None:
                continue
            config = self.workspace.portal.is_config_file(occurrence.path)
            part.append(
                Target(path=root / occurrence.path, display=occurrence.path, config=config, data=blob)
            )
            size += len(blob)
            if size >= _PART_BYTES or len(part) >= _PART_FILES:
                yield part
                part, size = [], 0
        if part:
            yield part

    def missing(self) -> Iterator[HistoryVersion]:
        """The versions read before the next screened one whose blob the repository lacks."""
        while self.read and self.read[0][1] is None:
            occurrence = self.read.popleft()[0]
            missing = HistoryError(occurrence=occurrence, message=_("blob missing from the repository"))
            yield HistoryVersion(occurrence=occurrence, findings=(), errors=(missing,))


def _versions(
    workspace: Workspace, engine: Engine, occurrences: list[Occurrence], waivers: _Waivers
) -> Iterator[HistoryVersion]:
    """Each version screened, in the order given, with the waivers that count for it."""
    versions = _Versions(workspace, occurrences)
    jobs = workspace.settings.jobs if len(occurrences) >= _PARALLEL_VERSIONS else 1
    for result in screen_parts(engine, versions.parts(), workspace.settings, jobs):
        yield from versions.missing()
        occurrence, data = versions.read.popleft()
        waiver = waivers.of(occurrence, data or b"", list(result.findings))
        yield HistoryVersion(
            occurrence=occurrence,
            findings=tuple(
                HistoryFinding(finding=f, occurrence=occurrence, waiver=waiver.get(f.fingerprint, ""))
                for f in result.findings
            ),
            errors=tuple(HistoryError(occurrence=occurrence, message=e.message) for e in result.errors),
        )
    yield from versions.missing()


def audit(workspace: Workspace, since: str | None = None) -> HistoryRun:
    """Screen every version of every published file in the history of all refs, or, with
    `since`, in the commits HEAD has and `since` has not (what merging the branch would add):
    the versions come as they are screened, in the order the history introduced them."""
    repo = workspace.repo
    if repo.resolve("HEAD") is None:
        raise UsageError(_("this repository has no commits yet: there is no history to audit"))
    revisions = ["--all"]
    if since is not None:
        start = repo.require(since, _("--since revision"))
        revisions = [f"{start}..HEAD"]
    paths = workspace.portal.audited_paths()
    occurrences, commits = repo.introduced(revisions, paths)
    in_head = repo.tree_blobs("HEAD", paths)
    occurrences = [replace(o, in_head=(o.path, o.blob) in in_head) for o in occurrences]
    engine = workspace.engine
    waivers = _Waivers(workspace) if occurrences else None
    return HistoryRun(
        versions=_versions(workspace, engine, occurrences, waivers) if waivers else iter(()),
        commits_scanned=commits,
        versions_scanned=len(occurrences),
        rules_fingerprint=engine.fingerprint,
        rules=engine.ruleset.rules,
        waivers_note=waivers.note if waivers else "",
    )
