"""`baomi report`: the self-inspection report (保密自查报告) counted from the history."""

from __future__ import annotations

import datetime
import json
import unicodedata

import pytest

from tests.signoff_portal import (
    CLASSIFIED,
    LI,
    LIU,
    SECRET,
    SECRET_PAGE,
    WANG,
    ZHANG,
    A,
    B,
    Portal,
    add_secret,
)

# --- baomi report: the self-inspection report ---------------------------------------------------


def test_report_counts_what_the_history_holds(portal: Portal) -> None:
    portal.by_hand(WANG, portal.message_for(A, B))  # two pages in one sign-off
    portal.by_hand(WANG, portal.message_for("content/important.md"))
    portal.by_hand(LI, portal.message_for("content/important.md"))
    fingerprint = add_secret(portal)
    assert portal.sign(WANG, SECRET, "--waive", fingerprint, "--reason", "已公开的计划生育服务项目").code == 0
    portal.by_hand(WANG, portal.message_for(B), key=LIU)  # a key not in force: does not count
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.act_as(LI)
    assert portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开").code == 0
    run = portal.baomi("report", "--format", "json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert (report["items_reviewed"], report["pages_reviewed"]) == (4, 4)  # a.md, b.md, important.md, secret
    # versions: 4 pages and 2 trust files at the start, the secret page, the classified page twice
    assert report["versions_drafted"] == 9
    assert report["reviewers"] == [["王建国", "deputy", 4], ["李明", "principal", 1]]
    assert [w[1:] for w in report["waivers"]] == [[SECRET, "王建国", "已公开的计划生育服务项目"]]
    assert len(report["broken"]) == 1 and "not in rules/signers.yml" in report["broken"][0][2]
    assert ["codename.project", "block", 1] in report["findings"]
    assert [c[1:] for c in report["classification"]] == [
        [SECRET_PAGE, "classified"],
        [SECRET_PAGE, "declassified (was 机密★5年)"],
    ]
    assert report["median_hours"] is not None and report["median_hours"] >= 0
    assert report["summary"].startswith(
        "Items of published information reviewed: 4 (4 pages, 0 configuration and rule files); draft "
        "versions that entered the repository screened: 9, 1 blocking finding(s) among them"
    )
    assert report["ref"] == portal.head()[:10]
    markdown = portal.baomi("report").out
    assert "# Secrecy self-inspection report" in markdown and "| 王建国 | deputy | 4 |" in markdown
    page = portal.baomi("report", "--format", "html").out
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "Secrecy self-inspection report" in page
    for output in (run.out, markdown, page):
        assert "青松计划" not in output  # the report never prints a sensitive term


def test_report_period_and_its_errors(portal: Portal) -> None:
    portal.by_hand(WANG, portal.message_for(A))
    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    report = json.loads(portal.baomi("report", "--format", "json", "--since", later).out)
    assert (report["items_reviewed"], report["versions_drafted"], report["reviewers"]) == (0, 0, [])
    assert report["period"] == {"since": later, "until": None}
    # nothing reached the history in the period: said of what was read, not as "no secrets"
    assert "no blocking finding among them" in report["summary"]
    markdown = portal.baomi("report", "--since", later).out
    assert f"Period: {later} to today; based on: commit {portal.head()[:10]} and all its history" in markdown
    today = datetime.date.today().isoformat()
    assert json.loads(portal.baomi("report", "--format", "json", "--until", today).out)["items_reviewed"] == 1
    assert portal.baomi("report", "--since", later, "--until", today).code == 2
    with pytest.raises(SystemExit):
        portal.baomi("report", "--since", "昨天")


def _inspection(**changes: object) -> object:
    from screen.audit.records import UNSCREENED, Inspection, Period

    values: dict[str, object] = {
        "period": Period(since=datetime.date(2026, 1, 1)),
        "items_reviewed": 4,
        "pages_reviewed": 4,
        "versions_drafted": 9,
        "published": 4,
        "held_back": 1,
        "stale_now": 1,
        "findings": (("codename.project", "block", 1), (UNSCREENED, "error", 1)),
        "waivers": (("2026-01-02", "content/a.md", "王建国", "已公开"),),
        "reviewers": (("王建国", "deputy", 4),),
        "median_hours": 2.5,
        "broken": (),
        "classification": (),
        "pages_published": 4,
        "ref": "0123456789",
        "titles": (("deputy", "分管领导"),),
    }
    return Inspection(**(values | changes))  # type: ignore[arg-type]


def test_the_report_is_written_in_chinese(chinese: None) -> None:
    """The written report, as the office files it: every heading and sentence in Chinese."""
    from screen.report import render

    markdown = render("report", "markdown", _inspection())
    assert markdown.startswith("# 保密自查报告（2026-01-01 至 今）\n\n## 一、总体情况\n\n")
    assert "统计期间：2026-01-01 至 今；依据：版本 0123456789 及其全部历史。" in markdown
    assert (
        "审查发布信息4条（网页4个、配置与规则文件0个）；筛查进入版本库的稿件版本9个，检出阻断级问题1处；"
        "现已发布网页4个、配置与规则文件0个（均经审核签发，无未豁免的阻断级问题），暂缓发布1个。"
    ) in markdown
    assert "从稿件提交到审核签发的中位时间：2.5 小时。当前因签发后改动而失效的文件：1 个。" in markdown
    assert "| 规则 | 级别 | 处数 |" in markdown and "| codename.project | 阻断 | 1 |" in markdown
    assert "| （无法审查） | 无法审查 | 1 |" in markdown
    assert "## 三、豁免（经签发人确认）" in markdown and "| 王建国 | 分管领导 | 4 |" in markdown
    assert "## 五、无效签发\n\n无。\n" in markdown and "## 七、撤稿" in markdown
    assert markdown.endswith("本报告由 baomi 根据版本库历史与经验证的签发记录生成，文中不含检出内容原文。\n")
    page = render("report", "html", _inspection(findings=()))
    assert '<html lang="zh-CN">' in page and "<title>保密自查报告</title>" in page
    assert "<h2>二、检出情况（按规则）</h2><p>无。</p>" in page and "王建国（分管领导）" in page
    summary = render("report", "json", _inspection(findings=()))
    assert "其中未检出阻断级问题" in summary and "未检出涉密信息" not in summary


# --- table cells: control, format and bidi characters never reach the reader ---------------------

_HOSTILE = "\x1b[2J\x07\x85\x9b\u202e\u2066\u200f\ufeff"  # C0 (ESC, BEL), C1 (NEL, CSI), bidi, BOM


def test_report_cells_make_control_and_bidi_characters_visible() -> None:
    from screen.audit.records import Inspection, Period
    from screen.report import render

    path = f"content/news/{_HOSTILE}a.md"
    report = Inspection(
        period=Period(),
        items_reviewed=1,
        pages_reviewed=1,
        versions_drafted=1,
        published=1,
        held_back=0,
        stale_now=0,
        findings=((f"rule{_HOSTILE}", "block", 1),),
        waivers=(("2026-01-02", path, f"王{_HOSTILE}建国", f"理由{_HOSTILE}|第二列"),),
        reviewers=((f"王{_HOSTILE}建国", "deputy", 1),),
        median_hours=None,
        broken=(("2026-01-02", "0123456789", f"原因{_HOSTILE}"),),
        classification=(("2026-01-02", path, f"变化{_HOSTILE}"),),
    )
    for fmt in ("markdown", "html"):
        text = render("report", fmt, report)
        hidden = [c for c in _HOSTILE if unicodedata.category(c) in ("Cc", "Cf")]
        leaked = sorted({hex(ord(c)) for c in hidden if c in text})
        assert not leaked, (fmt, leaked)
        assert "理由" in text and "原因" in text  # the cells are there, made safe
    assert "理由·" in render("report", "markdown", report)
    assert "\\|第二列" in render("report", "markdown", report)  # a pipe cannot open a column
