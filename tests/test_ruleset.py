"""Rule files: loading, validation with file and line, self-tests, the rules fingerprint, the
`baomi rules check` door, and the engine cache."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import screen.engine
from screen.detectors import DEFAULT_KIND, KINDS, kind_of
from screen.engine import Engine, build_engine, load_engine, load_engine_from, shared_engine
from screen.errors import RuleError
from screen.model import Level
from screen.ruleset import SHARED_FIELDS, Ruleset, RuleSource, parse, read_sources
from tests.conftest import ROOT, RULES, hits_of

TERM = """\
id: codename.test
level: block
message: 涉及测试代号
basis: 测试依据
terms: [青松计划, 东岭基地]
allow: [青松计划生育服务站]
hits: [关于青松计划的通知]
misses: [青松翠柏, 青松计划生育服务站]
"""

PATTERN = """\
id: test.number
level: review
message: 含测试编号
regex: 'qx-\\d{4}'
hits: [编号QX-1234]
misses: [编号QX-12]
"""


def write_rules(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (paths relative to the rules directory) under root/rules; return it."""
    rules = root / "rules"
    for sub in ("terms", "patterns"):
        (rules / sub).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (rules / name).write_text(text, encoding="utf-8")
    return rules


def local(rules: Path) -> RuleSource:
    """The rule files of `rules` alone, without the packaged rules (what these tests are about)."""
    return dataclasses.replace(read_sources(rules), packs=())


def load(rules: Path) -> Ruleset:
    return parse(local(rules))


def problems(rules: Path) -> tuple[str, ...]:
    with pytest.raises(RuleError) as raised:
        build_engine(load(rules))
    return raised.value.problems


def has(found: tuple[str, ...], prefix: str, text: str) -> bool:
    """Whether one problem starts with `prefix` (file and line) and mentions `text`."""
    return any(p.startswith(prefix + ": ") and text in p for p in found)


# --- loading ----------------------------------------------------------------------------------


def test_valid_term_rule(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, {"terms/test.yml": TERM})
    (rule,) = load(rules).rules
    assert rule.id == "codename.test"
    assert rule.kind == "term"
    assert rule.level is Level.BLOCK
    assert rule.message == "涉及测试代号"
    assert rule.basis == "测试依据"
    assert rule.terms == ("青松计划", "东岭基地")
    assert rule.allow == ("青松计划生育服务站",)
    assert rule.hits == ("关于青松计划的通知",)
    assert rule.misses == ("青松翠柏", "青松计划生育服务站")
    assert rule.origin == "rules/terms/test.yml:1"
    engine = build_engine(load(rules))
    assert [h.rule.id for h in hits_of(engine, "东岭基地建设进展")] == ["codename.test"]


def test_terms_file_with_comments_and_blank_lines(tmp_path: Path) -> None:
    listing = "# 代号清单\n\n青松计划\n  # 缩进的注释\n   \n  东岭基地  \n\n北辰工程\n"
    rule = TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: codes.txt")
    rules = write_rules(tmp_path, {"terms/test.yml": rule, "terms/codes.txt": listing})
    (loaded,) = load(rules).rules
    assert loaded.terms == ("青松计划", "东岭基地", "北辰工程")
    engine = build_engine(load(rules))
    assert [h.rule.id for h in hits_of(engine, "北辰工程")] == ["codename.test"]
    assert hits_of(engine, "代号清单 缩进的注释") == []


def test_terms_and_terms_file_together(tmp_path: Path) -> None:
    rule = TERM.replace("terms: [青松计划, 东岭基地]", "terms: [青松计划]\nterms_file: codes.txt")
    rules = write_rules(tmp_path, {"terms/test.yml": rule, "terms/codes.txt": "东岭基地\n"})
    assert load(rules).rules[0].terms == ("青松计划", "东岭基地")


def test_terms_file_with_bom_and_crlf(tmp_path: Path) -> None:
    # Lists saved by Windows editors.
    rule = TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: codes.txt")
    rules = write_rules(tmp_path, {"terms/test.yml": rule})
    (rules / "terms" / "codes.txt").write_bytes("\ufeff青松计划\r\n东岭基地\r\n".encode())
    assert load(rules).rules[0].terms == ("青松计划", "东岭基地")


def test_single_rule_and_rule_list_files(tmp_path: Path) -> None:
    listing = "rules:\n" + "".join(
        "  - " + text.replace("\n", "\n    ").rstrip() + "\n"
        for text in (PATTERN, PATTERN.replace("test.number", "test.other"))
    )
    rules = write_rules(tmp_path, {"terms/one.yml": TERM, "patterns/many.yml": listing})
    ruleset = load(rules)
    assert [r.id for r in ruleset.rules] == ["codename.test", "test.number", "test.other"]
    origins = {r.id: r.origin for r in ruleset.rules}
    assert origins == {
        "codename.test": "rules/terms/one.yml:1",
        "test.number": "rules/patterns/many.yml:2",
        "test.other": "rules/patterns/many.yml:8",
    }
    assert [r.kind for r in ruleset.rules] == ["term", "pattern", "pattern"]
    build_engine(ruleset)


def test_pattern_rule_fields(tmp_path: Path) -> None:
    text = """\
id: test.id
level: block
message: 含身份证号
regex: '\\d{17}[0-9x]'
validate: gb11643
plausible_level: review
context:
  - words: [身份证]
    window: 10
    level: block
hits: ['11010519491231002X']
misses: ['11010519491331002X']
"""
    rules = write_rules(tmp_path, {"patterns/id.yml": text})
    (rule,) = load(rules).rules
    assert (rule.kind, rule.validate, rule.plausible_level) == ("pattern", "gb11643", Level.REVIEW)
    assert rule.context[0].words == ("身份证",)
    assert (rule.context[0].window, rule.context[0].level) == (10, Level.BLOCK)


def test_disabled_rule_is_loaded_but_not_run(tmp_path: Path) -> None:
    rule = TERM + "enabled: false\n"
    rules = write_rules(tmp_path, {"terms/test.yml": rule, "patterns/p.yml": PATTERN})
    engine = build_engine(load(rules))
    assert [r.id for r in engine.ruleset.by_kind("term")] == []
    assert hits_of(engine, "青松计划") == []


def test_default_rules_load_with_their_self_tests(engine: Engine) -> None:
    ids = {r.id for r in engine.ruleset.rules}
    assert {"marking.classified", "codename.project", "pii.resident_id", "custody.named_holder"} <= ids
    assert engine.fingerprint.startswith("sha256:")


# --- validation: every problem with file and line ----------------------------------------------


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


ERROR_CASES = [
    pytest.param(
        # A misspelt key (line 5), reported at its own line.
        {"terms/a.yml": TERM.replace("basis: 测试依据", "basis: 测试依据\ncolour: red")},
        "rules/terms/a.yml:5",
        "unknown field 'colour'",
        id="unknown-field",
    ),
    pytest.param(
        # An id that is not family.name, reported at the id line.
        {"terms/a.yml": "# 测试\n" + TERM.replace("id: codename.test", "id: Codename Test")},
        "rules/terms/a.yml:2",
        "'id' must look like 'family.name'",
        id="bad-id",
    ),
    pytest.param(
        # A one-part id.
        {"terms/a.yml": TERM.replace("id: codename.test", "id: codename")},
        "rules/terms/a.yml:1",
        "'id' must look like 'family.name'",
        id="one-part-id",
    ),
    pytest.param(
        # A level that does not exist (line 2).
        {"terms/a.yml": TERM.replace("level: block", "level: severe")},
        "rules/terms/a.yml:2",
        "'level' must be one of block, review, info (got 'severe')",
        id="bad-level",
    ),
    pytest.param(
        # No level at all: reported at the rule.
        {"terms/a.yml": TERM.replace("level: block\n", "")},
        "rules/terms/a.yml:1",
        "'level' must be one of block, review, info (got None)",
        id="missing-level",
    ),
    pytest.param(
        # No message: reported at the rule's first line.
        {"terms/a.yml": "\n\n" + TERM.replace("message: 涉及测试代号\n", "")},
        "rules/terms/a.yml:3",
        "codename.test: 'message' is required",
        id="missing-message",
    ),
    pytest.param(
        # A blank message is no message.
        {"terms/a.yml": TERM.replace("message: 涉及测试代号", "message: '  '")},
        "rules/terms/a.yml:1",
        "codename.test: 'message' is required",
        id="blank-message",
    ),
    pytest.param(
        # No hits.
        {"terms/a.yml": TERM.replace("hits: [关于青松计划的通知]\n", "")},
        "rules/terms/a.yml:1",
        "codename.test: every rule needs 'hits' and 'misses' examples",
        id="missing-hits",
    ),
    pytest.param(
        # No misses.
        {"patterns/p.yml": PATTERN.replace("misses: [编号QX-12]\n", "")},
        "rules/patterns/p.yml:1",
        "test.number: every rule needs 'hits' and 'misses' examples",
        id="missing-misses",
    ),
    pytest.param(
        # A regex that does not compile (line 4).
        {"patterns/p.yml": PATTERN.replace("regex: 'qx-\\d{4}'", "regex: '(qx-\\d{4}'")},
        "rules/patterns/p.yml:4",
        "invalid regex: missing ), unterminated subpattern",
        id="invalid-regex",
    ),
    pytest.param(
        # An unbounded repeat inside another (line 4): exponential backtracking on a near miss.
        {"patterns/p.yml": PATTERN.replace("regex: 'qx-\\d{4}'", "regex: 'qx-(\\d+)*'")},
        "rules/patterns/p.yml:4",
        "repeats a part that itself repeats without bound",
        id="nested-quantifier",
    ),
    pytest.param(
        # The same inside a lookahead and an alternation.
        {"patterns/p.yml": PATTERN.replace("regex: 'qx-\\d{4}'", "regex: 'qx-(?=(?:a|\\d+)+)\\d{4}'")},
        "rules/patterns/p.yml:4",
        "repeats a part that itself repeats without bound",
        id="nested-quantifier-in-lookahead",
    ),
    pytest.param(
        # A pattern rule without a regex.
        {"patterns/p.yml": PATTERN.replace("regex: 'qx-\\d{4}'\n", "")},
        "rules/patterns/p.yml:1",
        "a pattern rule needs a 'regex'",
        id="missing-regex",
    ),
    pytest.param(
        # A validator that does not exist (line 5).
        {"patterns/p.yml": PATTERN.replace("regex: 'qx-\\d{4}'", "regex: 'qx-\\d{4}'\nvalidate: md5")},
        "rules/patterns/p.yml:5",
        "unknown validator 'md5'; one of gb11643, luhn, gb32100, cn_person",
        id="unknown-validator",
    ),
    pytest.param(
        # A bad plausible_level.
        {"patterns/p.yml": PATTERN + "validate: luhn\nplausible_level: maybe\n"},
        "rules/patterns/p.yml:8",
        "'plausible_level' must be one of block, review, info",
        id="bad-plausible-level",
    ),
    pytest.param(
        # A context entry without a window.
        {"patterns/p.yml": PATTERN + "context:\n  - words: [编号]\n    level: block\n"},
        "rules/patterns/p.yml:7",
        "each context entry needs 'words' (list), 'window' (int) and 'level'",
        id="bad-context",
    ),
    pytest.param(
        # A terms_file that is not there (line 5).
        {"terms/a.yml": TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: missing.txt")},
        "rules/terms/a.yml:5",
        "terms_file 'missing.txt' not found next to the rule file",
        id="missing-terms-file",
    ),
    pytest.param(
        # A terms_file outside the rule's directory is not read.
        {
            "terms/a.yml": TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: ../patterns/x.txt"),
            "patterns/x.txt": "青松计划\n",
        },
        "rules/terms/a.yml:5",
        "terms_file '../patterns/x.txt' not found",
        id="terms-file-elsewhere",
    ),
    pytest.param(
        # No terms at all.
        {"terms/a.yml": TERM.replace("terms: [青松计划, 东岭基地]", "terms: []")},
        "rules/terms/a.yml:1",
        "a term rule needs 'terms' or 'terms_file' with at least one term",
        id="no-terms",
    ),
    pytest.param(
        # The same id in two files: reported at the second, naming the first.
        {"terms/a.yml": TERM, "terms/b.yml": "\n" + TERM},
        "rules/terms/b.yml:2",
        "duplicate rule id 'codename.test' (first in rules/terms/a.yml:1)",
        id="duplicate-id-across-files",
    ),
    pytest.param(
        # The same id twice in one list file.
        {
            "patterns/p.yml": "rules:\n  - id: test.number\n    level: review\n    message: m\n"
            "    regex: 'qx'\n    hits: [qx]\n    misses: [q]\n"
            "  - id: test.number\n    level: review\n    message: m\n"
            "    regex: 'qy'\n    hits: [qy]\n    misses: [q]\n"
        },
        "rules/patterns/p.yml:8",
        "duplicate rule id 'test.number' (first in rules/patterns/p.yml:2)",
        id="duplicate-id-in-a-file",
    ),
    pytest.param(
        # A YAML syntax error, at its line (3).
        {"terms/a.yml": TERM.replace("message: 涉及测试代号", "message: 涉及: 测试代号")},
        "rules/terms/a.yml:3",
        "cannot parse: mapping values are not allowed here",
        id="yaml-syntax",
    ),
    pytest.param(
        # Unquoted numbers in hits are YAML integers, not strings.
        {"patterns/p.yml": PATTERN.replace("hits: [编号QX-1234]", "hits: [4111111111111111]")},
        "rules/patterns/p.yml:5",
        "'hits' must be a list of strings (quote numbers such as '4111…')",
        id="unquoted-number-in-hits",
    ),
    pytest.param(
        # ...and in terms.
        {"terms/a.yml": TERM.replace("terms: [青松计划, 东岭基地]", "terms: [2718, 东岭基地]")},
        "rules/terms/a.yml:5",
        "'terms' must be a list of strings",
        id="unquoted-number-in-terms",
    ),
    pytest.param(
        # A key given twice: plain YAML keeps the last list and silently drops the first.
        {"terms/a.yml": TERM + "terms: [北辰工程]\n"},
        "rules/terms/a.yml:9",
        "duplicate field 'terms' (first on line 5)",
        id="duplicate-field",
    ),
    pytest.param(
        # ...also inside a context entry.
        {
            "patterns/p.yml": PATTERN
            + "context:\n  - words: [编号]\n    window: 5\n    window: 9\n    level: block\n"
        },
        "rules/patterns/p.yml:10",
        "duplicate field 'window' (first on line 9)",
        id="duplicate-field-in-context",
    ),
    pytest.param(
        # A number as a key (a term written as `2718: ...`) is not a field name.
        {"terms/a.yml": TERM + "2718: 东岭基地\n"},
        "rules/terms/a.yml:9",
        "2718 is not a field name",
        id="number-key",
    ),
    pytest.param(
        # A list as a key (unhashable in Python) is reported, not a crash.
        {"terms/a.yml": TERM + "[青松, 计划]: x\n"},
        "rules/terms/a.yml:9",
        "is not a field name",
        id="list-key",
    ),
    pytest.param(
        # Keys the loader uses for line numbers cannot be set from a file.
        {"terms/a.yml": TERM + "__line__: 99\n"},
        "rules/terms/a.yml:9",
        "'__line__' is not a field name",
        id="reserved-key",
    ),
    pytest.param(
        # A file that is a list of strings, not rules.
        {"terms/a.yml": "- 青松计划\n- 东岭基地\n"},
        "rules/terms/a.yml:1",
        "a rule file holds one rule (a mapping) or 'rules:' with a list of them",
        id="not-a-mapping",
    ),
    pytest.param(
        # A rule file that is not UTF-8.
        {"terms/a.yml": None},
        "rules/terms/a.yml:1",
        "cannot parse",
        id="not-utf8",
    ),
]


@pytest.mark.parametrize(("files", "where", "text"), ERROR_CASES)
def test_rule_errors_name_file_and_line(
    tmp_path: Path, files: dict[str, str | None], where: str, text: str
) -> None:
    rules = write_rules(tmp_path, {k: v for k, v in files.items() if v is not None})
    for name, content in files.items():
        if content is None:
            (rules / name).write_bytes(TERM.encode("gb18030"))
    found = problems(rules)
    assert has(found, where, text), "\n".join(found)


def test_every_problem_is_collected(tmp_path: Path) -> None:
    # Five broken rules in four files: one RuleError lists them all, each with its place.
    rules = write_rules(
        tmp_path,
        {
            "terms/a.yml": TERM.replace("level: block", "level: severe"),
            "terms/b.yml": TERM.replace("id: codename.test", "id: codename.other").replace(
                "basis: 测试依据", "basis: 测试依据\ncolour: red"
            ),
            "patterns/p.yml": "rules:\n"
            "  - id: test.regex\n    level: review\n    message: m\n    regex: '(x'\n"
            "    hits: [x]\n    misses: [y]\n"
            "  - id: test.validator\n    level: review\n    message: m\n    regex: 'x'\n"
            "    validate: md5\n    hits: [x]\n    misses: [y]\n",
            "patterns/q.yml": "id: test.broken\nlevel: [\n",
        },
    )
    found = problems(rules)
    assert has(found, "rules/terms/a.yml:2", "'level' must be one of")
    assert has(found, "rules/terms/b.yml:5", "unknown field 'colour'")
    assert has(found, "rules/patterns/p.yml:5", "invalid regex")
    assert has(found, "rules/patterns/p.yml:12", "unknown validator 'md5'")
    assert any(p.startswith("rules/patterns/q.yml:") and "cannot parse" in p for p in found)
    assert len(found) == 5, "\n".join(found)


def test_no_rules_directory_screens_with_the_packaged_rules(tmp_path: Path) -> None:
    # Outside a portal (no rules/ at all) the rules that ship with Baomi screen alone.
    ruleset = parse(read_sources(tmp_path / "nowhere"))
    assert {r.id for r in ruleset.rules} == {r.id for r in parse(read_sources(RULES)).rules} - {
        "codename.project"
    }
    assert all(r.origin.startswith("baomi:") for r in ruleset.rules)
    assert "marking.classified" in {r.id for r in ruleset.rules}


def test_an_empty_rule_file_holds_no_rules(tmp_path: Path) -> None:
    # Empty, or comments only: how a retired rule file reads, and no error.
    rules = write_rules(tmp_path, {"terms/a.yml": "# 空文件\n", "terms/b.yml": TERM})
    assert [r.id for r in load(rules).rules] == ["codename.test"]


def test_empty_rules_directory(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no rules found"):
        load(write_rules(tmp_path, {}))


# --- self-tests: a rule's own examples ---------------------------------------------------------


def test_hits_example_that_does_not_match_is_refused(tmp_path: Path) -> None:
    rule = TERM.replace("hits: [关于青松计划的通知]", "hits: [关于青松计划的通知, 北辰工程启动]")
    rules = write_rules(tmp_path, {"terms/a.yml": rule})
    ruleset = load(rules)  # the file itself is well-formed
    with pytest.raises(RuleError) as raised:
        build_engine(ruleset)
    assert raised.value.problems == (
        "rules/terms/a.yml:1: codename.test: hits example '北辰工程启动' gives no finding",
    )


def test_misses_example_that_matches_is_refused(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, {"patterns/p.yml": PATTERN.replace("[编号QX-12]", "[编号QX-12, qx-9999]")})
    with pytest.raises(RuleError) as raised:
        build_engine(load(rules))
    assert raised.value.problems == (
        "rules/patterns/p.yml:1: test.number: misses example 'qx-9999' gives a finding",
    )


def test_every_failing_example_is_reported(tmp_path: Path) -> None:
    term = TERM.replace("hits: [关于青松计划的通知]", "hits: [北辰工程]").replace(
        "misses: [青松翠柏, 青松计划生育服务站]", "misses: [青松计划]"
    )
    rules = write_rules(
        tmp_path, {"terms/a.yml": term, "patterns/p.yml": PATTERN.replace("[编号QX-12]", "[QX-0000]")}
    )
    found = problems(rules)
    assert len(found) == 3
    assert has(found, "rules/terms/a.yml:1", "codename.test: hits example '北辰工程' gives no finding")
    assert has(found, "rules/terms/a.yml:1", "codename.test: misses example '青松计划' gives a finding")
    assert has(found, "rules/patterns/p.yml:1", "test.number: misses example 'QX-0000' gives a finding")


def test_a_one_character_term_is_refused(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, {"terms/a.yml": TERM.replace("[青松计划, 东岭基地]", "[青松计划, 密]")})
    found = problems(rules)
    assert has(found, "rules/terms/a.yml:1", "term '密' is shorter than 2 characters")


# --- baomi rules check -------------------------------------------------------------------------


def test_rules_check_passes_on_default_rules(cli: Callable[..., Any]) -> None:
    run = cli(["rules", "check"], cwd=ROOT)
    assert run.code == 0, run.err
    assert "rules valid" in run.out
    assert parse(read_sources(RULES)).fingerprint in run.out


def test_rules_check_with_rules_dir(cli: Callable[..., Any], tmp_path: Path) -> None:
    rules = write_rules(tmp_path, {"terms/a.yml": TERM, "patterns/p.yml": PATTERN})
    run = cli(["rules", "check", "--rules", str(rules)], cwd=tmp_path)
    assert run.code == 0, run.err
    packaged = len(parse(read_sources(tmp_path / "nowhere")).rules)
    assert f"{packaged + 2} rules valid" in run.out


def test_rules_check_prints_every_problem_and_exits_2(cli: Callable[..., Any], tmp_path: Path) -> None:
    rules = write_rules(
        tmp_path,
        {
            "terms/a.yml": TERM.replace("level: block", "level: severe"),
            "terms/b.yml": TERM.replace("id: codename.test", "id: codename.other").replace(
                "terms: [青松计划, 东岭基地]", "terms_file: gone.txt"
            ),
            "patterns/p.yml": PATTERN.replace("regex: 'qx-\\d{4}'", "regex: '(qx'"),
        },
    )
    run = cli(["rules", "check", "--rules", str(rules)], cwd=tmp_path)
    assert run.code == 2
    assert "rules/terms/a.yml:2: 'level' must be one of" in run.err
    assert "rules/terms/b.yml:5: terms_file 'gone.txt' not found" in run.err
    assert "rules/patterns/p.yml:4: invalid regex" in run.err
    printed = run.err.count("baomi: rule error: rules/")
    assert printed >= 3
    assert f"{printed} rule problems; fix them" in run.err
    assert run.out == ""


def test_rules_check_reports_failing_examples(cli: Callable[..., Any], tmp_path: Path) -> None:
    rules = write_rules(tmp_path, {"patterns/p.yml": PATTERN.replace("[编号QX-12]", "[QX-0000]")})
    run = cli(["rules", "check", "--rules", str(rules)], cwd=tmp_path)
    assert run.code == 2
    assert "rules/patterns/p.yml:1: test.number: misses example 'QX-0000' gives a finding" in run.err


def test_rules_check_on_odd_yaml_keys_exits_2_not_3(cli: Callable[..., Any], tmp_path: Path) -> None:
    # A number or list as a key is a rule error with its line, not an internal error.
    rules = write_rules(tmp_path, {"terms/a.yml": TERM + "2718: x\n", "terms/b.yml": "[a, b]: c\n"})
    run = cli(["rules", "check", "--rules", str(rules)], cwd=tmp_path)
    assert run.code == 2, run.err
    assert "rules/terms/a.yml:9: cannot parse: 2718 is not a field name" in run.err
    assert "rules/terms/b.yml:1: cannot parse: ['a', 'b'] is not a field name" in run.err


def test_rules_check_on_a_missing_directory(cli: Callable[..., Any], tmp_path: Path) -> None:
    run = cli(["rules", "check", "--rules", str(tmp_path / "nowhere")], cwd=tmp_path)
    assert run.code == 2
    assert "--rules" in run.err and "nowhere: no such directory" in run.err


# --- fingerprint -------------------------------------------------------------------------------

FLOW = {"terms/a.yml": TERM, "patterns/p.yml": PATTERN}

REFORMATTED = {
    # Block lists, comments, another key order, quoted strings, a blank line, the list form.
    "terms/a.yml": """\
# 测试代号（注释不影响指纹）
rules:
  - terms:
      - "青松计划"
      - 东岭基地

    allow: ['青松计划生育服务站']
    message: "涉及测试代号"
    misses:
      - 青松翠柏
      - 青松计划生育服务站
    level: 'block'
    id: "codename.test"
    basis: 测试依据
    hits: [关于青松计划的通知]
""",
    "patterns/p.yml": """\
id: test.number   # 行尾注释
message: 含测试编号
level: review
regex: "qx-\\\\d{4}"
hits:
  - 编号QX-1234
misses:
  - 编号QX-12
""",
}


def fingerprint_of(root: Path, files: dict[str, str]) -> str:
    return load(write_rules(root, files)).fingerprint


def test_fingerprint_is_stable_across_runs(tmp_path: Path) -> None:
    first = fingerprint_of(tmp_path / "a", FLOW)
    assert fingerprint_of(tmp_path / "b", FLOW) == first
    # A fresh interpreter with another hash seed gives the same value.
    code = (
        "import sys, dataclasses; from pathlib import Path; from screen.ruleset import parse, read_sources; "
        "print(parse(dataclasses.replace(read_sources(Path(sys.argv[1])), packs=())).fingerprint)"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    output = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a" / "rules")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=environment,
    ).stdout.strip()
    assert output == first


def test_fingerprint_ignores_formatting_comments_and_layout(tmp_path: Path) -> None:
    first = fingerprint_of(tmp_path / "a", FLOW)
    # Reformatted YAML with comments.
    assert fingerprint_of(tmp_path / "b", REFORMATTED) == first
    # Both rules in one list file, in the other order, under another name.
    both = "rules:\n" + "".join(
        "  - " + text.replace("\n", "\n    ").rstrip() + "\n" for text in (PATTERN, TERM)
    )
    assert fingerprint_of(tmp_path / "c", {"patterns/all.yml": both}) == first
    # The terms moved into a terms file.
    listed = TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: codes.txt")
    moved = {
        "terms/z.yml": listed,
        "terms/codes.txt": "# 清单\n青松计划\n\n东岭基地\n",
        "patterns/p.yml": PATTERN,
    }
    assert fingerprint_of(tmp_path / "d", moved) == first
    # Other examples: they test the rule, they do not change what it matches.
    examples = {
        "terms/a.yml": TERM.replace("[青松翠柏, 青松计划生育服务站]", "[青松翠柏]"),
        "patterns/p.yml": PATTERN,
    }
    assert fingerprint_of(tmp_path / "e", examples) == first


def test_fingerprint_ignores_the_order_of_terms(tmp_path: Path) -> None:
    # Sorting a term list changes no match, so it must not look like a rule change.
    listed = TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: codes.txt")
    one = {"terms/a.yml": listed, "terms/codes.txt": "青松计划\n东岭基地\n北辰工程\n"}
    other = {"terms/a.yml": listed, "terms/codes.txt": "北辰工程\n东岭基地\n青松计划\n"}
    assert fingerprint_of(tmp_path / "a", one) == fingerprint_of(tmp_path / "b", other)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # One more term.
        ("terms: [青松计划, 东岭基地]", "terms: [青松计划, 东岭基地, 北辰工程]"),
        # One term fewer.
        ("terms: [青松计划, 东岭基地]", "terms: [青松计划]"),
        # Another level.
        ("level: block", "level: review"),
        # Another allow phrase.
        ("allow: [青松计划生育服务站]", "allow: [青松计划生育服务站, 东岭基地小学]"),
        # Disabled.
        ("basis: 测试依据", "basis: 测试依据\nenabled: false"),
    ],
)
def test_fingerprint_changes_with_what_rules_match(tmp_path: Path, old: str, new: str) -> None:
    changed = {"terms/a.yml": replace_line(TERM, old, new), "patterns/p.yml": PATTERN}
    assert fingerprint_of(tmp_path / "a", FLOW) != fingerprint_of(tmp_path / "b", changed)


def test_fingerprint_changes_with_a_pattern(tmp_path: Path) -> None:
    changed = {"terms/a.yml": TERM, "patterns/p.yml": PATTERN.replace("\\d{4}", "\\d{4,5}")}
    assert fingerprint_of(tmp_path / "a", FLOW) != fingerprint_of(tmp_path / "b", changed)


# --- engine cache ------------------------------------------------------------------------------


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle"))


class ParseSpy:
    """Counts calls to `screen.engine.parse` (a rebuild), delegating to the real one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self._parse = parse
        monkeypatch.setattr(screen.engine, "parse", self)

    def __call__(self, *args: Any) -> Ruleset:
        self.calls += 1
        return self._parse(*args)


def test_cache_is_created_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = write_rules(tmp_path, FLOW)
    cache = tmp_path / "cache"
    spy = ParseSpy(monkeypatch)
    first = load_engine(rules, cache)
    assert spy.calls == 1
    assert len(cache_files(cache)) == 1
    started = time.perf_counter()
    second = load_engine(rules, cache)
    elapsed = time.perf_counter() - started
    assert spy.calls == 1  # not parsed again
    assert elapsed < 0.5
    assert isinstance(second, Engine)
    assert second.ruleset == first.ruleset
    assert [h.rule.id for h in hits_of(second, "青松计划")] == ["codename.test"]


def test_no_cache_dir_means_no_cache(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, FLOW)
    engine = load_engine(rules, None)
    assert engine.ruleset == parse(read_sources(rules))
    assert not (tmp_path / "cache").exists()


def test_rule_files_from_a_git_tree_load_without_a_folder(tmp_path: Path) -> None:
    """A trust ref's rules come as bytes: its root names a tree, not a folder on disk."""
    rules = write_rules(tmp_path, FLOW)
    source = RuleSource(root=Path("0123456789:rules"), files=read_sources(rules).files)
    assert load_engine_from(source, tmp_path / "cache").ruleset == load(rules)
    assert load_engine_from(source, tmp_path / "cache").ruleset == load(rules)  # from the cache


def test_shared_engine_is_rebuilt_only_when_a_rule_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = write_rules(tmp_path, FLOW)
    monkeypatch.setattr(screen.engine, "_SHARED", {})
    spy = ParseSpy(monkeypatch)
    first = shared_engine(rules, None)
    assert shared_engine(rules, None) is first
    assert spy.calls == 1
    (rules / "terms" / "a.yml").write_text(TERM.replace("level: block", "level: review"), encoding="utf-8")
    assert [h.level for h in hits_of(shared_engine(rules, None), "青松计划")] == [Level.REVIEW]
    assert spy.calls == 2


def test_changed_rule_file_gives_a_new_engine(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, FLOW)
    cache = tmp_path / "cache"
    before = load_engine(rules, cache)
    (rules / "terms" / "a.yml").write_text(TERM.replace("level: block", "level: review"), encoding="utf-8")
    after = load_engine(rules, cache)
    assert after.fingerprint != before.fingerprint
    assert [h.level for h in hits_of(after, "青松计划")] == [Level.REVIEW]
    assert len(cache_files(cache)) == 2


def test_changed_terms_file_gives_a_new_engine(tmp_path: Path) -> None:
    listed = TERM.replace("terms: [青松计划, 东岭基地]", "terms_file: codes.txt")
    rules = write_rules(tmp_path, {"terms/a.yml": listed, "terms/codes.txt": "青松计划\n"})
    cache = tmp_path / "cache"
    assert hits_of(load_engine(rules, cache), "北辰工程") == []
    (rules / "terms" / "codes.txt").write_text("青松计划\n北辰工程\n", encoding="utf-8")
    assert [h.rule.id for h in hits_of(load_engine(rules, cache), "北辰工程")] == ["codename.test"]


def test_broken_rules_are_not_served_from_an_old_cache(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, FLOW)
    cache = tmp_path / "cache"
    load_engine(rules, cache)
    (rules / "terms" / "a.yml").write_text(TERM.replace("level: block", "level: severe"), encoding="utf-8")
    with pytest.raises(RuleError, match="'level' must be one of"):
        load_engine(rules, cache)


def flip_rule_id(data: bytes) -> bytes:
    """Change one byte of the rule id inside the cache: still a loadable pickle."""
    assert data.count(b"codename.test") >= 1
    return data.replace(b"codename.test", b"codename.tesu")


CORRUPTIONS: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("empty", lambda data: b""),
    ("garbage", lambda data: b"not a pickle at all"),
    ("truncated", lambda data: data[: len(data) // 2]),
    ("last-byte-dropped", lambda data: data[:-1]),
    ("byte-flipped-in-rule-id", flip_rule_id),
    ("random-byte-flips", lambda data: bytes(b ^ 0x55 if i % 97 == 13 else b for i, b in enumerate(data))),
]


@pytest.mark.parametrize("corrupt", [c for _, c in CORRUPTIONS], ids=[n for n, _ in CORRUPTIONS])
def test_corrupted_cache_is_rebuilt_never_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corrupt: Callable[[bytes], bytes]
) -> None:
    rules = write_rules(tmp_path, FLOW)
    cache = tmp_path / "cache"
    fresh = load_engine(rules, cache)
    (path,) = cache_files(cache)
    path.write_bytes(corrupt(path.read_bytes()))
    spy = ParseSpy(monkeypatch)
    rebuilt = load_engine(rules, cache)
    assert spy.calls == 1  # parsed and validated again
    assert rebuilt.ruleset == fresh.ruleset
    assert [h.rule.id for h in hits_of(rebuilt, "青松计划")] == ["codename.test"]
    # The rebuilt engine replaced the damaged file.
    assert load_engine(rules, cache).ruleset == fresh.ruleset
    assert spy.calls == 1


def test_cache_file_of_other_rules_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A well-formed cache file under another key (copied or renamed) is not this ruleset's.
    one = write_rules(tmp_path / "one", FLOW)
    other = write_rules(tmp_path / "other", {"terms/a.yml": TERM.replace("level: block", "level: info")})
    cache = tmp_path / "cache"
    load_engine(one, cache)
    (one_file,) = cache_files(cache)
    load_engine(other, cache)
    (other_file,) = (p for p in cache_files(cache) if p != one_file)
    other_file.write_bytes(one_file.read_bytes())
    spy = ParseSpy(monkeypatch)
    engine = load_engine(other, cache)
    assert spy.calls == 1
    (own,) = (r for r in engine.ruleset.rules if not engine.ruleset.packaged(r))
    assert own.id == "codename.test"
    assert own.level is Level.INFO


# --- big term lists ----------------------------------------------------------------------------

BIG_COUNT = 100_000


@pytest.fixture(scope="module")
def big_rules(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """100,000 fictional 4-character terms from a pool of 3,000 CJK characters (fixed seed)."""
    randomizer = random.Random(20240501)
    pool = [chr(point) for point in range(0x4E00, 0x4E00 + 3000)]
    terms: set[str] = set()
    while len(terms) < BIG_COUNT:
        terms.add("".join(randomizer.choices(pool, k=4)))
    ordered = sorted(terms)
    randomizer.shuffle(ordered)
    rule = f"""\
id: codename.big
level: block
message: 涉及内部代号
terms_file: big.txt
hits: ['关于{ordered[0]}的通知']
misses: [plain ascii text only]
"""
    root = write_rules(tmp_path_factory.mktemp("big"), {"terms/big.yml": rule})
    (root / "terms" / "big.txt").write_text("# 生成的代号\n\n" + "\n".join(ordered) + "\n", encoding="utf-8")
    return root, ordered


def test_big_terms_file_loads_and_reloads_fast(tmp_path: Path, big_rules: tuple[Path, list[str]]) -> None:
    rules, terms = big_rules
    cache = tmp_path / "cache"
    built = load_engine(rules, cache)
    (big,) = (r for r in built.ruleset.rules if r.id == "codename.big")
    assert len(big.terms) == BIG_COUNT
    started = time.perf_counter()
    cached = load_engine(rules, cache)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"cached reload took {elapsed:.2f} s"
    assert cached.fingerprint == built.fingerprint
    for term in (terms[0], terms[BIG_COUNT // 2], terms[-1]):
        text = f"根据{term}的安排"
        hits = hits_of(cached, text)
        assert [text[h.start : h.end] for h in hits] == [term]
    assert hits_of(cached, "plain ascii text only") == []


# --- rule kinds: one module each, registered in one dict ----------------------------------------

KIND_EXPORTS = {"KIND", "FIELDS", "MARKERS", "DETECTOR", "read_fields", "example"}


@pytest.mark.parametrize("name", list(KINDS))
def test_a_kind_is_its_module_in_the_registry(name: str) -> None:
    """`KINDS` is the one place a kind is registered: its module exports the whole `RuleKind`
    under the name it is registered by, and its own fields never redefine a shared one."""
    kind = KINDS[name]
    assert set(vars(kind)) >= KIND_EXPORTS
    assert name == kind.KIND
    assert isinstance(kind.FIELDS, frozenset)
    assert not kind.FIELDS & SHARED_FIELDS
    assert kind.MARKERS <= kind.FIELDS
    assert callable(kind.read_fields) and callable(kind.example) and callable(kind.DETECTOR)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"terms", "patterns", "file_types", "compare"}, "term"),  # term markers win over all
        ({"terms_file", "entity"}, "term"),
        ({"entity", "file_types", "compare"}, "entity"),
        ({"patterns"}, "entity"),
        ({"file_types", "compare", "regex"}, "file"),
        ({"compare", "regex"}, "classification"),
        ({"regex", "context"}, "pattern"),
        (set(), DEFAULT_KIND),  # no markers at all
    ],
)
def test_markers_choose_the_kind_in_registry_order(fields: set[str], expected: str) -> None:
    assert expected == kind_of(dict.fromkeys(fields)).KIND


def test_rule_files_name_exactly_the_validators_there_are() -> None:
    # rulefields sits below the detectors, so it keeps the names; they must not drift apart
    from screen.detectors.validators import VALIDATORS
    from screen.rulefields import VALIDATOR_NAMES

    assert set(VALIDATOR_NAMES) == set(VALIDATORS)


@pytest.mark.parametrize("value", ["202E", "U+202G", "U+2069-U+2066", "U+D800", "U+110000"])
def test_a_characters_rule_refuses_what_is_not_a_range_of_characters(tmp_path: Path, value: str) -> None:
    rule = (
        "id: text.test\nlevel: block\nmessage: 测试\n"
        f"characters: ['{value}']\nhits: ['a\\u202eb']\nmisses: ['ab']\n"
    )
    found = problems(write_rules(tmp_path, {"patterns/c.yml": rule}))
    assert any("rules/patterns/c.yml:4" in p and "characters" not in p.split(":", 2)[2][:0] for p in found), (
        found
    )
