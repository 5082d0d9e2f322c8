"""What `baomi fix` prints: the change as a unified diff, what was left alone and why, and the
findings that stay for a person (as `baomi check` prints them)."""

from __future__ import annotations

from dataclasses import dataclass

from screen.findings import printable
from screen.fixing import FixPlan
from screen.i18n import _, ngettext
from screen.report.text import format_text
from screen.report.view import ReportView


@dataclass(frozen=True, slots=True, kw_only=True)
class FixView:
    plan: FixPlan
    dry_run: bool
    show_matches: bool = False


def format_fix_text(view: FixView) -> str:
    planned = view.plan
    lines: list[str] = []
    for fixed in planned.files:
        if fixed.diff:
            lines.append(fixed.diff.rstrip("\n"))
    for fixed in planned.files:
        if fixed.plan.held:
            lines.append(_("{path}: left alone: {reason}").format(path=fixed.path, reason=_(fixed.plan.held)))
        for skipped in fixed.plan.skipped:
            finding = skipped.finding
            lines.append(
                _("{path}:{line}:{column}: {rule} not fixed: {reason}").format(
                    path=finding.path,
                    line=finding.line,
                    column=finding.column,
                    rule=finding.rule,
                    reason=_(skipped.reason),
                )
            )
    suggested = {f.path for f in planned.result.findings if f.suggestion}
    for path in planned.not_text:
        if path in suggested:
            lines.append(_("{path}: not Markdown or text; fix never changes it").format(path=path))
    edits = sum(len(f.plan.fixed) for f in planned.files)
    files = sum(1 for f in planned.files if f.changed)
    counts = ngettext("{edits} fix", "{edits} fixes", edits).format(edits=edits)
    where = ngettext("in {files} file", "in {files} files", files).format(files=files)
    if view.dry_run:
        lines.append(
            _("would make {counts} {where} (--dry-run: nothing written)").format(counts=counts, where=where)
        )
    else:
        lines.append(_("made {counts} {where}").format(counts=counts, where=where))
    lines.append(_("after the fixes:"))
    # A page can hold control characters (an escape sequence): shown, never passed to the terminal.
    head = "\n".join(printable(line) for text in lines for line in text.split("\n"))
    rest = format_text(ReportView(result=planned.result, show_matches=view.show_matches))
    return head + "\n" + rest
