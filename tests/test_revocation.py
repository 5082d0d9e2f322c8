"""Nothing cleared for ever (issue 15, cause 5): deleting a published file ends every earlier
clearance of it, and `baomi revoke` (撤稿) takes a page down without deleting it."""

from __future__ import annotations

import json

from tests.signoff_portal import LI, PAGES, WANG, ZHANG, A, B, Portal


def test_a_deleted_page_restored_with_the_same_bytes_needs_a_new_signoff(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[0] == "cleared"
    (portal.root / A).unlink()
    deleted = portal.commit(LI, "撤下稿件")
    portal.write(A, PAGES[A])  # the very bytes that were cleared
    portal.commit(ZHANG, "恢复稿件")
    state, code, reasons = portal.state(A)
    assert (state, code) == ("unsigned", 1)
    assert f"deleted in {deleted[:10]}" in reasons
    assert portal.sign(WANG, A).code == 0  # a deliberate new sign-off publishes it again
    assert portal.state(A)[:2] == ("cleared", 0)


def test_a_page_renamed_away_and_back_needs_a_new_signoff(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.git("mv", A, "content/news/moved.md")
    portal.commit(ZHANG, "改名")
    portal.git("mv", "content/news/moved.md", A)
    portal.commit(ZHANG, "改回")
    state, _, reasons = portal.state(A)
    assert state == "unsigned" and "deleted in" in reasons


def test_a_deletion_on_a_merged_branch_ends_the_clearance(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.git("checkout", "-q", "-b", "side")
    (portal.root / A).unlink()
    portal.commit(ZHANG, "删除")
    portal.write(A, PAGES[A])
    portal.commit(ZHANG, "恢复")
    portal.git("checkout", "-q", "main")
    portal.write(B, PAGES[B] + "\n补充。\n")
    portal.commit(ZHANG, "修改 b")
    portal.git(*portal.identity(ZHANG), "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "合并", "side")
    assert portal.state(A)[0] == "unsigned"


def test_a_signoff_after_the_deletion_is_not_ended_by_it(portal: Portal) -> None:
    (portal.root / A).unlink()
    portal.commit(ZHANG, "删除")
    portal.write(A, PAGES[A])
    portal.commit(ZHANG, "恢复")
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[:2] == ("cleared", 0)


def test_revoke_takes_a_page_down_and_a_new_signoff_brings_it_back(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.act_as(WANG)
    dry = portal.baomi("revoke", A, "--reason", "内容已过时", "--dry-run")
    assert dry.code == 0 and f"Baomi-Revoked: {A}" in dry.out
    run = portal.baomi("revoke", A, "--reason", "内容已过时")
    assert run.code == 0, run.err
    assert portal.git("diff", "--name-only", "HEAD~1", "HEAD") == ""  # nothing deleted or changed
    assert (portal.root / A).exists()
    state, code, reasons = portal.state(A)
    assert (state, code) == ("unsigned", 1)
    assert "taken down by 王建国" in reasons and "内容已过时" in reasons
    trail = json.loads(portal.baomi("log", A, "--format", "json").out)
    assert [e["kind"] for e in trail["events"]][-1] == "revoked"
    report = json.loads(portal.baomi("report", "--format", "json").out)
    assert [row[1:] for row in report["revoked"]] == [[A, "王建国", "内容已过时"]]
    assert "7. Revocations" in portal.baomi("report").out
    assert portal.sign(LI, A).code == 2  # 李明 holds no deputy role, nor is this the second leader
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[:2] == ("cleared", 0)


def test_revoke_needs_a_reason_and_a_role_the_file_requires(portal: Portal) -> None:
    portal.act_as(ZHANG)
    run = portal.baomi("revoke", A, "--reason", "我想撤")
    assert run.code == 2 and "needs role deputy" in run.err
    portal.act_as(WANG)
    run = portal.baomi("revoke", A, "--reason", "  ")
    assert run.code == 2 and "--reason" in run.err
    run = portal.baomi("revoke", "content/none.md", "--reason", "x")
    assert run.code == 2


def test_a_revocation_copied_by_a_rebase_does_not_count(portal: Portal) -> None:
    """A drafter's forged 撤稿 record, signed by the leader's git while rebasing, takes nothing
    down, and the trail says why."""
    assert portal.sign(WANG, A).code == 0
    portal.act_as(WANG)
    message = portal.baomi("revoke", A, "--reason", "伪造", "--dry-run").out
    portal.git("checkout", "-q", "-b", "draft", "HEAD~1")
    portal.git(*portal.identity(ZHANG), "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message)
    portal.git(*portal.identity(WANG), "-c", "commit.gpgSign=true", "rebase", "-q", "main")
    portal.git("checkout", "-q", "main")
    portal.git("merge", "-q", "--ff-only", "draft")
    assert portal.state(A)[0] == "cleared"
    trail = json.loads(portal.baomi("log", A, "--format", "json").out)
    refused = [e for e in trail["events"] if e["kind"] == "revocation-not-counted"]
    assert refused and "Baomi-Seal" in refused[0]["detail"]
