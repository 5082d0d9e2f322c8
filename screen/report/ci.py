"""CI test and quality reports: JUnit XML (GitLab `artifacts:reports:junit`, Jenkins, GitHub
test-report actions) and GitLab Code Quality (the Code Climate subset GitLab reads)."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import IO, Any, TextIO

from screen.findings import printable
from screen.i18n import _
from screen.model import FileError, FileResult, Finding, Level
from screen.report.jsontext import encode
from screen.report.text import rules_line
from screen.report.view import TOOL, CheckView, ReportView, Tally, located, written

UNREADABLE = "baomi.unreadable"
_SEVERITY = {Level.BLOCK: "critical", Level.REVIEW: "major", Level.INFO: "info"}
# What XML 1.0 cannot carry once `printable` has made control characters visible: lone
# surrogates (a non-UTF-8 file name read with surrogateescape) and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """One line of report text: no control characters, nothing XML or UTF-8 cannot carry. A
    replacement character, not nothing, so a damaged file name stays visibly damaged."""
    return _NOT_XML.sub("\ufffd", printable(text))


def _line(view: CheckView, finding: Finding) -> str:
    place = located(finding)
    return (
        f"{finding.path}:{finding.line}:{finding.column} {finding.level.value} "
        f"{finding.rule} {view.shown(finding)} {finding.fingerprint}" + (f" ({place})" if place else "")
    )


def _detail(view: CheckView, finding: Finding) -> str:
    lines = [_line(view, finding), f"  {view.context(finding)}"]
    if finding.basis:
        lines.append("  " + _("basis: {basis}").format(basis=finding.basis))
    return "\n".join(_clean(line) for line in lines)  # a newline in a path stays in its line


def _testcase(
    view: CheckView, path: str, findings: Iterable[Finding], errors: Iterable[FileError]
) -> ET.Element:
    case = ET.Element("testcase", classname=_clean(path), name=_clean(f"{TOOL} check {path}"), time="0")
    for error in errors:
        element = ET.SubElement(case, "error", type=UNREADABLE, message=_clean(error.message))
        element.text = _clean(f"{error.path}: {error.message}")
    below = []
    for finding in findings:
        if finding.level.rank >= view.fail_on.rank:
            element = ET.SubElement(case, "failure", type=finding.rule, message=_clean(finding.message))
            element.text = _detail(view, finding)
        else:
            below.append(_detail(view, finding))
    if below:  # below --fail-on: shown with the file, but they do not fail it
        ET.SubElement(case, "system-out").text = "\n".join(below)
    return case


def _summary_case(view: CheckView, tally: Tally) -> ET.Element:
    """Always present, so a clean run shows one passing test rather than an empty report."""
    case = ET.Element("testcase", classname=TOOL, name=f"{TOOL} check", time="0")
    lines = (tally.summary(view), rules_line(view.rules_fingerprint), f"{TOOL} {view.version}")
    ET.SubElement(case, "system-out").text = "\n".join(_clean(line) for line in lines)
    return case


def _spool() -> IO[str]:
    """Where a report's body waits for its counts: in memory while small, then on disk."""
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8")


_SPOOL_BYTES = 8 << 20
_CASE_INDENT = "\n    "  # a test case's place in the report: under <testsuites><testsuite>
_CASES = "baomi-cases"


class JunitWriter:
    """One test case per file with findings or errors: the files that could not be screened
    first, then the others, in report order. A clean file has no case (the report says how many
    files were screened, not which). The cases wait in spools until the counts, which JUnit puts
    on the root, are known."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view, self._out = view, out
        self._unscreened, self._screened = _spool(), _spool()
        self._counts = {"tests": 1, "failures": 0, "errors": 0}  # the summary case counts one

    def piece(self, result: FileResult) -> tuple[str, str] | None:
        """The file's test case, and what it counts as (`errors`, `failures` or `tests`)."""
        if not result.findings and not result.errors:
            return None
        case = _testcase(self._view, result.path, result.findings, result.errors)
        # Counted by test case (as JUnit's schema does), so failures + errors never exceed tests:
        # a case that could not be screened is an error even if it also holds a failure.
        kind = "errors" if case.find("error") is not None else "tests"
        if kind == "tests" and case.find("failure") is not None:
            kind = "failures"
        ET.indent(case, level=2)
        return _CASE_INDENT + ET.tostring(case, encoding="unicode"), kind

    def add(self, piece: tuple[str, str] | None) -> None:
        if piece is None:
            return
        text, kind = piece
        self._counts["tests"] += 1
        if kind != "tests":
            self._counts[kind] += 1
        (self._unscreened if kind == "errors" else self._screened).write(text)

    def end(self, tally: Tally) -> None:
        suites = ET.Element("testsuites", name=TOOL)
        suite = ET.SubElement(suites, "testsuite", name=TOOL)
        for element in (suites, suite):
            for name, count in self._counts.items():
                element.set(name, str(count))
        suite.set("skipped", "0")
        suite.set("time", "0")
        suite.extend([_summary_case(self._view, tally), ET.Element(_CASES)])
        ET.indent(suites)
        head, _mark, tail = ET.tostring(suites, encoding="unicode").partition(f"{_CASE_INDENT}<{_CASES} />")
        # Written by hand: ElementTree declares the locale's encoding for encoding="unicode".
        self._out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head)
        for spool in (self._unscreened, self._screened):
            spool.seek(0)
            shutil.copyfileobj(spool, self._out)
            spool.close()
        self._out.write(tail + "\n")


def format_junit(view: ReportView) -> str:
    return written(JunitWriter, view)


def _issue(view: CheckView, finding: Finding) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.rule,
        "description": _clean(
            f"{finding.message}: {view.shown(finding)}"
            + (f" ({located(finding)})" if located(finding) else "")
        ),
        "categories": ["Security"],
        "severity": _SEVERITY[finding.level],
        # Keyed and position-independent: GitLab matches issues across commits by it, and an
        # edit elsewhere in the page does not turn a known issue into a new one.
        "fingerprint": finding.fingerprint,
        "location": {"path": _clean(finding.path), "lines": {"begin": finding.line, "end": finding.end_line}},
    }


def _unreadable(error: FileError) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{UNREADABLE}\0{error.path}".encode("utf-8", "surrogatepass"))
    return {
        "type": "issue",
        "check_name": UNREADABLE,
        "description": _clean(f"{error.path}: {error.message}"),
        "categories": ["Security"],
        "severity": "blocker",  # not screened at all: nothing about the file is known to be safe
        "fingerprint": fingerprint.hexdigest()[:32],
        "location": {"path": _clean(error.path), "lines": {"begin": 1}},
    }


class CodequalityWriter:
    """GitLab's list of issues: the files that could not be screened first, then the findings,
    which wait in a spool until the errors are known."""

    def __init__(self, view: CheckView, out: TextIO) -> None:
        self._view, self._out = view, out
        self._issues = _spool()
        self._written = 0

    def piece(self, result: FileResult) -> list[str]:
        return [encode(_issue(self._view, finding), "  ") for finding in result.findings]

    def add(self, piece: list[str]) -> None:
        if piece:
            self._issues.write((",\n  " if self._written else "") + ",\n  ".join(piece))
            self._written += len(piece)

    def end(self, tally: Tally) -> None:
        issues = [encode(_unreadable(e), "  ") for e in tally.errors]
        if not issues and not self._written:
            self._out.write("[]\n")
            return
        self._out.write("[\n  " + ",\n  ".join(issues))
        if self._written:
            self._out.write(",\n  " if issues else "")
            self._issues.seek(0)
            shutil.copyfileobj(self._issues, self._out)
        self._issues.close()
        self._out.write("\n]\n")


def format_codequality(view: ReportView) -> str:
    return written(CodequalityWriter, view)
