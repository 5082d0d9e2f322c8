"""The verified ledger's memory: what git said of a commit (its parents, author, signature status
and key, message, changed files), by commit id, so a later run asks git (and ssh-keygen) only
about commits it has not read before.

A commit id names its content, signature included, so a record never goes stale. Signature status
is stored as git gave it against an empty allowed-signers file (G never, U for a signature that
verifies by the key it names): which keys count is decided afresh on every run, from the signers
in force. Like the findings cache, it lives in the user's cache directory, never in the
repository, and CI restores none: a cache someone else could write must never vouch for a
signature."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_SCHEMA = "commits-v1"


class CommitCache:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / f"{_SCHEMA}.sqlite", timeout=30)
        self._db.execute("CREATE TABLE IF NOT EXISTS commits (sha TEXT PRIMARY KEY, value BLOB)")
        self._db.execute("CREATE TABLE IF NOT EXISTS seals (key TEXT PRIMARY KEY)")

    def get(self, shas: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(shas), 500):
            chunk = shas[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT sha, value FROM commits WHERE sha IN ({marks})"  # noqa: S608
            found.update(self._db.execute(query, chunk))
        return found

    def put(self, records: dict[str, bytes]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO commits (sha, value) VALUES (?, ?)", records.items())

    def seals(self, keys: list[str]) -> set[str]:
        """Of `keys` (a seal and what it signs, hashed), those that verified before."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key FROM seals WHERE key IN ({marks})"  # noqa: S608
            found.update(key for (key,) in self._db.execute(query, chunk))
        return found

    def put_seals(self, keys: list[str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO seals (key) VALUES (?)", [(k,) for k in keys])

    def close(self) -> None:
        self._db.close()
