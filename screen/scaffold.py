"""`baomi init`: a new portal in an empty or new folder — the MkDocs Material site in Chinese
(system fonts, nothing loaded from outside the site), the usual columns of a government portal,
the policy, an empty signers list, an example dictionary, the lock of the packaged rules, the
team's fingerprint key (kept out of Git), the CI pipelines, a pre-commit hook and a README in
Chinese. The files come from package data (`screen/templates/portal/`); nothing is overwritten."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from importlib.resources import files as package_files
from importlib.resources.abc import Traversable
from pathlib import Path

from screen import __version__
from screen.errors import UsageError
from screen.i18n import _
from screen.packaged import LOCK_FILE, installed, lock_text
from screen.settings import KEY_FILE
from screen.vcs import init_repository

# Templates whose name in the package differs from the portal's (dotfiles stay out of wheels).
_RENAMED = {
    "github-workflow.yml": ".github/workflows/baomi.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitignore": ".gitignore",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Initialized:
    root: Path
    written: tuple[str, ...]  # relative paths, in the order written
    git_created: bool  # `git init` ran (the folder was no repository)


def _templates() -> dict[str, bytes]:
    """Portal path → template bytes."""
    root = package_files("screen").joinpath("templates", "portal")
    found: dict[str, bytes] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                walk(entry, f"{name}/")
            elif entry.is_file():
                found[_RENAMED.get(name, name)] = entry.read_bytes()

    if root.is_dir():
        walk(root, "")
    if "mkdocs.yml" not in found:
        raise UsageError(_("{folder}: the portal templates are missing; reinstall baomi").format(folder=root))
    return found


def _filled(data: bytes, name: str, org: str) -> bytes:
    """A template with the site's name and organisation in place (quoted where YAML reads them)."""
    copyright_line = f"主办：{org} · 本站信息经保密审查后公开（先审查、后公开）"
    values = {
        "@@SITE_NAME_YAML@@": json.dumps(name, ensure_ascii=False),
        "@@COPYRIGHT_YAML@@": json.dumps(copyright_line, ensure_ascii=False),
        "@@SITE_NAME@@": name,
        "@@ORG@@": org,
        "@@VERSION@@": __version__,
    }
    text = data.decode("utf-8")
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text.encode("utf-8")


def _valid(label: str, value: str) -> str:
    value = value.strip()
    if not value or any(c in value for c in "\n\r\t\0") or len(value) > 100:
        raise UsageError(_("{option}: give a name of one line (up to 100 characters)").format(option=label))
    return value


def plan(root: Path, name: str, org: str) -> dict[str, bytes]:
    """Every file `init` writes (relative path → bytes), or a `UsageError` naming the first that
    exists already: nothing is ever overwritten."""
    name, org = _valid("--name", name), _valid("--org", org)
    files = {path: _filled(data, name, org) for path, data in _templates().items()}
    files[f"rules/{LOCK_FILE}"] = lock_text(installed()).encode("utf-8")
    files[KEY_FILE.as_posix()] = (secrets.token_hex(32) + "\n").encode("ascii")
    if root.exists() and not root.is_dir():
        raise UsageError(_("{path} is a file, not a folder").format(path=root))
    for path in sorted(files):
        if (root / path).exists() or (root / path).is_symlink():
            raise UsageError(
                _("{path} exists; baomi init never overwrites a file (use an empty folder)").format(
                    path=root / path
                )
            )
    return files


def init(root: Path, name: str, org: str) -> Initialized:
    """Write a new portal at `root` (created when missing) and `git init` it if it is none."""
    files = plan(root, name, org)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:  # never over a file that appeared meanwhile
            handle.write(data)
        written.append(path)
    (root / KEY_FILE).chmod(0o600)
    created = init_repository(root)
    return Initialized(root=root, written=tuple(written), git_created=created)
