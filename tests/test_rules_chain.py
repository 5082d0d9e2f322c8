"""Every rule file is in the chain of trust (issue 15, cause 4): a change to the terms or patterns
takes effect only once the principal clears it; until then Baomi screens with both the last
cleared rules and the working ones, so terms can be added at once but removed only once cleared."""

from __future__ import annotations

from tests.signoff_portal import LI, WANG, ZHANG, Portal

CODENAMES = "rules/terms/codenames.txt"
PAGE = "content/news/plan.md"
USES_IT = "# 项目进展\n\n寒梅专案的进展顺利。\n"


def _rule_files(portal: Portal) -> list[str]:
    _, files, _ = portal.status()
    trust = ("rules/signers.yml", "rules/policy.yml")
    return sorted(p for p in files if p.startswith("rules/") and p not in trust)


def _clear_rules(portal: Portal) -> None:
    assert portal.sign(LI, *_rule_files(portal)).code == 0


def test_status_lists_every_rule_file_as_needing_the_principal(portal: Portal) -> None:
    names = _rule_files(portal)
    assert names == ["rules/packaged.lock", CODENAMES, "rules/terms/codenames.yml"]
    state, code, reasons = portal.state(CODENAMES)
    assert (state, code) == ("unsigned", 1) and "principal" in reasons
    run = portal.sign(WANG, CODENAMES)
    assert run.code == 2 and "needs role principal" in run.err
    _clear_rules(portal)
    assert portal.state(CODENAMES)[:2] == ("cleared", 0)


def test_a_rule_file_is_never_screened_as_content(portal: Portal) -> None:
    """Term lists hold the very terms they block: the gate clears them, screening skips them."""
    _clear_rules(portal)
    _, files, _ = portal.status()
    assert all(files[p]["state"] == "cleared" for p in _rule_files(portal))


def test_a_weakened_dictionary_merged_in_one_change_does_not_let_the_next_through(portal: Portal) -> None:
    _clear_rules(portal)
    text = portal.read(CODENAMES).decode()
    portal.write(CODENAMES, text.replace("寒梅专案\n", ""))
    portal.commit(ZHANG, "整理代号表")  # merged without the principal: not in force
    portal.write(PAGE, USES_IT)
    portal.commit(ZHANG, "新稿")
    state, code, reasons = portal.state(PAGE)
    assert (state, code) == ("blocked", 1) and "codename" in reasons
    assert portal.state(CODENAMES)[0] == "stale"  # changed since the principal cleared it
    assert portal.sign(LI, CODENAMES).code == 0  # the principal accepts the change
    assert portal.state(PAGE)[0] == "unsigned"  # no longer blocked: an ordinary page to sign


def test_an_added_term_takes_effect_at_once(portal: Portal) -> None:
    _clear_rules(portal)
    portal.write(PAGE, "# 项目进展\n\n南山工程的建设进展顺利。\n")
    portal.commit(ZHANG, "新稿")
    assert portal.state(PAGE)[0] == "unsigned"
    portal.write(CODENAMES, portal.read(CODENAMES).decode() + "南山工程\n")
    portal.commit(ZHANG, "新增代号")
    assert portal.state(PAGE)[0] == "blocked"  # before anyone cleared the new term


def test_a_deleted_rule_file_keeps_counting_in_its_cleared_version(portal: Portal) -> None:
    _clear_rules(portal)
    (portal.root / CODENAMES).unlink()
    (portal.root / "rules/terms/codenames.yml").unlink()
    portal.commit(ZHANG, "删除代号规则")
    portal.write(PAGE, USES_IT)
    portal.commit(ZHANG, "新稿")
    assert portal.state(PAGE)[0] == "blocked"


def test_a_never_cleared_rule_change_falls_back_to_the_trust_ref(portal: Portal) -> None:
    """A portal whose rules were never cleared still screens with the trust ref's."""
    portal.git("checkout", "-q", "-b", "weaken")
    text = portal.read(CODENAMES).decode()
    portal.write(CODENAMES, text.replace("寒梅专案\n", ""))
    portal.write(PAGE, USES_IT)
    portal.commit(ZHANG, "删词并发稿")
    assert portal.state(PAGE, "--trust-ref", "main")[0] == "blocked"
