"""A redacted Markdown report, fit for a pull-request comment or a CI step summary."""

from __future__ import annotations

from typing import TextIO

from screen.i18n import _
from screen.model import FileResult, Finding, Level
from screen.report.cells import markdown_cell
from screen.report.view import CheckView, ReportView, Tally, level_label, located, written

MAX_ROWS = 200  # keeps a comment well under GitHub's 65,536-character limit
_ICON = {Level.BLOCK: "⛔", Level.REVIEW: "⚠️", Level.INFO: "ℹ️"}


def _title(tally: Tally, fail_on: Level) -> str:
    if tally.errors:
        return "⛔ " + _("Baomi secrecy screening: files could not be screened")
    if tally.blocked(fail_on):
        return "⛔ " + _("Baomi secrecy screening: blocked")
    return "✅ " + _("Baomi secrecy screening: clean")


class MarkdownWriter:
    """The first `MAX_ROWS` findings kept as the files come (a comment holds no more), written
    under the counts at the end."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view, self._out = view, out
        self._rows: list[str] = []

    def piece(self, result: FileResult) -> list[str]:
        return [self._row(finding) for finding in result.findings[:MAX_ROWS]]

    def add(self, piece: list[str]) -> None:
        self._rows.extend(piece[: MAX_ROWS - len(self._rows)])

    def _row(self, finding: Finding) -> str:
        place = located(finding)
        return (
            f"| {_ICON[finding.level]} {level_label(finding.level)} "
            f"| `{markdown_cell(finding.path)}:{finding.line}:{finding.column}`"
            + (f" ({markdown_cell(place)})" if place else "")
            + " "
            f"| `{finding.rule}` | {markdown_cell(finding.message + _right(finding.suggestion))} "
            f"| {markdown_cell(self._view.shown(finding))} "
            f"| `{finding.fingerprint[:12]}` |"
        )

    def end(self, tally: Tally) -> None:
        view, counts = self._view, tally.counts
        lines = [
            "### " + _title(tally, view.fail_on),
            "",
            _(
                "{files} file(s) screened · {block} block · {review} review · {info} info · "
                "rules {fingerprint}"
            ).format(
                files=view.files_scanned,
                block=counts.get(Level.BLOCK, 0),
                review=counts.get(Level.REVIEW, 0),
                info=counts.get(Level.INFO, 0),
                fingerprint=f"`{view.rules_fingerprint[:19]}…`",
            ),
            "",
        ]
        if self._rows:
            lines += [
                _("| level | location | rule | message | excerpt | fingerprint |"),
                "|---|---|---|---|---|---|",
                *self._rows,
            ]
            if tally.findings > MAX_ROWS:
                more = tally.findings - MAX_ROWS
                lines.append(
                    "\n" + _("…and {count} more; run `baomi check` locally for all.").format(count=more)
                )
        for error in tally.errors:
            path = f"**{markdown_cell(error.path)}**"
            lines.append("- " + _("{path}: {reason}").format(path=path, reason=markdown_cell(error.message)))
        if tally.blocked(view.fail_on):
            lines += [
                "",
                _("Reviewers: run `baomi check --show-matches` locally for unredacted context."),
            ]
        self._out.write("\n".join(lines) + "\n")


def format_markdown(view: ReportView) -> str:
    return written(MarkdownWriter, view)


def _right(suggestion: str) -> str:
    """The right form after a finding's message (`→ 国家市场监督管理总局`), if it has one."""
    return f" → {suggestion}" if suggestion else ""
