"""GitHub Actions workflow commands: the top findings as annotations (GitHub shows at most ten of
each kind per step), every finding in the step summary (written by the CLI)."""

from __future__ import annotations

from screen.model import Finding, Level
from screen.report.view import ReportView

ANNOTATIONS_PER_LEVEL = 10
_COMMAND = {Level.BLOCK: "error", Level.REVIEW: "warning", Level.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
    message = f"{finding.message}: {view.shown(finding)} [{finding.fingerprint}]"
    return f"::{_COMMAND[finding.level]} {properties}::{_escape_data(message)}"


def format_github(view: ReportView) -> str:
    lines: list[str] = []
    shown = 0
    for level in Level:
        of_level = [f for f in view.result.findings if f.level is level]
        lines.extend(_annotation(view, f) for f in of_level[:ANNOTATIONS_PER_LEVEL])
        shown += min(len(of_level), ANNOTATIONS_PER_LEVEL)
    for error in view.result.errors:
        lines.append(f"::error file={_escape_property(error.path)}::{_escape_data(error.message)}")
    hidden = len(view.result.findings) - shown
    if hidden:
        lines.append(f"::notice::{hidden} more finding(s) are listed in the step summary")
    lines.append(view.summary())
    return "\n".join(lines) + "\n"
