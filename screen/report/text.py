"""Compiler-style text: `path:line:col: level rule message` (the level as people read it: 阻断,
复核, 提示), then the redacted line, underlined."""

from __future__ import annotations

from typing import TextIO

from screen.findings import printable
from screen.i18n import _
from screen.model import FileResult, Finding
from screen.report.view import (
    CheckView,
    ReportView,
    Tally,
    display_width,
    level_label,
    located,
    scope_label,
    written,
)


def where(finding: Finding) -> str:
    """The scope, and inside an attachment the place a person finds it: `attachment, page 3`."""
    place = located(finding)
    scope = scope_label(finding.scope)
    return _("{scope}, {place}").format(scope=scope, place=place) if place else scope


def finding_lines(view: CheckView, finding: Finding) -> list[str]:
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


class TextWriter:
    """The findings as they come; then the files that could not be screened, the summary and
    the rules. A file name can hold control characters too (an escape sequence in a pull
    request's path): every line is made printable."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view, self._out = view, out

    def piece(self, result: FileResult) -> str:
        view = self._view
        return "".join(printable(line) + "\n" for f in result.findings for line in finding_lines(view, f))

    def add(self, piece: str) -> None:
        self._out.write(piece)

    def end(self, tally: Tally) -> None:
        lines = [_("{path}: error: {message}").format(path=e.path, message=e.message) for e in tally.errors]
        lines += [tally.summary(self._view), rules_line(self._view.rules_fingerprint)]
        self._out.write("".join(printable(line) + "\n" for line in lines))


def format_text(view: ReportView) -> str:
    return written(TextWriter, view)
