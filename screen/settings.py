"""Settings passed explicitly through the pipeline (no global state), built by one function that
every door (CLI, MkDocs plugin, site) calls, and the lookup of the team's fingerprint key.

View options (`--fail-on`, `--format`, `--show-matches`) are not settings: they belong to the
door that shows a result."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from screen.errors import UsageError
from screen.i18n import _

KEY_ENV = "BAOMI_FINGERPRINT_KEY"
KEY_FILE_ENV = "BAOMI_FINGERPRINT_KEY_FILE"
KEY_FILE = Path(".baomi") / "fingerprint.key"
DEFAULT_TRUST_REF = "HEAD"
_MIN_KEY = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    root: Path  # the portal's root (where mkdocs.yml and content/ live)
    rules_dir: Path
    fingerprint_key: bytes
    jobs: int = 2
    cache_dir: Path | None = None  # None: no rules cache, no findings cache
    trust_ref: str = DEFAULT_TRUST_REF  # whose signers and policy are trusted
    trust_root: str | None = None  # where the chain of trust starts (None: found in the history)
    stable_fingerprints: bool = True  # False: no team key, fingerprints made with one for this run


def default_cache_dir() -> Path | None:
    """$BAOMI_CACHE_DIR (empty: no cache), else $XDG_CACHE_HOME/baomi or ~/.cache/baomi."""
    configured = os.environ.get("BAOMI_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "baomi"


def rules_dir(root: Path, rules: Path | str | None = None) -> Path:
    """The rules directory: as given (relative to the portal's root; it must exist), else `rules/`
    (missing outside a portal: then the packaged rules screen alone)."""
    if rules is None:
        return root / "rules"
    if not (root / rules).is_dir():
        raise UsageError(_("--rules {folder}: no such directory").format(folder=rules))
    return root / rules


def load_settings(
    root: Path,
    *,
    rules: Path | str | None = None,
    jobs: int | None = None,
    trust_ref: str = DEFAULT_TRUST_REF,
    trust_root: str | None = None,
    run_key: bool = False,
) -> Settings:
    """The settings of the portal at `root`: its rules, the team's key, the caches, all cores.
    With `run_key` (a plain check), no team key is no error: fingerprints are made with a key for
    this run only, and `stable_fingerprints` says so (they can be used in no waiver)."""
    if jobs is not None and jobs < 1:
        raise UsageError(_("--jobs must be at least 1"))
    key, stable = (
        (fingerprint_key(root), True) if not run_key or has_key(root) else (secrets.token_bytes(32), False)
    )
    return Settings(
        root=root,
        rules_dir=rules_dir(root, rules),
        fingerprint_key=key,
        stable_fingerprints=stable,
        jobs=jobs or os.cpu_count() or 1,
        cache_dir=default_cache_dir(),
        trust_ref=trust_ref,
        trust_root=trust_root,
    )


def _long_enough(key: bytes, where: str) -> bytes:
    if len(key) < _MIN_KEY:
        raise UsageError(
            _("{where}: fingerprint key is shorter than 16 bytes; write one with `baomi key --write`").format(
                where=where
            )
        )
    return key


def has_key(root: Path) -> bool:
    """Whether a team key is configured (valid or not: a bad one is still an error)."""
    if os.environ.get(KEY_ENV) or os.environ.get(KEY_FILE_ENV):
        return True
    return (root / KEY_FILE).is_file()


def fingerprint_key(root: Path) -> bytes:
    """The team's fingerprint key: $BAOMI_FINGERPRINT_KEY, the file named by
    $BAOMI_FINGERPRINT_KEY_FILE, or .baomi/fingerprint.key in the portal root."""
    if os.environ.get(KEY_ENV):
        # The same minimum as for a key file: a short, guessable key would let anyone recover an
        # ID number from its fingerprint by trying every candidate.
        return _long_enough(os.environ[KEY_ENV].encode(), f"${KEY_ENV}")
    candidates = [Path(os.environ[KEY_FILE_ENV])] if os.environ.get(KEY_FILE_ENV) else []
    candidates.append(root / KEY_FILE)
    for path in candidates:
        if path.is_file():
            return _long_enough(path.read_bytes().strip(), str(path))
    raise UsageError(
        _(
            "no fingerprint key: set {variable} (a CI secret), or put the team's key in {file}; "
            "write one with `baomi key --write`"
        ).format(variable=KEY_ENV, file=KEY_FILE)
    )
