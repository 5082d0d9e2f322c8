"""Reports of `baomi history`: each finding with the commit that introduced its version."""

from __future__ import annotations

from collections import Counter
from typing import Any

from screen.findings import printable
from screen.i18n import N_, _
from screen.model import CheckResult, HistoryFinding, HistoryResult, Level
from screen.report.jsontext import dumps
from screen.report.machine import SCHEMA_VERSION, finding_json, sarif_document
from screen.report.text import finding_lines, rules_line
from screen.report.view import TOOL, HistoryView, ReportView

_REMEDY = N_(
    "a leak in history is in every clone even after the file is fixed or deleted: on a branch, "
    "drop it from the branch's commits (git rebase -i) before merging; once merged, rewrite the "
    "history (git filter-repo), force-push, have every clone deleted and cloned again, and report "
    "it to the secrecy office"
)


def _view(history: HistoryView) -> ReportView:
    result = history.result
    check = CheckResult(
        findings=tuple(h.finding for h in result.findings),
        errors=(),
        files_scanned=result.versions_scanned,
        rules_fingerprint=result.rules_fingerprint,
        rules=result.rules,
    )
    return ReportView(result=check, show_matches=history.show_matches, fail_on=history.fail_on)


def _where(found: HistoryFinding) -> str:
    occurrence = found.occurrence
    values = {
        "commit": occurrence.commit[:12],
        "date": f"{occurrence.committed:%Y-%m-%d}",
        "blob": occurrence.blob[:12],
    }
    if occurrence.in_head:
        return _("commit {commit} ({date}), blob {blob}: still in HEAD").format(**values)
    return _("commit {commit} ({date}), blob {blob}: no longer in HEAD, still in the history").format(
        **values
    )


def summary(result: HistoryResult, fail_on: Level) -> str:
    counts = Counter(h.finding.level for h in result.findings if not h.waiver)
    values = {
        "commits": result.commits_scanned,
        "versions": result.versions_scanned,
        "block": counts.get(Level.BLOCK, 0),
        "review": counts.get(Level.REVIEW, 0),
        "info": counts.get(Level.INFO, 0),
        "waived": sum(1 for h in result.findings if h.waiver),
    }
    if result.errors:
        return _(
            "{commits} commit(s), {versions} file version(s) screened: {block} block, {review} review, "
            "{info} info, {waived} waived; {errors} version(s) could not be screened"
        ).format(errors=len(result.errors), **values)
    if result.blocked(fail_on):
        return _(
            "{commits} commit(s), {versions} file version(s) screened: {block} block, {review} review, "
            "{info} info, {waived} waived; blocked"
        ).format(**values)
    return _(
        "{commits} commit(s), {versions} file version(s) screened: {block} block, {review} review, "
        "{info} info, {waived} waived; clean"
    ).format(**values)


def format_history_text(history: HistoryView) -> str:
    result, fail_on = history.result, history.fail_on
    view = _view(history)
    lines: list[str] = []
    for found in result.findings:
        body = finding_lines(view, found.finding)
        gutter = " " * len(str(found.finding.line))
        body.insert(-1, f" {gutter} = {_where(found)}")
        if found.waiver:
            waived = _("waived in a verified sign-off: {reason}").format(reason=found.waiver)
            body.append(f" {gutter} = {waived}")
        lines += body
    for error in result.errors:
        where = f"{error.occurrence.commit[:12]}:{error.occurrence.path}"
        lines.append(_("{path}: error: {message}").format(path=where, message=error.message))
    if result.waivers_note:
        lines.append(_("note: {note}").format(note=result.waivers_note))
    lines.append(summary(result, fail_on))
    lines.append(rules_line(result.rules_fingerprint))
    if result.blocked(fail_on):
        lines.append(_("what to do: {remedy}").format(remedy=_(_REMEDY)))
    return "\n".join(printable(line) for line in lines) + "\n"


def _origin(found: HistoryFinding) -> dict[str, Any]:
    occurrence = found.occurrence
    return {
        "commit": occurrence.commit,
        "committed": occurrence.committed.isoformat(),
        "blob": occurrence.blob,
        "in_head": occurrence.in_head,
        "waived": found.waiver or None,
    }


def format_history_json(history: HistoryView) -> str:
    result = history.result
    view = _view(history)
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL, "version": view.version},
        "rules_fingerprint": result.rules_fingerprint,
        "commits_scanned": result.commits_scanned,
        "versions_scanned": result.versions_scanned,
        "findings": [finding_json(view, h.finding) | _origin(h) for h in result.findings],
        "errors": [
            {"commit": e.occurrence.commit, "path": e.occurrence.path, "message": e.message}
            for e in result.errors
        ],
        "waivers_note": result.waivers_note or None,
    }
    return dumps(document)


def format_history_sarif(history: HistoryView) -> str:
    """SARIF with the commit of each result in its properties; a waived finding carries an
    external suppression with the sign-off's reason (code scanning shows it as dismissed)."""
    result = history.result
    document = sarif_document(_view(history))
    run = document["runs"][0]
    for record, found in zip(run["results"], result.findings, strict=True):
        record["message"]["text"] += f" ({_where(found)})"
        record["properties"] |= _origin(found)
        if found.waiver:
            record["suppressions"] = [{"kind": "external", "justification": found.waiver}]
    run["invocations"] = [
        {
            "executionSuccessful": not result.errors,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": f"{e.occurrence.commit[:12]}:{e.occurrence.path}: {e.message}"},
                }
                for e in result.errors
            ],
        }
    ]
    return dumps(document)
