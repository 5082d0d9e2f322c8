"""`baomi report`: the self-inspection report (保密自查报告) for a period, computed from the git
history and the verified sign-offs, never from anyone's say-so: what was reviewed and by whom,
what screening found and what was waived, how long clearance took, which sign-offs did not
count, and the classification changes."""

from __future__ import annotations

import statistics
from collections import Counter

from screen.audit.records import UNSCREENED, Inspection, Period
from screen.errors import UsageError
from screen.i18n import _
from screen.portal import Target
from screen.screening import screen
from screen.signoff.facts import cleared_version
from screen.signoff.message import parse_declassification
from screen.signoff.records import VerifiedSignOff
from screen.signoff.signers import ROLES
from screen.signoff.status import status
from screen.signoff.waivers import decides
from screen.signoff.workspace import Workspace
from screen.source import MARKDOWN_SUFFIXES


def _findings(workspace: Workspace, versions: list[tuple[str, bytes]]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for path, data in versions:
        target = Target(path=workspace.settings.root / path, display=path, data=data)
        found, errors = screen(workspace.engine, [target], workspace.settings)
        counts.update((f.rule, f.level.value) for f in found)
        counts.update((UNSCREENED, "error") for _error in errors)
    return counts


def _by_count(counts: Counter[tuple[str, str]]) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        sorted(((rule, level, n) for (rule, level), n in counts.items()), key=lambda x: (-x[2], x[0]))
    )


def _classification_changes(workspace: Workspace, period: Period) -> list[tuple[str, str, str]]:
    changes = []
    dates = {c.sha: c.committed for c in workspace.history}
    for path, shas in workspace.classification.classified_in.items():
        changes += [
            (dates[s].date().isoformat(), path, _("classified")) for s in shas if period.holds(dates[s])
        ]
    for commit in workspace.history:
        record = parse_declassification(commit.message)
        if (
            record
            and commit.sha in workspace.classification.declassified.get(record.path, [])
            and period.holds(commit.committed)
        ):
            change = _("declassified (was {level})").format(level=record.was)
            changes.append((commit.committed.date().isoformat(), record.path, change))
    return sorted(changes)


def _waivers(workspace: Workspace, signoff: VerifiedSignOff) -> list[tuple[str, str, str, str]]:
    """The waivers of `signoff` that count (the one rule of `waivers`), with the files they count
    for: (date, paths, signer, reason)."""
    decided = []
    for cleared in signoff.message.cleared:
        version = cleared_version(workspace, cleared)
        if version is not None and decides(signoff, version):
            decided.append(cleared.path)
    if not decided or signoff.signer is None:
        return []
    day, name = signoff.committed.date().isoformat(), signoff.signer.name
    return [(day, "、".join(decided), name, w.reason) for w in signoff.message.waivers]


def _page(path: str) -> bool:
    """A page (网页) of the site: a Markdown source; the configuration and rule files are not."""
    return path.lower().endswith(tuple(MARKDOWN_SUFFIXES)) and not path.startswith("rules/")


def inspect(workspace: Workspace, period: Period) -> Inspection:
    """The self-inspection report of `period` over the history of HEAD."""
    if period.since and period.until and period.since > period.until:
        raise UsageError(_("--since is after --until"))
    # versions drafted: of what is published and the trust files, not the rule data (never screened)
    rules = workspace.rule_targets + workspace.deleted_rules
    published = {t.display for t in workspace.targets} - {t.display for t in rules}
    occurrences, _commits = workspace.repo.introduced([workspace.head], sorted(published))
    first_seen = {(o.path, o.blob): o.committed for o in occurrences}
    drafted = [o for o in occurrences if period.holds(o.committed)]
    versions = [(o.path, workspace.repo.blob(o.blob) or b"") for o in drafted]
    in_period = [s for s in workspace.signoffs if period.holds(s.committed)]
    counting = [s for s in in_period if not s.problem and s.signer is not None]
    items = {(c.path, c.blob) for s in counting for c in s.message.cleared}
    hours = [
        (s.committed - first_seen[c.path, c.blob]).total_seconds() / 3600
        for s in counting
        for c in s.message.cleared
        if (c.path, c.blob) in first_seen
    ]
    reviewers: Counter[tuple[str, str]] = Counter()
    for s in counting:
        assert s.signer is not None
        reviewers[(s.signer.name, "/".join(sorted(s.signer.roles)))] += len(s.message.cleared)
    now = status(workspace, []).files
    return Inspection(
        period=period,
        items_reviewed=len(items),
        pages_reviewed=len({path for path, _blob in items if _page(path)}),
        others_reviewed=len({path for path, _blob in items if not _page(path)}),
        pages_published=sum(f.publishable and _page(f.path) for f in now),
        others_published=sum(f.publishable and not _page(f.path) for f in now),
        ref=workspace.head[:10],
        titles=tuple((role, workspace.trust.policy.title(role)) for role in sorted(ROLES)),
        versions_drafted=len(drafted),
        published=sum(f.publishable for f in now),
        held_back=sum(not f.publishable for f in now),
        stale_now=sum(f.state == "stale" for f in now),
        findings=_by_count(_findings(workspace, versions)),
        waivers=tuple(w for s in counting for w in _waivers(workspace, s)),
        reviewers=tuple(
            (name, roles, n) for (name, roles), n in sorted(reviewers.items(), key=lambda x: -x[1])
        ),
        median_hours=round(statistics.median(hours), 1) if hours else None,
        broken=tuple((s.committed.date().isoformat(), s.sha[:10], s.problem) for s in in_period if s.problem),
        classification=tuple(_classification_changes(workspace, period)),
        revoked=tuple(
            (e.committed.date().isoformat(), e.path, e.who, e.reason)
            for endings in workspace.endings.by_path.values()
            for e in endings
            if e.kind == "revoked" and period.holds(e.committed)
        ),
    )
