"""The ledger alone, on records (no git): which sign-offs fairly cleared which version, and so who
wrote a version since its last fair clearance; and the waiver rule judged on it."""

from __future__ import annotations

import datetime

from screen.signoff.ledger import Ledger
from screen.signoff.message import Cleared, SignOffMessage, Waiver
from screen.signoff.records import FileFacts, VerifiedSignOff
from screen.signoff.signers import Signer
from screen.signoff.waivers import decides, fair, not_counted, waived
from screen.vcs import Commit

PATH = "content/news/a.md"
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
WANG = Signer(
    id="wang", name="王建国", emails=("wang@example.gov.cn",), roles=frozenset({"deputy"}),
    keys=(), fingerprints=frozenset({"SHA256:wang"}),
)  # fmt: skip
ZHOU = Signer(
    id="zhou", name="周正", emails=("zhou@example.gov.cn",), roles=frozenset({"deputy"}),
    keys=(), fingerprints=frozenset({"SHA256:zhou"}),
)  # fmt: skip
ZHANG = Signer(
    id="zhang", name="张小文", emails=("zhang@example.gov.cn",), roles=frozenset(),
    keys=(), fingerprints=frozenset({"SHA256:zhang"}),
)  # fmt: skip
ROLES = ("deputy",)


def _blob(n: int) -> str:
    return f"{n:040x}"


def _version(n: int) -> Cleared:
    return Cleared(path=PATH, blob=_blob(n), sha256=f"{n:064x}")


def _edit(sha: str, parent: str, who: Signer) -> Commit:
    return Commit(
        sha=sha, parents=(parent,) if parent else (), author_name=who.name, author_email=who.emails[0],
        committed=NOW, signature="N", key="", message="edit", paths=(PATH,),
    )  # fmt: skip


def _signoff(sha: str, who: Signer, version: Cleared, waivers: tuple[str, ...] = ()) -> VerifiedSignOff:
    message = SignOffMessage(
        cleared=(version,),
        rules_fingerprint="sha256:" + "0" * 64,
        waivers=tuple(Waiver(fingerprint=w, reason="已公开") for w in waivers),
    )
    return VerifiedSignOff(sha=sha, message=message, committed=NOW, signer=who)


def _ledger(chain: list[tuple[str, Commit | VerifiedSignOff]]) -> Ledger:
    """A linear history: each entry's commit reaches every earlier one."""
    order = [sha for sha, _ in chain]
    commits = [c for _, c in chain if isinstance(c, Commit)]
    signoffs = [s for _, s in chain if isinstance(s, VerifiedSignOff)]
    return Ledger(
        history=commits[::-1],
        signoffs=signoffs[::-1],
        reachable=lambda sha: frozenset(order[: order.index(sha) + 1]),
    )


def _facts(version: Cleared, ledger: Ledger) -> FileFacts:
    who = ledger.authorship(version.path, version.blob, ROLES)
    return FileFacts(
        path=version.path, blob=version.blob, sha256=version.sha256, roles=ROLES,
        authors=who.emails, author_keys=who.keys,
    )  # fmt: skip


def test_a_fair_clearance_ends_the_drafters_authorship() -> None:
    # 张小文 drafts v1, 王建国 clears it; 王建国 then edits to v2: only he wrote v2 since.
    ledger = _ledger([
        ("c1", _edit("c1", "", ZHANG)),
        ("s1", _signoff("s1", WANG, _version(1))),
        ("c2", _edit("c2", "s1", WANG)),
    ])  # fmt: skip
    who = ledger.authorship(PATH, _blob(2), ROLES)
    assert who.previous == ("s1", _version(1))
    assert who.emails == frozenset({"wang@example.gov.cn"})


def test_a_self_approved_clearance_ends_nobodys_authorship() -> None:
    # 王建国 drafts v1 and signs it himself: not fair, so when 张小文 edits to v2 the author set
    # still holds 王建国, and his later sign-off of v2 is not fair either.
    ledger = _ledger([
        ("c1", _edit("c1", "", WANG)),
        ("s1", _signoff("s1", WANG, _version(1))),
        ("c2", _edit("c2", "s1", ZHANG)),
    ])  # fmt: skip
    who = ledger.authorship(PATH, _blob(2), ROLES)
    assert who.previous is None
    assert who.emails == frozenset({"wang@example.gov.cn", "zhang@example.gov.cn"})
    assert not ledger.fairly_cleared("s1", _version(1), ROLES)


def test_waivers_count_only_from_a_fair_reviewer_of_those_bytes() -> None:
    ledger = _ledger([
        ("c1", _edit("c1", "", WANG)),
        ("s1", _signoff("s1", WANG, _version(1), ("f" * 32,))),
        ("s2", _signoff("s2", ZHOU, _version(1), ("e" * 32,))),
        ("s3", _signoff("s3", ZHANG, _version(1), ("d" * 32,))),
    ])  # fmt: skip
    facts = _facts(_version(1), ledger)
    own, fair_one, roleless = (next(s for s in ledger.signoffs if s.sha == sha) for sha in ("s1", "s2", "s3"))
    assert waived(facts, ledger.signoffs) == {"e" * 32: "已公开"}
    assert not fair(own, facts) and "王建国 also changed" in not_counted(own, facts)
    assert decides(fair_one, facts) and not_counted(fair_one, facts) == ""
    assert fair(roleless, facts) and not decides(roleless, facts)
    assert "holds no role" in not_counted(roleless, facts)


def test_a_signoff_of_other_bytes_decides_nothing() -> None:
    ledger = _ledger([("c1", _edit("c1", "", ZHANG)), ("s1", _signoff("s1", ZHOU, _version(1), ("e" * 32,)))])
    facts = _facts(_version(2), ledger)
    assert waived(facts, ledger.signoffs) == {}
    assert not_counted(ledger.signoffs[0], facts) == "it names other bytes"
