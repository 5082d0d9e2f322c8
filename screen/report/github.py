"""GitHub Actions workflow commands: the top findings as annotations (GitHub shows at most ten of
each kind per step), every finding in the step summary (written by the CLI)."""

from __future__ import annotations

from collections import Counter

from screen.findings import printable
from screen.i18n import _
from screen.model import FileError, Finding, Level
from screen.report.view import ReportView, located

ANNOTATIONS_PER_LEVEL = 10
_COMMAND = {Level.BLOCK: "error", Level.REVIEW: "warning", Level.INFO: "notice"}


def _escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)  # file names and matches may hold escape sequences


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(view: ReportView, finding: Finding) -> str:
    properties = ",".join(
        (
            f"file={_escape_property(finding.path)}",
            f"line={finding.line}",
            f"endLine={finding.end_line}",
            f"col={finding.column}",
            f"endColumn={finding.end_column}",
            f"title={_escape_property(f'baomi {finding.rule} ({finding.level.value})')}",
        )
    )
    place = f" ({located(finding)})" if located(finding) else ""
    right = f" → {finding.suggestion}" if finding.suggestion else ""
    message = f"{finding.message}: {view.shown(finding)}{right}{place} [{finding.fingerprint}]"
    return f"::{_COMMAND[finding.level]} {properties}::{_escape_data(message)}"


def _error(error: FileError) -> str:
    return f"::error file={_escape_property(error.path)}::{_escape_data(error.message)}"


def _caps(view: ReportView) -> dict[Level, int]:
    """How many findings of each level get an annotation. GitHub drops annotations beyond ten of a
    kind silently, so the files that could not be screened (why the run fails) take their error
    slots first, and one notice slot is kept for the pointer to the step summary."""
    result = view.result
    caps = dict.fromkeys(Level, ANNOTATIONS_PER_LEVEL)
    caps[Level.BLOCK] -= min(len(result.errors), ANNOTATIONS_PER_LEVEL)
    counts = Counter(f.level for f in result.findings)
    if len(result.errors) > ANNOTATIONS_PER_LEVEL or any(counts[lv] > caps[lv] for lv in Level):
        caps[Level.INFO] -= 1
    return caps


def format_github(view: ReportView) -> str:
    result = view.result
    caps = _caps(view)
    lines = [_error(e) for e in result.errors[:ANNOTATIONS_PER_LEVEL]]
    for level in Level:
        of_level = [f for f in result.findings if f.level is level]
        lines.extend(_annotation(view, f) for f in of_level[: caps[level]])
    hidden = len(result.findings) + len(result.errors) - len(lines)
    if hidden:
        more = _("{count} more finding(s) are listed in the step summary").format(count=hidden)
        lines.append(f"::notice::{_escape_data(more)}")
    lines.append(view.summary())
    return "\n".join(lines) + "\n"
