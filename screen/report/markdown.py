"""A redacted Markdown report, fit for a pull-request comment or a CI step summary."""

from __future__ import annotations

from screen.i18n import _
from screen.model import Level
from screen.report.cells import markdown_cell
from screen.report.view import ReportView, level_label, located

MAX_ROWS = 200  # keeps a comment well under GitHub's 65,536-character limit
_ICON = {Level.BLOCK: "⛔", Level.REVIEW: "⚠️", Level.INFO: "ℹ️"}


def _title(view: ReportView) -> str:
    result = view.result
    if result.errors:
        return "⛔ " + _("Baomi secrecy screening: files could not be screened")
    if result.blocked(view.fail_on):
        return "⛔ " + _("Baomi secrecy screening: blocked")
    return "✅ " + _("Baomi secrecy screening: clean")


def format_markdown(view: ReportView) -> str:
    result = view.result
    counts = view.counts()
    blocked = result.blocked(view.fail_on)
    lines = [
        "### " + _title(view),
        "",
        _(
            "{files} file(s) screened · {block} block · {review} review · {info} info · rules {fingerprint}"
        ).format(
            files=result.files_scanned,
            block=counts.get(Level.BLOCK, 0),
            review=counts.get(Level.REVIEW, 0),
            info=counts.get(Level.INFO, 0),
            fingerprint=f"`{result.rules_fingerprint[:19]}…`",
        ),
        "",
    ]
    if result.findings:
        lines += [
            _("| level | location | rule | message | excerpt | fingerprint |"),
            "|---|---|---|---|---|---|",
        ]
        for finding in result.findings[:MAX_ROWS]:
            place = located(finding)
            lines.append(
                f"| {_ICON[finding.level]} {level_label(finding.level)} "
                f"| `{markdown_cell(finding.path)}:{finding.line}:{finding.column}`"
                + (f" ({markdown_cell(place)})" if place else "")
                + " "
                f"| `{finding.rule}` | {markdown_cell(finding.message + _right(finding.suggestion))} "
                f"| {markdown_cell(view.shown(finding))} "
                f"| `{finding.fingerprint[:12]}` |"
            )
        if len(result.findings) > MAX_ROWS:
            more = len(result.findings) - MAX_ROWS
            lines.append("\n" + _("…and {count} more; run `baomi check` locally for all.").format(count=more))
    for error in result.errors:
        path = f"**{markdown_cell(error.path)}**"
        lines.append("- " + _("{path}: {reason}").format(path=path, reason=markdown_cell(error.message)))
    if blocked:
        lines += [
            "",
            _("Reviewers: run `baomi check --show-matches` locally for unredacted context."),
        ]
    return "\n".join(lines) + "\n"


def _right(suggestion: str) -> str:
    """The right form after a finding's message (`→ 国家市场监督管理总局`), if it has one."""
    return f" → {suggestion}" if suggestion else ""
