"""What every report format receives: the result, and how to show it."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TextIO

from screen import __version__
from screen.findings import printable
from screen.i18n import N_, _
from screen.model import (
    CheckResult,
    CheckRun,
    FileError,
    FileResult,
    Finding,
    HistoryResult,
    HistoryRun,
    Level,
    Rule,
    Scope,
)

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

    @staticmethod
    def of(check: CheckRun | CheckResult, show_matches: bool, fail_on: Level) -> CheckView:
        return CheckView(
            files_scanned=check.files_scanned,
            rules_fingerprint=check.rules_fingerprint,
            rules=check.rules,
            show_matches=show_matches,
            fail_on=fail_on,
        )

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

    def add(self, digest: FileDigest) -> None:
        for level, count in zip(_LEVELS, digest.counts, strict=True):
            self.counts[level] += count
            self.findings += count
        self.errors.extend(digest.errors)

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
    """One format of a check, written as the files come. `piece` makes the format's part of one
    file's result (a pure function of it and the view: it runs on the worker core that screened
    the file, a copy of the writer); `add` takes each file's piece in order, and `end` the tally
    of them all."""

    def piece(self, result: FileResult) -> Any: ...

    def add(self, piece: Any) -> None: ...

    def end(self, tally: Tally) -> None: ...


_LEVELS = (Level.BLOCK, Level.REVIEW, Level.INFO)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileDigest:
    """What the writers keep of one screened file: how many findings of each level (block,
    review, info), its errors, and each writer's piece of the report."""

    path: str
    counts: tuple[int, int, int]
    errors: tuple[FileError, ...]
    pieces: tuple[Any, ...]


def digester(writers: list[CheckWriter]) -> Callable[[FileResult], FileDigest]:
    """What `write_digests` needs of a file's result, made where the file is screened."""
    pieces = [writer.piece for writer in writers]

    def digest(result: FileResult) -> FileDigest:
        counts = Counter(f.level for f in result.findings)
        return FileDigest(
            path=result.path,
            counts=(counts[Level.BLOCK], counts[Level.REVIEW], counts[Level.INFO]),
            errors=result.errors,
            pieces=tuple(piece(result) for piece in pieces),
        )

    return digest


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportView:
    """A check's result held whole (one file, a fix, an import), and how to show it."""

    result: CheckResult
    show_matches: bool = False
    fail_on: Level = Level.BLOCK
    version: str = __version__

    def check_view(self) -> CheckView:
        return replace(CheckView.of(self.result, self.show_matches, self.fail_on), version=self.version)

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

    @staticmethod
    def of(history: HistoryRun | HistoryResult, show_matches: bool, fail_on: Level) -> HistoryHead:
        return HistoryHead(
            commits_scanned=history.commits_scanned,
            versions_scanned=history.versions_scanned,
            rules_fingerprint=history.rules_fingerprint,
            rules=history.rules,
            waivers_note=history.waivers_note,
            show_matches=show_matches,
            fail_on=fail_on,
        )

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


def write_digests(writers: list[CheckWriter], digests: Iterable[FileDigest]) -> Tally:
    """Each file's pieces to their writers as they come, then the tally of them all."""
    tally = Tally()
    for digest in digests:
        tally.add(digest)
        for writer, piece in zip(writers, digest.pieces, strict=True):
            writer.add(piece)
    for writer in writers:
        writer.end(tally)
    return tally


def write_check(writers: list[CheckWriter], files: Iterable[FileResult]) -> Tally:
    """`write_digests` of results at hand."""
    return write_digests(writers, map(digester(writers), files))


def written(make: Callable[[CheckView, TextIO], CheckWriter], view: ReportView) -> str:
    """The text a writer makes of a result held whole."""
    out = io.StringIO()
    write_check([make(view.check_view(), out)], view.files())
    return out.getvalue()
