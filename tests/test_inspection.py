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
        [SECRET_PAGE, "定密 classified"],
        [SECRET_PAGE, "解密 declassified (was 机密★5年)"],
    ]
    assert report["median_hours"] is not None and report["median_hours"] >= 0
    assert report["summary"].startswith(
        "审查发布信息4条（网页4个、配置与规则文件0个）；筛查进入版本库的稿件版本9个，检出阻断级问题1处"
    )
    assert report["ref"] == portal.head()[:10]
    markdown = portal.baomi("report").out
    assert "# 保密自查报告" in markdown and "| 王建国 | 分管领导 | 4 |" in markdown
    page = portal.baomi("report", "--format", "html").out
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "保密自查报告" in page
    for output in (run.out, markdown, page):
        assert "青松计划" not in output  # the report never prints a sensitive term


def test_report_period_and_its_errors(portal: Portal) -> None:
    portal.by_hand(WANG, portal.message_for(A))
    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    report = json.loads(portal.baomi("report", "--format", "json", "--since", later).out)
    assert (report["items_reviewed"], report["versions_drafted"], report["reviewers"]) == (0, 0, [])
    assert report["period"] == {"since": later, "until": None}
    # nothing reached the history in the period: said of what was read, not as "no secrets"
    assert "其中未检出阻断级问题" in report["summary"] and "未检出涉密信息" not in report["summary"]
    markdown = portal.baomi("report", "--since", later).out
    assert f"统计期间：{later} 至 今；依据：版本 {portal.head()[:10]} 及其全部历史" in markdown
    today = datetime.date.today().isoformat()
    assert json.loads(portal.baomi("report", "--format", "json", "--until", today).out)["items_reviewed"] == 1
    assert portal.baomi("report", "--since", later, "--until", today).code == 2
    with pytest.raises(SystemExit):
        portal.baomi("report", "--since", "昨天")


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
