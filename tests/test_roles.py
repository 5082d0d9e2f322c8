"""Roles that fit a small office (issue 17): `covers:` in rules/policy.yml lets the principal sign
what a deputy may, so that in a two-leader office the principal clears the deputy's own edit;
two required roles still need two different people; and when nobody in force can clear a
version, status says so in one line."""

from __future__ import annotations

import pytest

from tests.signoff_portal import LI, POLICY, WANG, ZHANG, A, Portal, new_portal, signers_yaml

PAGE = "content/news/a.md"
IMPORTANT = "content/report.md"
COVERS = POLICY + "covers:\n  principal: [deputy]\n"


@pytest.fixture
def office(portal: Portal) -> Portal:
    """A two-leader office: one deputy (王建国), one principal (李明), a drafter's two pages."""
    pages = {
        PAGE: "# 春耕\n\n会议部署春耕工作。\n",
        IMPORTANT: "---\nimportant: true\n---\n\n# 工作报告\n\n全年工作总结。\n",
    }
    office = new_portal(portal, "office", signers_yaml((WANG, LI), portal.keys), pages)
    assert office.sign(LI, "rules/").code == 0
    assert office.sign(WANG, PAGE, IMPORTANT).code == 0
    assert office.sign(LI, IMPORTANT).code == 0
    return office


def _deputy_edits(office: Portal, path: str) -> None:
    office.write(path, office.read(path).decode() + "\n补充一段。\n")
    office.commit(WANG, "分管领导改稿")


def test_without_covers_the_deputys_own_edit_is_stuck_and_status_says_why(office: Portal) -> None:
    _deputy_edits(office, PAGE)
    state, code, reasons = office.state(PAGE)
    assert code == 1 and state == "stale"
    assert reasons.startswith("nobody else may clear it") and "王建国 changed it" in reasons
    assert "covers:" in reasons
    run = office.sign(LI, PAGE)
    assert run.code == 2 and "needs role deputy" in run.err


def test_with_covers_the_principal_clears_the_deputys_own_edit(office: Portal) -> None:
    office.write("rules/policy.yml", COVERS)
    office.commit(ZHANG, "主要领导可签发分管领导的稿件")
    assert office.sign(LI, "rules/policy.yml").code == 0
    _deputy_edits(office, PAGE)
    state, _, reasons = office.state(PAGE)
    assert state == "stale" and "nobody else" not in reasons
    run = office.sign(LI, PAGE)
    assert run.code == 0, run.err
    assert office.state(PAGE)[:2] == ("cleared", 0)


def test_covers_never_makes_one_person_two(office: Portal) -> None:
    """An important page needs a deputy and a principal: with covers, still two people."""
    office.write("rules/policy.yml", COVERS)
    office.commit(ZHANG, "主要领导可签发分管领导的稿件")
    assert office.sign(LI, "rules/policy.yml").code == 0
    _deputy_edits(office, IMPORTANT)
    assert office.sign(LI, IMPORTANT).code == 0
    state, code, reasons = office.state(IMPORTANT)
    assert (state, code) == ("missing-role", 1)
    assert reasons.startswith("nobody else may clear it")


def test_covers_in_a_change_not_cleared_gives_nobody_anything(office: Portal) -> None:
    office.write("rules/policy.yml", COVERS)
    office.commit(ZHANG, "未经签发的策略改动")
    _deputy_edits(office, PAGE)
    assert office.sign(LI, PAGE).code == 2  # the policy in force has no covers yet


@pytest.mark.parametrize(
    ("covers", "message"),
    [("covers: [principal]\n", "maps a role"), ("covers:\n  principal: [mayor]\n", "unknown role")],
)
def test_a_wrong_covers_is_refused_and_the_old_policy_stays(
    office: Portal, covers: str, message: str
) -> None:
    office.write("rules/policy.yml", POLICY + covers)
    office.commit(ZHANG, "写错的策略")
    assert office.sign(LI, "rules/policy.yml").code == 0
    _, _, document = office.status()
    assert any(message in p for p in document["trust_problems"]), document["trust_problems"]
    _deputy_edits(office, PAGE)
    assert office.sign(LI, PAGE).code == 2


# --- titles: the roles as people say them ------------------------------------------------------


def test_policy_titles_reach_status_and_json_keeps_the_ids(portal: Portal) -> None:
    office = portal
    office.write("rules/policy.yml", POLICY + "titles:\n  deputy: 副县长\n  principal: 县长\n")
    office.commit(ZHANG, "称谓")
    assert office.sign(LI, "rules/policy.yml").code == 0
    assert office.sign(WANG, A).code == 0
    text = office.baomi("status", A).out
    assert "王建国（副县长，" in text
    _, files, _ = office.status(A)
    assert files[A]["signoffs"][0]["roles"] == ["deputy"]


def test_a_wrong_title_is_a_trust_problem(portal: Portal) -> None:
    office = portal
    office.write("rules/policy.yml", POLICY + "titles:\n  mayor: 县长\n")
    office.commit(ZHANG, "写错的称谓")
    assert office.sign(LI, "rules/policy.yml").code == 0
    _, _, document = office.status()
    assert any("titles: unknown role" in p for p in document["trust_problems"])
