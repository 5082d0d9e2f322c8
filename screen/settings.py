"""Settings passed explicitly through the pipeline (no global state)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from screen.model import Level


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    root: Path  # the portal's root (where mkdocs.yml and content/ live)
    rules_dir: Path
    fingerprint_key: bytes
    fail_on: Level = Level.BLOCK
    jobs: int = 2
    cache_dir: Path | None = None  # None: no rules cache


def default_cache_dir() -> Path | None:
    """$BAOMI_CACHE_DIR (empty: no cache), else $XDG_CACHE_HOME/baomi or ~/.cache/baomi."""
    configured = os.environ.get("BAOMI_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "baomi"
