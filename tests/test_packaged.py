"""Rules that ship with Baomi (issue 16): the packs are package data and screen with no rules/
at all; rules/overrides.yml switches a packaged rule off or changes its level, with a reason;
rules/packaged.lock records the packaged rules a portal accepted, and the gate refuses any other;
a deleted rule file counts until the principal clears its deletion."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from screen.errors import RuleError
from screen.model import Level
from screen.packaged import installed, lock_text
from screen.ruleset import RuleSource, packaged_files, parse, read_sources, rule_source
from tests.signoff_portal import LI, WANG, ZHANG, Portal

MARKED = "# 通知\n\n本文件密级为机密★5年，请妥善保管。\n"
RESTRICTED = "# 通知\n\n本材料仅供内部参考，不得外传。\n"
LOCK = "rules/packaged.lock"
OVERRIDES = "rules/overrides.yml"


def _rules(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "rules"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _problems(rules: Path) -> tuple[str, ...]:
    with pytest.raises(RuleError) as raised:
        parse(read_sources(rules))
    return raised.value.problems


# --- the packs --------------------------------------------------------------------------------


def test_the_packs_are_package_data_with_the_generic_rules() -> None:
    names = [name for name, _ in packaged_files()]
    assert "baomi:patterns/marking.yml" in names and "baomi:terms/internal.yml" in names
    ids = {r.id for r in parse(read_sources(Path("/nonexistent"))).rules}
    assert {"marking.classified", "pii.resident_id", "internal.restricted"} <= ids


def test_check_outside_any_portal_uses_the_packaged_rules(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BAOMI_FINGERPRINT_KEY", "BAOMI_FINGERPRINT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "draft.md").write_text(MARKED, encoding="utf-8")
    run = cli(["check", "draft.md", "--format", "json"], cwd=tmp_path)
    assert run.code == 1, run.err
    assert [f["rule"] for f in json.loads(run.out)["findings"]] == ["marking.classified"]
    assert "not stable" in run.err  # no team key: a key for this run only, said so
    piped = cli(["check", "-"], cwd=tmp_path, stdin=MARKED.encode())
    assert piped.code == 1 and "marking.classified" in piped.out
    assert "机密★5年" not in piped.out + piped.err  # redacted without --show-matches


def test_a_packaged_rule_shows_where_it_ships(cli: Callable[..., Any], tmp_path: Path) -> None:
    run = cli(["rules", "list", "--format", "json"], cwd=tmp_path)
    assert run.code == 0, run.err
    rows = {r["id"]: r for r in json.loads(run.out)["rules"]}
    assert rows["marking.classified"]["packaged"] is True
    assert rows["marking.classified"]["origin"].startswith("baomi:patterns/marking.yml:")
    text = cli(["rules", "list"], cwd=tmp_path).out
    assert "packaged" in text and "marking.classified" in text


# --- overrides --------------------------------------------------------------------------------

DISABLE = """\
disable:
  - id: internal.restricted
    reason: 本站只转载已公开的文件
"""
LEVELS = """\
levels:
  - id: marking.classified
    level: review
    reason: 本站为保密宣传栏目，密级标志示例由人工复核
"""


def test_overrides_switch_a_packaged_rule_off_and_change_a_level(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    rules = _rules(tmp_path, {"overrides.yml": DISABLE + LEVELS})
    ruleset = parse(read_sources(rules))
    by_id = {r.id: r for r in ruleset.rules}
    assert by_id["internal.restricted"].enabled is False
    assert by_id["marking.classified"].level is Level.REVIEW
    assert all(c.level.rank <= Level.REVIEW.rank for c in by_id["marking.classified"].context)
    assert ruleset.fingerprint != parse(read_sources(tmp_path / "none")).fingerprint
    (tmp_path / "a.md").write_text(MARKED + "\n" + RESTRICTED, encoding="utf-8")
    run = cli(["check", "a.md", "--rules", str(rules), "--format", "json"], cwd=tmp_path)
    found = [(f["rule"], f["level"]) for f in json.loads(run.out)["findings"]]
    assert found == [("marking.classified", "review")] and run.code == 0
    listed = cli(["rules", "list", "--rules", str(rules)], cwd=tmp_path).out
    assert "本站只转载已公开的文件" in listed and "disabled" in listed


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("disable:\n  - id: internal.restricted\n", "rules/overrides.yml:2", "'reason' is required"),
        ("disable:\n  - id: no.such\n    reason: x\n", "rules/overrides.yml:2", "is no packaged rule"),
        ("levels:\n  - id: marking.classified\n    level: severe\n    reason: x\n", "rules/overrides.yml:3",
         "'level' must be one of"),
        ("disable: [internal.restricted]\n", "rules/overrides.yml:1", "is a list of entries"),
        ("switch_off:\n  - id: internal.restricted\n", "rules/overrides.yml:1", "unknown field 'switch_off'"),
        (DISABLE + DISABLE.replace("disable:\n", ""), "rules/overrides.yml:4", "overridden twice"),
        ("disable:\n  - id: codename.local\n    reason: x\n", "rules/overrides.yml:2", "portal's own rule"),
    ],
)  # fmt: skip
def test_a_wrong_override_is_named_with_its_line(tmp_path: Path, text: str, where: str, message: str) -> None:
    local = (
        "id: codename.local\nlevel: block\nmessage: m\nterms: [寒梅专案]\nhits: [寒梅专案]\nmisses: [寒梅]\n"
    )
    found = _problems(_rules(tmp_path, {"overrides.yml": text, "terms/local.yml": local}))
    assert any(p.startswith(where + ": ") and message in p for p in found), found


def test_a_portal_rule_may_not_take_a_packaged_rules_id(tmp_path: Path) -> None:
    copy = (Path(__file__).parent.parent / "screen/packs/terms/internal.yml").read_text(encoding="utf-8")
    rules = _rules(tmp_path, {"terms/internal.yml": copy.replace("内部资料, ", "")})
    (problem,) = _problems(rules)
    assert problem.startswith("rules/terms/internal.yml:1: rule id 'internal.restricted' is a packaged rule")
    assert "rules/overrides.yml" in problem
    # In the rules in force, an older cleared copy stands in for the packaged rule instead.
    files = {"terms/internal.yml": (rules / "terms/internal.yml").read_bytes()}
    in_force = parse(rule_source(Path("x:rules"), files, in_force=True))
    (rule,) = (r for r in in_force.rules if r.id == "internal.restricted")
    assert rule.origin.startswith("rules/") and "内部资料" not in rule.terms


def test_a_broken_install_without_packs_is_an_error_not_an_empty_screen() -> None:
    source = RuleSource(root=Path("x"), files=(), packs=())
    with pytest.raises(RuleError, match="no rules found"):
        parse(source)


# --- the lock ---------------------------------------------------------------------------------


def test_rules_lock_writes_the_lock_and_says_when_nothing_changed(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    (tmp_path / "rules").mkdir()
    first = cli(["rules", "lock"], cwd=tmp_path)
    assert first.code == 0 and "baomi sign rules/packaged.lock" in first.out
    assert (tmp_path / LOCK).read_text(encoding="utf-8") == lock_text(installed())
    again = cli(["rules", "lock"], cwd=tmp_path)
    assert again.code == 0 and "already accepts" in again.out
    # an older lock: what changed is listed by rule id
    older = lock_text(installed()).replace(installed().rules["marking.classified"], "0" * 16)
    older = older.replace(installed().fingerprint, "sha256:" + "1" * 64)
    (tmp_path / LOCK).write_text(older, encoding="utf-8")
    upgraded = cli(["rules", "lock"], cwd=tmp_path)
    assert "changed: marking.classified" in upgraded.out
    outside = cli(["rules", "lock"], cwd=tmp_path / "rules")
    assert outside.code == 2 and "baomi init" in outside.err


def _clear_rules(portal: Portal) -> None:
    _, files, _ = portal.status()
    trust = ("rules/signers.yml", "rules/policy.yml")
    names = [p for p in files if p.startswith("rules/") and p not in trust]
    run = portal.sign(LI, *names)
    assert run.code == 0, run.err


def test_the_lock_is_a_rule_file_the_principal_clears(portal: Portal) -> None:
    state, code, reasons = portal.state(LOCK)
    assert (state, code) == ("unsigned", 1) and "principal" in reasons
    assert portal.sign(WANG, LOCK).code == 2  # a deputy cannot accept rules
    _clear_rules(portal)
    assert portal.state(LOCK)[0] == "cleared"


def test_an_upgrade_that_changes_the_packaged_rules_stops_publication_until_the_principal_signs(
    portal: Portal,
) -> None:
    """What a Baomi upgrade looks like to a portal: the lock names other packaged rules than
    the installed ones. Even signed by the principal, the lock in error publishes nothing."""
    stale = lock_text(installed()).replace(installed().fingerprint, "sha256:" + "2" * 64)
    portal.write(LOCK, stale)
    portal.commit(ZHANG, "旧版锁定")
    _clear_rules(portal)
    state, code, reasons = portal.state(LOCK)
    assert (state, code) == ("error", 1)
    assert "baomi rules lock" in reasons and "principal" in reasons
    run = portal.baomi("rules", "lock")
    assert run.code == 0
    portal.commit(ZHANG, "接受新的内置规则")
    assert portal.state(LOCK)[0] == "stale"
    assert portal.sign(LI, LOCK).code == 0
    assert portal.state(LOCK)[0] == "cleared"


def test_a_missing_lock_is_an_error_that_says_what_to_do(portal: Portal) -> None:
    (portal.root / LOCK).unlink()
    portal.commit(ZHANG, "删除锁定")
    state, code, reasons = portal.state(LOCK)
    assert (state, code) == ("error", 1)
    assert "missing" in reasons and "baomi rules lock" in reasons


# --- retiring a rule file ---------------------------------------------------------------------

CODENAMES = ("rules/terms/codenames.yml", "rules/terms/codenames.txt")
PAGE = "content/news/plan.md"


def test_a_deleted_rule_file_counts_until_the_principal_clears_its_deletion(portal: Portal) -> None:
    _clear_rules(portal)
    for path in CODENAMES:
        (portal.root / path).unlink()
    portal.commit(ZHANG, "删除代号规则")
    portal.write(PAGE, "# 项目进展\n\n寒梅专案的进展顺利。\n")
    portal.commit(ZHANG, "新稿")
    assert portal.state(PAGE)[0] == "blocked"  # the cleared terms still count
    state, code, reasons = portal.state(CODENAMES[0])
    assert (state, code) == ("stale", 1) and "clears the deletion" in reasons
    assert portal.sign(WANG, *CODENAMES).code == 2  # a deputy cannot retire rules
    run = portal.sign(LI, *CODENAMES)
    assert run.code == 0, run.err
    assert portal.state(PAGE)[0] == "unsigned"  # retired: an ordinary page to sign now
    _, files, _ = portal.status()
    assert not set(CODENAMES) & set(files)  # a retired file is no longer listed
    assert portal.baomi("status", CODENAMES[0]).code == 2  # nor selectable


def test_the_deleter_cannot_clear_their_own_deletion(portal: Portal) -> None:
    _clear_rules(portal)
    for path in CODENAMES:
        (portal.root / path).unlink()
    portal.commit(LI, "删除代号规则")
    run = portal.sign(LI, *CODENAMES)
    assert run.code == 2 and "changed" in run.err
