"""The verified ledger on a long history: commit records and seals read once (and remembered in
the cache by commit id), reachability in memory. The answers must be git's own."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from screen.ancestry import Ancestry
from screen.vcs import Repository
from tests.signoff_portal import LI, PAGES, WANG, ZHANG, A, B, Portal


def _branchy(portal: Portal) -> None:
    """A history with side branches, merges and sign-offs on both sides."""
    for n in range(3):
        portal.git("checkout", "-q", "-b", f"side{n}")
        portal.write(A, PAGES[A] + f"\n第{n}次修改。\n")
        portal.commit(ZHANG, f"side {n}")
        assert portal.sign(WANG, A).code == 0
        portal.git("checkout", "-q", "main")
        portal.write(B, PAGES[B] + f"\n主线第{n}次修改。\n")
        portal.commit(ZHANG, f"main {n}")
        portal.git(
            *portal.identity(ZHANG), "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "合并", f"side{n}"
        )


def test_reachability_in_memory_is_gits(portal: Portal) -> None:
    _branchy(portal)
    repo = Repository(portal.root)
    history = repo.log("HEAD", "")
    ancestry = Ancestry(history, repo.reachable)
    for commit in history:
        expected = repo.reachable(commit.sha)
        reach = ancestry(commit.sha)
        assert {c.sha for c in history if c.sha in reach} == expected
        assert len(reach) == len(expected)


def test_signature_status_follows_the_allowed_signers_given(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    repo = Repository(portal.root)
    key = (portal.keys / "wang.pub").read_text(encoding="utf-8").strip()
    [unlisted] = repo.log("HEAD^!", "")
    [listed] = repo.log("HEAD^!", f"wang {key}\n")
    [other] = repo.log("HEAD^!", f"li {(portal.keys / 'li.pub').read_text(encoding='utf-8').strip()}\n")
    assert (unlisted.signature, listed.signature, other.signature) == ("U", "G", "U")
    assert listed.key == unlisted.key and listed.key.startswith("SHA256:")


def test_status_is_the_same_from_the_cache(
    portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _branchy(portal)
    portal.by_hand(LI, portal.message_for(A))
    cache = tmp_path / "cache"
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(cache))
    cold = portal.baomi("status", "--format", "json")
    with sqlite3.connect(cache / "commits-v1.sqlite") as db:
        commits = db.execute("SELECT count(*) FROM commits").fetchone()[0]
        seals = db.execute("SELECT count(*) FROM seals").fetchone()[0]
    assert commits == int(portal.git("rev-list", "--count", "HEAD"))
    assert seals >= 1  # those this process had not verified already
    warm = portal.baomi("status", "--format", "json")
    assert (cold.code, json.loads(cold.out)) == (warm.code, json.loads(warm.out))


def test_a_damaged_cache_entry_is_read_from_git_again(portal: Portal, tmp_path: Path) -> None:
    assert portal.sign(WANG, A).code == 0
    cache = tmp_path / "cache"
    first = Repository(portal.root, cache).log("HEAD", "")
    with sqlite3.connect(cache / "commits-v1.sqlite") as db:
        db.execute("UPDATE commits SET value = ?", (b"not a pickle",))
    again = Repository(portal.root, cache).log("HEAD", "")
    assert again == first
