"""Machine formats: the findings JSON of docs/contracts.md and SARIF 2.1.0."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from screen.i18n import _
from screen.model import Finding, Level
from screen.report.jsontext import dumps
from screen.report.view import INFORMATION_URI, TOOL, ReportView

SCHEMA_VERSION = 1
_SARIF_LEVEL = {Level.BLOCK: "error", Level.REVIEW: "warning", Level.INFO: "note"}


def finding_json(view: ReportView, finding: Finding) -> dict[str, Any]:
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


def format_json(view: ReportView) -> str:
    result = view.result
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL, "version": view.version},
        "rules_fingerprint": result.rules_fingerprint,
        "files_scanned": result.files_scanned,
        "findings": [finding_json(view, f) for f in result.findings],
        "errors": [{"path": e.path, "message": e.message} for e in result.errors],
    }
    return dumps(document)


def _sarif_rules(view: ReportView) -> list[dict[str, Any]]:
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
        for rule in view.result.rules
    ]


def _sarif_result(view: ReportView, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
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


def format_sarif(view: ReportView) -> str:
    return dumps(sarif_document(view))


def sarif_document(view: ReportView) -> dict[str, Any]:
    """The SARIF log as a value: `results` in the order of the view's findings."""
    rules = _sarif_rules(view)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
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
        "results": [_sarif_result(view, f, index) for f in view.result.findings],
        "invocations": [
            {
                "executionSuccessful": not view.result.errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": f"{e.path}: {e.message}"}}
                    for e in view.result.errors
                ],
            }
        ],
        "properties": {"rulesFingerprint": view.result.rules_fingerprint},
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
