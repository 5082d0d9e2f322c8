"""Hostile input: regexes without catastrophic backtracking, Markdown that never hangs, files no
reader can open blocked as a whole, and a fuzzed Markdown extractor that never crashes nor loses
a finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screen.engine import Engine
from screen.errors import InputError
from screen.source import read_document
from tests.conftest import RULES, Run, write_portal

KEY = b"hostile-test-key-0123456789"
TERM = "青松计划"


# --- every shipped regex is linear on adversarial text ------------------------------------------

_PROBE = textwrap.dedent(
    """
    import itertools, json, re, sys, time
    from screen.engine import build_engine
    from screen.ruleset import parse, read_sources

    engine = build_engine(parse(read_sources(__import__("pathlib").Path(sys.argv[1]))))
    regexes = []
    for rule in engine.ruleset.rules:
        if rule.regex:
            regexes.append((rule.id, rule.regex))
        regexes += [(rule.id + " context", c.regex) for c in rule.context if c.regex]
    worst = []
    for name, source in regexes:
        pattern = re.compile(source)
        # the characters the regex names, and the ones its classes stand for
        alphabet = sorted(set(c for c in source if not c.isascii() or c.isalnum() or c in " -.:*")
                          | set("0 9a x-\\t.:：*★年月号"))
        for a, b in itertools.product(alphabet, repeat=2):
            text = (a + b) * 2500
            start = time.perf_counter()
            for _ in pattern.finditer(text):
                pass
            worst.append((time.perf_counter() - start, name, a + b))
    worst.sort(reverse=True)
    print(json.dumps({"regexes": len(regexes), "worst": worst[:5]}))
    """
)


def test_every_shipped_regex_runs_in_linear_time() -> None:
    # In a child process with a time limit: a regex that backtracks catastrophically would hang
    # the test run instead of failing it.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(RULES)], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["regexes"] >= 10
    seconds, name, pair = report["worst"][0]
    assert seconds < 0.25, f"{name} takes {seconds:.2f} s on {pair!r} × 2500: catastrophic backtracking"


# --- Markdown that would make a naive parser hang ----------------------------------------------

HOSTILE_MARKDOWN = {
    "nested-quotes": "> " * 20000 + TERM,
    "nested-lists": "".join("  " * i + "- a\n" for i in range(3000)) + TERM,
    "brackets": "[" * 100000 + TERM + "]" * 100000,
    "emphasis": "*" * 100000 + TERM + "_" * 100000,
    "backticks": "`" * 100000 + TERM,
    "html-open": "<" * 100000 + TERM,
    "html-comments": "<!--" * 50000 + TERM,
    "links": "[a](" * 50000 + TERM,
    "entities": "&#x9752;" * 50000 + TERM,
    "front-matter-ish": "---\n" + "a: [" * 20000 + "\n---\n" + TERM,
    "long-line": "甲" * 2_000_000 + TERM,
    "many-lines": "甲\n" * 500_000 + TERM,
    "table": "|" * 200000 + "\n|-|\n" + TERM,
}


def test_hostile_markdown_is_screened_in_bounded_time(engine: Engine) -> None:
    slowest = []
    for name, text in HOSTILE_MARKDOWN.items():
        start = time.perf_counter()
        try:
            found = engine.screen(read_document("a.md", text.encode()), KEY)
        except InputError as error:  # refused with a reason is bounded too (front matter)
            assert error.reason, name
            found = ()
        elapsed = time.perf_counter() - start
        slowest.append((elapsed, name))
        if name not in ("front-matter-ish",):
            assert any(f.rule == "codename.project" for f in found), f"{name}: the term was lost"
    slowest.sort(reverse=True)
    assert slowest[0][0] < 10, f"{slowest[0][1]} took {slowest[0][0]:.1f} s"


# --- files no reader can open ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        pytest.param("附件.zip", b"PK\x03\x04anything", "file.archive", id="zip"),
        pytest.param("资料.rar", b"Rar!\x1a\x07\x00", "file.archive", id="rar"),
        pytest.param("备份.7z", b"7z\xbc\xaf\x27\x1c", "file.archive", id="7z"),
        pytest.param("data.tar.gz", b"\x1f\x8b\x08\x00", "file.archive", id="tar-gz"),
        pytest.param("renamed.dat", b"PK\x03\x04zip under another name", "file.archive", id="zip-magic"),
        pytest.param("通知.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "file.legacy_office", id="doc"),
        pytest.param("名单.xls", b"anything", "file.legacy_office", id="xls-by-suffix"),
        pytest.param("公文.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "file.legacy_office", id="wps"),
        pytest.param("x.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "file.legacy_office", id="ole-magic"),
        pytest.param("程序.exe", b"MZ\x90\x00\x03\x00", "file.binary", id="exe"),
        pytest.param("noext", b"\x00\x01\x02", "file.binary", id="no-extension"),
    ],
)
def test_a_file_no_reader_can_open_is_blocked_as_a_whole(
    engine: Engine, name: str, data: bytes, rule: str
) -> None:
    [finding] = engine.screen(read_document(f"content/{name}", data), KEY)
    assert (finding.rule, finding.level.value, finding.location) == (rule, "block", "whole file")
    assert finding.scope.value == "attachment"


@pytest.mark.parametrize("name", ["字体.woff2", "图标.ico", "font.ttf"])
def test_an_allowed_binary_extension_passes(engine: Engine, name: str) -> None:
    assert engine.screen(read_document(f"content/{name}", b"\x00\x01wOF2"), KEY) == ()


def test_a_text_file_with_nul_bytes_is_an_input_error() -> None:
    with pytest.raises(InputError, match="binary"):
        read_document("content/a.md", b"# \x00 broken")


def test_a_waived_archive_is_the_same_finding_every_time(cli: Run, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "# 通知\n", "content/附件.zip": b"PK\x03\x04one"})
    first = json.loads(cli(["check", "--format", "json"], cwd=tmp_path).out)  # type: ignore[operator]
    (tmp_path / "content" / "附件.zip").write_bytes(b"PK\x03\x04two")
    second = json.loads(cli(["check", "--format", "json"], cwd=tmp_path).out)  # type: ignore[operator]
    [a], [b] = first["findings"], second["findings"]
    assert a["rule"] == b["rule"] == "file.archive" and a["location"] == "whole file"
    assert a["fingerprint"] == b["fingerprint"]  # a waiver names the file, not its bytes


def test_file_rules_are_validated(tmp_path: Path) -> None:
    from screen.errors import RuleError
    from screen.ruleset import parse, read_sources

    rules = tmp_path / "rules"
    (rules / "patterns").mkdir(parents=True)
    (rules / "patterns" / "files.yml").write_text(
        "id: file.odd\nlevel: block\nmessage: x\nfile_types: [tarball]\nallow_extensions: [WOFF]\n"
        "hits: [a.zip]\nmisses: [a.md]\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as raised:
        parse(read_sources(rules))
    problems = "\n".join(raised.value.problems)
    assert "unknown file type 'tarball'" in problems
    assert "lowercase with its dot" in problems


# --- the Markdown extractor, fuzzed --------------------------------------------------------------

MARKUP = st.sampled_from(
    ["*", "**", "_", "`", "```\n", "> ", "- ", "1. ", "# ", "[", "]", "(", ")", "<!--", "-->", "<b>", "</b>",
     "&amp;", "&#x9752;", "|", "\n", "\n\n", "---\n", "\\", "![", "  \n", "<", ">", "~~", "$", "{", "}"]
)  # fmt: skip
TEXTS = st.lists(st.one_of(MARKUP, st.text(max_size=6)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=TEXTS, after=TEXTS)
def test_fuzzed_markdown_never_crashes_and_keeps_positions_in_range(
    engine: Engine, before: str, after: str
) -> None:
    text = before + after
    try:
        document = read_document("a.md", text.encode("utf-8", "surrogatepass"))
    except InputError:
        return  # refused with a reason (malformed front matter, a lone surrogate): never a crash
    lines = text.split("\n")
    for finding in engine.screen(document, KEY):
        assert 1 <= finding.line <= finding.end_line <= len(lines)
        assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=TEXTS, after=TEXTS)
def test_fuzzed_markdown_never_loses_a_term_in_its_own_paragraph(
    engine: Engine, before: str, after: str
) -> None:
    # Whatever comes before and after, a term on a paragraph of its own is found, at its place.
    text = f"{before}\n\n{TERM}\n\n{after}"
    try:
        document = read_document("a.md", text.encode("utf-8", "surrogatepass"))
    except InputError:
        return
    if "<!--" in before or "```" in before or "`" in before or before.count("---\n") or "<" in before:
        return  # a comment, a fence or an HTML block left open swallows the paragraph
    line = before.count("\n") + 3
    found = [f for f in engine.screen(document, KEY) if f.rule == "codename.project"]
    assert any(f.line == line and f.column == 1 for f in found), (text, found)


def test_a_huge_file_is_refused_without_reading_it(cli: Run, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "# 通知\n"})
    with (tmp_path / "content" / "video.mp4").open("wb") as handle:
        handle.truncate(4 << 30)  # 4 GiB, sparse: costs nothing on disk
    start = time.perf_counter()
    run = cli(["check", "--format", "json"], cwd=tmp_path)  # type: ignore[operator]
    assert time.perf_counter() - start < 10
    assert run.code == 2
    [error] = json.loads(run.out)["errors"]
    assert error["path"] == "content/video.mp4" and "4096.0 MB, above the 32 MB limit" in error["message"]


# --- only regular files are read: a FIFO or a device never blocks a command ----------------------


def _baomi(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`baomi` in a child process with a deadline: a blocked read fails the test, not the suite."""
    env = {**os.environ, "BAOMI_FINGERPRINT_KEY": KEY.decode(), "BAOMI_CACHE_DIR": ""}
    command = [sys.executable, "-m", "screen", *args]
    return subprocess.run(
        command,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.PIPE,
        check=False,
    )


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _stdin_link(path: Path) -> None:
    path.symlink_to("/dev/stdin")


def _zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")  # a device that never ends


@pytest.mark.parametrize("make", [_fifo, _stdin_link, _zero_link], ids=["fifo", "dev-stdin", "dev-zero"])
@pytest.mark.parametrize("where", ["content/news/odd.md", "mkdocs.yml", "rules/terms/odd.yml"])
def test_a_file_that_is_not_regular_is_refused_at_once(tmp_path: Path, make: object, where: str) -> None:
    root = write_portal(tmp_path, {"content/news/a.md": "# 通知\n\n春耕。\n"})
    assert callable(make)
    make(root / where)
    started = time.monotonic()
    run = _baomi(root, "check")
    assert time.monotonic() - started < 30
    assert run.returncode == 2, run.stdout + run.stderr
    shown = run.stdout + run.stderr
    assert "not a file" in shown or "not a regular file" in shown, shown


# --- the publish audit reads any JSON the site holds --------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"\\u9752\\u677e\\u8ba1\\u5212": 1}', "青松计划"),  # a key is text a reader may see
        (b"not json at all: \xe9\x9d\x92\xe6\x9d\xbe\xe8\xae\xa1\xe5\x88\x92", "青松计划"),
        (b"[" * 100_000 + b'"\xe9\x9d\x92\xe6\x9d\xbe\xe8\xae\xa1\xe5\x88\x92"' + b"]" * 100_000, "青松计划"),
    ],
    ids=["key", "not-json", "nested-100k"],
)
def test_the_site_audit_reads_every_json_file_as_text(tmp_path: Path, data: bytes, expected: str) -> None:
    from screen.built import _text

    path = tmp_path / "data.json"
    path.write_bytes(data)
    assert expected in _text(path).decode("utf-8")


# --- a rule regex that backtracks ends in bounded time, naming the rule --------------------------

_RUNAWAY = """\
id: test.runaway
level: block
message: 测试规则
regex: '(.*,){12}x'
hits: ['a,b,c,d,e,f,g,h,i,j,k,l,x']
misses: ['abc']
"""


def test_a_runaway_rule_regex_is_stopped_and_named(tmp_path: Path) -> None:
    root = write_portal(tmp_path, {"content/a.md": "# 通知\n\n" + "," * 5000 + "\n"})
    (root / "rules" / "patterns").mkdir(exist_ok=True)
    (root / "rules" / "patterns" / "runaway.yml").write_text(_RUNAWAY, encoding="utf-8")
    started = time.monotonic()
    run = _baomi(root, "check")
    assert time.monotonic() - started < 30
    assert run.returncode == 2, run.stdout + run.stderr
    assert "test.runaway" in run.stdout and "ran out of time" in run.stdout, run.stdout
