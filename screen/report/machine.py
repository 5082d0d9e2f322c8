"""Machine formats: the findings JSON of docs/contracts.md and SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote

from screen.i18n import _
from screen.model import FileError, FileResult, Finding, Level
from screen.report.jsontext import JsonStream
from screen.report.view import INFORMATION_URI, TOOL, CheckView, ReportView, Tally, written

SCHEMA_VERSION = 1
_SARIF_LEVEL = {Level.BLOCK: "error", Level.REVIEW: "warning", Level.INFO: "note"}


def finding_json(view: CheckView, finding: Finding) -> dict[str, Any]:
    record: dict[str, Any] = {
        "rule": finding.rule,
        "level": finding.level.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "scope": finding.scope.value,
        "message": finding.message,
        "basis": finding.basis,
        "excerpt": finding.excerpt,
        "context": view.context(finding),
        "fingerprint": finding.fingerprint,
    }
    if finding.context_words:
        record["context_words"] = list(finding.context_words)
    if finding.suggestion:
        record["suggestion"] = finding.suggestion
    if finding.location:
        record["location"] = finding.location
    if finding.rendered:
        record["rendered"] = {"element": finding.rendered, "offset": finding.rendered_offset}
    if view.show_matches:
        record["match"] = finding.match
    return record


def _document(view: CheckView, errors: list[FileError], findings: object) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL, "version": view.version},
        "rules_fingerprint": view.rules_fingerprint,
        "files_scanned": view.files_scanned,
        "findings": findings,
        "errors": [{"path": e.path, "message": e.message} for e in errors],
    }


class JsonWriter:
    """The findings JSON of docs/contracts.md, written as the files come."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view = view
        self._stream = JsonStream(out, _document(view, [], JsonStream.ITEMS))

    def piece(self, result: FileResult) -> list[str]:
        return [self._stream.encoded(finding_json(self._view, f)) for f in result.findings]

    def add(self, piece: list[str]) -> None:
        self._stream.items(piece)

    def end(self, tally: Tally) -> None:
        self._stream.end(_document(self._view, tally.errors, JsonStream.ITEMS))


def format_json(view: ReportView) -> str:
    return written(JsonWriter, view)


def _sarif_rules(view: CheckView) -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "name": rule.id.replace(".", "_"),
            "shortDescription": {"text": rule.message},
            "fullDescription": {"text": f"{rule.message} ({rule.basis})" if rule.basis else rule.message},
            "help": {
                "text": _("{message}. Basis: {basis}. Defined in {origin}.").format(
                    message=rule.message, basis=rule.basis or "-", origin=rule.origin
                )
            },
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.level]},
            "properties": {
                "kind": rule.kind,
                "baomi-level": rule.level.value,
                "basis": rule.basis,
            },
        }
        for rule in view.rules
    ]


def _sarif_result(view: CheckView, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _SARIF_LEVEL[finding.level],
        "message": {"text": f"{finding.message}: {view.shown(finding)}"},
        "locations": [
            {
                "physicalLocation": {
                    # SARIF wants a URI reference: a space or a Chinese file name is percent-encoded.
                    "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                        "snippet": {"text": view.context(finding)},
                    },
                }
            }
        ],
        "partialFingerprints": {"baomi/v1": finding.fingerprint},
        **_sarif_fixes(finding),
        "properties": {
            "scope": finding.scope.value,
            "baomi-level": finding.level.value,
        }
        | ({"location": finding.location} if finding.location else {}),
    }


def _sarif_fixes(finding: Finding) -> dict[str, Any]:
    """The suggested replacement as a SARIF fix (GitHub offers it on the pull request): the
    finding's region replaced by the right form. None for a finding only the rendered page or an
    attachment holds, whose region is not the text to replace."""
    if not finding.suggestion or finding.rendered or finding.location:
        return {}
    change = {
        "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"},
        "replacements": [
            {
                "deletedRegion": {
                    "startLine": finding.line,
                    "startColumn": finding.column,
                    "endLine": finding.end_line,
                    "endColumn": finding.end_column,
                },
                "insertedContent": {"text": finding.suggestion},
            }
        ],
    }
    text = _("Write {suggestion}").format(suggestion=finding.suggestion)
    return {"fixes": [{"description": {"text": text}, "artifactChanges": [change]}]}


class SarifWriter:
    """SARIF 2.1.0, its results written as the files come."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view = view
        self._index = {rule.id: i for i, rule in enumerate(view.rules)}
        self._stream = JsonStream(out, sarif_document(view, [], JsonStream.ITEMS))

    def piece(self, result: FileResult) -> list[str]:
        return [self._stream.encoded(_sarif_result(self._view, f, self._index)) for f in result.findings]

    def add(self, piece: list[str]) -> None:
        self._stream.items(piece)

    def end(self, tally: Tally) -> None:
        self._stream.end(sarif_document(self._view, tally.errors, JsonStream.ITEMS))


def format_sarif(view: ReportView) -> str:
    return written(SarifWriter, view)


def sarif_document(view: CheckView, errors: list[FileError], results: object = None) -> dict[str, Any]:
    """The SARIF log as a value: `results` (default: none) and the files that could not be
    screened."""
    rules = _sarif_rules(view)
    run = {
        "tool": {
            "driver": {
                "name": TOOL,
                "version": view.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [] if results is None else results,
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": f"{e.path}: {e.message}"}} for e in errors
                ],
            }
        ],
        "properties": {"rulesFingerprint": view.rules_fingerprint},
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }


def sarif_results(view: CheckView, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """SARIF results of `findings` (`ruleIndex` into the view's rules)."""
    index = {rule.id: i for i, rule in enumerate(view.rules)}
    return [_sarif_result(view, finding, index) for finding in findings]
