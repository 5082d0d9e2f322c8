"""Report formats of `baomi check`: golden files for each format on one fixed portal, the JSON and
SARIF contracts, GitHub workflow commands, JUnit XML and GitLab Code Quality, caret alignment, and
secrecy of matched text.

Regenerate the golden files with `BAOMI_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reports.py`
and review the diff before committing it."""

from __future__ import annotations

import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from screen import __version__
from screen.findings import CONTEXT_CHARS
from screen.model import CheckResult, FileError, Finding, Level, Scope
from screen.report import ReportView
from screen.report.ci import format_codequality, format_junit
from screen.report.github import _escape_data, _escape_property
from tests.conftest import Run, write_portal

Cli = Callable[..., Run]
GOLDEN = Path(__file__).parent / "golden"
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit", "codequality")

# The fixed portal: a marking, a mobile and an ID number on one line, a codename, an info-level
# card number and a review-level restriction, each after Chinese text so alignment matters.
NOTICE = """\
---
title: 关于做好节日期间值班工作的通知
---

# 值班安排

各单位：现将有关事项通知如下。文件标注机密★5年，请妥善处理。
联系人：何志军，手机13912345678，身份证号11010519491231002X。
工作要求：配合青松计划的实施，编号4111111111111111。
本材料仅供内部参考。
"""
INDEX = "# 青溪县人民政府\n\n欢迎访问青溪县人民政府门户网站。\n"
GBK = "青溪县人民政府办公室关于做好春耕工作的通知\n".encode("gbk")  # short GBK text can pass as UTF-8
RAW = ("11010519491231002X", "13912345678", "青松计划", "机密★5年")
FRAGMENTS = ("0519491231", "9123456", "松计", "密★5")  # no middle part of a match either


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    return write_portal(tmp_path, {"content/index.md": INDEX, "content/notice.md": NOTICE})


def _report(run: Run) -> dict[str, Any]:
    loaded = json.loads(run.out)
    assert isinstance(loaded, dict)
    return loaded


def normalize(output: str, rules_fingerprint: str) -> str:
    """Only the rules fingerprint varies (with every edit of rules/); paths are already relative."""
    return output.replace(rules_fingerprint, "sha256:<rules>").replace(
        rules_fingerprint[:19], "sha256:<rules>"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(cli: Cli, portal: Path, fmt: str, chinese: None) -> None:
    """In Chinese, as the people who read them do (the golden files are Chinese)."""
    rules_fingerprint = _report(cli(["check", "--format", "json"], cwd=portal))["rules_fingerprint"]
    run = cli(["check", "--format", fmt], cwd=portal)
    assert run.code == 1
    assert run.err == ""
    output = normalize(run.out, rules_fingerprint)
    golden = GOLDEN / f"check.{fmt}"
    if os.environ.get("BAOMI_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8"), f"differs from {golden}; see the module docstring"


FINDING_KEYS = {
    "rule": str,
    "level": str,
    "path": str,
    "line": int,
    "column": int,
    "end_line": int,
    "end_column": int,
    "scope": str,
    "message": str,
    "excerpt": str,
    "fingerprint": str,
}
SCOPES = {
    "title",
    "front_matter",
    "body",
    "heading",
    "code",
    "html_comment",
    "link",
    "image_alt",
    "config",
    "attachment",
}


def test_json_matches_the_design_schema(cli: Cli, portal: Path) -> None:
    write_portal(portal / "extra", {})  # unused rules copy: proves paths stay relative to the root
    (portal / "content" / "legacy.md").write_bytes(GBK)
    run = cli(["check", "--format", "json"], cwd=portal)
    assert run.code == 2
    report = _report(run)
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "baomi", "version": __version__}
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", report["rules_fingerprint"])
    assert report["files_scanned"] == 3
    assert report["errors"] == [{"path": "content/legacy.md", "message": report["errors"][0]["message"]}]
    assert "GB18030" in report["errors"][0]["message"]
    findings = report["findings"]
    assert [(f["rule"], f["level"], f["line"], f["column"], f["end_column"]) for f in findings] == [
        ("marking.classified", "block", 7, 20, 25),
        ("pii.named_id_number", "block", 8, 5, 8),  # the name next to the ID (issue 4)
        ("pii.mobile", "review", 8, 11, 22),
        ("pii.resident_id", "block", 8, 27, 45),
        ("codename.project", "block", 9, 8, 12),
        ("pii.bank_card", "info", 9, 18, 34),
        ("internal.restricted", "review", 10, 4, 8),
    ]
    lines = NOTICE.splitlines()
    for finding in findings:
        for key, kind in FINDING_KEYS.items():
            assert isinstance(finding[key], kind), (key, finding)
        assert finding["level"] in {"block", "review", "info"}
        assert finding["scope"] in SCOPES
        assert finding["scope"] == "body"
        assert finding["path"] == "content/notice.md"
        assert finding["end_line"] == finding["line"]
        assert "match" not in finding  # only with --show-matches
        assert re.fullmatch(r"[0-9a-f]{32}", finding["fingerprint"])
        # Columns count code points in the source line; end_column is exclusive.
        matched = lines[finding["line"] - 1][finding["column"] - 1 : finding["end_column"] - 1]
        assert len(finding["excerpt"]) == len(matched)
    assert [f["excerpt"] for f in findings] == [
        "机*★*年",
        "何*军",
        "1*********8",
        "1****************X",
        "青**划",
        "4**************1",
        "仅**部",  # the term 仅供内部
    ]


def test_json_with_show_matches_adds_the_match(cli: Cli, portal: Path) -> None:
    report = _report(cli(["check", "--format", "json", "--show-matches"], cwd=portal))
    assert [f["match"] for f in report["findings"]][:5] == [
        "机密★5年",
        "何志军",  # pii.named_id_number (issue 4)
        "13912345678",
        "11010519491231002X",
        "青松计划",
    ]


SARIF_LEVEL = {"block": "error", "review": "warning", "info": "note"}


def test_sarif_is_2_1_0_with_rules_and_fingerprints(cli: Cli, portal: Path) -> None:
    findings = _report(cli(["check", "--format", "json"], cwd=portal))["findings"]
    sarif = _report(cli(["check", "--format", "sarif"], cwd=portal))
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("baomi", __version__)
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    assert {"marking.classified", "pii.resident_id", "pii.mobile", "codename.project"} <= set(ids)
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    results = run["results"]
    assert len(results) == len(findings)
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule"]
        assert result["level"] == SARIF_LEVEL[finding["level"]]
        assert result["partialFingerprints"] == {"baomi/v1": finding["fingerprint"]}
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "content/notice.md", "uriBaseId": "%SRCROOT%"}
        region = physical["region"]
        assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (
            finding["line"],
            finding["column"],
            finding["end_line"],
            finding["end_column"],
        )
        assert finding["excerpt"] in result["message"]["text"]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_uri_is_percent_encoded(cli: Cli, tmp_path: Path) -> None:
    # Chinese file names and spaces are common on the portal; SARIF wants a valid URI reference.
    write_portal(tmp_path, {"content/新闻 稿/100%.md": "机密★5年\n"})
    sarif = _report(cli(["check", "--format", "sarif"], cwd=tmp_path))
    (result,) = sarif["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "content/%E6%96%B0%E9%97%BB%20%E7%A8%BF/100%25.md"
    assert unquote(uri) == "content/新闻 稿/100%.md"


def test_sarif_reports_files_that_could_not_be_screened(cli: Cli, portal: Path) -> None:
    (portal / "content" / "blob.md").write_bytes(b"\x00\x01\x02")
    sarif = _report(cli(["check", "--format", "sarif"], cwd=portal))
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"].startswith("content/blob.md: binary file")


ANNOTATION = re.compile(
    r"::(?P<command>error|warning|notice) file=(?P<file>[^,]*),line=(?P<line>\d+),endLine=(?P<end_line>\d+),"
    r"col=(?P<col>\d+),endColumn=(?P<end_col>\d+),title=(?P<title>[^,:]*)::(?P<message>.*)"
)
COMMAND = {"block": "error", "review": "warning", "info": "notice"}


def test_github_annotations_carry_positions(cli: Cli, portal: Path) -> None:
    findings = _report(cli(["check", "--format", "json"], cwd=portal))["findings"]
    run = cli(["check", "--format", "github"], cwd=portal)
    assert run.code == 1
    lines = run.out.splitlines()
    annotations = [m for m in map(ANNOTATION.fullmatch, lines) if m]
    assert len(annotations) == len(findings)
    by_fingerprint = {f["fingerprint"]: f for f in findings}
    for annotation in annotations:
        fingerprint = re.search(r"\[([0-9a-f]{32})\]$", annotation["message"])
        assert fingerprint
        finding = by_fingerprint.pop(fingerprint[1])
        assert annotation["command"] == COMMAND[finding["level"]]
        assert annotation["file"] == finding["path"]
        assert int(annotation["line"]) == finding["line"]
        assert int(annotation["end_line"]) == finding["end_line"]
        assert int(annotation["col"]) == finding["column"]
        assert int(annotation["end_col"]) == finding["end_column"]
        assert annotation["title"] == f"baomi {finding['rule']} ({finding['level']})"
    assert [line for line in lines if not line.startswith("::")] == [
        "2 file(s) screened: 4 block, 2 review, 1 info; blocked"
    ]


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain 文本", "plain 文本", "plain 文本"),  # nothing to escape
        ("100%", "100%25", "100%25"),  # % first, so an escape is never escaped twice
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),  # : and , end a property, not a message
        ("two\nlines\r", "two%0Alines%0D", "two%0Alines%0D"),  # a newline would end the command
        ("%3A", "%253A", "%253A"),  # an escape sequence in the input stays literal
        ("\x1b[31mred", "·[31mred", "·[31mred"),  # no terminal escape reaches the log
    ],
)
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert _escape_data(text) == data
    assert _escape_property(text) == prop


def test_github_escapes_the_file_property(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a,b:c%d.md": "机密★5年\n"})
    run = cli(["check", "--format", "github"], cwd=tmp_path)
    assert run.out.startswith("::error file=content/a%2Cb%3Ac%25d.md,line=1,endLine=1,col=1,endColumn=6,")


def _many(blocks: int, reviews: int, infos: int) -> str:
    lines = ["机密★5年"] * blocks + ["手机13912345678"] * reviews + ["编号4111111111111111"] * infos
    return "\n\n".join(lines) + "\n"


def _commands(out: str) -> list[str]:
    return [line.split(" ", 1)[0].split("::")[1] for line in out.splitlines() if line.startswith("::")]


def test_github_caps_annotations_per_level(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/many.md": _many(12, 11, 12)})
    run = cli(["check", "--format", "github"], cwd=tmp_path)
    commands = _commands(run.out)
    # GitHub shows ten of each kind per step; the pointer to the summary is one of the notices.
    assert commands.count("error") == 10
    assert commands.count("warning") == 10
    assert commands.count("notice") == 10
    assert run.out.splitlines()[-2] == "::notice::6 more finding(s) are listed in the step summary"
    assert run.out.splitlines()[-1] == "1 file(s) screened: 12 block, 11 review, 12 info; blocked"


def test_github_shows_file_errors_first(cli: Cli, tmp_path: Path) -> None:
    # Files that could not be screened are why the run fails: their annotations must not be the
    # ones GitHub drops after ten errors.
    write_portal(tmp_path, {"content/a.md": _many(12, 0, 0), "content/b.md": GBK})
    run = cli(["check", "--format", "github"], cwd=tmp_path)
    assert run.code == 2
    lines = run.out.splitlines()
    assert lines[0].startswith("::error file=content/b.md::not valid UTF-8")
    assert _commands(run.out).count("error") == 10
    assert "::notice::3 more finding(s) are listed in the step summary" in lines


def test_github_below_the_cap_has_no_pointer(cli: Cli, portal: Path) -> None:
    run = cli(["check", "--format", "github"], cwd=portal)
    assert "more finding(s)" not in run.out


def test_github_writes_the_step_summary(cli: Cli, portal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = portal / "summary.md"
    summary.write_text("## earlier step\n", encoding="utf-8")
    markdown = cli(["check", "--format", "markdown"], cwd=portal).out
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = cli(["check", "--format", "github", "--show-matches"], cwd=portal)
    assert run.code == 1
    written = summary.read_text(encoding="utf-8")
    assert written == "## earlier step\n" + markdown  # appended, and redacted even with --show-matches
    for raw in RAW:
        assert raw not in written
    cli(["check", "--format", "json"], cwd=portal)
    assert summary.read_text(encoding="utf-8") == written  # only the github format writes it


def _junit(run: Run) -> ET.Element:
    assert run.out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(run.out.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    assert (suite.tag, suite.get("name")) == ("testsuite", "baomi")
    cases = suite.findall("testcase")
    assert len(suite) == len(cases)  # nothing but test cases in the suite
    # Counted per test case, as JUnit's schema does: a case holding any <error> is an error.
    errors = sum(case.find("error") is not None for case in cases)
    failures = sum(case.find("error") is None and case.find("failure") is not None for case in cases)
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(failures)
        assert element.get("errors") == str(errors)
    assert [c.get("name") for c in cases].count("baomi check") == 1  # the summary case
    return suite


def _case(suite: ET.Element, path: str) -> ET.Element:
    (case,) = [c for c in suite.findall("testcase") if c.get("classname") == path]
    assert case.get("name") == f"baomi check {path}"
    return case


@pytest.mark.parametrize(("fail_on", "blocking"), [("block", {"block"}), ("review", {"block", "review"})])
def test_junit_fails_one_case_per_file_with_a_failure_per_blocking_finding(
    cli: Cli, portal: Path, fail_on: str, blocking: set[str]
) -> None:
    findings = _report(cli(["check", "--format", "json"], cwd=portal))["findings"]
    run = cli(["check", "--format", "junit", "--fail-on", fail_on], cwd=portal)
    assert run.code == 1
    suite = _junit(run)
    assert suite.get("tests") == "2"  # the summary, and notice.md; the clean index.md has no case
    assert suite.get("failures") == "1"
    assert suite.get("errors") == "0"
    case = _case(suite, "content/notice.md")
    failures = case.findall("failure")
    expected = [f for f in findings if f["level"] in blocking]
    assert len(failures) == len(expected) == sum(f["level"] in blocking for f in findings)
    for failure, finding in zip(failures, expected, strict=True):
        assert failure.get("type") == finding["rule"]
        assert failure.get("message") == finding["message"]
        text = failure.text or ""
        assert text.splitlines()[0] == (
            f"content/notice.md:{finding['line']}:{finding['column']} {finding['level']} "
            f"{finding['rule']} {finding['excerpt']} {finding['fingerprint']}"
        )
        assert finding["context"] in text
    # Below --fail-on: listed with the file, not failing it.
    out = case.findtext("system-out") or ""
    below = [f for f in findings if f["level"] not in blocking]
    assert below
    for finding in below:
        assert f"{finding['rule']} {finding['excerpt']} {finding['fingerprint']}" in out
    for finding in expected:
        assert finding["fingerprint"] not in out
    summary = _case_named(suite, "baomi check")
    assert summary.find("failure") is None
    assert (summary.findtext("system-out") or "").startswith("2 file(s) screened: 4 block, 2 review, 1 info;")


def _case_named(suite: ET.Element, name: str) -> ET.Element:
    (case,) = [c for c in suite.findall("testcase") if c.get("name") == name]
    return case


def test_junit_clean_run_is_one_passing_test(cli: Cli, portal: Path) -> None:
    run = cli(["check", "--format", "junit", "content/index.md"], cwd=portal)
    assert run.code == 0
    suite = _junit(run)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    (case,) = suite
    assert (case.get("classname"), case.get("name")) == ("baomi", "baomi check")
    assert list(case) == [case.find("system-out")]
    summary = case.findtext("system-out") or ""
    assert summary.startswith("1 file(s) screened: 0 block, 0 review, 0 info; clean\n")


def test_junit_reports_files_that_could_not_be_screened_as_errors(cli: Cli, portal: Path) -> None:
    (portal / "content" / "legacy.md").write_bytes(GBK)
    run = cli(["check", "--format", "junit"], cwd=portal)
    assert run.code == 2
    suite = _junit(run)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    (error,) = _case(suite, "content/legacy.md")
    assert (error.tag, error.get("type")) == ("error", "baomi.unreadable")
    assert "GB18030" in (error.get("message") or "")
    assert (error.text or "").startswith("content/legacy.md: ")


def _finding(path: str, match: str) -> Finding:
    return Finding(
        rule="codename.project",
        level=Level.BLOCK,
        path=path,
        line=1,
        column=1,
        end_line=1,
        end_column=1 + len(match),
        scope=Scope.BODY,
        message="涉及内部项目代号\x1b[2J",
        basis="",
        excerpt="青**划",
        context="青**划\x07",
        context_shown=f"{match}\x07",
        context_column=0,
        match=match,
        fingerprint="0" * 32,
    )


def test_ci_formats_carry_only_what_xml_and_utf8_can() -> None:
    # File names come from git with surrogateescape, and from disk with any character Linux
    # allows; XML 1.0 has no escape for control characters, lone surrogates or U+FFFE.
    hostile = "content/a\x00b\x1b[31m\udcff\ufffe\nc.md"
    result = CheckResult(
        findings=(_finding(hostile, "青松\x00计划"),),
        errors=(FileError(path=hostile, message="not valid UTF-8\x0c"),),
        files_scanned=2,
        rules_fingerprint="sha256:" + "0" * 64,
        rules=(),
    )
    for show_matches in (False, True):
        view = ReportView(result=result, show_matches=show_matches)
        junit = format_junit(view)
        junit.encode("utf-8")  # no lone surrogate survives
        suite = ET.fromstring(junit.encode("utf-8"))[0]
        cleaned = "content/a·b·[31m\ufffd\ufffd·c.md"
        case = _case(suite, cleaned)
        assert [e.tag for e in case] == ["error", "failure"]
        assert (case[1].text or "").startswith(f"{cleaned}:1:1 block codename.project ")
        assert case[1].get("message") == "涉及内部项目代号·[2J"
        issues = json.loads(format_codequality(view).encode("utf-8"))
        assert [i["location"]["path"] for i in issues] == [cleaned, cleaned]
        for text in (junit, json.dumps(issues, ensure_ascii=False)):
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
            assert ("青松·计划" in text) is show_matches


CODEQUALITY_KEYS = {
    "type": str,
    "check_name": str,
    "description": str,
    "categories": list,
    "severity": str,
    "fingerprint": str,
    "location": dict,
}
SEVERITY = {"block": "critical", "review": "major", "info": "info"}


def _issues(run: Run) -> list[dict[str, Any]]:
    issues = json.loads(run.out)
    assert isinstance(issues, list)
    for issue in issues:
        for key, kind in CODEQUALITY_KEYS.items():
            assert isinstance(issue[key], kind), (key, issue)
        assert issue["type"] == "issue"
        assert issue["categories"] == ["Security"]
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(fingerprints) == len(set(fingerprints))  # GitLab tells issues apart by them
    return issues


def test_codequality_is_gitlab_code_quality(cli: Cli, portal: Path) -> None:
    findings = _report(cli(["check", "--format", "json"], cwd=portal))["findings"]
    run = cli(["check", "--format", "codequality"], cwd=portal)
    assert run.code == 1
    issues = _issues(run)
    assert len(issues) == len(findings)
    for issue, finding in zip(issues, findings, strict=True):
        assert issue["check_name"] == finding["rule"]
        assert issue["severity"] == SEVERITY[finding["level"]]
        assert issue["fingerprint"] == finding["fingerprint"]
        assert issue["description"] == f"{finding['message']}: {finding['excerpt']}"
        assert issue["location"] == {
            "path": "content/notice.md",
            "lines": {"begin": finding["line"], "end": finding["end_line"]},
        }


def test_codequality_reports_files_that_could_not_be_screened(cli: Cli, portal: Path) -> None:
    (portal / "content" / "legacy.md").write_bytes(GBK)
    (portal / "content" / "blob.md").write_bytes(b"\x00\x01\x02")
    run = cli(["check", "--format", "codequality"], cwd=portal)
    assert run.code == 2
    issues = _issues(run)
    unreadable = [i for i in issues if i["check_name"] == "baomi.unreadable"]
    assert sorted(i["location"]["path"] for i in unreadable) == ["content/blob.md", "content/legacy.md"]
    for issue in unreadable:
        assert issue["severity"] == "blocker"
        assert issue["location"]["lines"] == {"begin": 1}
        assert issue["description"].startswith(issue["location"]["path"] + ": ")
    assert len(issues) == len(unreadable) + 7


def test_codequality_clean_run_is_an_empty_list(cli: Cli, portal: Path) -> None:
    run = cli(["check", "--format", "codequality", "content/index.md"], cwd=portal)
    assert (run.code, run.out) == (0, "[]\n")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


ALIGNMENT = """\
机密★5年
文件标注机密★5年。
Note: 机密★5年 and ascii
联系人：何志军，手机13912345678，身份证号11010519491231002X。
（全角）ＡＢＣ　青松计划
青松计划和东岭基地
\t缩进青松计划
这是一段很长很长的说明文字，用来把匹配推到上下文窗口之外很远的地方：东岭基地
"""


def test_text_caret_aligns_under_the_match(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.txt": ALIGNMENT})
    findings = _report(cli(["check", "--format", "json"], cwd=tmp_path))["findings"]
    out = cli(["check"], cwd=tmp_path).out.splitlines()
    heads = [i for i, line in enumerate(out) if line.startswith("content/a.txt:")]
    assert len(heads) == len(findings) == 11  # 10, and the name next to the ID (issue 4)
    for head, finding in zip(heads, findings, strict=True):
        gutter = f" {finding['line']} | "
        assert out[head + 1].startswith(gutter)
        context = out[head + 1][len(gutter) :]
        caret_line = out[head + 2]
        assert caret_line.startswith(" " * (len(gutter) - 2) + "| ")
        carets = caret_line[len(gutter) :]
        # Where the match sits in the shown line, derived from the source position: the line is
        # cut CONTEXT_CHARS characters before the match, and "…" marks the cut.
        offset = finding["column"] - 1
        index = 1 + CONTEXT_CHARS if offset > CONTEXT_CHARS else offset
        assert context[index : index + len(finding["excerpt"])] == finding["excerpt"]
        assert len(carets) - len(carets.lstrip(" ")) == display_width(context[:index]), finding
        assert carets.strip(" ") == "^" * display_width(finding["excerpt"]), finding


@pytest.mark.parametrize("fmt", FORMATS)
def test_matched_text_never_printed_without_show_matches(cli: Cli, portal: Path, fmt: str) -> None:
    run = cli(["check", "--format", fmt], cwd=portal)
    assert run.code == 1
    for secret in RAW + FRAGMENTS:
        assert secret not in run.out, (fmt, secret)
        assert secret not in run.err, (fmt, secret)
    # Redaction is by character: 机密★5年 shows as 机*★*年, not as one star per byte.
    assert "机*★*年" in run.out
    assert "青**划" in run.out


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_matches_prints_them(cli: Cli, portal: Path, fmt: str) -> None:
    run = cli(["check", "--format", fmt, "--show-matches"], cwd=portal)
    assert run.code == 1
    for secret in RAW:
        assert secret in run.out, (fmt, secret)


def test_markdown_report_states_and_escapes(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a|b.md": "机密★5年\n", "content/ok.md": INDEX})
    blocked = cli(["check", "--format", "markdown"], cwd=tmp_path)
    assert blocked.out.startswith("### ⛔ Baomi secrecy screening: blocked\n")
    assert "`content/a\\|b.md:1:1`" in blocked.out  # a pipe would split the table cell
    assert "baomi check --show-matches" in blocked.out
    clean = cli(["check", "--format", "markdown", "content/ok.md"], cwd=tmp_path)
    assert clean.out.startswith("### ✅ Baomi secrecy screening: clean\n")
    assert "|---|" not in clean.out


def test_markdown_report_reads_chinese(cli: Cli, tmp_path: Path, chinese: None) -> None:
    write_portal(tmp_path, {"content/a.md": "机密★5年\n", "content/ok.md": INDEX})
    blocked = cli(["check", "--format", "markdown"], cwd=tmp_path).out
    assert blocked.startswith("### ⛔ Baomi 保密审查：未通过\n")
    assert "| 级别 | 位置 | 规则 | 说明 | 摘录 | 指纹 |" in blocked and "| ⛔ 阻断 |" in blocked
    assert "审核人：请在本地运行 `baomi check --show-matches`" in blocked
    clean = cli(["check", "--format", "markdown", "content/ok.md"], cwd=tmp_path).out
    assert clean.startswith("### ✅ Baomi 保密审查：通过\n")


def test_json_escapes_every_character_that_could_steer_a_reader() -> None:
    import json as json_module
    import unicodedata as ud

    from screen.report.jsontext import dumps

    unsafe = [chr(c) for c in range(0x7F, 0x110000) if ud.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")]
    document = {"path": "content/\u202eevil\u202c.md", "all": "".join(unsafe), "text": "青松计划 ok"}
    text = dumps(document)
    assert all(c not in text for c in unsafe)  # written as \\u escapes …
    assert json_module.loads(text) == document  # … which read back as the same strings
    assert "青松计划 ok" in text  # and Chinese stays readable


def test_a_bidi_override_in_a_path_is_escaped_in_json_and_sarif(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/\u202egpj.md": "关于青松计划的通知\n"})
    # JSON keeps the path exact (an escape), SARIF's URI is percent-encoded, Code Quality shows a dot
    for fmt, written in (("json", "\\u202e"), ("sarif", "%E2%80%AE"), ("codequality", "content/·gpj.md")):
        run = cli(["check", "--format", fmt], cwd=tmp_path)
        assert "\u202e" not in run.out and written in run.out, fmt
