"""What a person reads, in the language they read: every command's success and failure paths on a
copy of the sample portal, in Chinese (the default) and in English (an en_* locale).

In Chinese no run of three or more ASCII letters may show outside what a person types or a file
names (paths, rule ids, commands and options, `baomi`, addresses, commit ids, a few product
names); in English no Chinese may show outside paths and what the portal's own data says (rule
messages, people, titles, the site's name, the text of a finding)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from screen.cli import main
from screen.cli.parser import build_parser
from tests.conftest import ROOT, TEST_KEY

PAGE = "content/news/flood-season-meeting.md"
DRAFT = "content/drafts/leaked-memo.md"


@dataclass(frozen=True)
class Said:
    args: tuple[str, ...]
    code: int
    text: str


def _run(args: list[str]) -> Said:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as stop:  # argparse: --help, usage errors
            code = stop.code if isinstance(stop.code, int) else 0
    return Said(tuple(args), code, out.getvalue() + err.getvalue())


def _commands() -> list[list[str]]:
    """`--help` of every command and sub-command the parser has, found by walking it."""
    import argparse

    found: list[list[str]] = [["--help"]]

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append([*prefix, name, "--help"])
                    walk(child, [*prefix, name])

    walk(build_parser(), [])
    return found


def _session(portal: Path, tmp: Path) -> list[Said]:
    """Each command once the way it succeeds and once the way it fails, in order (publish writes
    site/, init a new folder)."""
    runs = [["nonsense"], ["check", "--format", "nope"], ["report", "--since", "yesterday"]]
    runs += [
        ["check"],
        ["check", PAGE],
        ["check", "no/such/page.md"],
        ["check", "--staged"],
        ["status"],
        ["status", "--format", "markdown"],
        ["status", DRAFT],
        ["rules", "check"],
        ["rules", "list"],
        ["signer", "list"],
        ["log", PAGE],
        ["log", "no/such/page.md"],
        ["history"],
        ["report"],
        ["review"],
        ["publish"],
        ["publish", "--strict"],
        ["sign", PAGE],
        ["sign", DRAFT],
        ["revoke", PAGE, "--reason", "过期"],
        ["declassify", PAGE],
        ["import", "no-such-draft.docx"],
        ["import", "notes.doc"],
        ["strip", "no-such.jpg"],
        ["fix", "--dry-run"],
        ["fix", "--dry-run", DRAFT],
        ["fix", "no/such/page.md"],
        ["sweep", "no-such.warc"],
        ["entities", PAGE],
        ["key"],
        ["init", str(tmp / "new-portal"), "--name", "测试门户"],
        ["init", str(tmp / "new-portal")],
        ["serve", "--address", "0.0.0.0:8000"],
    ]
    (portal / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0 not really a document")
    said = [_run(args) for args in _commands() + runs]
    _edit_after_clearance(portal)  # then a cleared page and the configuration wait for a sign-off
    return said + [_run(args) for args in (["status"], ["publish"], ["publish", "--format", "markdown"])]


def _edit_after_clearance(portal: Path) -> None:
    page, config = portal / PAGE, portal / "mkdocs.yml"
    added = "\n新增一段尚未审核的文字。\n"
    if added not in page.read_text(encoding="utf-8"):
        page.write_text(page.read_text(encoding="utf-8") + added, encoding="utf-8")
        config.write_text(
            config.read_text(encoding="utf-8").replace("site_name: 青溪县", "site_name: 新青溪县")
        )
        git = ["git", "-c", "user.name=撰稿人", "-c", "user.email=drafter@qingxi.gov.cn"]
        subprocess.run([*git, "commit", "-qam", "改稿"], cwd=portal, check=True)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository: the sample portal with its signed history."""
    root = tmp_path_factory.mktemp("portal") / "portal"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(root)], check=True)
    return root


@pytest.fixture
def speak(portal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("BAOMI_FINGERPRINT_KEY", TEST_KEY)
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    monkeypatch.chdir(portal)

    def session(language: str) -> list[Said]:
        monkeypatch.setenv("LANGUAGE", language)
        return _session(portal, tmp_path)

    yield session


# What may stay in ASCII in Chinese output: what a person types or a file or machine names.
_TYPED = [
    r"`[^`\n]*`",  # commands and values quoted as code
    r"'[^'\n]*'",  # what the person typed, quoted back (argparse)
    r"\bsha256:\S*",
    r"(?<!\w)\.[a-z]{2,5}\b",  # file name extensions
    r"https?://\S+",
    r"[\w.+-]+@[\w.-]+",  # e-mail addresses
    r"\S*[/\\]\S*",  # paths
    r"[\w.-]+\.(?:md|ya?ml|txt|docx?|wps|et|xlsx|pptx|pdf|jpe?g|png|webp|gif|svg|html?|json|lock|key|pub|"
    r"sarif|xml|css|js|gz|warc)\b",
    r"\b[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)+\b",  # rule ids
    r"(?<![\w-])--?[a-zA-Z][\w-]*",  # options
    r"\{[^}\n]*\}",  # argparse's choices
    r"\b[0-9a-f]{7,64}\b",  # commit and blob ids, fingerprints
    r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b",  # environment variables
    r"\bssh-ed25519 \S+",
]
_NAMES = {
    "baomi", "Baomi", "MkDocs", "mkdocs", "Material", "Git", "git", "SSH", "ssh", "ssh-keygen",
    "JSON", "SARIF", "JUnit", "PDF", "HTML", "CSS", "URL", "Word", "GitHub", "GitLab", "YAML",
    "UTF", "JPEG", "PNG", "WebP", "EXIF", "XMP", "OOXML", "HTTP", "WPS", "ed25519", "jieba", "HEAD",
    "GPS", "SVG", "Office", "Luhn", "Markdown", "Unicode", "Python", "CI", "WARC", "Dask", "wget",
    "Parquet", "tcp", "host",
}  # fmt: skip


def _subcommands() -> set[str]:
    return {args[-2] for args in _commands() if len(args) >= 2}


# Lines that quote the portal's data: an excerpt of a finding (` 21 | …`), the cue it matched
# (`= 上下文：…`), a rule's own line in a listing (its id first, then its message), and the lines
# of a page's diff (`+…`, `-…`, ` …`).
_QUOTING = re.compile(
    r"^\s*\d*\s*\|.*$|^\s*= .*$|^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\s.*$|^(?:[+-]|[ ](?! ))(?![+-]{2}).*$",
    re.MULTILINE,
)


def _english_left(text: str) -> list[str]:
    allowed = _NAMES | _subcommands()
    text = re.sub(r"(?m)^\s+(?:baomi|git|ssh-keygen) .*$", " ", text)  # a command line to copy
    text = _QUOTING.sub(" ", text)
    text = re.sub(r"[^：:，,（(]*<[^>\s]+@[^>\s]+>", " ", text)  # a git author: name <address>
    for pattern in _TYPED:
        text = re.sub(pattern, " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in allowed})


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _data_words(portal: Path) -> set[str]:
    """The Chinese the portal's own data says: rule messages and bases, people, role titles, the
    site's name, page titles, what the history records (authors, the leaders' comments)."""
    text = []
    for folder in (portal / "rules", ROOT / "screen" / "packs"):
        for path in folder.rglob("*.yml"):
            text.append(path.read_text(encoding="utf-8"))
    text.append((portal / "mkdocs.yml").read_text(encoding="utf-8"))
    for page in (portal / "content").rglob("*.md"):
        text += [
            line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith(("#", "title:"))
        ]
    log = ["git", "log", "--format=%an%n%B"]  # authors and the leaders' comments in the records
    text.append(subprocess.run(log, cwd=portal, capture_output=True, text=True, check=True).stdout)
    return set(_CJK.findall("\n".join(text)))


def _chinese_left(text: str, data: set[str]) -> list[str]:
    left = []
    for line in _QUOTING.sub(" ", text).splitlines():
        if re.search(r"\b(block|review|info)\b", line) and re.search(r"\b[a-z_]+\.[a-z_.]+\b", line):
            continue  # a finding: its rule's message and its (redacted) excerpt are data
        rest = re.sub(r"\S*[/\\]\S*", " ", line)  # paths, Chinese folder names included
        left += [run for run in _CJK.findall(rest) if not any(run in word for word in data)]
    return sorted(set(left))


def test_chinese_everywhere_by_default(speak, portal: Path) -> None:  # type: ignore[no-untyped-def]
    said = speak("zh_CN")
    wrong = {" ".join(s.args): words for s in said if (words := _english_left(s.text))}
    assert not wrong, "\n".join(f"baomi {a}: {w}" for a, w in wrong.items())
    assert any("用法" in s.text for s in said)


def test_english_when_the_locale_asks(speak, portal: Path) -> None:  # type: ignore[no-untyped-def]
    said = speak("en_US")
    data = _data_words(portal)
    typed = {run for s in said for arg in s.args for run in _CJK.findall(arg)}  # quoted back
    wrong = {" ".join(s.args): runs for s in said if (runs := _chinese_left(s.text, data | typed))}
    assert not wrong, "\n".join(f"baomi {a}: {r}" for a, r in wrong.items())
    assert any("usage" in s.text for s in said)
    codes: dict[str, set[int]] = {}
    for s in said:  # the session walks both paths of the commands people use most
        codes.setdefault(s.args[0], set()).add(s.code)
    for command in ("check", "publish", "init", "log", "sign", "import"):
        assert codes[command] - {0} and (command in ("sign", "import") or 0 in codes[command]), command
