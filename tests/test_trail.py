"""`baomi log`: the review trail of one page, from sign-offs and declassifications in git."""

from __future__ import annotations

import datetime
import json

from screen.audit.records import Event, Trail
from screen.report import render
from screen.signoff.records import FileStatus
from tests.signoff_portal import (
    BLOCKING,
    CLASSIFIED,
    LI,
    LIU,
    SECRET,
    SECRET_PAGE,
    WANG,
    ZHANG,
    Portal,
    add_secret,
)

# --- baomi log: the review trail of one page ----------------------------------------------------


def test_log_tells_the_whole_review_trail(portal: Portal) -> None:
    fingerprint = add_secret(portal)  # drafted with a blocking finding
    portal.sign(
        WANG, SECRET, "--waive", fingerprint, "--reason", "已公开的计划生育服务项目", "-m", "同意公开"
    )
    portal.write(SECRET, BLOCKING + "\n补充。\n")
    portal.commit(ZHANG, "补充")
    portal.by_hand(WANG, portal.message_for(SECRET), key=LIU)  # a sign-off with a key not in force
    run = portal.baomi("log", SECRET, "--format", "json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert (document["path"], document["state"], document["publishable"]) == (SECRET, "blocked", False)
    kinds = [e["kind"] for e in document["events"]]
    assert kinds == ["draft", "signoff", "draft", "signoff-not-counted"]
    first, signed, second, rejected = document["events"]
    assert first["detail"].startswith("1 block (codename.project)")
    assert first["who"] == f"{ZHANG.name} <{ZHANG.email}>"
    assert signed["who"] == WANG.name and signed["blob"] == first["blob"]
    assert "deputy" in signed["detail"] and "已公开的计划生育服务项目" in signed["detail"]
    assert "同意公开" in signed["detail"]
    assert second["blob"] != first["blob"]
    assert "not in rules/signers.yml" in rejected["detail"]
    text = portal.baomi("log", SECRET).out
    assert (
        f"Review trail of {SECRET}" in text and "sign-off: 王建国" in text and "sign-off not counted" in text
    )
    assert "青松计划" not in run.out + text  # the trail is redacted like every report


def test_log_shows_classification_and_declassification(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    assert "classification: 机密★5年（2026-03-01 定密）" in portal.baomi("log", SECRET_PAGE).out
    portal.act_as(LI)
    assert portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开").code == 0
    document = json.loads(portal.baomi("log", SECRET_PAGE, "--format", "json").out)
    kinds = [e["kind"] for e in document["events"]]
    assert kinds == ["draft", "declassified", "draft"]
    declassified = document["events"][1]
    assert declassified["detail"] == "was 机密★5年; reason: 相关工作已按规定公开"
    assert document["events"][0]["detail"].endswith("机密★5年（2026-03-01 定密）")


def test_the_trail_reads_chinese(chinese: None) -> None:
    marking = "机密★5年（2026-03-01 定密）"
    status = FileStatus(path="content/a.md", state="stale", reasons=("改动",), classification=marking)
    when = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    events = (
        Event(
            when=when,
            commit="0123456789ab",
            kind="draft",
            who="张伟",
            blob="abcdef0123456",
            detail="阻断 0 处",
        ),
        Event(
            when=when, commit="0123456789ab", kind="signoff-not-counted", who="王建国", blob="abcdef0123456"
        ),
    )
    text = render("log", "text", Trail(path="content/a.md", status=status, events=events))
    assert text.startswith(f"content/a.md 审查记录\n定密：{marking}\n当前状态：签发后已改动\n    - 改动\n")
    assert "2026-03-02 09:30 0123456789 起草/修改：张伟 文件版本 abcdef0123\n    阻断 0 处\n" in text
    assert "签发无效：王建国 文件版本 abcdef0123" in text


def test_log_of_a_file_that_is_not_published_is_a_usage_error(portal: Portal) -> None:
    run = portal.baomi("log", "content/nope.md")
    assert run.code == 2 and "not a published file" in run.err
