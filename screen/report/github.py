"""GitHub Actions workflow commands: the top findings as annotations (GitHub shows at most ten of
each kind per step), every finding in the step summary (written by the CLI)."""

from __future__ import annotations

from typing import TextIO

from screen.findings import printable
from screen.i18n import _
from screen.model import FileError, FileResult, Finding, Level
from screen.report.view import CheckView, ReportView, Tally, located, written

ANNOTATIONS_PER_LEVEL = 10
_COMMAND = {Level.BLOCK: "error", Level.REVIEW: "warning", Level.INFO: "notice"}


def _escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)  # file names and matches may hold escape sequences


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(view: CheckView, finding: Finding) -> str:
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


def _caps(tally: Tally) -> dict[Level, int]:
    """How many findings of each level get an annotation. GitHub drops annotations beyond ten of a
    kind silently, so the files that could not be screened (why the run fails) take their error
    slots first, and one notice slot is kept for the pointer to the step summary."""
    errors = len(tally.errors)
    caps = dict.fromkeys(Level, ANNOTATIONS_PER_LEVEL)
    caps[Level.BLOCK] -= min(errors, ANNOTATIONS_PER_LEVEL)
    if errors > ANNOTATIONS_PER_LEVEL or any(tally.counts[lv] > caps[lv] for lv in Level):
        caps[Level.INFO] -= 1
    return caps


class GithubWriter:
    """The first findings of each level (all GitHub shows) kept as the files come, written at the
    end, when it is known how many of each there are."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view, self._out = view, out
        self._first: dict[Level, list[Finding]] = {level: [] for level in Level}

    def piece(self, result: FileResult) -> list[Finding]:
        """The file's first findings of each level."""
        kept: list[Finding] = []
        counts = dict.fromkeys(Level, 0)
        for finding in result.findings:
            if counts[finding.level] < ANNOTATIONS_PER_LEVEL:
                counts[finding.level] += 1
                kept.append(finding)
        return kept

    def add(self, piece: list[Finding]) -> None:
        for finding in piece:
            first = self._first[finding.level]
            if len(first) < ANNOTATIONS_PER_LEVEL:
                first.append(finding)

    def end(self, tally: Tally) -> None:
        caps = _caps(tally)
        lines = [_error(e) for e in tally.errors[:ANNOTATIONS_PER_LEVEL]]
        for level in Level:
            lines.extend(_annotation(self._view, f) for f in self._first[level][: caps[level]])
        hidden = tally.findings + len(tally.errors) - len(lines)
        if hidden:
            more = _("{count} more finding(s) are listed in the step summary").format(count=hidden)
            lines.append(f"::notice::{_escape_data(more)}")
        lines.append(tally.summary(self._view))
        self._out.write("\n".join(lines) + "\n")


def format_github(view: ReportView) -> str:
    return written(GithubWriter, view)
