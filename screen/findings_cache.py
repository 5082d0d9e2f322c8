"""Incremental screening: the findings of a file, remembered by everything they depend on.

A cache key covers the exact bytes (git's blob id), the path as reported (it picks the format and
enters the fingerprint), whether the file is the MkDocs configuration, the effective rules
(their fingerprint), the fingerprint key (by digest) and Baomi's own code. Any change to one of
them is a miss, so an entry can never vouch for bytes, rules or code it was not made with. Errors
are never cached: an unreadable or malformed file is reported afresh on every run. The cache
lives in the user's cache directory, never in the repository."""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from screen.engine import Engine, code_digest
from screen.model import Finding, blob_id

_SCHEMA = "findings-v1"


def pack(value: object) -> bytes:
    """A value as the cache stores it."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class FindingsCache:
    def __init__(self, directory: Path, engine: Engine, key: bytes) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / f"{_SCHEMA}.sqlite", timeout=30)
        self._db.execute("CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, value BLOB)")
        salt = f"{code_digest()}|{engine.fingerprint}|{hashlib.sha256(key).hexdigest()}"
        self._salt = salt.encode()

    def key(self, display: str, context: str, data: bytes) -> str:
        """`context`: how the file is read (configuration or theme, the Markdown setup)."""
        parts = self._salt + f"|{display}|{context}|{blob_id(data)}".encode()
        return hashlib.sha256(parts).hexdigest()

    def get(self, keys: list[str]) -> dict[str, tuple[Finding, ...]]:
        found: dict[str, tuple[Finding, ...]] = {}
        for key, findings in self.recall(keys).items():
            if isinstance(findings, tuple) and all(isinstance(f, Finding) for f in findings):
                found[key] = findings
        return found

    def recall(self, keys: list[str]) -> dict[str, object]:
        """The values stored under `keys` (those it has); the caller checks their type."""
        found: dict[str, object] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, value FROM findings WHERE key IN ({marks})", chunk)  # noqa: S608
            for key, value in rows:
                try:
                    found[key] = pickle.loads(value)  # noqa: S301 (our own cache, keyed by content)
                except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
                    continue  # a damaged entry is a miss, never a pass
        return found

    def put(self, entries: Mapping[str, object]) -> None:
        self.put_packed({k: pack(v) for k, v in entries.items()})

    def put_packed(self, entries: Mapping[str, bytes]) -> None:
        """`put` of values already `pack`ed (by the core that screened them)."""
        rows = list(entries.items())
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO findings (key, value) VALUES (?, ?)", rows)

    def close(self) -> None:
        self._db.close()
