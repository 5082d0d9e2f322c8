# ruff: noqa: F811  (the sample portal's fixtures, imported from test_portal, are parameters here)
"""The last cleared version stays live (issue 17): an edit waiting for its sign-off never takes
the page down and never puts unsigned bytes up. Real git, the sample portal, the demo keys and
a real `baomi publish`."""

from __future__ import annotations

from pathlib import Path

from tests.test_portal import baomi, commit, portal, pristine, sign  # noqa: F401 (the sample portal's fixtures)

PAGE = "content/news/flood-season-meeting.md"
BUILT = "site/news/flood-season-meeting/index.html"
ADDED = "新增一段尚未审核的文字。"


def _edit(portal: Path, text: str = ADDED) -> None:
    page = portal / PAGE
    page.write_text(page.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    commit(portal, "改稿")


def _built(portal: Path) -> str:
    return (portal / BUILT).read_text(encoding="utf-8")


def test_an_edit_waiting_for_its_signoff_keeps_the_cleared_version_up(portal: Path, demo_keys: Path) -> None:
    cleared = (portal / PAGE).read_text(encoding="utf-8")
    _edit(portal)
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "pending: news/flood-season-meeting.md (the version cleared in" in result.stdout
    assert "1 pending, 2 held back" in result.stdout
    page = _built(portal)
    assert ADDED not in page and "新版本待审核" in page  # the old text, and the footer says so
    assert cleared.splitlines()[-1].strip() in page
    assert ADDED not in (portal / "site/search/search_index.json").read_text(encoding="utf-8")
    strict = baomi(portal, "publish", "--strict")
    assert strict.returncode == 1 and ADDED not in _built(portal)
    for who in ("wang", "li"):  # the sample's policy: a change no listed key signed needs two leaders
        sign(portal, demo_keys, who, PAGE)
    again = baomi(portal, "publish")
    assert "0 pending" in again.stdout and ADDED in _built(portal)
    assert "新版本待审核" not in _built(portal)


def test_a_cleared_version_that_todays_rules_block_is_taken_down(portal: Path, demo_keys: Path) -> None:
    _edit(portal)
    term = "防汛抗旱指挥部"  # in the cleared version; made a codename after it was cleared
    assert term in (portal / PAGE).read_text(encoding="utf-8")
    codenames = portal / "rules" / "terms" / "codenames.txt"
    codenames.write_text(codenames.read_text(encoding="utf-8") + f"{term}\n", encoding="utf-8")
    commit(portal, "新增代号")
    for who in ("wang", "li"):
        sign(portal, demo_keys, who, "rules/terms/codenames.txt")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "held back: news/flood-season-meeting.md" in result.stdout
    assert "is blocked today" in result.stdout
    assert not (portal / BUILT).exists()


def test_a_new_version_classified_above_public_takes_the_page_down(portal: Path) -> None:
    page = portal / PAGE
    text = page.read_text(encoding="utf-8")
    head = "---\nclassification: 秘密\nclassified_on: 2026-03-01\nsecrecy_term: 5年\n"
    page.write_text(head + text.removeprefix("---\n"), encoding="utf-8")  # the page has front matter
    commit(portal, "定密")
    result = baomi(portal, "publish")
    assert "held back: news/flood-season-meeting.md" in result.stdout
    assert "withheld" in result.stdout
    assert not (portal / BUILT).exists()


def test_a_deleted_page_is_gone_and_a_never_cleared_one_stays_out(portal: Path) -> None:
    (portal / PAGE).unlink()
    commit(portal, "删除")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert not (portal / BUILT).exists()
    assert not (portal / "site/drafts/leaked-memo").exists()  # never cleared: held back as before
