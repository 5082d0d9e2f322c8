"""What every report format receives: the result, and how to show it."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TextIO

from screen import __version__
from screen.findings import printable
from screen.i18n import N_, _
from screen.model import CheckResult, FileError, FileResult, Finding, HistoryResult, Level, Rule, Scope

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
class CheckView:
    """What a check's formats write from: the run's header and how to show its findings. The
    files' results come to the writer one at a time (`CheckWriter.add`), as they are screened."""

    files_scanned: int
    rules_fingerprint: str
    rules: tuple[Rule, ...]
    show_matches: bool = False
    fail_on: Level = Level.BLOCK
    version: str = __version__

    def shown(self, finding: Finding) -> str:
        """The matched text as printed: redacted unless --show-matches (and never with raw
        control characters, which could drive the reader's terminal)."""
        return printable(finding.match) if self.show_matches else finding.excerpt

    def context(self, finding: Finding) -> str:
        return finding.context_shown if self.show_matches else finding.context


class Tally:
    """What a check's output needs of all its files besides their findings: how many of each
    level, and the errors (one per unreadable file at most, so few)."""

    __slots__ = ("counts", "errors", "findings")

    def __init__(self) -> None:
        self.counts: Counter[Level] = Counter()
        self.errors: list[FileError] = []
        self.findings = 0

    def add(self, result: FileResult) -> None:
        self.findings += len(result.findings)
        self.counts.update(f.level for f in result.findings)
        self.errors.extend(result.errors)

    def blocked(self, fail_on: Level) -> bool:
        return any(count and level.rank >= fail_on.rank for level, count in self.counts.items())

    def summary(self, view: CheckView) -> str:
        values = {
            "files": view.files_scanned,
            "block": self.counts.get(Level.BLOCK, 0),
            "review": self.counts.get(Level.REVIEW, 0),
            "info": self.counts.get(Level.INFO, 0),
        }
        if self.errors:
            return _(
                "{files} file(s) screened: {block} block, {review} review, {info} info; "
                "{errors} file(s) could not be screened"
            ).format(errors=len(self.errors), **values)
        if self.blocked(view.fail_on):
            return _("{files} file(s) screened: {block} block, {review} review, {info} info; blocked").format(
                **values
            )
        return _("{files} file(s) screened: {block} block, {review} review, {info} info; clean").format(
            **values
        )


class CheckWriter(Protocol):
    """One format of a check, written as the files come: `add` each file's result in order,
    then `end` once with the tally of them all."""

    def add(self, result: FileResult) -> None: ...

    def end(self, tally: Tally) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportView:
    """A check's result held whole (one file, a fix, an import), and how to show it."""

    result: CheckResult
    show_matches: bool = False
    fail_on: Level = Level.BLOCK
    version: str = __version__

    def check_view(self) -> CheckView:
        result = self.result
        return CheckView(
            files_scanned=result.files_scanned,
            rules_fingerprint=result.rules_fingerprint,
            rules=result.rules,
            show_matches=self.show_matches,
            fail_on=self.fail_on,
            version=self.version,
        )

    def files(self) -> list[FileResult]:
        """The result's findings and errors by file, in the order they come."""
        findings: dict[str, list[Finding]] = {}
        errors: dict[str, list[FileError]] = {}
        for finding in self.result.findings:
            findings.setdefault(finding.path, []).append(finding)
        for error in self.result.errors:
            errors.setdefault(error.path, []).append(error)
        return [
            FileResult(path=path, findings=tuple(findings.get(path, ())), errors=tuple(errors.get(path, ())))
            for path in dict.fromkeys([*findings, *errors])
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryView:
    """A `baomi history` result held whole, and how to show it."""

    result: HistoryResult
    show_matches: bool = False
    fail_on: Level = Level.BLOCK


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryHead:
    """What the `baomi history` formats write from besides the versions, which come to the
    writer one at a time as they are screened."""

    commits_scanned: int
    versions_scanned: int
    rules_fingerprint: str
    rules: tuple[Rule, ...]
    waivers_note: str = ""
    show_matches: bool = False
    fail_on: Level = Level.BLOCK

    def check_view(self) -> CheckView:
        """How each finding is shown, as `baomi check` shows it."""
        return CheckView(
            files_scanned=self.versions_scanned,
            rules_fingerprint=self.rules_fingerprint,
            rules=self.rules,
            show_matches=self.show_matches,
            fail_on=self.fail_on,
        )


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


def write_check(writers: list[CheckWriter], files: Iterable[FileResult]) -> Tally:
    """Each file's result to every writer as it comes, then the tally of them all."""
    tally = Tally()
    for result in files:
        tally.add(result)
        for writer in writers:
            writer.add(result)
    for writer in writers:
        writer.end(tally)
    return tally


def written(make: Callable[[CheckView, TextIO], CheckWriter], view: ReportView) -> str:
    """The text a writer makes of a result held whole."""
    out = io.StringIO()
    write_check([make(view.check_view(), out)], view.files())
    return out.getvalue()
