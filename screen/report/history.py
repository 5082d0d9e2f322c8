"""Reports of `baomi history`: each finding with the commit that introduced its version."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TextIO

from screen import __version__
from screen.findings import printable
from screen.i18n import N_, _
from screen.model import FileError, HistoryError, HistoryFinding, HistoryVersion, Level, Occurrence
from screen.report.jsontext import JsonStream
from screen.report.machine import SCHEMA_VERSION, finding_json, sarif_document, sarif_results
from screen.report.text import finding_lines, rules_line
from screen.report.view import TOOL, HistoryHead, HistoryView

_REMEDY = N_(
    "a leak in history is in every clone even after the file is fixed or deleted: on a branch, "
    "drop it from the branch's commits (git rebase -i) before merging; once merged, rewrite the "
    "history (git filter-repo), force-push, have every clone deleted and cloned again, and report "
    "it to the secrecy office"
)


def _where(found: HistoryFinding) -> str:
    occurrence = found.occurrence
    values = {
        "commit": occurrence.commit[:12],
        "date": f"{occurrence.committed:%Y-%m-%d}",
        "blob": occurrence.blob[:12],
    }
    if occurrence.in_head:
        return _("commit {commit} ({date}), blob {blob}: still in HEAD").format(**values)
    return _("commit {commit} ({date}), blob {blob}: no longer in HEAD, still in the history").format(
        **values
    )


class HistoryTally:
    """What the history's output needs of all versions besides their findings."""

    __slots__ = ("counts", "errors", "findings", "waived")

    def __init__(self) -> None:
        self.counts: Counter[Level] = Counter()  # of the findings no sign-off waived
        self.errors: list[HistoryError] = []
        self.findings = 0
        self.waived = 0

    def add(self, version: HistoryVersion) -> None:
        self.findings += len(version.findings)
        self.waived += sum(1 for h in version.findings if h.waiver)
        self.counts.update(h.finding.level for h in version.findings if not h.waiver)
        self.errors.extend(version.errors)

    def blocked(self, fail_on: Level) -> bool:
        return any(count and level.rank >= fail_on.rank for level, count in self.counts.items())


class HistoryWriter(Protocol):
    def add(self, version: HistoryVersion) -> None: ...

    def end(self, tally: HistoryTally) -> None: ...


def summary(head: HistoryHead, tally: HistoryTally) -> str:
    values = {
        "commits": head.commits_scanned,
        "versions": head.versions_scanned,
        "block": tally.counts.get(Level.BLOCK, 0),
        "review": tally.counts.get(Level.REVIEW, 0),
        "info": tally.counts.get(Level.INFO, 0),
        "waived": tally.waived,
    }
    if tally.errors:
        return _(
            "{commits} commit(s), {versions} file version(s) screened: {block} block, {review} review, "
            "{info} info, {waived} waived; {errors} version(s) could not be screened"
        ).format(errors=len(tally.errors), **values)
    if tally.blocked(head.fail_on):
        return _(
            "{commits} commit(s), {versions} file version(s) screened: {block} block, {review} review, "
            "{info} info, {waived} waived; blocked"
        ).format(**values)
    return _(
        "{commits} commit(s), {versions} file version(s) screened: {block} block, {review} review, "
        "{info} info, {waived} waived; clean"
    ).format(**values)


class HistoryTextWriter:
    def __init__(self, head: HistoryHead, out: TextIO) -> None:
        self._head, self._out, self._view = head, out, head.check_view()

    def add(self, version: HistoryVersion) -> None:
        for found in version.findings:
            body = finding_lines(self._view, found.finding)
            gutter = " " * len(str(found.finding.line))
            body.insert(-1, f" {gutter} = {_where(found)}")
            if found.waiver:
                waived = _("waived in a verified sign-off: {reason}").format(reason=found.waiver)
                body.append(f" {gutter} = {waived}")
            self._out.write("".join(printable(line) + "\n" for line in body))

    def end(self, tally: HistoryTally) -> None:
        head = self._head
        lines = []
        for error in tally.errors:
            where = f"{error.occurrence.commit[:12]}:{error.occurrence.path}"
            lines.append(_("{path}: error: {message}").format(path=where, message=error.message))
        if head.waivers_note:
            lines.append(_("note: {note}").format(note=head.waivers_note))
        lines.append(summary(head, tally))
        lines.append(rules_line(head.rules_fingerprint))
        if tally.blocked(head.fail_on):
            lines.append(_("what to do: {remedy}").format(remedy=_(_REMEDY)))
        self._out.write("".join(printable(line) + "\n" for line in lines))


def _origin(found: HistoryFinding) -> dict[str, Any]:
    occurrence = found.occurrence
    return {
        "commit": occurrence.commit,
        "committed": occurrence.committed.isoformat(),
        "blob": occurrence.blob,
        "in_head": occurrence.in_head,
        "waived": found.waiver or None,
    }


def _document(head: HistoryHead, errors: list[HistoryError]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL, "version": __version__},
        "rules_fingerprint": head.rules_fingerprint,
        "commits_scanned": head.commits_scanned,
        "versions_scanned": head.versions_scanned,
        "findings": JsonStream.ITEMS,
        "errors": [
            {"commit": e.occurrence.commit, "path": e.occurrence.path, "message": e.message} for e in errors
        ],
        "waivers_note": head.waivers_note or None,
    }


class HistoryJsonWriter:
    def __init__(self, head: HistoryHead, out: TextIO) -> None:
        self._head, self._view = head, head.check_view()
        self._stream = JsonStream(out, _document(head, []))

    def add(self, version: HistoryVersion) -> None:
        for found in version.findings:
            self._stream.item(finding_json(self._view, found.finding) | _origin(found))

    def end(self, tally: HistoryTally) -> None:
        self._stream.end(_document(self._head, tally.errors))


def _unscreened(errors: list[HistoryError]) -> list[FileError]:
    """The versions that could not be screened, named by commit and path."""
    return [
        FileError(path=f"{e.occurrence.commit[:12]}:{e.occurrence.path}", message=e.message) for e in errors
    ]


class HistorySarifWriter:
    """SARIF with the commit of each result in its properties; a waived finding carries an
    external suppression with the sign-off's reason (code scanning shows it as dismissed)."""

    def __init__(self, head: HistoryHead, out: TextIO) -> None:
        self._view = head.check_view()
        self._stream = JsonStream(out, sarif_document(self._view, [], JsonStream.ITEMS))

    def add(self, version: HistoryVersion) -> None:
        records = sarif_results(self._view, (h.finding for h in version.findings))
        for record, found in zip(records, version.findings, strict=True):
            record["message"]["text"] += f" ({_where(found)})"
            record["properties"] |= _origin(found)
            if found.waiver:
                record["suppressions"] = [{"kind": "external", "justification": found.waiver}]
            self._stream.item(record)

    def end(self, tally: HistoryTally) -> None:
        self._stream.end(sarif_document(self._view, _unscreened(tally.errors), JsonStream.ITEMS))


HISTORY_WRITERS: dict[str, Callable[[HistoryHead, TextIO], HistoryWriter]] = {
    "text": HistoryTextWriter,
    "json": HistoryJsonWriter,
    "sarif": HistorySarifWriter,
}


def write_history(writer: HistoryWriter, versions: Iterable[HistoryVersion]) -> HistoryTally:
    tally = HistoryTally()
    for version in versions:
        tally.add(version)
        writer.add(version)
    writer.end(tally)
    return tally


def _written(fmt: str, history: HistoryView) -> str:
    """The text of a history held whole, by occurrence."""
    result = history.result
    head = HistoryHead.of(result, history.show_matches, history.fail_on)
    found: dict[Occurrence, list[HistoryFinding]] = {}
    errors: dict[Occurrence, list[HistoryError]] = {}
    for finding in result.findings:
        found.setdefault(finding.occurrence, []).append(finding)
    for error in result.errors:
        errors.setdefault(error.occurrence, []).append(error)
    versions = [
        HistoryVersion(occurrence=o, findings=tuple(found.get(o, ())), errors=tuple(errors.get(o, ())))
        for o in dict.fromkeys([*found, *errors])
    ]
    out = io.StringIO()
    write_history(HISTORY_WRITERS[fmt](head, out), versions)
    return out.getvalue()


def format_history_text(history: HistoryView) -> str:
    return _written("text", history)


def format_history_json(history: HistoryView) -> str:
    return _written("json", history)


def format_history_sarif(history: HistoryView) -> str:
    return _written("sarif", history)
