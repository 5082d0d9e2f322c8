"""CI test and quality reports: JUnit XML (GitLab `artifacts:reports:junit`, Jenkins, GitHub
test-report actions) and GitLab Code Quality (the Code Climate subset GitLab reads)."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from screen.findings import printable
from screen.i18n import _
from screen.model import FileError, Finding, Level
from screen.report.jsontext import dumps
from screen.report.text import rules_line
from screen.report.view import TOOL, ReportView, located

UNREADABLE = "baomi.unreadable"
_SEVERITY = {Level.BLOCK: "critical", Level.REVIEW: "major", Level.INFO: "info"}
# What XML 1.0 cannot carry once `printable` has made control characters visible: lone
# surrogates (a non-UTF-8 file name read with surrogateescape) and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """One line of report text: no control characters, nothing XML or UTF-8 cannot carry. A
    replacement character, not nothing, so a damaged file name stays visibly damaged."""
    return _NOT_XML.sub("\ufffd", printable(text))


def _line(view: ReportView, finding: Finding) -> str:
    place = located(finding)
    return (
        f"{finding.path}:{finding.line}:{finding.column} {finding.level.value} "
        f"{finding.rule} {view.shown(finding)} {finding.fingerprint}" + (f" ({place})" if place else "")
    )


def _detail(view: ReportView, finding: Finding) -> str:
    lines = [_line(view, finding), f"  {view.context(finding)}"]
    if finding.basis:
        lines.append("  " + _("basis: {basis}").format(basis=finding.basis))
    return "\n".join(_clean(line) for line in lines)  # a newline in a path stays in its line


def _testcase(view: ReportView, path: str, findings: list[Finding], errors: list[FileError]) -> ET.Element:
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


def _file_cases(view: ReportView) -> list[ET.Element]:
    """One test case per file with findings or errors, in report order; a clean file has no
    case, since the result keeps only how many files were screened, not which."""
    findings: dict[str, list[Finding]] = {}
    errors: dict[str, list[FileError]] = {}
    for finding in view.result.findings:
        findings.setdefault(finding.path, []).append(finding)
    for error in view.result.errors:
        errors.setdefault(error.path, []).append(error)
    paths = dict.fromkeys([*errors, *findings])
    return [_testcase(view, path, findings.get(path, []), errors.get(path, [])) for path in paths]


def _summary_case(view: ReportView) -> ET.Element:
    """Always present, so a clean run shows one passing test rather than an empty report."""
    case = ET.Element("testcase", classname=TOOL, name=f"{TOOL} check", time="0")
    lines = (view.summary(), rules_line(view.result.rules_fingerprint), f"{TOOL} {view.version}")
    ET.SubElement(case, "system-out").text = "\n".join(_clean(line) for line in lines)
    return case


def _count(element: ET.Element, cases: list[ET.Element]) -> None:
    # Counted by test case (as JUnit's schema does), so failures + errors never exceed tests: a
    # case that could not be screened is an error even if it also holds a failure.
    errors = sum(case.find("error") is not None for case in cases)
    failures = sum(case.find("error") is None and case.find("failure") is not None for case in cases)
    element.set("tests", str(len(cases)))
    element.set("failures", str(failures))
    element.set("errors", str(errors))


def format_junit(view: ReportView) -> str:
    cases = [_summary_case(view), *_file_cases(view)]
    suites = ET.Element("testsuites", name=TOOL)
    suite = ET.SubElement(suites, "testsuite", name=TOOL)
    _count(suites, cases)
    _count(suite, cases)
    suite.set("skipped", "0")
    suite.set("time", "0")
    suite.extend(cases)
    ET.indent(suites)
    # Written by hand: ElementTree declares the locale's encoding for encoding="unicode".
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _issue(view: ReportView, finding: Finding) -> dict[str, Any]:
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


def format_codequality(view: ReportView) -> str:
    issues = [_unreadable(e) for e in view.result.errors]
    issues += [_issue(view, f) for f in view.result.findings]
    return dumps(issues)
