"""`baomi check --staged` and `--since` in real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, TEST_KEY, write_portal

CLEAN = "---\ntitle: 通知\n---\n\n春耕生产有序推进。\n"
LEAK = "---\ntitle: 通知\n---\n\n配合青松计划的实施。\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=撰稿人", "-c", "user.email=drafter@example.gov.cn", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def repository(root: Path) -> Path:
    write_portal(root, {"content/a.md": CLEAN, "content/b.md": CLEAN, "notes/todo.md": LEAK})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_staged_screens_the_index_not_the_working_tree(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    page = root / "content" / "a.md"
    page.write_text(LEAK, encoding="utf-8")
    git(root, "add", "content/a.md")
    page.write_text(CLEAN, encoding="utf-8")  # the working tree is clean; the commit would not be
    staged = cli(["check", "--staged", "--format", "json"], cwd=root)
    assert staged.code == 1
    assert [f["path"] for f in json.loads(staged.out)["findings"]] == ["content/a.md"]
    assert cli(["check", "content/a.md"], cwd=root).code == 0


def test_staged_clean_index_passes_even_if_the_working_tree_leaks(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    (root / "content" / "a.md").write_text(LEAK, encoding="utf-8")  # not staged
    assert cli(["check", "--staged"], cwd=root).code == 0


def test_staged_ignores_files_that_are_not_published(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    (root / "notes" / "todo.md").write_text(LEAK + "更多。\n", encoding="utf-8")
    git(root, "add", "-A")
    run = cli(["check", "--staged"], cwd=root)
    assert run.code == 0 and "nothing to screen" in run.err


def test_since_reports_only_changed_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    (root / "content" / "old.md").write_text(LEAK, encoding="utf-8")  # an old problem on main
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "old")
    git(root, "checkout", "-q", "-b", "topic")
    (root / "content" / "b.md").write_text(LEAK, encoding="utf-8")
    git(root, "commit", "-q", "-am", "change b")
    changed = cli(["check", "--since", "main", "--format", "json"], cwd=root)
    assert changed.code == 1
    assert {f["path"] for f in json.loads(changed.out)["findings"]} == {"content/b.md"}
    full = cli(["check", "--since", "main", "--full", "--format", "json"], cwd=root)
    assert {f["path"] for f in json.loads(full.out)["findings"]} == {"content/b.md", "content/old.md"}


def test_since_needs_an_existing_revision(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    run = cli(["check", "--since", "no-such-branch"], cwd=root)
    assert run.code == 2 and "no-such-branch" in run.err


def test_full_without_since_is_a_usage_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    assert cli(["check", "--full"], cwd=root).code == 2


def test_pre_commit_hook_definition_runs_an_existing_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "baomi")
    assert hook["pass_filenames"] is False
    command = hook["entry"].split()
    assert command[0] == "baomi"
    root = repository(tmp_path)
    (root / "content" / "a.md").write_text(LEAK, encoding="utf-8")
    git(root, "add", "-A")
    assert cli(command[1:], cwd=root).code == 1  # the hook stops this commit


def test_a_git_pre_commit_hook_stops_the_commit(tmp_path: Path) -> None:
    """The plain git hook of the README, run by git itself: a leak staged, the commit refused."""
    root = repository(tmp_path)
    baomi = Path(sys.executable).parent / "baomi"
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {baomi} check --staged\n", encoding="utf-8")
    hook.chmod(0o755)
    env = {**os.environ, "BAOMI_FINGERPRINT_KEY": TEST_KEY, "BAOMI_CACHE_DIR": str(tmp_path / "cache")}
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout

    def commit() -> subprocess.CompletedProcess[str]:
        identity = ["-c", "user.name=撰稿人", "-c", "user.email=drafter@example.gov.cn"]
        command = ["git", *identity, "commit", "-q", "--no-gpg-sign", "-m", "稿件"]
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)

    (root / "content" / "a.md").write_text(LEAK, encoding="utf-8")
    git(root, "add", "-A")
    refused = commit()
    assert refused.returncode != 0, refused.stderr
    said = refused.stdout + refused.stderr  # git shows a hook's output on stderr
    assert "content/a.md" in said and "codename.project" in said
    assert "青松计划" not in refused.stdout + refused.stderr
    after = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert after == head
    (root / "content" / "a.md").write_text(CLEAN + "补充。\n", encoding="utf-8")
    git(root, "add", "-A")
    assert commit().returncode == 0


class ScreenCounter:
    """Counts documents the engine really screens (cache misses)."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        from screen.engine import Engine

        self.paths: list[str] = []
        real = Engine.screen

        def counting(engine, document, key):  # type: ignore[no-untyped-def]
            self.paths.append(document.path)
            return real(engine, document, key)

        monkeypatch.setattr(Engine, "screen", counting)


def test_cache_hit_screens_nothing_again(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path / "portal")
    (root / "content" / "b.md").write_text(LEAK, encoding="utf-8")
    git(root, "commit", "-q", "-am", "leak")
    first = cli(["check", "--format", "json"], cwd=root)
    counter = ScreenCounter(monkeypatch)
    second = cli(["check", "--format", "json"], cwd=root)
    assert counter.paths == []  # every file came from the cache
    assert second.out == first.out and second.code == first.code == 1


def test_cache_misses_on_a_content_change(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path / "portal")
    cli(["check"], cwd=root)
    (root / "content" / "a.md").write_text(LEAK, encoding="utf-8")
    git(root, "commit", "-q", "-am", "edit a")
    counter = ScreenCounter(monkeypatch)
    run = cli(["check", "--format", "json"], cwd=root)
    assert counter.paths == ["content/a.md"]  # one changed file costs one file
    assert [f["path"] for f in json.loads(run.out)["findings"]] == ["content/a.md"]


def test_cache_misses_on_a_rules_change(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path / "portal")
    assert cli(["check"], cwd=root).code == 0
    codenames = root / "rules" / "terms" / "codenames.txt"
    codenames.write_text(codenames.read_text(encoding="utf-8") + "春耕生产\n", encoding="utf-8")
    counter = ScreenCounter(monkeypatch)
    run = cli(["check", "--format", "json"], cwd=root)
    assert sorted(counter.paths) == ["content/a.md", "content/b.md"]  # new rules: everything again
    assert run.code == 1  # and the new term is found in the unchanged pages


def test_cache_never_hides_an_unreadable_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path / "portal")
    assert cli(["check"], cwd=root).code == 0
    (root / "content" / "a.md").write_bytes("春耕".encode("gbk") + b"\xff\xfe")
    assert cli(["check"], cwd=root).code == 2


# --- type changes: a symlink that becomes a file is a change like any other ---------------------


def _link(root: Path) -> Path:
    """content/c.md committed as a symlink to a clean page."""
    link = root / "content" / "c.md"
    link.symlink_to("a.md")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    return link


def _retype(link: Path) -> None:
    """The symlink replaced by a leaking file of the same name."""
    link.unlink()
    link.write_text(LEAK, encoding="utf-8")


def test_staged_screens_a_symlink_that_became_a_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    _retype(_link(root))
    git(root, "add", "-A")
    run = cli(["check", "--staged", "--format", "json"], cwd=root)
    assert run.code == 1, run.err
    assert [f["path"] for f in json.loads(run.out)["findings"]] == ["content/c.md"]


def test_since_screens_a_symlink_that_became_a_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = repository(tmp_path)
    link = _link(root)
    git(root, "checkout", "-q", "-b", "retype")
    _retype(link)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "retype")
    run = cli(["check", "--since", "main", "--format", "json"], cwd=root)
    assert run.code == 1, run.err
    assert [f["path"] for f in json.loads(run.out)["findings"]] == ["content/c.md"]
