"""screen.findings: redaction, printable text, keyed fingerprints and redacted context lines."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screen.findings import CONTEXT_CHARS, fingerprint, printable, redact
from tests.conftest import Run, write_portal

Cli = Callable[..., Run]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("机密★5年", "机*★*年"),  # the docs/contracts.md example: first and last kept, symbol kept
        ("青松计划", "青**划"),  # a codename: four characters, four signs (not twelve bytes)
        ("11010519491231002X", "1****************X"),  # an ID number keeps only its ends
        ("13912345678", "1*********8"),  # a mobile number
        ("机密", "机*"),  # two characters: only the first
        ("密", "*"),  # one character: shown whole it would be the match itself
        ("★", "★"),  # no letters or digits: nothing to hide
        ("", ""),  # empty
        ("机密★", "机*★"),  # a marking without a term: two letters, one kept
        ("110105 19491231 002X", "1***** ******** ***X"),  # separators stay, so positions stay
        ("青 松 计 划", "青 * * 划"),  # a spaced-out term
        ("青\u200b松计划", "青\u200b**划"),  # a zero-width space is no letter (printable() shows it)
        ("𠀀𠀁𠀂", "𠀀*𠀂"),  # astral ideographs: one code point is one character
        ("a𠀁", "a*"),  # an astral character is starred as one character
        ("ＡＢＣ１", "Ａ**１"),  # full-width letters and digits are letters and digits
        ("秘密★2027年12月31日", "秘*★**********日"),  # a long marking: every inner digit starred
        ("(5)", "(*)"),  # one digit in brackets: starred, brackets kept
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown
    assert len(redact(text)) == len(text)  # by character: redaction never changes positions


@given(st.text())
def test_redact_keeps_length_symbols_and_at_most_two_letters(text: str) -> None:
    shown = redact(text)
    assert len(shown) == len(text)
    significant = [i for i, c in enumerate(text) if c.isalnum()]
    kept = [i for i in significant if shown[i] == text[i]]
    assert len(kept) <= (0 if len(significant) < 2 else 1 if len(significant) == 2 else 2)
    assert all(shown[i] == c for i, c in enumerate(text) if not c.isalnum())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("正常文本 text", "正常文本 text"),  # printable text is untouched
        ("\x1b[31m红色\x1b[0m", "·[31m红色·[0m"),  # ANSI colour: the escape is made visible
        ("\x1b]0;title\x07", "·]0;title·"),  # a terminal-title sequence and its BEL
        ("a\tb", "a b"),  # a tab is one column of space
        ("a\rb", "a·b"),  # a carriage return would overwrite the line
        ("\x7f\x9b", "··"),  # DEL and the 8-bit CSI
        ("\u202e倒序", "·倒序"),  # a bidi override would reverse what follows
        ("\u200b\ufeff", "··"),  # zero-width space and BOM: invisible, so shown
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_fingerprint_is_a_keyed_hmac() -> None:
    key = b"k" * 32
    value = fingerprint(key, "pii.resident_id", "content/a.md", "11010519491231002x", 0)
    assert len(value) == 32
    assert value != hashlib.sha256(b"11010519491231002x").hexdigest()[:32]
    assert value != fingerprint(b"j" * 32, "pii.resident_id", "content/a.md", "11010519491231002x", 0)
    assert value != fingerprint(key, "pii.resident_id", "content/a.md", "11010519491231002x", 1)
    assert value != fingerprint(key, "pii.resident_id", "content/b.md", "11010519491231002x", 0)
    assert value != fingerprint(key, "pii.mobile", "content/a.md", "11010519491231002x", 0)
    # Fields are separated, so moving characters between them gives another fingerprint.
    assert fingerprint(key, "a.b", "c", "de", 0) != fingerprint(key, "a.b", "cd", "e", 0)
    expected = hmac.new(key, b"pii.resident_id\0content/a.md\x0011010519491231002x\x000", "sha256")
    assert value == expected.hexdigest()[:32]


def _findings(cli: Cli, root: Path, *args: str) -> list[dict[str, Any]]:
    run = cli(["check", "--format", "json", *args], cwd=root)
    assert run.code in (0, 1), run.out + run.err
    findings = json.loads(run.out)["findings"]
    assert isinstance(findings, list)
    return findings


PAGE = "# 通知\n\n联系人：何志军 13912345678\n身份证号11010519491231002X\n关于青松计划的通知。\n"


def test_fingerprint_does_not_depend_on_position(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": PAGE})
    before = _findings(cli, tmp_path)
    # Edits above the findings: new lines, a longer title, even another kind of finding.
    edited = PAGE.replace("# 通知\n", "# 关于值班安排的通知\n\n新增一段说明。\n\n机密★5年\n\n")
    edited = edited.replace("联系人：", "联系人（办公室）：")
    write_portal(tmp_path, {"content/a.md": edited})
    after = _findings(cli, tmp_path)
    moved = {f["rule"]: f for f in after if f["rule"] != "marking.classified"}
    assert len(moved) == len(before) == 4  # with pii.named_id_number: the name beside the ID
    for finding in before:
        now = moved[finding["rule"]]
        assert (now["line"], now["column"]) != (finding["line"], finding["column"])
        assert now["fingerprint"] == finding["fingerprint"], finding["rule"]


def test_fingerprint_is_keyed(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_portal(tmp_path, {"content/a.md": PAGE})
    first = [f["fingerprint"] for f in _findings(cli, tmp_path)]
    monkeypatch.setenv("BAOMI_FINGERPRINT_KEY", "another-team-key-fedcba9876543210")
    second = [f["fingerprint"] for f in _findings(cli, tmp_path)]
    assert len(first) == len(second) == 4  # with pii.named_id_number: the name beside the ID
    assert not set(first) & set(second)


def test_fingerprint_is_not_a_plain_hash_of_the_match(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": PAGE})
    for finding in _findings(cli, tmp_path, "--show-matches"):
        match = finding["match"].encode()
        plain = {
            hashlib.sha256(match).hexdigest(),
            hashlib.sha256(match.lower()).hexdigest(),
            hashlib.md5(match).hexdigest(),
        }
        assert finding["fingerprint"] not in plain
        assert not any(p.startswith(finding["fingerprint"]) for p in plain)


def test_identical_matches_in_one_file_have_distinct_fingerprints(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "青松计划\n\n青松计划，青松计划\n", "content/b.md": "青松计划\n"})
    findings = _findings(cli, tmp_path)
    in_a = [f["fingerprint"] for f in findings if f["path"] == "content/a.md"]
    (in_b,) = [f["fingerprint"] for f in findings if f["path"] == "content/b.md"]
    assert len(in_a) == len(set(in_a)) == 3
    assert in_b not in in_a  # a waiver for one page does not waive the same term in another


def test_context_redacts_other_findings_on_the_line(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "手机13912345678，青松计划，身份证号11010519491231002X。\n"})
    findings = _findings(cli, tmp_path)
    assert [f["rule"] for f in findings] == ["pii.mobile", "codename.project", "pii.resident_id"]
    for finding in findings:
        context = finding["context"]
        for raw in ("13912345678", "11010519491231002X", "青松计划"):
            assert raw not in context
    assert findings[2]["context"] == "手机1*********8，青**划，身份证号1****************X。"
    shown = _findings(cli, tmp_path, "--show-matches")
    assert shown[2]["context"] == "手机13912345678，青松计划，身份证号11010519491231002X。"


def test_context_cut_through_another_match_reveals_nothing_more(cli: Cli, tmp_path: Path) -> None:
    # The context window ends inside the ID number (and, seen from the ID, starts inside the mobile
    # number): the part shown must be the part of the full redaction, not a redaction of its own
    # that would keep the cut piece's last digit.
    line = "手机13912345678，请联系办公室人员，身份证号11010519491231002X。"
    write_portal(tmp_path, {"content/a.md": line + "\n"})
    mobile, resident = _findings(cli, tmp_path)
    mobile_end = line.index("，")
    id_start = line.index("1101")
    visible = mobile_end + CONTEXT_CHARS - id_start
    assert 0 < visible < 18  # the window really cuts the ID number
    assert mobile["context"].endswith("身份证号" + "1" + "*" * (visible - 1) + "…")
    left = id_start - CONTEXT_CHARS
    assert resident["context"].startswith("…" + "*" * (mobile_end - left - 1) + "8，")


def test_findings_in_html_comments_redact_the_line_too(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "正文青松计划<!-- 原件为机密★长期 -->结束\n"})
    findings = _findings(cli, tmp_path)
    assert {f["scope"] for f in findings} == {"body", "html_comment"}
    for finding in findings:
        assert "青松计划" not in finding["context"]
        assert "机密★长期" not in finding["context"]
        assert "机*★*期" in finding["context"]


FORMATS = ("text", "json", "sarif", "github", "markdown")
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.mark.parametrize("show", [False, True])
@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_never_reach_output(cli: Cli, tmp_path: Path, fmt: str, show: bool) -> None:
    page = "\x1b[31m注意\x1b[0m：机密★5年\u202e\n\n青\x07松计划\x9b2J\n"
    write_portal(
        tmp_path,
        {
            "content/a.md": page,
            "content/\x1b[2Jclear.md": "机密★5年\n",  # a hostile file name
            "content/\x1b]0;title\x07.md": b"\x00\x01",  # one that cannot be screened
        },
    )
    run = cli(["check", "--format", fmt, *(["--show-matches"] if show else [])], cwd=tmp_path)
    assert run.code == 2
    assert "marking.classified" in run.out
    assert "codename.project" in run.out
    for char in ESCAPES:
        assert char not in run.out, (fmt, repr(char))
        assert char not in run.err, (fmt, repr(char))


def test_excerpt_and_context_show_control_characters_visibly(cli: Cli, tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "\x1b[31m注意：青\x07松计划\n"})
    (finding,) = _findings(cli, tmp_path)
    assert finding["excerpt"] == "青·**划"
    assert finding["context"] == "·[31m注意：青·**划"
    (shown,) = _findings(cli, tmp_path, "--show-matches")
    assert shown["match"] == "青\x07松计划"  # the JSON value is exact (and escaped by JSON)
    assert shown["context"] == "·[31m注意：青·松计划"
