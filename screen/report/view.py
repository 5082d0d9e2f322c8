"""What every report format receives: the result, and how to show it."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from screen import __version__
from screen.findings import printable
from screen.i18n import N_, _
from screen.model import CheckResult, Finding, HistoryResult, Level, Scope

TOOL = "baomi"
INFORMATION_URI = "https://example.gov.cn/baomi"

# What people read for a level and a scope (the ids stay in the machine formats and the
# compiler-style lines); translated with `_()` where shown.
LEVEL_LABELS = {Level.BLOCK: N_("block"), Level.REVIEW: N_("review"), Level.INFO: N_("info")}
SCOPE_LABELS = {
    Scope.TITLE: N_("title"),
    Scope.FRONT_MATTER: N_("front_matter"),
    Scope.BODY: N_("body"),
    Scope.HEADING: N_("heading"),
    Scope.CODE: N_("code"),
    Scope.HTML_COMMENT: N_("html_comment"),
    Scope.LINK: N_("link"),
    Scope.IMAGE_ALT: N_("image_alt"),
    Scope.CONFIG: N_("config"),
    Scope.ATTACHMENT: N_("attachment"),
    Scope.PATH: N_("path"),
}


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
        values = {
            "files": self.result.files_scanned,
            "block": counts.get(Level.BLOCK, 0),
            "review": counts.get(Level.REVIEW, 0),
            "info": counts.get(Level.INFO, 0),
        }
        if self.result.errors:
            return _(
                "{files} file(s) screened: {block} block, {review} review, {info} info; "
                "{errors} file(s) could not be screened"
            ).format(errors=len(self.result.errors), **values)
        if self.result.blocked(self.fail_on):
            return _("{files} file(s) screened: {block} block, {review} review, {info} info; blocked").format(
                **values
            )
        return _("{files} file(s) screened: {block} block, {review} review, {info} info; clean").format(
            **values
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryView:
    """What the `baomi history` formats receive."""

    result: HistoryResult
    show_matches: bool = False
    fail_on: Level = Level.BLOCK


def located(finding: Finding) -> str:
    """Where in the file a person finds the finding beyond its line: the place inside an
    attachment (`page 3`), or the element of the rendered page (`rendered <p>#3`); "" elsewhere."""
    if finding.rendered:
        return _("rendered {element}").format(element=finding.rendered)
    return finding.location


def scope_label(scope: Scope) -> str:
    """The scope as people read it."""
    return _(SCOPE_LABELS[scope])


def level_label(level: Level) -> str:
    """The level as people read it (阻断, 复核, 提示)."""
    return _(LEVEL_LABELS[level])


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters take two (Chinese aligns correctly)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
