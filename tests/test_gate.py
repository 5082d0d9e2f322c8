"""Pure sign-off logic, table-driven: `screen.signoff.gate.decide`, role matching, key
fingerprints, the signers and policy parsers, and the sign-off message format. No git here (see
test_clearance.py and test_trust.py)."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screen.errors import InputError
from screen.model import Finding, Level, Scope
from screen.signoff.gate import decide
from screen.signoff.message import (
    Cleared,
    SignOffMessage,
    Waiver,
    blob_id,
    cleared_for,
    format_message,
    mentions_signoff,
    parse_message,
    parse_quoted,
    payload,
    unsafe_path,
)
from screen.signoff.records import FileFacts, VerifiedSignOff, wrote
from screen.signoff.signers import (
    Signer,
    TrustError,
    key_fingerprint,
    parse_policy,
    parse_signers,
    roles_covered,
)
from screen.signoff.trust import not_before
from screen.vcs import Commit

# A real ed25519 and ECDSA key, with the fingerprints `ssh-keygen -lf` prints for them.
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO2EhavbkLRuUaQCM5ckc4StuxuxzWshpDj1/ZROhM6y wang"
ED25519_FP = "SHA256:SsHr9Mgudw+VkUVjRpwDxJvWhVfWMO1OobSZKUOi5FQ"
ECDSA = (
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBP2lQhR+Xqbp0SJGR+8/d/lrIcf"
    "HbKwtTDdeqkeqpzOWE+ozjqIZjdaGYwna+SW/4sq0wPjLHJsRKU42E4/xOs0= e"
)
ECDSA_FP = "SHA256:r6rAMSjNgMnaHIPvCiE1B3Utzcgg546h53LV2A2uc2k"


def person(id_: str, *roles: str) -> Signer:
    return Signer(
        id=id_,
        name=id_.upper(),
        emails=(f"{id_}@example.gov.cn",),
        roles=frozenset(roles),
        keys=(f"ssh-ed25519 KEY-{id_}",),
        fingerprints=frozenset({f"SHA256:{id_}"}),
    )


WANG = person("wang", "deputy")
ZHOU = person("zhou", "deputy")
LI = person("li", "principal")
BOTH = person("both", "deputy", "principal")  # one person holding both roles
ZHANG = person("zhang")  # listed, no role

PATH = "content/a.md"
DATA = "# 通知\n\n正文。\n".encode()
HERE = cleared_for(PATH, DATA)
BLOB, SHA256 = HERE.blob, HERE.sha256
OTHER = cleared_for(PATH, b"older bytes\n")
NOW = datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)
DEFAULT, IMPORTANT = ("deputy",), ("deputy", "principal")


def finding(fingerprint: str = "f" * 32) -> Finding:
    return Finding(
        rule="codename.project",
        level=Level.BLOCK,
        path=PATH,
        line=3,
        column=3,
        end_line=3,
        end_column=7,
        scope=Scope.BODY,
        message="涉及内部项目代号",
        basis="",
        excerpt="青**划",
        context="",
        context_shown="",
        context_column=0,
        match="青松计划",
        fingerprint=fingerprint,
    )


def so(
    signer: Signer | None,
    *,
    cleared: Cleared = HERE,
    sha: str = "",
    waivers: tuple[str, ...] = (),
    state: str = "",
    problem: str = "",
    touches: tuple[str, ...] = (),
) -> VerifiedSignOff:
    name = signer.id if signer else "nobody"
    return VerifiedSignOff(
        sha=sha or hashlib.sha1(f"{name}{cleared}{waivers}{state}".encode()).hexdigest(),
        message=SignOffMessage(
            cleared=(cleared,),
            rules_fingerprint="sha256:" + "0" * 64,
            waivers=tuple(Waiver(fingerprint=w, reason="已公开") for w in waivers),
        ),
        committed=NOW,
        signer=signer,
        state=state,
        problem=problem,
        touches=touches,
    )


def facts(
    roles: tuple[str, ...] = DEFAULT,
    *,
    blocking: tuple[Finding, ...] = (),
    authors: frozenset[str] = frozenset(),
    keys: frozenset[str] = frozenset(),
    error: str = "",
) -> FileFacts:
    return FileFacts(
        path=PATH,
        blob=BLOB,
        sha256=SHA256,
        roles=roles,
        blocking=blocking,
        authors=authors,
        author_keys=keys,
        error=error,
    )


BLOCKED = (finding(),)
UNSIGNED_COPY = "not signed; if it came from a squash or rebase merge, …"

DECIDE_CASES = [
    # an unreadable file is an error, whatever is signed
    (facts(error="cannot read"), [so(WANG)], "error", "cannot read"),
    # nothing names the file
    (facts(), [], "unsigned", "baomi sign content/a.md"),
    # the deputy signed the exact path and bytes
    (facts(), [so(WANG)], "cleared", ""),
    # a sign-off of older bytes of the same path: edited after sign-off
    (facts(), [so(WANG, cleared=OTHER)], "stale", "changed after its sign-off"),
    # the same bytes signed under another path: a rename
    (facts(), [so(WANG, cleared=cleared_for("content/old.md", DATA))], "stale", "signed as content/old.md"),
    # a sign-off of older bytes that does not count makes nothing stale: still unsigned
    (facts(), [so(None, cleared=OTHER, state="bad-signature", problem="x")], "unsigned", "no sign-off"),
    # the blob matches but the SHA-256 does not: not these bytes
    (facts(), [so(WANG, cleared=Cleared(path=PATH, blob=BLOB, sha256="0" * 64))], "stale", "changed after"),
    # an unsigned commit carrying a copied sign-off message
    (facts(), [so(None, state="bad-signature", problem=UNSIGNED_COPY)], "bad-signature", "not signed"),
    # a good signature by a key nobody listed
    (facts(), [so(None, state="untrusted-signer", problem="key")], "untrusted-signer", "key"),
    # a squash merge only quotes the sign-off
    (facts(), [so(None, state="unsigned", problem="only quotes")], "unsigned", "only quotes"),
    # a sign-off commit that also changes the file it clears
    (facts(), [so(WANG, touches=(PATH,))], "bad-signature", "changes the file it clears"),
    # the deputy wrote it (by email) and signed it
    (facts(authors=frozenset({"wang@example.gov.cn"})), [so(WANG)], "self-approved", "WANG"),
    # the deputy wrote it under another email, but signed that change with their key
    (facts(keys=frozenset({"SHA256:wang"})), [so(WANG)], "self-approved", "WANG"),
    # someone else wrote it: the deputy's sign-off counts
    (facts(authors=frozenset({"zhang@example.gov.cn"})), [so(WANG)], "cleared", ""),
    # a listed signer without a role, on their own page: short of a role, whoever wrote it
    (facts(authors=frozenset({"zhang@example.gov.cn"})), [so(ZHANG)], "missing-role", "nobody eligible"),
    # the principal alone on an ordinary page
    (facts(), [so(LI)], "missing-role", "needs roles deputy"),
    # an important page with the deputy only
    (facts(IMPORTANT), [so(WANG)], "missing-role", "needs roles deputy, principal"),
    # an important page with the deputy and the principal
    (facts(IMPORTANT), [so(WANG), so(LI)], "cleared", ""),
    # one person holding both roles is still one person
    (facts(IMPORTANT), [so(BOTH)], "missing-role", "needs roles deputy, principal"),
    # the dual-role signer and a deputy: the dual one covers principal
    (facts(IMPORTANT), [so(WANG), so(BOTH)], "cleared", ""),
    # the same person signing twice is still one person
    (facts(IMPORTANT), [so(WANG), so(WANG, sha="1" * 40)], "missing-role", "WANG"),
    # the deputy's own writing does not count even next to the principal's sign-off
    (
        facts(IMPORTANT, authors=frozenset({"wang@example.gov.cn"})),
        [so(WANG), so(LI)],
        "missing-role",
        "does not count: they also changed the file",
    ),
    # an unwaived blocking finding blocks an unsigned file
    (facts(blocking=BLOCKED), [], "blocked", "--waive " + "f" * 32),
    # ... and a signed one
    (facts(blocking=BLOCKED), [so(WANG)], "blocked", "codename.project"),
    # a waiver inside a valid sign-off clears it
    (facts(blocking=BLOCKED), [so(WANG, waivers=("f" * 32,))], "cleared", ""),
    # a waiver for another finding does not
    (facts(blocking=BLOCKED), [so(WANG, waivers=("e" * 32,))], "blocked", "codename.project"),
    # a waiver inside an unsigned copy does not count, even next to a valid plain sign-off
    (
        facts(blocking=BLOCKED),
        [so(None, waivers=("f" * 32,), state="bad-signature", problem="not signed"), so(WANG)],
        "blocked",
        "codename.project",
    ),
    # a waiver by a listed signer without a role for the file does not count
    (facts(blocking=BLOCKED), [so(ZHANG, waivers=("f" * 32,)), so(WANG)], "blocked", "codename.project"),
    # a waiver by the file's own author does not count, even with another deputy's sign-off
    (
        facts(blocking=BLOCKED, authors=frozenset({"wang@example.gov.cn"})),
        [so(WANG, waivers=("f" * 32,)), so(ZHOU)],
        "blocked",
        "codename.project",
    ),
    # a waiver by the principal on an important page, the deputy signing plainly: both decided
    (facts(IMPORTANT, blocking=BLOCKED), [so(LI, waivers=("f" * 32,)), so(WANG)], "cleared", ""),
    # a rules file signed by a principal in force now, whose version the chain of trust refused
    (
        replace(facts(("principal",)), not_in_force="not in force"),
        [so(LI)],
        "untrusted-signer",
        "not in force",
    ),
    # a waiver in a sign-off of older bytes does not carry over to new bytes
    (facts(blocking=BLOCKED), [so(WANG, cleared=OTHER, waivers=("f" * 32,))], "blocked", "codename"),
]


@pytest.mark.parametrize(("file", "signoffs", "state", "reason"), DECIDE_CASES)
def test_decide(file: FileFacts, signoffs: list[VerifiedSignOff], state: str, reason: str) -> None:
    status = decide(file, signoffs)
    assert status.state == state, status.reasons
    assert status.publishable is (state == "cleared")
    if reason:
        assert reason in " | ".join(status.reasons)
    else:
        assert status.reasons == ()
    if state == "cleared":
        assert status.signoffs
        assert all(s.signer and not s.problem for s in status.signoffs)


def test_decide_never_clears_blocked_or_unsigned_whatever_the_order() -> None:
    # newest-first is the contract, but the verdict must not depend on it
    signoffs = [so(None, state="bad-signature", problem="not signed"), so(WANG, cleared=OTHER), so(WANG)]
    for order in (signoffs, list(reversed(signoffs))):
        assert decide(facts(), order).state == "cleared"
        assert decide(facts(blocking=BLOCKED), order).state == "blocked"


ROLE_CASES = [
    # nothing required is trivially covered (decide also insists on at least one signer)
    ((), [], True),
    # one deputy for a deputy role
    (("deputy",), [WANG], True),
    # a principal does not stand in for a deputy
    (("deputy",), [LI], False),
    # a signer without roles covers nothing
    (("deputy",), [ZHANG], False),
    # two roles need two people, even if one holds both
    (("deputy", "principal"), [BOTH], False),
    # the dual-role signer takes principal so the deputy can take deputy (matching, either order)
    (("deputy", "principal"), [BOTH, WANG], True),
    (("deputy", "principal"), [WANG, BOTH], True),
    # the same person twice is one person
    (("deputy", "principal"), [WANG, WANG], False),
    # two deputies do not make a principal
    (("deputy", "principal"), [WANG, ZHOU], False),
    # a role named twice is required once
    (("deputy", "deputy"), [WANG], True),
]


@pytest.mark.parametrize(("required", "people", "covered"), ROLE_CASES)
def test_roles_covered(required: tuple[str, ...], people: list[Signer], covered: bool) -> None:
    assert roles_covered(required, people) is covered


WROTE_CASES = [
    # the author email is the signer's
    (frozenset({"wang@example.gov.cn"}), frozenset(), True),
    # the change was signed with the signer's key, whatever email it claims
    (frozenset({"zhang@example.gov.cn"}), frozenset({"SHA256:wang"}), True),
    # someone else's email and key
    (frozenset({"zhang@example.gov.cn"}), frozenset({"SHA256:zhang"}), False),
    # nobody changed it
    (frozenset(), frozenset(), False),
]


@pytest.mark.parametrize(("emails", "keys", "expected"), WROTE_CASES)
def test_wrote(emails: frozenset[str], keys: frozenset[str], expected: bool) -> None:
    assert wrote(WANG, emails, keys) is expected


FINGERPRINT_CASES = [
    # as `ssh-keygen -lf` prints it
    (ED25519, ED25519_FP),
    # the comment is not part of the key
    (ED25519.removesuffix(" wang"), ED25519_FP),
    (ED25519.replace(" wang", " someone else"), ED25519_FP),
    # ECDSA keys too
    (ECDSA, ECDSA_FP),
]


@pytest.mark.parametrize(("key", "fingerprint"), FINGERPRINT_CASES)
def test_key_fingerprint(key: str, fingerprint: str) -> None:
    assert key_fingerprint(key) == fingerprint


@pytest.mark.parametrize(
    "key",
    [
        "",  # nothing
        "ssh-ed25519",  # no key material
        "AAAAC3NzaC1lZDI1NTE5AAAAIO2EhavbkLRuUaQCM5ckc4StuxuxzWshpDj1",  # no type
        "rsa AAAAC3NzaC1lZDI1NTE5",  # not an OpenSSH type name
        "ssh-ed25519 not*base64!",  # not base64
        "cert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x",  # allowed-signers options are not keys
    ],
)
def test_key_fingerprint_rejects(key: str) -> None:
    with pytest.raises(ValueError, match="not an OpenSSH public key"):
        key_fingerprint(key)


SIGNERS_OK = f"""\
schema_version: 1
signers:
  - id: wang
    name: 王建国
    email: Wang@Example.gov.cn
    roles: [deputy]
    keys: ["{ED25519}"]
    valid_until: 2027-12-31
  - id: li
    name: 李明
    email: [li@example.gov.cn, li.ming@example.gov.cn]
    roles: principal
    keys: ["{ECDSA}"]
    revoked: true
"""


def test_parse_signers() -> None:
    signers = parse_signers(SIGNERS_OK.encode())
    wang, li = signers.signers
    assert (wang.id, wang.name, wang.emails, wang.roles) == (
        "wang",
        "王建国",
        ("wang@example.gov.cn",),  # emails compare lower-case
        frozenset({"deputy"}),
    )
    assert wang.fingerprints == {ED25519_FP}
    assert wang.valid_until == datetime.date(2027, 12, 31)
    assert li.emails == ("li@example.gov.cn", "li.ming@example.gov.cn")
    assert li.roles == {"principal"}
    assert li.revoked
    assert signers.by_fingerprint(ECDSA_FP) is li
    assert signers.by_fingerprint("SHA256:nobody") is None
    assert signers.by_email("LI.MING@example.gov.cn") is li
    assert signers.allowed_signers().splitlines() == [f"wang {ED25519}", f"li {ECDSA}"]


VALID_AT_CASES = [
    # before and on the last valid day
    (datetime.date(2027, 12, 31), False, datetime.datetime(2027, 12, 31, 23, tzinfo=datetime.UTC), True),
    # the day after
    (datetime.date(2027, 12, 31), False, datetime.datetime(2028, 1, 1, tzinfo=datetime.UTC), False),
    # no limit
    (None, False, datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC), True),
    # revoked is revoked at any date
    (None, True, datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), False),
]


@pytest.mark.parametrize(("until", "revoked", "when", "valid"), VALID_AT_CASES)
def test_signer_valid_at(
    until: datetime.date | None, revoked: bool, when: datetime.datetime, valid: bool
) -> None:
    signer = Signer(
        id="x",
        name="x",
        emails=(),
        roles=frozenset(),
        keys=(),
        fingerprints=frozenset(),
        valid_until=until,
        revoked=revoked,
    )
    assert signer.valid_at(when) is valid


SIGNER = f'  - id: wang\n    email: wang@example.gov.cn\n    roles: [deputy]\n    keys: ["{ED25519}"]\n'
NO_EMAIL = SIGNER.replace("    email: wang@example.gov.cn\n", "")
BAD_SIGNERS = [
    # not YAML
    (b"schema_version: 1\nsigners: [\n", "cannot parse"),
    # not UTF-8
    (b"\xff\xfe", "cannot parse"),
    # no schema version
    (b"signers: []\n", "schema_version: 1"),
    # a list instead of a mapping
    (b"- wang\n", "schema_version: 1"),
    # nobody
    (b"schema_version: 1\nsigners: []\n", "non-empty list"),
    # an entry without id
    (b"schema_version: 1\nsigners:\n  - name: x\n", "'id'"),
    # a role Baomi does not know
    (f"schema_version: 1\nsigners:\n{SIGNER.replace('deputy', 'admin')}".encode(), "unknown role"),
    # the same id twice
    (f"schema_version: 1\nsigners:\n{SIGNER}{SIGNER}".encode(), "unique"),
    # the same key for two people
    (f"schema_version: 1\nsigners:\n{SIGNER}{SIGNER.replace('wang', 'li', 1)}".encode(), "more than once"),
    # a date that is not a date
    (f"schema_version: 1\nsigners:\n{SIGNER}    valid_until: someday\n".encode(), "valid_until"),
    # a key that is not a key
    (
        f"schema_version: 1\nsigners:\n{SIGNER.replace(ED25519, 'hello')}".encode(),
        "not an OpenSSH public key",
    ),
    # roles as a mapping
    (f"schema_version: 1\nsigners:\n{SIGNER.replace('[deputy]', '{a: 1}')}".encode(), "list of strings"),
    # no email: a signer's own commits could not be recognised
    (f"schema_version: 1\nsigners:\n{NO_EMAIL}".encode(), "email"),
    # an empty email list is no email either
    (f"schema_version: 1\nsigners:\n{SIGNER.replace('wang@example.gov.cn', '[]')}".encode(), "email"),
]


@pytest.mark.parametrize(("data", "message"), BAD_SIGNERS)
def test_parse_signers_rejects(data: bytes, message: str) -> None:
    with pytest.raises(TrustError, match=message):
        parse_signers(data)


def test_parse_policy() -> None:
    policy = parse_policy(
        b"schema_version: 1\nrequire:\n  default: deputy\n  important: [deputy, principal]\n"
        b"  rules: [principal]\n"
    )
    assert policy.default == ("deputy",)
    assert policy.important == ("deputy", "principal")
    assert policy.config == ()  # not named: nothing beyond the default
    assert policy.rules == ("principal",)


BAD_POLICIES = [
    # not YAML
    (b"require: [\n", "cannot parse"),
    # no schema version
    (b"require:\n  default: [deputy]\n  rules: [principal]\n", "schema_version"),
    # no require
    (b"schema_version: 1\n", "'require'"),
    # a role Baomi does not know
    (b"schema_version: 1\nrequire:\n  default: [boss]\n  rules: [principal]\n", "unknown role"),
    # nobody needs to sign pages: refused, not read as "publish freely"
    (b"schema_version: 1\nrequire:\n  default: []\n  rules: [principal]\n", "at least one role"),
    # nobody needs to sign the rules
    (b"schema_version: 1\nrequire:\n  default: [deputy]\n  rules: []\n", "at least one role"),
    # a number instead of roles
    (b"schema_version: 1\nrequire:\n  default: 3\n  rules: [principal]\n", "list of strings"),
]


@pytest.mark.parametrize(("data", "message"), BAD_POLICIES)
def test_parse_policy_rejects(data: bytes, message: str) -> None:
    with pytest.raises(TrustError, match=message):
        parse_policy(data)


MESSAGES = [
    # one file, no waiver, no comment
    SignOffMessage(cleared=(HERE,), rules_fingerprint="sha256:" + "a" * 64, waivers=()),
    # several files, waivers with Chinese reasons and spaces
    SignOffMessage(
        cleared=(HERE, cleared_for("content/img/map.png", b"\x89PNG")),
        rules_fingerprint="sha256:" + "b" * 64,
        waivers=(
            Waiver(fingerprint="c" * 32, reason="已公开的计划生育服务站名称"),
            Waiver(fingerprint="d" * 32, reason="经核实 不涉密"),
        ),
    ),
    # a path with spaces and Chinese characters
    SignOffMessage(
        cleared=(cleared_for("content/通知 2026.md", DATA),),
        rules_fingerprint="sha256:" + "e" * 64,
        waivers=(),
    ),
]


@pytest.mark.parametrize("message", MESSAGES)
def test_signoff_message_round_trip(message: SignOffMessage) -> None:
    text = format_message(message)
    assert text.startswith(f"baomi: 审核签发 {len(message.cleared)} 个文件\n")
    assert parse_message(text) == message
    assert mentions_signoff(text)


def test_signoff_message_keeps_the_comment_out_of_the_trailers() -> None:
    message = SignOffMessage(cleared=(HERE,), rules_fingerprint="", waivers=(), comment="同意发布。")
    text = format_message(message)
    assert "\n\n同意发布。\n\n" in text
    assert parse_message(text) == message  # the comment reads back as the comment, not a trailer


TRAILER = f"Baomi-Cleared: {PATH} blob={BLOB} sha256={SHA256}"
PARSE_CASES = [
    # no trailer: not a sign-off
    ("Fix a typo\n", None),
    # a comment mentioning the trailer name is not a trailer
    ("see Baomi-Cleared: lines\n", None),
    # indented (as `git merge --squash` quotes it): not a sign-off
    (f"Squashed commit\n\n    {TRAILER}\n", None),
    # a short blob id is not a blob id
    (f"Baomi-Cleared: {PATH} blob={BLOB[:10]} sha256={SHA256}\n", None),
    # upper-case hex is not what git or Baomi writes
    (f"Baomi-Cleared: {PATH} blob={BLOB.upper()} sha256={SHA256}\n", None),
    # trailing spaces are tolerated
    (f"x\n\n{TRAILER}   \n", (HERE,)),
    # CRLF line ends are tolerated
    (f"x\r\n\r\n{TRAILER}\r\n", (HERE,)),
]


@pytest.mark.parametrize(("text", "cleared"), PARSE_CASES)
def test_parse_message(text: str, cleared: tuple[Cleared, ...] | None) -> None:
    message = parse_message(text)
    assert (message.cleared if message else None) == cleared


QUOTED_CASES = [
    # `git merge --squash`: every squashed message indented by four spaces
    f"Squashed commit of the following:\n\ncommit abc\n\n    baomi: 审核签发 1 个文件\n\n    {TRAILER}\n",
    # a bulleted list of squashed messages
    f"Title (#12)\n\n* baomi: 审核签发 1 个文件\n\n* {TRAILER}\n",
    # quoted like mail
    f"> {TRAILER}\n",
]


@pytest.mark.parametrize("text", QUOTED_CASES)
def test_parse_quoted(text: str) -> None:
    assert parse_message(text) is None
    quoted = parse_quoted(text)
    assert quoted is not None
    assert quoted.cleared == (HERE,)


def test_parse_quoted_needs_a_trailer() -> None:
    assert parse_quoted("Squashed commit\n\n    Fix a typo\n") is None


BLOB_CASES = [
    # what `git hash-object` prints
    (b"", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"),
    (b"hello\n", "ce013625030ba8dba906f756967f9e9ca394464a"),
]


@pytest.mark.parametrize(("data", "blob"), BLOB_CASES)
def test_blob_id(data: bytes, blob: str) -> None:
    assert blob_id(data) == blob
    assert cleared_for("x", data) == Cleared(path="x", blob=blob, sha256=hashlib.sha256(data).hexdigest())


def commit(sha: str, when: datetime.datetime, *parents: str) -> Commit:
    return Commit(
        sha=sha,
        parents=parents,
        author_name="",
        author_email="",
        committed=when,
        signature="G",
        key="",
        message="",
        paths=(),
    )


OLD = datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC)
NOT_BEFORE_CASES = [
    # no parents: its own date
    (commit("a", OLD), {}, OLD),
    # a backdated commit is believed no older than its newest parent
    (commit("a", OLD, "p", "q"), {"p": NOW, "q": OLD}, NOW),
    # a parent outside the history read: its own date
    (commit("a", NOW, "p"), {}, NOW),
    # an older parent does not make it older
    (commit("a", NOW, "p"), {"p": OLD}, NOW),
]


@pytest.mark.parametrize(("made", "dates", "expected"), NOT_BEFORE_CASES)
def test_not_before(made: Commit, dates: dict[str, datetime.datetime], expected: datetime.datetime) -> None:
    assert not_before(made, dates) == expected


_EVIL = cleared_for("content/news/evil.md", b"# secret\n")
_INJECTED = f"Baomi-Cleared: {_EVIL.path} blob={_EVIL.blob} sha256={_EVIL.sha256}"


@pytest.mark.parametrize(
    "brk", ["\n", "\r", "\u2028", "\u2029", "\x85", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c"]
)
def test_a_path_cannot_carry_a_trailer_of_its_own(brk: str) -> None:
    """A file named `a.md<break>Baomi-Cleared: …` must not make a sign-off of it clear another."""
    named = cleared_for(f"content/a.md{brk}{_INJECTED}", DATA)
    with pytest.raises(InputError, match="line break or a control character"):
        format_message(SignOffMessage(cleared=(named,), rules_fingerprint="sha256:" + "a" * 64, waivers=()))
    # A message written by other means (a drafter's commit a leader rebases) is read as git
    # ends lines: the injected trailer is part of a longer line, which matches no trailer.
    forged = (
        f"baomi: 审核签发 1 个文件\n\nBaomi-Cleared: {named.path} blob={named.blob} sha256={named.sha256}\n"
        f"Baomi-Rules: sha256:{'a' * 64}\n"
    )
    parsed = parse_message(forged)
    paths = [c.path for c in parsed.cleared] if parsed else []
    assert _EVIL.path not in paths or brk == "\n"


_PATHS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=400, deadline=None)
@given(name=_PATHS, other=_PATHS, comment=st.text(max_size=30) | st.just(f"同意\n {_INJECTED}"))
def test_signing_one_file_never_clears_another(name: str, other: str, comment: str) -> None:
    """Any path from the whole of Unicode: the message either refuses it, or reads back as
    exactly that one file, and its sealed payload names nothing else."""
    named = cleared_for(f"content/{name}", DATA)
    message = SignOffMessage(
        cleared=(named,),
        rules_fingerprint="sha256:" + "a" * 64,
        waivers=(),
        comment=comment,
        parent="b" * 40,
        seal="c" * 60,
    )
    try:
        text = format_message(message)
    except InputError as error:
        assert unsafe_path(named.path) or (_INJECTED in comment and "trailer" in str(error))
        return
    parsed = parse_message(text)
    assert parsed is not None
    assert parsed.cleared == (named,)
    assert (parsed.parent, parsed.seal) == (message.parent, message.seal)
    assert all(c.path != f"content/{other}" or other == name for c in parsed.cleared)
    assert payload(parsed).count(b"\ncleared ") == 1
