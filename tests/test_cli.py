"""`baomi check` end to end: the exit-code contract of docs/contracts.md on small portals built in tmp_path,
default paths (content/ plus mkdocs.yml), stdin, and the parallel path."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import screen.api
import screen.screening
from tests.conftest import TEST_KEY, Run, write_portal

Cli = Callable[..., Run]
Prepare = Callable[[Path, pytest.MonkeyPatch], None]

CLEAN = "# 春耕备耕工作会议召开\n\n会议要求各乡镇做好农资供应和技术指导。\n"
BLOCKING = "# 备忘录\n\n机密★5年\n\n会议议定事项如下。\n"
REVIEW_ONLY = "# 资料\n\n本材料仅供内部参考。\n"  # internal.restricted is a review rule
INFO_ONLY = "# 公示\n\n编号4111111111111111\n"  # a Luhn-valid number without card words: info
GBK = "# 通知\n\n青溪县人民政府办公室关于做好春耕工作的通知\n".encode("gbk")


def _no_key(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAOMI_FINGERPRINT_KEY", raising=False)
    monkeypatch.delenv("BAOMI_FINGERPRINT_KEY_FILE", raising=False)


def _key_file_only(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_key(root, monkeypatch)
    (root / ".baomi").mkdir()
    (root / ".baomi" / "fingerprint.key").write_text(TEST_KEY + "\n", encoding="ascii")


def _short_env_key(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOMI_FINGERPRINT_KEY", "short")


def _raise(error: BaseException) -> Prepare:
    def prepare(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def check(*args: object, **kwargs: object) -> None:
            raise error

        monkeypatch.setattr(screen.api, "check_files", check)
        (root / "crash").mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(root / "crash"))  # keep crash logs in tmp_path

    return prepare


def _no_content(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "content").rmdir()


def _dangling_symlink(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "content" / "gone.md").symlink_to(root / "content" / "deleted.md")


def _broken_rules(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "broken" / "terms").mkdir(parents=True)
    (root / "broken" / "terms" / "bad.yml").write_text("id: nodot\nlevel: block\nterms: [青松计划]\n")


def _rule_failing_its_examples(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "rules" / "terms" / "selftest.yml").write_text(
        "id: test.selftest\nlevel: block\nmessage: m\nterms: [白鹤工程]\nhits: [青松翠柏]\n",
        encoding="utf-8",
    )


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]
    args: list[str]
    code: int
    says: tuple[str, ...] = ()  # fragments of stdout + stderr
    stdin: bytes = b""
    prepare: Prepare | None = None
    rules: bool = True
    never: tuple[str, ...] = field(default=("Traceback",))  # must not appear in stdout + stderr


MATRIX = [
    # A regular article screens clean: publishable.
    pytest.param(Case({"content/a.md": CLEAN}, ["check"], 0, ("clean",)), id="clean-page"),
    # A secrecy marking is a blocking finding: exit 1.
    pytest.param(Case({"content/a.md": BLOCKING}, ["check"], 1, ("marking.classified",)), id="blocking"),
    # A review-only finding does not block by default (--fail-on block) ...
    pytest.param(Case({"content/a.md": REVIEW_ONLY}, ["check"], 0, ("internal.restricted",)), id="review"),
    # ... but blocks when the team asks for --fail-on review.
    pytest.param(
        Case({"content/a.md": REVIEW_ONLY}, ["check", "--fail-on", "review"], 1), id="review-fail-on-review"
    ),
    # An info finding never blocks, not even with --fail-on review.
    pytest.param(
        Case({"content/a.md": INFO_ONLY}, ["check", "--fail-on", "review"], 0, ("pii.bank_card",)),
        id="info-never-blocks",
    ),
    # A GBK file from Office on Chinese Windows is not skipped: exit 2, with the iconv fix.
    pytest.param(
        Case({"content/gbk.md": GBK}, ["check"], 2, ("content/gbk.md", "GB18030", "iconv")), id="gbk"
    ),
    # A binary file of an unknown type (NUL bytes) is blocked as a whole: a finding (exit 1).
    pytest.param(
        # a binary file no reader opens is blocked as a whole (a finding a reviewer may waive)
        Case({"content/blob.dat": b"PK\x00\x01binary\x00"}, ["check"], 1, ("blob.dat", "file.binary")),
        id="binary",
    ),
    # Malformed front matter: exit 2, naming the line of the problem.
    pytest.param(
        Case({"content/a.md": "---\ntitle: 通知\ntags: [a, b\n---\n\n正文\n"}, ["check"], 2, ("line ",)),
        id="malformed-front-matter",
    ),
    # Front matter that is never closed: exit 2 (the whole page would be misread).
    pytest.param(
        Case({"content/a.md": "---\ntitle: 通知\n\n正文\n"}, ["check"], 2, ("line 1", "never closed")),
        id="unclosed-front-matter",
    ),
    # An empty content/ means nothing was screened, which must not pass as clean.
    pytest.param(Case({}, ["check"], 2, ("no files to screen",)), id="zero-files-default"),
    # An empty directory named on the command line: same.
    pytest.param(Case({}, ["check", "content"], 2, ("no files to screen",)), id="zero-files-path"),
    # A path that does not exist: a usage error, not a clean result.
    pytest.param(
        Case({"content/a.md": CLEAN}, ["check", "content/missing.md"], 2, ("content/missing.md",)),
        id="missing-path",
    ),
    # No PATH and no content/ directory (run outside a portal): exit 2 with what to do.
    pytest.param(
        Case({"elsewhere/a.md": CLEAN}, ["check"], 2, ("content/", "portal's root"), prepare=_no_content),
        id="no-path-no-content",
    ),
    # A dangling symlink in content/ cannot be read: exit 2, even as root.
    pytest.param(
        Case(
            {"content/a.md": CLEAN},
            ["check"],
            2,
            ("content/gone.md", "cannot read"),
            prepare=_dangling_symlink,
        ),
        id="unreadable-dangling-symlink",
    ),
    # --rules pointing to an invalid rule file: exit 2, naming the file and line.
    pytest.param(
        Case(
            {"content/a.md": CLEAN},
            ["check", "--rules", "broken"],
            2,
            ("rules/terms/bad.yml:1", "rules check"),
            prepare=_broken_rules,
        ),
        id="invalid-rule-file",
    ),
    # A rule whose own hits/misses fail refuses to load: exit 2.
    pytest.param(
        Case({"content/a.md": CLEAN}, ["check"], 2, ("test.selftest",), prepare=_rule_failing_its_examples),
        id="rule-self-test-fails",
    ),
    # --rules naming a directory that does not exist: exit 2.
    pytest.param(
        Case(
            {"content/a.md": CLEAN},
            ["check", "--rules", "nowhere"],
            2,
            ("--rules nowhere: no such directory",),
        ),
        id="rules-dir-missing",
    ),
    # No rules/ in the portal at all: the packaged rules screen alone.
    pytest.param(Case({"content/a.md": CLEAN}, ["check"], 0, (), rules=False), id="no-rules"),
    # No fingerprint key anywhere: check runs with a key for this run and says its fingerprints
    # are not stable (how to make a team key included); status needs the team key (exit 2).
    pytest.param(
        Case(
            {"content/a.md": CLEAN},
            ["check"],
            0,
            ("BAOMI_FINGERPRINT_KEY", ".baomi/fingerprint.key", "baomi key", "not stable"),
            prepare=_no_key,
        ),
        id="no-key-check",
    ),
    pytest.param(
        Case(
            {"content/a.md": BLOCKING},
            ["check", "--format", "json"],
            1,
            ("not stable", "cannot be used in a waiver"),
            prepare=_no_key,
        ),
        id="no-key-check-blocking",
    ),
    # A key only in .baomi/fingerprint.key is enough.
    pytest.param(Case({"content/a.md": BLOCKING}, ["check"], 1, prepare=_key_file_only), id="key-file"),
    # A guessable key in the environment is refused like a short key file.
    pytest.param(
        Case({"content/a.md": CLEAN}, ["check"], 2, ("shorter than 16 bytes",), prepare=_short_env_key),
        id="short-env-key",
    ),
    # --jobs 0 is a usage error.
    pytest.param(Case({"content/a.md": CLEAN}, ["check", "--jobs", "0"], 2, ("--jobs",)), id="jobs-zero"),
    # A bug inside the library: exit 3, a pointer to a details file, no traceback on the terminal.
    pytest.param(
        Case(
            {"content/a.md": CLEAN},
            ["check"],
            3,
            ("internal error", "details in"),
            prepare=_raise(RuntimeError("boom")),
        ),
        id="internal-error",
    ),
    # Ctrl-C: exit 130.
    pytest.param(
        Case({"content/a.md": CLEAN}, ["check"], 130, ("interrupted",), prepare=_raise(KeyboardInterrupt())),
        id="interrupted",
    ),
    # `-` reads the page from stdin: blocking text there blocks.
    pytest.param(
        Case({}, ["check", "-"], 1, ("<stdin>",), stdin="关于青松计划的通知\n".encode()), id="stdin-blocking"
    ),
    # ... and clean text there is clean.
    pytest.param(Case({}, ["check", "-"], 0, stdin=CLEAN.encode()), id="stdin-clean"),
    # One undecodable file among pages with findings: exit 2 wins over exit 1.
    pytest.param(
        Case(
            {"content/a.md": BLOCKING, "content/b.md": GBK},
            ["check"],
            2,
            ("marking.classified", "content/b.md"),
        ),
        id="error-and-findings",
    ),
]


@pytest.mark.parametrize("case", MATRIX)
def test_exit_code_matrix(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    root = write_portal(tmp_path, case.files, rules=case.rules)
    if case.prepare:
        case.prepare(root, monkeypatch)
    run = cli(case.args, cwd=root, stdin=case.stdin)
    both = run.out + run.err
    assert run.code == case.code, both
    for fragment in case.says:
        assert fragment in both, both
    for fragment in case.never:
        assert fragment not in both, both


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--rules"],  # --rules without its directory
        ["check", "--format", "yaml"],  # an unknown format
        ["check", "--fail-on", "info"],  # info never blocks, so it is no choice
        [],  # no command at all
    ],
)
def test_usage_errors_exit_2(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    write_portal(tmp_path, {"content/a.md": CLEAN})
    with pytest.raises(SystemExit) as exited:
        cli(args, cwd=tmp_path)
    assert exited.value.code == 2


def test_undecodable_file_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/gbk.md": GBK})
    run = cli(["check"], cwd=tmp_path)
    assert run.code == 2
    naming = [line for line in (run.out + run.err).splitlines() if "gbk.md" in line]
    assert len(naming) == 1, run.out + run.err
    assert naming[0].startswith("content/gbk.md: error: not valid UTF-8")
    assert "GB18030" in naming[0]
    assert "iconv -f GB18030 -t UTF-8" in naming[0]
    assert "Traceback" not in run.out + run.err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown", "junit", "codequality"])
def test_a_file_name_that_is_not_utf8_is_an_input_error(cli: Cli, tmp_path: Path, fmt: str) -> None:
    write_portal(tmp_path, {"content/a.md": "# 通知\n"})
    (tmp_path / "content" / os.fsdecode(b"gbk-\xff\xfe.md")).write_text("# 通知\n", encoding="utf-8")
    run = cli(["check", "--format", fmt], cwd=tmp_path)
    assert run.code == 2, run.err
    assert "content/gbk-\ufffd\ufffd.md" in run.out + run.err
    assert "not UTF-8" in run.out + run.err


def test_malformed_front_matter_names_the_line_in_the_file(cli: Cli, tmp_path: Path) -> None:
    page = "---\ntitle: 关于春耕的通知\ndate: 2026-03-01\nauthor: 办公室\n\tbad: tab\n---\n\n正文\n"
    write_portal(tmp_path, {"content/a.md": page})
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 2
    (error,) = json.loads(run.out)["errors"]
    assert error["path"] == "content/a.md"
    assert error["message"].startswith("line 5: malformed YAML"), error  # the tab line, in the file


def test_front_matter_that_is_not_a_mapping(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "---\n- 一\n- 二\n---\n\n正文\n"})
    run = cli(["check"], cwd=tmp_path)
    assert run.code == 2
    assert "content/a.md: error: line 2: front matter must be a mapping" in run.out


def test_internal_error_writes_the_traceback_to_a_details_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_portal(tmp_path, {"content/a.md": CLEAN})
    _raise(RuntimeError("boom in the library"))(tmp_path, monkeypatch)
    run = cli(["check"], cwd=tmp_path)
    assert run.code == 3
    assert run.out == ""
    (line,) = run.err.splitlines()
    assert "a bug, not your content" in line
    details = Path(line.rsplit("details in ", 1)[1])
    assert details.parent == tmp_path / "crash"
    logged = details.read_text(encoding="utf-8")
    assert "Traceback" in logged
    assert "RuntimeError: boom in the library" in logged


def test_errors_do_not_hide_the_findings_of_other_files(cli: Cli, tmp_path: Path) -> None:
    files = {
        "content/a.md": BLOCKING,
        "content/b.md": GBK,
        "content/c.md": REVIEW_ONLY,
        "content/d.md": b"\x00\x01",
    }
    write_portal(tmp_path, files)
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 2
    report = json.loads(run.out)
    assert report["files_scanned"] == 4
    assert [(f["path"], f["rule"]) for f in report["findings"]] == [
        ("content/a.md", "marking.classified"),
        ("content/c.md", "internal.restricted"),
    ]
    assert [e["path"] for e in report["errors"]] == ["content/b.md", "content/d.md"]
    text = cli(["check"], cwd=tmp_path)
    assert text.code == 2
    assert "content/a.md:3:1: block marking.classified" in text.out
    assert "2 file(s) could not be screened" in text.out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads mode 000 files")
def test_unreadable_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": CLEAN, "content/secret.md": BLOCKING})
    secret = tmp_path / "content" / "secret.md"
    secret.chmod(0)
    try:
        run = cli(["check"], cwd=tmp_path)
    finally:
        secret.chmod(0o644)
    assert run.code == 2
    assert "content/secret.md: error: cannot read" in run.out


def _json(run: Run) -> dict[str, object]:
    report = json.loads(run.out)
    assert isinstance(report, dict)
    return report


def test_default_paths_are_content_and_mkdocs_yml(cli: Cli, tmp_path: Path) -> None:
    mkdocs = "site_name: 青溪县青松计划专题网站\ntheme:\n  name: material\n"
    write_portal(tmp_path, {"content/a.md": CLEAN, "content/news/b.md": CLEAN, "mkdocs.yml": mkdocs})
    (tmp_path / "notes.md").write_text(BLOCKING, encoding="utf-8")  # not published: not screened
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 1, run.out
    report = _json(run)
    assert report["files_scanned"] == 3  # content/a.md, content/news/b.md, mkdocs.yml
    (finding,) = report["findings"]  # type: ignore[misc]
    assert finding["path"] == "mkdocs.yml"
    assert finding["scope"] == "config"
    assert finding["rule"] == "codename.project"
    assert (finding["line"], finding["column"]) == (1, 15)  # after `site_name: 青溪县`


def test_default_paths_without_mkdocs_yml(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": CLEAN, "content/drafts/b.md": BLOCKING})
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 1
    report = _json(run)
    assert report["files_scanned"] == 2
    assert {f["path"] for f in report["findings"]} == {"content/drafts/b.md"}  # type: ignore[attr-defined]


def test_docs_dir_of_mkdocs_yml_is_respected(cli: Cli, tmp_path: Path) -> None:
    mkdocs = (
        "site_name: 青溪县人民政府\n"
        "docs_dir: docs\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )
    write_portal(
        tmp_path,
        {
            "content/old.md": CLEAN,
            "docs/index.md": CLEAN,
            "docs/drafts/memo.md": BLOCKING,
            "mkdocs.yml": mkdocs,
        },
    )
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 1
    report = _json(run)
    assert report["files_scanned"] == 3  # docs/drafts/memo.md, docs/index.md, mkdocs.yml
    assert [f["path"] for f in report["findings"]] == ["docs/drafts/memo.md"]  # type: ignore[attr-defined]
    (tmp_path / "docs" / "drafts" / "memo.md").unlink()
    clean = cli(["check"], cwd=tmp_path)
    assert clean.code == 0, clean.out  # content/ is no longer what is published


def test_stdin_is_screened_and_reported_as_stdin(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {})
    page = "联系人：何志军 13912345678\n身份证号11010519491231002X\n".encode()
    run = cli(["check", "-", "--format", "json"], cwd=tmp_path, stdin=page)
    assert run.code == 1
    report = _json(run)
    assert report["files_scanned"] == 1
    assert [(f["path"], f["rule"], f["line"]) for f in report["findings"]] == [  # type: ignore[attr-defined]
        ("<stdin>", "pii.named_id_number", 1),  # the name next to the ID (issue 4)
        ("<stdin>", "pii.mobile", 1),
        ("<stdin>", "pii.resident_id", 2),
    ]


def test_stdin_together_with_files(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": REVIEW_ONLY})
    run = cli(["check", "content/a.md", "-", "--format", "json"], cwd=tmp_path, stdin=BLOCKING.encode())
    assert run.code == 1
    assert [f["path"] for f in _json(run)["findings"]] == ["content/a.md", "<stdin>"]  # type: ignore[attr-defined]


def _big_portal(root: Path) -> None:
    """About 1.3 MB in 60 pages of different sizes, findings spread through them, one bad file."""
    filler = "青溪县人民政府办公室关于做好春耕备耕工作的通知，各乡镇人民政府、县直各部门认真贯彻落实。\n"
    files: dict[str, str | bytes] = {"content/zz-legacy.md": GBK}
    for number in range(60):
        lines = [f"# 第{number}篇\n"]
        for row in range(40 + number * 12):
            if row % 97 == number % 7:
                lines.append(f"联系人何志军，手机1391234{number:04d}。\n")
            elif row % 131 == 5:
                lines.append("关于青松计划的通知，东岭基地。\n")
            elif row % 173 == 11:
                lines.append("机密★5年，本材料仅供内部参考。\n")
            else:
                lines.append(filler)
        files[f"content/section-{number % 5}/page-{number:02d}.md"] = "".join(lines)
    write_portal(root, files)


def test_parallel_screening_gives_the_same_findings(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _big_portal(tmp_path)
    total = sum(p.stat().st_size for p in (tmp_path / "content").rglob("*") if p.is_file())
    assert total > 1 << 20  # above the size below which the check stays in one process
    forked: list[str] = []
    real_get_context = screen.screening.get_context

    def spy(method: str) -> object:
        forked.append(method)
        return real_get_context(method)

    monkeypatch.setattr(screen.screening, "get_context", spy)
    monkeypatch.setenv("BAOMI_CACHE_DIR", "")  # no findings cache: both runs must screen everything
    serial = cli(["check", "--format", "json", "--jobs", "1"], cwd=tmp_path)
    assert forked == []
    parallel = cli(["check", "--format", "json", "--jobs", "2"], cwd=tmp_path)
    assert forked == ["fork"]  # the parallel path really ran
    assert serial.code == parallel.code == 2  # the legacy file is an error in both
    assert len(_json(serial)["findings"]) > 60  # type: ignore[arg-type]
    assert parallel.out == serial.out


def test_symlinks_in_content_are_refused(cli: Cli, tmp_path: Path) -> None:
    # MkDocs follows links and publishes what is behind them, which git records under another path
    # (or not at all): no sign-off of the published path covers those bytes. A link to a file, a
    # file under a linked folder: each is refused, by the path it is published as; a link back up
    # the tree must not loop forever.
    write_portal(tmp_path, {"content/index.md": CLEAN, "shared/memo.md": BLOCKING})
    (tmp_path / "content" / "shared").symlink_to(tmp_path / "shared", target_is_directory=True)
    (tmp_path / "content" / "loop").symlink_to(tmp_path / "content", target_is_directory=True)
    (tmp_path / "content" / "alias.md").symlink_to(tmp_path / "shared" / "memo.md")
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 2
    report = _json(run)
    assert report["files_scanned"] == 3
    errors = report["errors"]
    assert isinstance(errors, list)
    assert [e["path"] for e in errors] == ["content/alias.md", "content/shared/memo.md"]
    assert all("symbolic link" in e["message"] for e in errors)


def test_a_staged_symlink_is_refused(cli: Cli, tmp_path: Path) -> None:
    import subprocess

    write_portal(tmp_path, {"content/index.md": CLEAN, "notes/memo.md": BLOCKING})
    (tmp_path / "content" / "memo.md").symlink_to("../notes/memo.md")
    git = ["git", "-c", "user.name=撰稿人", "-c", "user.email=d@example.gov.cn"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    run = cli(["check", "--staged", "--format", "json"], cwd=tmp_path)
    assert run.code == 2, run.out
    assert [e["path"] for e in _json(run)["errors"]] == ["content/memo.md"]  # type: ignore[union-attr]


def test_stdin_is_screened_like_the_same_markdown_file(cli: Cli, tmp_path: Path) -> None:
    # `cat draft.md | baomi check -` must not pass what `baomi check draft.md` blocks: an entity,
    # a percent-encoded link target and a front-matter title are only found when read as Markdown.
    page = (
        "---\ntitle: 东岭基地简介\n---\n\n"
        "&#x9752;松计划\n\n"
        "[链接](https://example.com/%E5%AF%92%E6%A2%85%E4%B8%93%E6%A1%88)\n"
    )
    write_portal(tmp_path, {"content/draft.md": page})

    def keys(run: Run) -> list[tuple[object, ...]]:
        fields = ("rule", "level", "line", "column", "end_line", "end_column", "scope", "excerpt")
        return [tuple(f[k] for k in fields) for f in _json(run)["findings"]]  # type: ignore[attr-defined]

    from_file = cli(["check", "--format", "json", "content/draft.md"], cwd=tmp_path)
    from_stdin = cli(["check", "--format", "json", "-"], cwd=tmp_path, stdin=page.encode())
    assert from_file.code == from_stdin.code == 1
    assert {k[6] for k in keys(from_file)} == {"title", "body", "link"}
    assert keys(from_stdin) == keys(from_file)


# --- names: MkDocs makes URLs, menus and titles of file and folder names -------------------------

_CLEAN_PAGE = "# 通知\n\n春耕生产有序推进。\n"


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("content/news/青松计划.md", "codename.project"),  # the file's own name
        ("content/news/青松-计划.md", "codename.project"),  # MkDocs titles it 青松 计划
        ("content/青松_计划/index.md", "codename.project"),  # a folder: a menu section title
        ("content/news/机密★5年.md", "marking.classified"),
        ("content/docs/机密⭑5年-附件.pdf.md", "marking.classified"),
    ],
)
def test_a_name_that_holds_a_term_is_found(cli: Cli, tmp_path: Path, name: str, rule: str) -> None:
    write_portal(tmp_path, {name: _CLEAN_PAGE})
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 1, run.out
    [finding] = _json(run)["findings"]  # type: ignore[misc]
    assert (finding["rule"], finding["scope"], finding["location"]) == (rule, "path", "file name")
    assert finding["path"] == name


def test_a_folder_boundary_is_not_a_gap(cli: Cli, tmp_path: Path) -> None:
    # 青松/计划.md: the menu shows 青松 and 计划 apart, never as one word
    write_portal(tmp_path, {"content/青松/计划.md": _CLEAN_PAGE})
    assert cli(["check"], cwd=tmp_path).code == 0


def test_a_term_in_the_name_and_in_the_text_are_two_findings(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/青松计划.md": "# 通知\n\n关于青松计划的通知。\n"})
    findings = _json(cli(["check", "--format", "json"], cwd=tmp_path))["findings"]
    assert isinstance(findings, list)
    assert sorted(f["scope"] for f in findings) == ["body", "path"]
    assert len({f["fingerprint"] for f in findings}) == 2  # waiving one never waives the other


# --- the configuration closure: every file MkDocs reads to build is published input --------------

_PAGE = {"docs/index.md": "# 首页\n\n欢迎。\n"}


@pytest.mark.parametrize(
    ("files", "path", "scope"),
    [
        # MkDocs reads mkdocs.yaml when there is no mkdocs.yml
        ({"mkdocs.yaml": "site_name: 青松计划门户\n", **_PAGE}, "mkdocs.yaml", "config"),
        # MkDocs' own default docs_dir is docs/
        ({"mkdocs.yml": "site_name: 门户\n", "docs/a.md": "关于青松计划的通知。\n"}, "docs/a.md", "body"),
        # an inherited file's strings are the site's
        (
            {
                "mkdocs.yml": "INHERIT: base/common.yml\nsite_name: 门户\n",
                "base/common.yml": "copyright: 青松计划\n",
                **_PAGE,
            },
            "base/common.yml",
            "config",
        ),
        # a hook module runs inside the build: it is published input too
        (
            {"mkdocs.yml": "site_name: 门户\nhooks: [hooks/x.py]\n", "hooks/x.py": "# 青松计划\n", **_PAGE},
            "hooks/x.py",
            None,
        ),
    ],
    ids=["mkdocs-yaml", "default-docs-dir", "inherit", "hooks"],
)
def test_the_configuration_closure_is_screened(
    cli: Cli, tmp_path: Path, files: dict[str, str], path: str, scope: str | None
) -> None:
    write_portal(tmp_path, files)
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    findings = [f for f in _json(run)["findings"] if f["path"] == path]  # type: ignore[union-attr]
    assert findings, run.out
    assert scope is None or findings[0]["scope"] == scope


def test_a_value_from_the_environment_is_refused(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"mkdocs.yml": "site_name: !ENV SITE_NAME\n", **_PAGE})
    run = cli(["check"], cwd=tmp_path)
    assert run.code == 2
    assert "!ENV" in run.err and "environment" in run.err


def test_inherit_in_a_circle_is_refused(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"mkdocs.yml": "INHERIT: a.yml\n", "a.yml": "INHERIT: mkdocs.yml\n", **_PAGE})
    assert cli(["check"], cwd=tmp_path).code == 2


@pytest.mark.parametrize(
    ("files", "link", "target"),
    [
        ({"real.yml": "site_name: 门户\n", **_PAGE}, "mkdocs.yml", "real.yml"),
        (
            {"mkdocs.yml": "INHERIT: base.yml\n", "shared/base.yml": "site_name: 门户\n", **_PAGE},
            "base.yml",
            "shared/base.yml",
        ),
        ({"mkdocs.yml": "hooks: [h.py]\n", "shared/h.py": "# 钩子\n", **_PAGE}, "h.py", "shared/h.py"),
    ],
    ids=["mkdocs-yml", "inherited", "hook"],
)
def test_a_symlink_in_the_configuration_is_refused(
    cli: Cli, tmp_path: Path, files: dict[str, str], link: str, target: str
) -> None:
    write_portal(tmp_path, files)
    (tmp_path / link).symlink_to(tmp_path / target)
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    assert run.code == 2, run.out + run.err
    assert link in [e["path"] for e in _json(run)["errors"]]  # type: ignore[union-attr]


def test_without_a_team_key_fingerprints_change_from_run_to_run(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_portal(tmp_path / "portal", {"content/a.md": BLOCKING})
    _no_key(root, monkeypatch)
    runs = [json.loads(cli(["check", "--format", "json"], cwd=root).out) for _ in range(2)]
    first, second = ([f["fingerprint"] for f in r["findings"]] for r in runs)
    assert first and first != second  # a key for each run: nothing to waive with
    monkeypatch.setenv("BAOMI_FINGERPRINT_KEY", TEST_KEY)
    keyed = [json.loads(cli(["check", "--format", "json"], cwd=root).out) for _ in range(2)]
    assert keyed[0]["findings"][0]["fingerprint"] == keyed[1]["findings"][0]["fingerprint"]
