"""`baomi review`: the diff since the last fair clearance and the unredacted findings, for the
reviewer who is about to sign."""

from __future__ import annotations

from tests.signoff_portal import IMPORTANT, PAGES, WANG, ZHANG, ZHOU, A, B, Portal

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


def test_the_diff_names_the_versions_not_temporary_files(portal: Portal) -> None:
    """Both versions end with a newline: no false "No newline" marker, no /tmp path in sight;
    a version that really lacks its final newline is marked."""
    assert portal.sign(WANG, A).code == 0
    portal.write(A, PAGES[A] + "\n补充一段。\n")
    portal.commit(ZHANG, "补充")
    portal.act_as(WANG)
    run = portal.baomi("review", A)
    assert f"--- {A} (cleared in " in run.out and f"+++ {A} (now)" in run.out
    assert "No newline" not in run.out and "/tmp" not in run.out and "baomi-" not in run.out
    portal.write(A, PAGES[A].rstrip("\n"))
    portal.commit(ZHANG, "去掉末尾换行")
    assert "\\ No newline at end of file" in portal.baomi("review", A).out


def test_a_page_that_needs_two_roles_says_two_different_people(portal: Portal) -> None:
    state, _, reasons = portal.state(IMPORTANT)
    assert state == "unsigned"
    assert "2 different reviewers, one with each role (deputy, principal), each run `baomi sign" in reasons
