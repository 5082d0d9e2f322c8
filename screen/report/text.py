"""Compiler-style text: `path:line:col: level rule message`, then the redacted line, underlined."""

from __future__ import annotations

from screen.findings import printable
from screen.model import Finding
from screen.report.view import ReportView, display_width


def where(finding: Finding) -> str:
    """The scope, and inside an attachment the place a person finds it: `attachment, page 3`."""
    return f"{finding.scope.value}, {finding.location}" if finding.location else finding.scope.value


def finding_lines(view: ReportView, finding: Finding) -> list[str]:
    basis = f" [{finding.basis}]" if finding.basis else ""
    head = (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.level.value} "
        f"{finding.rule} {finding.message}{basis} ({where(finding)})"
    )
    context = view.context(finding)
    shown = view.shown(finding)
    before = context[: finding.context_column]
    shown = context[finding.context_column : finding.context_column + len(shown)]
    gutter = " " * len(str(finding.line))
    lines = [head, f" {finding.line} | {context}"]
    lines.append(f" {gutter} | {' ' * display_width(before)}{'^' * max(1, display_width(shown))}")
    if finding.context_words:
        lines.append(f" {gutter} = context: {'、'.join(finding.context_words)}")
    lines.append(f" {gutter} = fingerprint: {finding.fingerprint}")
    return lines


def format_text(view: ReportView) -> str:
    lines: list[str] = []
    for finding in view.result.findings:
        lines.extend(finding_lines(view, finding))
    for error in view.result.errors:
        lines.append(f"{error.path}: error: {error.message}")
    lines.append(view.summary())
    lines.append(f"rules {view.result.rules_fingerprint}")
    # A file name can hold control characters too (an escape sequence in a pull request's path).
    return "\n".join(printable(line) for line in lines) + "\n"
