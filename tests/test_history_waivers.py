"""`baomi history` and sign-offs: a waiver counts for the exact bytes a reviewer in force waived,
and for nothing else."""

from __future__ import annotations

import json

from tests.signoff_portal import BLOCKING, LIU, SECRET, WANG, ZHANG, Portal, add_secret

# --- history honors reviewers' waivers ----------------------------------------------------------


def test_history_honors_a_reviewers_waiver_of_those_bytes(portal: Portal) -> None:
    fingerprint = add_secret(portal)
    assert portal.baomi("history").code == 1
    assert portal.sign(WANG, SECRET, "--waive", fingerprint, "--reason", "已公开的计划生育服务项目").code == 0
    run = portal.baomi("history", "--format", "json")
    assert run.code == 0, run.out
    [finding] = json.loads(run.out)["findings"]
    assert (finding["fingerprint"], finding["waived"]) == (fingerprint, "已公开的计划生育服务项目")
    sarif = json.loads(portal.baomi("history", "--format", "sarif").out)
    [result] = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "external", "justification": "已公开的计划生育服务项目"}]
    # the same words in other bytes (an edit later) are not what the leader waived
    portal.write(SECRET, BLOCKING + "\n补充说明。\n")
    portal.commit(ZHANG, "补充")
    assert portal.baomi("history").code == 1


def test_history_ignores_waivers_of_unverified_or_role_less_signers(portal: Portal) -> None:
    fingerprint = add_secret(portal, who=LIU)
    waiver = ((fingerprint, "无妨"),)
    portal.by_hand(WANG, portal.message_for(SECRET, waivers=waiver), signed=False)  # unsigned
    portal.by_hand(WANG, portal.message_for(SECRET, waivers=waiver), key=LIU)  # an outsider's key
    portal.by_hand(ZHANG, portal.message_for(SECRET, waivers=waiver))  # listed, but no role
    run = portal.baomi("history", "--format", "json")
    assert run.code == 1
    assert [f["waived"] for f in json.loads(run.out)["findings"]] == [None]


# --- one rule for waivers: status, history, report and log agree -------------------------------


def test_a_leaders_waiver_of_their_own_writing_counts_nowhere(portal: Portal) -> None:
    # 王建国 writes the leaking page himself, then waives its finding in his own sign-off.
    fingerprint = add_secret(portal, who=WANG)
    portal.by_hand(WANG, portal.message_for(SECRET, waivers=((fingerprint, "本人认为无妨"),)))
    state, code, reasons = portal.state(SECRET)
    assert (state, code) == ("blocked", 1), reasons
    history = portal.baomi("history", "--format", "json")
    assert history.code == 1, history.out
    assert [f["waived"] for f in json.loads(history.out)["findings"]] == [None]
    report = json.loads(portal.baomi("report", "--format", "json").out)
    assert report["waivers"] == []
    trail = json.loads(portal.baomi("log", SECRET, "--format", "json").out)
    [signoff] = [e for e in trail["events"] if e["kind"].startswith("signoff")]
    assert signoff["kind"] == "signoff-not-counted"
    assert "王建国" in signoff["detail"] and "本人认为无妨" not in signoff["detail"]


def test_a_waiver_in_a_signoff_that_changes_the_file_counts_nowhere(portal: Portal) -> None:
    # The drafter wrote the page; the sign-off commit itself rewrites it (still leaking).
    add_secret(portal)
    portal.write(SECRET, BLOCKING + "\n（已审）\n")
    [fingerprint] = portal.fingerprints(SECRET)
    message = portal.message_for(SECRET, waivers=((fingerprint, "无妨"),))
    portal.act_as(WANG)
    portal.commit(WANG, message, sign=True)
    assert portal.state(SECRET)[:2] == ("blocked", 1)
    history = portal.baomi("history", "--format", "json")
    assert history.code == 1
    assert {f["waived"] for f in json.loads(history.out)["findings"]} == {None}
    assert json.loads(portal.baomi("report", "--format", "json").out)["waivers"] == []
    trail = json.loads(portal.baomi("log", SECRET, "--format", "json").out)
    assert [e["kind"] for e in trail["events"] if e["kind"].startswith("signoff")] == ["signoff-not-counted"]
