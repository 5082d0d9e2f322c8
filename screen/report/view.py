"""What every report format receives: the result, and how to show it."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from screen import __version__
from screen.findings import printable
from screen.model import CheckResult, Finding, HistoryResult, Level

TOOL = "baomi"
INFORMATION_URI = "https://example.gov.cn/baomi"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportView:
    result: CheckResult
    show_matches: bool = False
    fail_on: Level = Level.BLOCK
    version: str = __version__

    def shown(self, finding: Finding) -> str:
        """The matched text as printed: redacted unless --show-matches (and never with raw
        control characters, which could drive the reader's terminal)."""
        return printable(finding.match) if self.show_matches else finding.excerpt

    def context(self, finding: Finding) -> str:
        return finding.context_shown if self.show_matches else finding.context

    def counts(self) -> Counter[Level]:
        return Counter(f.level for f in self.result.findings)

    def summary(self) -> str:
        counts = self.counts()
        parts = [f"{counts.get(level, 0)} {level.value}" for level in Level]
        files = self.result.files_scanned
        verdict = "blocked" if self.result.blocked(self.fail_on) else "clean"
        if self.result.errors:
            verdict = f"{len(self.result.errors)} file(s) could not be screened"
        return f"{files} file(s) screened: {', '.join(parts)}; {verdict}"


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryView:
    """What the `baomi history` formats receive."""

    result: HistoryResult
    show_matches: bool = False
    fail_on: Level = Level.BLOCK


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters take two (Chinese aligns correctly)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
