"""`baomi history` in real git repositories: every version of every published file, by commit."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write_portal

CLEAN = "---\ntitle: 通知\n---\n\n春耕生产有序推进。\n"
LEAK = "---\ntitle: 通知\n---\n\n配合青松计划的实施。\n"  # codename.project: block
TERM = "青松计划"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=撰稿人", "-c", "user.email=drafter@example.gov.cn", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def commit(root: Path, files: dict[str, str | None], message: str) -> str:
    """Write (or, for None, delete) `files`, commit everything, return the commit id."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "portal"
    write_portal(root, {"content/a.md": CLEAN, "content/b.md": CLEAN})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", "start")
    return root


def history(cli: Any, root: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    run = cli(["history", "--format", "json", *args], cwd=root)
    assert run.code in (0, 1), run.err
    return run, json.loads(run.out)


def test_a_leak_deleted_later_is_still_found_with_its_commit(cli: Any, repo: Path) -> None:
    leaked = commit(repo, {"content/c.md": LEAK}, "add c")
    commit(repo, {"content/c.md": None}, "remove c")
    assert cli(["check"], cwd=repo).code == 0  # the tree is clean now
    run, document = history(cli, repo)
    assert run.code == 1
    [finding] = document["findings"]
    assert finding["rule"] == "codename.project"
    assert (finding["path"], finding["commit"], finding["in_head"]) == ("content/c.md", leaked, False)
    assert finding["line"] == 5 and finding["waived"] is None
    assert document["commits_scanned"] == 3  # start, add c, remove c
    assert document["versions_scanned"] == 3  # a.md, b.md, c.md (a deletion is not a version)
    assert TERM not in run.out


def test_an_earlier_version_of_a_file_that_is_clean_now(cli: Any, repo: Path) -> None:
    leaked = commit(repo, {"content/a.md": LEAK}, "edit a")
    commit(repo, {"content/a.md": CLEAN + "补充。\n"}, "fix a")
    run, document = history(cli, repo)
    assert run.code == 1
    assert [(f["path"], f["commit"]) for f in document["findings"]] == [("content/a.md", leaked)]
    assert document["versions_scanned"] == 4  # a.md three times, b.md once


def test_a_leak_still_in_head_is_marked_so(cli: Any, repo: Path) -> None:
    commit(repo, {"content/c.md": LEAK}, "add c")
    _, document = history(cli, repo)
    assert [f["in_head"] for f in document["findings"]] == [True]


def test_text_report_names_commit_and_remedy_without_the_term(cli: Any, repo: Path) -> None:
    leaked = commit(repo, {"content/c.md": LEAK}, "add c")
    commit(repo, {"content/c.md": None}, "remove c")
    run = cli(["history"], cwd=repo)
    assert run.code == 1
    assert f"commit {leaked[:12]}" in run.out
    assert "no longer in HEAD, still in the history" in run.out
    assert "git filter-repo" in run.out
    assert TERM not in run.out
    shown = cli(["history", "--show-matches"], cwd=repo)
    assert TERM in shown.out


def test_a_side_branch_that_added_and_removed_a_leak_before_merging(cli: Any, repo: Path) -> None:
    # The merge is TREESAME to main for content/: git log's default history simplification
    # would skip the whole branch, and with it the leak every clone now carries.
    git(repo, "switch", "-q", "-c", "draft")
    leaked = commit(repo, {"content/c.md": LEAK}, "add c")
    commit(repo, {"content/c.md": None}, "remove c")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "merge draft", "draft")
    git(repo, "branch", "-q", "-D", "draft")
    run, document = history(cli, repo)
    assert run.code == 1
    assert [(f["path"], f["commit"]) for f in document["findings"]] == [("content/c.md", leaked)]


def test_an_edit_made_while_merging_is_a_version_of_the_merge(cli: Any, repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "draft")
    commit(repo, {"content/b.md": CLEAN + "草稿。\n"}, "edit b")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "draft")
    (repo / "content" / "a.md").write_text(LEAK, encoding="utf-8")  # an "evil merge"
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", "merge draft")
    merge = git(repo, "rev-parse", "HEAD")
    _, document = history(cli, repo)
    assert [(f["path"], f["commit"]) for f in document["findings"]] == [("content/a.md", merge)]


def test_all_refs_by_default_and_since_limits_to_what_a_branch_adds(cli: Any, repo: Path) -> None:
    old = commit(repo, {"content/c.md": LEAK}, "old leak on main")
    commit(repo, {"content/c.md": None}, "remove it")
    git(repo, "switch", "-q", "-c", "other")
    other = commit(repo, {"content/d.md": LEAK.replace("通知", "公告")}, "leak on a branch")
    git(repo, "switch", "-q", "main")
    _, everything = history(cli, repo)
    assert {f["commit"] for f in everything["findings"]} == {old, other}  # `other` is not merged
    git(repo, "switch", "-q", "other")
    run, branch = history(cli, repo, "--since", "main")
    assert run.code == 1
    assert [f["commit"] for f in branch["findings"]] == [other]
    assert branch["commits_scanned"] == 1
    git(repo, "switch", "-q", "main")
    run, nothing = history(cli, repo, "--since", "main")
    assert run.code == 0 and nothing["findings"] == [] and nothing["versions_scanned"] == 0


def test_files_that_are_not_published_are_not_audited(cli: Any, repo: Path) -> None:
    commit(repo, {"notes/todo.md": LEAK}, "private notes")
    run, document = history(cli, repo)
    assert run.code == 0 and document["findings"] == []
    assert document["versions_scanned"] == 2


def test_a_renamed_file_is_a_new_version_at_its_new_path(cli: Any, repo: Path) -> None:
    commit(repo, {"content/c.md": LEAK}, "add c")
    (repo / "content" / "news").mkdir()
    git(repo, "mv", "content/c.md", "content/news/c.md")
    moved = commit(repo, {}, "move c")
    _, document = history(cli, repo)
    paths = {(f["path"], f["in_head"]) for f in document["findings"]}
    assert paths == {("content/c.md", False), ("content/news/c.md", True)}
    assert [f["commit"] for f in document["findings"] if f["in_head"]] == [moved]


def test_an_unreadable_version_in_history_is_an_input_error(cli: Any, repo: Path) -> None:
    (repo / "content" / "gbk.md").write_bytes("# 通知\n\n春耕。\n".encode("gbk"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", "gbk page")
    bad = git(repo, "rev-parse", "HEAD")
    commit(repo, {"content/gbk.md": None}, "remove it")
    run = cli(["history"], cwd=repo)
    assert run.code == 2
    assert f"{bad[:12]}:content/gbk.md: error:" in run.out
    run = cli(["history", "--format", "json"], cwd=repo)
    assert json.loads(run.out)["errors"][0]["commit"] == bad


def test_sarif_carries_the_commit(cli: Any, repo: Path) -> None:
    leaked = commit(repo, {"content/c.md": LEAK}, "add c")
    run = cli(["history", "--format", "sarif"], cwd=repo)
    assert run.code == 1
    [result] = json.loads(run.out)["runs"][0]["results"]
    assert result["properties"]["commit"] == leaked
    assert result["ruleId"] == "codename.project"
    assert "suppressions" not in result
    assert TERM not in run.out


def test_review_findings_block_only_with_fail_on_review(cli: Any, repo: Path) -> None:
    commit(repo, {"content/c.md": CLEAN + "联系电话：13812345678。\n"}, "phone")
    assert cli(["history"], cwd=repo).code == 0
    assert cli(["history", "--fail-on", "review"], cwd=repo).code == 1


def test_a_second_audit_uses_the_findings_cache(
    cli: Any, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(cache))
    commit(repo, {"content/c.md": LEAK}, "add c")
    first = cli(["history", "--format", "json"], cwd=repo)
    with sqlite3.connect(cache / "findings-v1.sqlite") as db:
        (rows,) = db.execute("SELECT count(*) FROM findings").fetchone()
    assert rows == 3  # one entry per version screened
    second = cli(["history", "--format", "json"], cwd=repo)
    assert second.out == first.out and second.code == first.code == 1


def test_no_commits_and_no_repository_are_input_errors(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "empty"
    write_portal(root, {"content/a.md": CLEAN})
    run = cli(["history"], cwd=root)
    assert run.code == 2 and "not inside a git repository" in run.err
    git(root, "init", "-q", "-b", "main")
    run = cli(["history"], cwd=root)
    assert run.code == 2 and "no commits" in run.err


def test_a_missing_since_revision_is_an_input_error(cli: Any, repo: Path) -> None:
    run = cli(["history", "--since", "origin/main"], cwd=repo)
    assert run.code == 2 and "origin/main" in run.err
