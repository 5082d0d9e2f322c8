"""Classification (定密) at the gate: a classified page is never published, and only the
principal's `baomi declassify` record makes it an ordinary page to sign off."""

from __future__ import annotations

import json
from dataclasses import replace

from screen import sshsig
from screen.model import blob_id
from screen.signoff.message import Declassification, declassification_payload, format_declassification
from tests.signoff_portal import CLASSIFIED, DECLASSIFIED, LI, SECRET_PAGE, WANG, ZHANG, Portal

# --- classification (定密): the gate never publishes a classified page ----------------------------


def test_a_classified_page_is_never_published_even_when_signed(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    portal.by_hand(LI, portal.message_for(SECRET_PAGE))
    run, files, _ = portal.status(SECRET_PAGE)
    record = files[SECRET_PAGE]
    assert (run.code, record["state"]) == (1, "blocked")
    assert record["classification"] == "机密★5年（2026-03-01 定密）"
    assert "classified information is not made public" in record["reasons"][0]
    text = portal.baomi("status", SECRET_PAGE).out
    assert "机密★5年（2026-03-01 定密）" in text


def test_an_unreadable_record_keeps_the_page_back(portal: Portal) -> None:
    portal.write(SECRET_PAGE, "---\ntitle: 通知\nclassification: 机蜜\n---\n\n正文。\n")
    portal.commit(ZHANG, "稿件")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    state, code, reasons = portal.state(SECRET_PAGE)
    assert (state, code) == ("blocked", 1) and "cannot be read" in reasons


def test_flipping_the_record_to_public_is_not_declassifying(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.write(SECRET_PAGE, DECLASSIFIED)
    portal.commit(ZHANG, "改为公开")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    portal.by_hand(LI, portal.message_for(SECRET_PAGE))  # even the principal's sign-off
    state, code, reasons = portal.state(SECRET_PAGE)
    assert (state, code) == ("blocked", 1) and "no declassification record of the principal" in reasons


def test_declassify_by_the_principal_then_the_usual_sign_off(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.act_as(WANG)
    refused = portal.baomi("declassify", SECRET_PAGE, "--reason", "已公开发布")
    assert refused.code == 2 and "only principal may declassify" in refused.err  # a deputy may not
    portal.act_as(LI)
    early = portal.baomi("declassify", SECRET_PAGE)
    assert early.code == 2 and "runs until 2031-03-01" in early.err  # term not over, no reason
    dry = portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开", "--dry-run")
    assert (
        dry.code == 0 and f"Baomi-Declassified: {SECRET_PAGE} blob=" in dry.out and "was=机密★5年" in dry.out
    )
    before = portal.head()
    done = portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开")
    assert done.code == 0, done.err
    assert portal.git("rev-list", "--count", f"{before}..HEAD") == "1"
    assert "-----BEGIN SSH SIGNATURE-----" in portal.git("cat-file", "commit", "HEAD")
    text = portal.read(SECRET_PAGE).decode()
    assert "classification: 公开\ndeclassified_on: " in text and "secrecy_term: 5年" in text
    state, _, reasons = portal.state(SECRET_PAGE)
    assert state == "unsigned", reasons  # now screened and signed like any page
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    assert portal.state(SECRET_PAGE)[:2] == ("cleared", 0)


def test_a_declassification_record_signed_by_a_deputy_does_not_count(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.write(SECRET_PAGE, DECLASSIFIED)
    record = Declassification(
        path=SECRET_PAGE, blob=blob_id(DECLASSIFIED.encode()), was="机密★5年", reason="无"
    )
    record = replace(record, parent=portal.head())
    record = replace(record, seal=sshsig.seal(declassification_payload(record), str(portal.keys / WANG.id)))
    portal.git("add", "-A")
    portal.git(*portal.identity(WANG), "commit", "-q", "-S", "-m", format_declassification(record))
    portal.by_hand(LI, portal.message_for(SECRET_PAGE))
    state, _, reasons = portal.state(SECRET_PAGE)
    assert state == "blocked" and "no declassification record" in reasons


def test_a_declassification_the_principals_git_signed_while_rebasing_does_not_count(portal: Portal) -> None:
    """A drafter writes the 解密 record into their own commit; the principal's git signs the copy."""
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    base = portal.head()
    portal.git("checkout", "-q", "-b", "draft")
    portal.write(SECRET_PAGE, DECLASSIFIED)
    record = Declassification(
        path=SECRET_PAGE, blob=blob_id(DECLASSIFIED.encode()), was="机密★5年", reason="期限已满", parent=base
    )
    portal.git("add", "-A")
    portal.git(
        *portal.identity(ZHANG), "commit", "-q", "--no-gpg-sign", "-m", format_declassification(record)
    )
    portal.git("checkout", "-q", "main")
    portal.write("content/news/c.md", "# 另一篇\n")
    portal.commit(ZHANG, "另一篇")
    portal.git("checkout", "-q", "draft")
    portal.git(*portal.identity(LI), "-c", "commit.gpgSign=true", "rebase", "-q", "main")
    portal.git("checkout", "-q", "main")
    portal.git("merge", "-q", "--ff-only", "draft")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    state, _, reasons = portal.state(SECRET_PAGE)
    assert state == "blocked" and "no declassification record" in reasons


def test_declassify_once_the_term_has_passed_needs_no_reason(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED.replace("2026-03-01", "2019-03-01").replace("5年", "2"))
    portal.commit(ZHANG, "旧稿")
    portal.act_as(LI)
    done = portal.baomi("declassify", SECRET_PAGE)
    assert done.code == 0, done.err
    assert "Baomi-Reason: 保密期限已满（2021-03-01）" in portal.git("log", "-1", "--format=%B")


def test_a_page_that_was_always_public_needs_only_the_usual_roles(portal: Portal) -> None:
    portal.write(SECRET_PAGE, DECLASSIFIED)
    portal.commit(ZHANG, "稿件")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    _, files, document = portal.status(SECRET_PAGE)
    assert files[SECRET_PAGE]["state"] == "cleared"
    assert files[SECRET_PAGE]["classification"] == "公开"
    assert json.dumps(document, ensure_ascii=False).count("机密") == 0


# --- classification follows content (issue 15, cause 6) -------------------------------------------

MOVED = "content/news/moved.md"


def test_a_renamed_classified_page_recorded_public_stays_withheld(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.git("mv", SECRET_PAGE, MOVED)
    portal.write(MOVED, DECLASSIFIED)  # re-recorded 公开 under a new name
    portal.commit(ZHANG, "改名并改为公开")
    run = portal.sign(WANG, MOVED)
    assert run.code == 2 and "withheld whatever its sign-offs" in run.err
    portal.by_hand(WANG, portal.message_for(MOVED))
    state, _, reasons = portal.state(MOVED)
    assert state == "blocked"
    assert f"as {SECRET_PAGE} (renamed or copied since)" in reasons
    portal.act_as(LI)
    run = portal.baomi("declassify", MOVED, "--reason", "解密条件已满足")
    assert run.code == 0, run.err
    assert portal.git("diff", "--name-only", "HEAD~1", "HEAD") == ""  # the bytes were public already
    # now an ordinary page: the deputy's sign-off of these very bytes counts
    assert portal.state(MOVED)[:2] == ("cleared", 0)


def test_a_rename_in_two_steps_with_edits_is_followed(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED + "\n".join(f"第{n}条内部意见。" for n in range(20)) + "\n")
    portal.commit(ZHANG, "定密稿件")
    portal.git("mv", SECRET_PAGE, MOVED)
    portal.commit(ZHANG, "改名")
    final = "content/news/final.md"
    portal.git("mv", MOVED, final)
    text = portal.read(final).decode().replace("classification: 机密", "classification: 公开")
    portal.write(final, text.replace("第3条", "第三条"))
    portal.commit(ZHANG, "再改名并改为公开")
    portal.by_hand(WANG, portal.message_for(final))
    state, _, reasons = portal.state(final)
    assert state == "blocked" and "renamed or copied since" in reasons


def test_classified_bytes_under_any_name_are_never_published(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    copy = "content/files/notes.txt"
    portal.write(copy, CLASSIFIED)  # the same bytes as an attachment: no front matter is read
    portal.commit(ZHANG, "附件")
    portal.by_hand(WANG, portal.message_for(copy))
    state, _, reasons = portal.state(copy)
    assert state == "blocked"
    assert f"these exact bytes were recorded classified as {SECRET_PAGE}" in reasons
    portal.act_as(LI)
    run = portal.baomi("declassify", copy, "--reason", "x")
    assert run.code == 2 and "exact bytes of a classified version" in run.err
