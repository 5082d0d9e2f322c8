# ruff: noqa: F811  (the sample portal's fixtures, imported from test_portal, are parameters here)
"""Chinese names where people read them (issue 17): a navigation built from folders takes each
section's title from its index page, never the folder name; the roles show as the policy calls
them (分管领导 and 主要领导 by default) in the footer; tests/test_roles.py has `titles:`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_portal import baomi, commit, portal, pristine, sign  # noqa: F401

INDEX = "content/news/index.md"


def test_a_section_is_named_by_its_index_page_not_its_folder(portal: Path, demo_keys: Path) -> None:
    config = portal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("\nnav:")] + "\n", encoding="utf-8")  # navigation from folders
    (portal / INDEX).write_text(
        "---\ntitle: 政务动态\n---\n\n# 政务动态\n\n本栏目发布工作动态。\n", encoding="utf-8"
    )
    commit(portal, "导航按栏目首页命名")
    for who in ("wang", "li"):
        sign(portal, demo_keys, who, "mkdocs.yml", INDEX)
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    home = (portal / "site" / "index.html").read_text(encoding="utf-8")
    labels = set(re.findall(r'class="md-(?:tabs__link|nav__link)[^"]*"[^>]*>\s*([^<]+?)\s*<', home))
    assert "政务动态" in " ".join(labels)
    assert "News" not in {
        label.strip() for label in labels
    }  # notices/ has no index page: its folder name stays
    assert "Notices" in {label.strip() for label in labels}


def test_the_footer_names_the_roles_as_people_say_them(portal: Path, chinese: None) -> None:
    assert baomi(portal, "publish").returncode == 0
    page = (portal / "site" / "news" / "flood-season-meeting" / "index.html").read_text(encoding="utf-8")
    assert "王建国（分管领导）" in page and "李明（主要领导）" in page
    assert "deputy" not in page.split("baomi-review")[1]
