"""Settings passed explicitly through the pipeline (no global state)."""

from __future__ import annotations

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
