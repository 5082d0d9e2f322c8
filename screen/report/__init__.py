"""Output formats over one `CheckResult`: pure functions from values to text."""

from __future__ import annotations

from collections.abc import Callable

from screen.report.ci import format_codequality, format_junit
from screen.report.github import format_github
from screen.report.machine import format_json, format_sarif
from screen.report.markdown import format_markdown
from screen.report.text import format_text
from screen.report.view import ReportView

FORMATS: dict[str, Callable[[ReportView], str]] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
    "markdown": format_markdown,
    "junit": format_junit,
    "codequality": format_codequality,
}

__all__ = ["FORMATS", "ReportView"]
