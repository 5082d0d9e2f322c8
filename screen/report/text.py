"""Compiler-style text: `path:line:col: level rule message` (the level as people read it: 阻断,
复核, 提示), then the redacted line, underlined."""

from __future__ import annotations

from screen.findings import printable
from screen.i18n import _
from screen.model import Finding
from screen.report.view import ReportView, display_width, level_label, located, scope_label


def where(finding: Finding) -> str:
    """The scope, and inside an attachment the place a person finds it: `attachment, page 3`."""
    place = located(finding)
    scope = scope_label(finding.scope)
    return _("{scope}, {place}").format(scope=scope, place=place) if place else scope


def finding_lines(view: ReportView, finding: Finding) -> list[str]:
    basis = f" [{finding.basis}]" if finding.basis else ""
    head = (
        f"{finding.path}:{finding.line}:{finding.column}: {level_label(finding.level)} "
        f"{finding.rule} {finding.message}{basis} ({where(finding)})"
    )
    context = view.context(finding)
    shown = view.shown(finding)
    before = context[: finding.context_column]
    shown = context[finding.context_column : finding.context_column + len(shown)]
    gutter = " " * len(str(finding.line))
    lines = [head, f" {finding.line} | {context}"]
    lines.append(f" {gutter} | {' ' * display_width(before)}{'^' * max(1, display_width(shown))}")
    if finding.suggestion:
        lines.append(f" {gutter} → {finding.suggestion}")
    if finding.context_words:
        words = "、".join(finding.context_words)
        lines.append(f" {gutter} = " + _("context: {words}").format(words=words))
    lines.append(f" {gutter} = " + _("fingerprint: {fingerprint}").format(fingerprint=finding.fingerprint))
    return lines


def rules_line(fingerprint: str) -> str:
    """The last line of a text report: the rules it was screened with."""
    return _("rules {fingerprint}").format(fingerprint=fingerprint)


def format_text(view: ReportView) -> str:
    lines: list[str] = []
    for finding in view.result.findings:
        lines.extend(finding_lines(view, finding))
    for error in view.result.errors:
        lines.append(_("{path}: error: {message}").format(path=error.path, message=error.message))
    lines.append(view.summary())
    lines.append(rules_line(view.result.rules_fingerprint))
    # A file name can hold control characters too (an escape sequence in a pull request's path).
    return "\n".join(printable(line) for line in lines) + "\n"
