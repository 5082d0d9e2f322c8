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
from pathlib import Path

from screen.api import CONFIG_NAME, Target, docs_dir, screen_remembered, theme_dir
from screen.clearance import Workspace, required_roles
from screen.engine import load_engine
from screen.errors import ScreenError, UsageError
from screen.model import HistoryError, HistoryFinding, HistoryResult, Occurrence
from screen.settings import Settings


def audited_paths(root: Path) -> list[str]:
    """Repository-relative pathspecs of what the portal publishes."""
    folders = [docs_dir(root)] + [d for d in (theme_dir(root),) if d is not None]
    return [f.absolute().relative_to(root.absolute()).as_posix() for f in folders] + [CONFIG_NAME]


def _rounds(occurrences: list[Occurrence]) -> list[list[Occurrence]]:
    """Occurrences in rounds where each path appears once (the n-th version of every path in
    round n): a round is screened as one set of files, whose names must differ."""
    by_path: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_path[occurrence.path].append(occurrence)
    depth = max((len(v) for v in by_path.values()), default=0)
    return [[v[n] for v in by_path.values() if n < len(v)] for n in range(depth)]


def _waivers(workspace: Workspace) -> tuple[dict[tuple[str, str, str], str], str]:
    """Waivers of verified sign-offs by a reviewer of the file, by the (path, blob, fingerprint)
    they cleared, with their reasons; or none and why, when the sign-offs cannot be verified
    (then nothing is waived)."""
    try:
        signoffs = workspace.signoffs
    except ScreenError as error:
        return {}, f"sign-offs not verified, so no waiver counts: {error}"
    policy = workspace.trust.policy
    waived: dict[tuple[str, str, str], str] = {}
    for signoff in signoffs:
        if signoff.problem or signoff.signer is None:
            continue
        for cleared in signoff.message.cleared:
            # a reviewer's decision: the signer holds a role the policy requires for the file
            if not set(signoff.signer.roles) & set(required_roles(cleared.path, policy, important=False)):
                continue
            for waiver in signoff.message.waivers:
                waived[(cleared.path, cleared.blob, waiver.fingerprint)] = waiver.reason
    return waived, ""


def audit(settings: Settings, since: str | None = None) -> HistoryResult:
    """Screen every version of every published file in the history of all refs, or, with
    `since`, in the commits HEAD has and `since` has not (what merging the branch would add)."""
    workspace = Workspace(settings=settings, trust_ref="HEAD")
    repo = workspace.repo
    if repo.resolve("HEAD") is None:
        raise UsageError("this repository has no commits yet: there is no history to audit")
    revisions = ["--all"]
    if since is not None:
        revisions = [f"{repo.require(since, '--since revision')}..HEAD"]
    paths = audited_paths(settings.root)
    occurrences, commits = repo.introduced(revisions, paths)
    in_head = repo.tree_blobs("HEAD", paths)
    occurrences = [replace(o, in_head=(o.path, o.blob) in in_head) for o in occurrences]
    engine = load_engine(settings.rules_dir, settings.cache_dir)
    waived, note = _waivers(workspace) if occurrences else ({}, "")
    findings: list[HistoryFinding] = []
    errors: list[HistoryError] = []
    for batch in _rounds(occurrences):
        targets, missing = [], []
        for occurrence in batch:
            data = repo.blob(occurrence.blob)
            if data is None:
                missing.append(
                    HistoryError(occurrence=occurrence, message="blob missing from the repository")
                )
                continue
            config = occurrence.path == CONFIG_NAME
            path = settings.root / occurrence.path
            targets.append(Target(path=path, display=occurrence.path, config=config, data=data))
        errors += missing
        found, failed = screen_remembered(engine, targets, settings)
        by_path = {o.path: o for o in batch}
        findings += [
            HistoryFinding(
                finding=f,
                occurrence=by_path[f.path],
                waiver=waived.get((f.path, by_path[f.path].blob, f.fingerprint), ""),
            )
            for f in found
        ]
        errors += [HistoryError(occurrence=by_path[e.path], message=e.message) for e in failed]
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
        waivers_note=note,
    )
