"""Shared fixtures: the project's own rules, a fingerprint key, and a CLI runner."""

from __future__ import annotations

import datetime
import io
import shutil
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from screen.cli import main
from screen.engine import Engine, build_engine
from screen.model import Hit
from screen.ruleset import parse, read_sources
from screen.source import read_document

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
TEST_KEY = "test-fingerprint-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read Baomi's messages in English (the msgids), unless they ask for `chinese`: the
    assertions then name the text the code says. Subprocesses inherit it; a test that builds its
    own environment says its language itself. tests/test_i18n.py runs the commands in Chinese."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANGUAGE", "en")


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Baomi's default language, as a person in an unset or C locale reads it."""
    monkeypatch.setenv("LANGUAGE", "zh_CN")


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine built from the project's default rules (self-tests included)."""
    return build_engine(parse(read_sources(RULES)))


def hits_of(engine: Engine, text: str, path: str = "page.md") -> list[Hit]:
    """Every detector hit for `text` screened as the file `path`."""
    return list(engine.hits(read_document(path, text.encode("utf-8"))))


def rule_ids(engine: Engine, text: str, path: str = "page.md") -> set[str]:
    return {hit.rule.id for hit in hits_of(engine, text, path)}


def write_portal(root: Path, files: dict[str, str | bytes], *, rules: bool = True) -> Path:
    """A portal in `root`: a copy of the project's rules (unless there are rules already, or
    `rules` is false) and `files`, by path relative to the root."""
    if rules and not (root / "rules").exists():
        shutil.copytree(RULES, root / "rules")
    (root / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    """Run `baomi` in-process: `cli(args, cwd=..., stdin=b"...") -> Run`."""
    monkeypatch.setenv("BAOMI_FINGERPRINT_KEY", TEST_KEY)
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)

    def run(args: list[str], cwd: Path = ROOT, stdin: bytes = b"") -> Run:
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
        return Run(code, out.getvalue(), err.getvalue())

    yield run


@pytest.fixture(scope="session")
def demo_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portal's public demo keys (tests/demo-keys), with the permissions ssh-keygen
    insists on (git does not keep them)."""
    folder = tmp_path_factory.mktemp("demo-keys")
    for path in (ROOT / "tests" / "demo-keys").glob("*_ed25519*"):
        shutil.copy(path, folder / path.name)
        (folder / path.name).chmod(0o600)
    return folder


# The sign-off tests' portal (real git, real SSH keys): its fixtures, for test_clearance,
# test_trust, test_signing, test_review, test_declassify, test_history_waivers, test_trail and
# test_inspection.
pytest_plugins = ["tests.signoff_portal"]


def same_day_as(collected: datetime.date) -> None:
    """Skip a test whose cases name dates relative to `collected` (the day its module was
    collected) when the run has crossed midnight since: today's rules would judge them."""
    if datetime.date.today() != collected:
        pytest.skip("the date changed since the cases were made (the run crossed midnight)")
