"""`baomi review`: the diff since the last fair clearance and the unredacted findings, for the
reviewer who is about to sign."""

from __future__ import annotations

from tests.signoff_portal import PAGES, WANG, ZHANG, ZHOU, A, B, Portal

# --- `baomi review` -----------------------------------------------------------------------------


def test_review_shows_the_diff_and_unredacted_findings(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.write(A, PAGES[A] + "\n青松计划的进展另行通报。\n")
    portal.commit(ZHANG, "补充")
    portal.act_as(WANG)
    run = portal.baomi("review", A)
    assert run.code == 1
    assert f"== {A}: blocked" in run.out
    assert "changes since the version cleared in" in run.out
    assert "+青松计划的进展另行通报。" in run.out
    assert "青松计划" in run.out.split("-- findings")[1]  # unredacted, for the reviewer
    assert "codename.project" in run.out
    assert "would refuse now" in run.out  # a blocking finding needs a waiver first


def test_review_of_a_new_page_shows_what_the_signoff_records(portal: Portal) -> None:
    portal.act_as(WANG)
    run = portal.baomi("review", B)
    assert run.code == 1
    assert "never cleared before" in run.out
    assert f"Baomi-Cleared: {B} blob=" in run.out


def test_review_diffs_against_the_last_fair_clearance(portal: Portal) -> None:
    # The deputy edits a cleared page and self-signs it; the next reviewer must see that edit, not
    # "(no change)" against the self-approved version.
    assert portal.sign(ZHOU, B).code == 0
    cleared_in = portal.head()
    portal.write(B, PAGES[B] + "\n领导夹带的段落。\n")
    portal.commit(WANG, "领导修改")
    portal.by_hand(WANG, portal.message_for(B))
    portal.act_as(ZHOU)
    run = portal.baomi("review", B)
    assert run.code == 1
    assert f"== {B}: self-approved" in run.out
    assert f"changes since the version cleared in {cleared_in[:10]}" in run.out
    assert "+领导夹带的段落。" in run.out
