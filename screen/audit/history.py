"""`baomi history`: screen every version of every published file the repository holds.

Deleting a leaked page does not take it out of git: every clone keeps every blob its history
reaches. The audit reads the history (all refs, or what a branch adds since a revision) for each
version of a file under the docs directory, the theme overrides and `mkdocs.yml`, screens each
version once with the current rules (the findings cache makes a second audit cheap), and
reports each finding with the commit that introduced it. A finding a verified sign-off of those
exact bytes waived is reported as waived and does not block."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from screen.engine import Engine
from screen.errors import ScreenError, UsageError
from screen.i18n import _
from screen.model import Finding, HistoryError, HistoryFinding, HistoryResult, Occurrence
from screen.portal import Target
from screen.screening import screen
from screen.signoff.facts import version_facts
from screen.signoff.waivers import waived
from screen.signoff.workspace import Workspace


def _rounds(occurrences: list[Occurrence]) -> list[list[Occurrence]]:
    """Occurrences in rounds where each path appears once (the n-th version of every path in
    round n): a round is screened as one set of files, whose names must differ."""
    by_path: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_path[occurrence.path].append(occurrence)
    depth = max((len(v) for v in by_path.values()), default=0)
    return [[v[n] for v in by_path.values() if n < len(v)] for n in range(depth)]


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


def _screen_round(
    workspace: Workspace, engine: Engine, batch: list[Occurrence], waivers: _Waivers
) -> tuple[list[HistoryFinding], list[HistoryError]]:
    """Screen one round of versions (each path once) and attach the waivers that count."""
    root, repo = workspace.settings.root, workspace.repo
    targets, errors, data = [], [], {}
    for occurrence in batch:
        blob = repo.blob(occurrence.blob)
        if blob is None:
            missing = _("blob missing from the repository")
            errors.append(HistoryError(occurrence=occurrence, message=missing))
            continue
        data[occurrence.path] = blob
        config = workspace.portal.is_config_file(occurrence.path)
        targets.append(Target(path=root / occurrence.path, display=occurrence.path, config=config, data=blob))
    found, failed = screen(engine, targets, workspace.settings)
    by_path = {o.path: o for o in batch}
    findings = []
    for occurrence in batch:
        own = [f for f in found if f.path == occurrence.path]
        waiver = waivers.of(occurrence, data.get(occurrence.path, b""), own)
        findings += [
            HistoryFinding(finding=f, occurrence=occurrence, waiver=waiver.get(f.fingerprint, ""))
            for f in own
        ]
    errors += [HistoryError(occurrence=by_path[e.path], message=e.message) for e in failed]
    return findings, errors


def audit(workspace: Workspace, since: str | None = None) -> HistoryResult:
    """Screen every version of every published file in the history of all refs, or, with
    `since`, in the commits HEAD has and `since` has not (what merging the branch would add)."""
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
    findings: list[HistoryFinding] = []
    errors: list[HistoryError] = []
    for batch in _rounds(occurrences):
        assert waivers is not None
        found, failed = _screen_round(workspace, engine, batch, waivers)
        findings += found
        errors += failed
    order = {(o.path, o.blob): n for n, o in enumerate(occurrences)}
    findings.sort(
        key=lambda h: (order[h.occurrence.path, h.occurrence.blob], h.finding.line, h.finding.column)
    )
    errors.sort(key=lambda e: order[e.occurrence.path, e.occurrence.blob])
    return HistoryResult(
        findings=tuple(findings),
        errors=tuple(errors),
        commits_scanned=commits,
        versions_scanned=len(occurrences),
        rules_fingerprint=engine.fingerprint,
        rules=engine.ruleset.rules,
        waivers_note=waivers.note if waivers else "",
    )
