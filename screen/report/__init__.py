"""Output formats: pure functions from one result (with how to show it) to text, in one registry
keyed by (result kind, format). A new format is a function and one line here; a door asks
`formats(kind)` for its choices and `render(kind, format, view)` for the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from screen.report.ci import CodequalityWriter, JunitWriter, format_codequality, format_junit
from screen.report.entities import (
    EntitiesView,
    format_entities_json,
    format_entities_jsonl,
    format_entities_text,
)
from screen.report.fixes import FixView, format_fix_text
from screen.report.github import GithubWriter, format_github
from screen.report.history import (
    HISTORY_WRITERS,
    format_history_json,
    format_history_sarif,
    format_history_text,
    write_history,
)
from screen.report.inspection import format_report_html, format_report_json, format_report_markdown
from screen.report.machine import JsonWriter, SarifWriter, format_json, format_sarif
from screen.report.markdown import MarkdownWriter, format_markdown
from screen.report.publish import format_publish_json, format_publish_markdown, format_publish_text
from screen.report.review import format_review_text
from screen.report.rules import RulesView, format_rules_json, format_rules_text
from screen.report.status import format_status_json, format_status_markdown, format_status_text
from screen.report.sweep import format_sweep_text
from screen.report.text import TextWriter, format_text
from screen.report.trail import format_trail_json, format_trail_text
from screen.report.view import (
    CheckView,
    CheckWriter,
    HistoryHead,
    HistoryView,
    ReportView,
    Tally,
    digester,
    write_check,
    write_digests,
)

# The first format of each kind is its default.
FORMATTERS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("check", "text"): format_text,
    ("check", "json"): format_json,
    ("check", "sarif"): format_sarif,
    ("check", "github"): format_github,
    ("check", "markdown"): format_markdown,
    ("check", "junit"): format_junit,
    ("check", "codequality"): format_codequality,
    ("history", "text"): format_history_text,
    ("history", "json"): format_history_json,
    ("history", "sarif"): format_history_sarif,
    ("status", "text"): format_status_text,
    ("status", "json"): format_status_json,
    ("status", "markdown"): format_status_markdown,
    ("report", "markdown"): format_report_markdown,
    ("report", "html"): format_report_html,
    ("report", "json"): format_report_json,
    ("log", "text"): format_trail_text,
    ("log", "json"): format_trail_json,
    ("entities", "jsonl"): format_entities_jsonl,
    ("entities", "json"): format_entities_json,
    ("entities", "text"): format_entities_text,
    ("review", "text"): format_review_text,
    ("rules", "text"): format_rules_text,
    ("rules", "json"): format_rules_json,
    ("publish", "text"): format_publish_text,
    ("publish", "json"): format_publish_json,
    ("publish", "markdown"): format_publish_markdown,
    ("fix", "text"): format_fix_text,
    ("sweep", "text"): format_sweep_text,
}


# A check's formats, each also written as its files come (`write_check`): the same text.
CHECK_WRITERS: dict[str, Callable[[CheckView, TextIO], CheckWriter]] = {
    "text": TextWriter,
    "json": JsonWriter,
    "sarif": SarifWriter,
    "github": GithubWriter,
    "markdown": MarkdownWriter,
    "junit": JunitWriter,
    "codequality": CodequalityWriter,
}


def formats(kind: str) -> tuple[str, ...]:
    """The formats of a result kind, its default first."""
    return tuple(f for k, f in FORMATTERS if k == kind)


def render(kind: str, fmt: str, view: object) -> str:
    """The text of `view` (a result, or a view of one) in format `fmt`."""
    return FORMATTERS[kind, fmt](view)


__all__ = [
    "CHECK_WRITERS", "FORMATTERS", "HISTORY_WRITERS", "CheckView", "EntitiesView", "FixView", "HistoryHead",
    "HistoryView", "ReportView", "RulesView", "Tally", "digester", "formats", "render", "write_check",
    "write_digests", "write_history",
]  # fmt: skip
