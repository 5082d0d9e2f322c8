# ruff: noqa: F811  (the sample portal's fixtures, imported from test_portal, are parameters here)
"""The last cleared version stays live (issue 17): an edit waiting for its sign-off never takes
the page down and never puts unsigned bytes up. Real git, the sample portal, the demo keys and
a real `baomi publish`."""

from __future__ import annotations

from pathlib import Path

from tests.test_portal import as_leader, baomi, commit, override_theme, portal, pristine, sign  # noqa: F401 (the sample portal's fixtures)

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


NEW = "content/news/flood-season-meeting-2026.md"
NEW_BUILT = "site/news/flood-season-meeting-2026/index.html"


def _rename(portal: Path) -> str:
    old = portal / PAGE
    text = old.read_text(encoding="utf-8")
    (portal / NEW).write_text(text + f"\n{ADDED}\n", encoding="utf-8")
    old.unlink()
    commit(portal, "改名")
    return text


def test_a_renamed_page_keeps_its_old_address_until_the_new_path_is_cleared(
    portal: Path, demo_keys: Path
) -> None:
    cleared = _rename(portal)
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "pending: news/flood-season-meeting.md" in result.stdout
    assert "renamed to content/news/flood-season-meeting-2026.md" in result.stdout
    assert "held back: news/flood-season-meeting-2026.md" in result.stdout
    page = _built(portal)  # the old address serves the bytes cleared there, not the new text
    assert ADDED not in page and cleared.splitlines()[-1].strip() in page
    assert not (portal / NEW_BUILT).exists()
    for who in ("wang", "li"):
        sign(portal, demo_keys, who, NEW)
    again = baomi(portal, "publish")
    assert again.returncode == 0, again.stderr
    assert "0 pending" in again.stdout
    assert not (portal / BUILT).exists()  # cleared at its new path: the old address is gone
    assert ADDED in (portal / NEW_BUILT).read_text(encoding="utf-8")


def test_a_page_replaced_by_an_unrelated_one_is_not_kept(portal: Path) -> None:
    (portal / PAGE).unlink()
    (portal / NEW).write_text(
        "---\ntitle: 另一篇\n---\n\n# 另一篇\n\n与原文无关的新内容。\n", encoding="utf-8"
    )
    commit(portal, "删除并新增")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert not (portal / BUILT).exists() and not (portal / NEW_BUILT).exists()


def test_a_revoked_page_renamed_is_not_kept(portal: Path, demo_keys: Path) -> None:
    revoked = as_leader(portal, demo_keys, "wang", "revoke", PAGE, "--reason", "内容已过时")
    assert revoked.returncode == 0, revoked.stderr
    _rename(portal)
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert not (portal / BUILT).exists()


def test_a_clearance_a_former_deletion_ended_is_not_revived_by_a_rename(portal: Path) -> None:
    text = (portal / PAGE).read_text(encoding="utf-8")
    (portal / PAGE).unlink()
    commit(portal, "删除")
    (portal / PAGE).write_text(text, encoding="utf-8")
    commit(portal, "恢复（未经签发）")
    _rename(portal)
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert not (portal / BUILT).exists()


SITE_NAME = "site_name: 青溪县人民政府门户网站\n"


def _configure(portal: Path, old: str, new: str) -> None:
    config = portal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_to_the_configuration_builds_its_cleared_version_until_signed(
    portal: Path, demo_keys: Path
) -> None:
    _configure(portal, SITE_NAME, "site_name: 青溪县人民政府门户网站（改版）\n")
    commit(portal, "改站名")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "pending: mkdocs.yml" in result.stdout
    home = (portal / "site/index.html").read_text(encoding="utf-8")
    assert "青溪县人民政府门户网站" in home and "改版" not in home
    for who in ("wang", "li"):
        sign(portal, demo_keys, who, "mkdocs.yml")
    again = baomi(portal, "publish")
    assert again.returncode == 0 and "0 pending" in again.stdout, again.stdout + again.stderr
    assert "改版" in (portal / "site/index.html").read_text(encoding="utf-8")


def test_a_waiting_configuration_that_moves_the_pages_stops_publish(portal: Path) -> None:
    _configure(portal, "docs_dir: content\n", "docs_dir: content/news\n")
    commit(portal, "改目录")
    old_site = portal / "site"
    old_site.mkdir()
    (old_site / "marker.txt").write_text("old", encoding="utf-8")
    result = baomi(portal, "publish")
    assert result.returncode == 1
    assert (old_site / "marker.txt").read_text(encoding="utf-8") == "old"  # the old site is untouched
    assert "changes `docs_dir`" in result.stderr and "sign the new version first" in result.stderr


def test_an_edited_theme_override_builds_its_cleared_version_until_signed(
    portal: Path, demo_keys: Path
) -> None:
    block = "{% block announce %}{{ text }}{% endblock %}"
    override_theme(portal, block.replace("{{ text }}", "防汛值班电话已更新"))
    template = portal / "overrides" / "main.html"
    commit(portal, "主题")
    for who in ("wang", "li"):
        sign(portal, demo_keys, who, "mkdocs.yml", "overrides/main.html")
    template.write_text(
        '{% extends "base.html" %}\n' + block.replace("{{ text }}", "未经签发的公告"), encoding="utf-8"
    )
    commit(portal, "改公告")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "pending: overrides/main.html" in result.stdout
    page = _built(portal)
    assert "防汛值班电话已更新" in page and "未经签发的公告" not in page
