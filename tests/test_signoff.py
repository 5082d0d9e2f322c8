"""Sign-off end to end, tested like an attacker: real git repositories, real `ssh-keygen` keys,
`baomi sign`/`status`/`review` through the CLI, and hand-made commits for the forgeries that
`baomi sign` would refuse to make. Every attack asserts the exact state and exit code."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from screen.signoff import SignOffMessage, Waiver, cleared_for, format_message
from tests.conftest import RULES, Run

Cli = Callable[..., Run]

RULES_FP = "sha256:" + "0" * 64  # hand-made sign-offs: the gate does not compare this trailer


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    roles: tuple[str, ...] = ()
    extra: str = ""  # more signers.yml lines (valid_until, revoked)
    listed: bool = True  # in the root rules/signers.yml


WANG = Person("wang", "王建国", "wang@example.gov.cn", ("deputy",))  # 分管领导
LI = Person("li", "李明", "li@example.gov.cn", ("principal",))  # 主要领导
ZHAO = Person("zhao", "赵铁", "zhao@example.gov.cn", ("deputy",), "    valid_until: 2020-01-01\n")
SUN = Person("sun", "孙平", "sun@example.gov.cn", ("deputy",), "    revoked: true\n")
ZHANG = Person("zhang", "张小文", "zhang@example.gov.cn")  # drafter (撰稿人): listed, no role
LIU = Person("liu", "刘外", "liu@example.com", listed=False)  # outsider
CHEN = Person("chen", "陈新", "chen@example.gov.cn", ("deputy",), listed=False)  # added later
ZHOU = Person("zhou", "周正", "zhou@example.gov.cn", ("deputy",))  # a second deputy
PEOPLE = (WANG, LI, ZHAO, SUN, ZHANG, LIU, CHEN, ZHOU)

POLICY = """\
schema_version: 1
require:
  default: [deputy]
  important: [deputy, principal]
  config: [principal]
  rules: [principal]
"""
PAGES = {
    "content/index.md": "---\ntitle: 青溪县人民政府\n---\n\n# 欢迎访问\n\n本网站发布政务信息。\n",
    "content/news/a.md": "# 春耕备耕工作会议召开\n\n会议要求各乡镇做好农资供应和技术指导。\n",
    "content/news/b.md": "# 防汛工作部署会\n\n会议部署了汛期值班和物资储备工作。\n",
    "content/important.md": (
        "---\ntitle: 政府工作报告\nimportant: true\n---\n\n# 政府工作报告\n\n今年全县经济平稳增长。\n"
    ),
}
BLOCKING = "# 项目进展\n\n关于青松计划的通知已经下发。\n"  # codename.project: block


def signers_yaml(people: tuple[Person, ...], keys: Path) -> str:
    lines = ["schema_version: 1", "signers:"]
    for person in people:
        key = (keys / f"{person.id}.pub").read_text(encoding="utf-8").strip()
        lines += [
            f"  - id: {person.id}",
            f"    name: {person.name}",
            f"    email: {person.email}",
            f"    roles: [{', '.join(person.roles)}]",
            f'    keys: ["{key}"]',
        ]
        if person.extra:
            lines.append(person.extra.rstrip("\n"))
    return "\n".join(lines) + "\n"


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty HOME and no global or system git config: the tests never touch the user's."""
    home = tmp_path_factory.mktemp("home")
    (home / "gitconfig").write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for name in list(os.environ):
            if name.startswith("GIT_") and name not in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"):
                patch.delenv(name)
        patch.delenv("SSH_AUTH_SOCK", raising=False)
        yield home


@pytest.fixture(scope="module")
def keys(home: Path) -> Path:
    """A real ed25519 key pair per person (private keys 0600, as ssh-keygen requires)."""
    directory = home / "keys"
    directory.mkdir()
    for person in PEOPLE:
        path = directory / person.id
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", person.id, "-f", str(path)], check=True
        )
        path.chmod(0o600)
    return directory


@pytest.fixture(scope="module")
def base(home: Path, keys: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portal as the drafter committed it: rules, signers, policy, four pages; nothing signed.
    Its first commit adds rules/signers.yml, so it is the root of trust."""
    root = tmp_path_factory.mktemp("base") / "portal"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(RULES / "terms", root / "rules" / "terms")
    shutil.copytree(RULES / "patterns", root / "rules" / "patterns")
    listed = tuple(p for p in PEOPLE if p.listed)
    (root / "rules" / "signers.yml").write_text(signers_yaml(listed, keys), encoding="utf-8")
    (root / "rules" / "policy.yml").write_text(POLICY, encoding="utf-8")
    for name, text in PAGES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    Portal(root=root, keys=keys, cli=None).commit(ZHANG, "初始化门户")
    return root


@pytest.fixture(scope="session")
def engine_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine-cache")


@dataclass
class Portal:
    """One test's copy of the portal, with git and `baomi` acting as a given person."""

    root: Path
    keys: Path
    cli: Cli | None

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return git(self.root, *args, env=env)

    def write(self, path: str, text: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(text, encoding="utf-8")

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def identity(self, who: Person, *, key: Person | None = None) -> list[str]:
        signer = key or who
        return [
            "-c", f"user.name={who.name}",
            "-c", f"user.email={who.email}",
            "-c", "gpg.format=ssh",
            "-c", f"user.signingkey={self.keys / signer.id}.pub",
        ]  # fmt: skip

    def commit(self, who: Person, message: str, *, sign: bool = False, date: str = "") -> str:
        """Commit everything in the working tree as `who` (unsigned unless `sign`)."""
        self.git("add", "-A")
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
        flag = "-S" if sign else "--no-gpg-sign"
        self.git(*self.identity(who), "commit", "-q", flag, "-m", message, env=env)
        return self.head()

    def by_hand(
        self,
        who: Person,
        message: str,
        *,
        key: Person | None = None,
        signed: bool = True,
        date: str = "",
    ) -> str:
        """An empty commit made without `baomi sign`: `who` as author, signed by `key` (default
        `who`) or not at all."""
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
        flag = "-S" if signed else "--no-gpg-sign"
        self.git(*self.identity(who, key=key), "commit", "-q", "--allow-empty", flag, "-m", message, env=env)
        return self.head()

    def message_for(self, *paths: str, waivers: tuple[tuple[str, str], ...] = ()) -> str:
        """A well-formed sign-off message for the current bytes of `paths`."""
        return format_message(
            SignOffMessage(
                cleared=tuple(cleared_for(p, self.read(p)) for p in paths),
                rules_fingerprint=RULES_FP,
                waivers=tuple(Waiver(fingerprint=fp, reason=r) for fp, r in waivers),
            )
        )

    def act_as(self, who: Person) -> None:
        """Repository-local git identity and SSH signing key, as a leader sets them up."""
        self.git("config", "user.name", who.name)
        self.git("config", "user.email", who.email)
        self.git("config", "gpg.format", "ssh")
        self.git("config", "user.signingkey", f"{self.keys / who.id}.pub")

    def baomi(self, *args: str, cwd: Path | None = None) -> Run:
        assert self.cli is not None
        return self.cli(list(args), cwd=cwd or self.root)

    def sign(self, who: Person, *args: str) -> Run:
        self.act_as(who)
        return self.baomi("sign", *args)

    def status(self, *args: str) -> tuple[Run, dict[str, dict[str, Any]], dict[str, Any]]:
        """`baomi status --format json`: the run, each file's record by path, the document."""
        run = self.baomi("status", "--format", "json", *args)
        assert run.out, run.err
        document = json.loads(run.out)
        return run, {f["path"]: f for f in document["files"]}, document

    def state(self, path: str, *args: str) -> tuple[str, int, str]:
        """(state, exit code, reasons joined) of one file."""
        run, files, _ = self.status(path, *args)
        record = files[path]
        assert record["publishable"] is (record["state"] == "cleared")
        return str(record["state"]), run.code, " | ".join(map(str, record["reasons"]))

    def fingerprints(self, path: str) -> list[str]:
        """Fingerprints of the blocking findings `baomi check` reports for `path`."""
        run = self.baomi("check", path, "--format", "json")
        return [f["fingerprint"] for f in json.loads(run.out)["findings"] if f["level"] == "block"]


@pytest.fixture
def portal(
    base: Path, keys: Path, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, engine_cache: Path
) -> Portal:
    # One engine cache for the module: building the rules engine is the slow part, and the cache
    # is keyed by the rule files, so a test that adds a rule gets its own entry.
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(engine_cache))
    root = tmp_path / "portal"
    shutil.copytree(base, root, symlinks=True)
    return Portal(root=root, keys=keys, cli=cli)


A = "content/news/a.md"
B = "content/news/b.md"
IMPORTANT = "content/important.md"
SECRET = "content/news/secret.md"


# --- the legitimate flow ------------------------------------------------------------------------


def test_unsigned_content_is_not_publishable(portal: Portal) -> None:
    state, code, reasons = portal.state(A)
    assert (state, code) == ("unsigned", 1)
    assert f"baomi sign {A}" in reasons


def test_legit_signoff_clears_the_page(portal: Portal) -> None:
    before = portal.head()
    run = portal.sign(WANG, A, "-m", "同意发布")
    assert run.code == 0, run.err
    assert "王建国" in run.out
    assert portal.git("rev-parse", "HEAD~1") == before
    assert portal.git("diff", "--name-only", "HEAD~1", "HEAD") == ""  # no change to published files
    message = portal.git("log", "-1", "--format=%B")
    cleared = cleared_for(A, portal.read(A))
    assert f"Baomi-Cleared: {A} blob={cleared.blob} sha256={cleared.sha256}" in message
    assert "Baomi-Rules: sha256:" in message
    assert "-----BEGIN SSH SIGNATURE-----" in portal.git("cat-file", "commit", "HEAD")
    _, files, document = portal.status(A)
    assert document["schema_version"] == 1
    record = files[A]
    assert {"path", "state", "publishable", "reasons", "signoffs"} <= set(record)
    assert (record["state"], record["publishable"], record["reasons"]) == ("cleared", True, [])
    assert [s["signer"] for s in record["signoffs"]] == ["wang"]
    assert portal.state(A)[:2] == ("cleared", 0)


def test_everything_signed_is_publishable(portal: Portal) -> None:
    assert portal.sign(WANG, A, B, "content/index.md", IMPORTANT).code == 0
    assert portal.sign(LI, IMPORTANT, "rules/signers.yml", "rules/policy.yml").code == 0
    run, files, document = portal.status()
    assert run.code == 0, run.out
    assert document["publishable"] is True
    assert document["trust_problems"] == []
    assert set(files) == {A, B, "content/index.md", IMPORTANT, "rules/signers.yml", "rules/policy.yml"}
    assert {f["state"] for f in files.values()} == {"cleared"}
    text = portal.baomi("status")
    assert text.code == 0
    assert "6/6 file(s) cleared; publishable" in text.out


def test_edit_after_signoff_is_stale(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.write(A, PAGES[A] + "\n补充一段说明。\n")
    state, code, reasons = portal.state(A)  # uncommitted: what would be published now
    assert (state, code) == ("stale", 1)
    assert "changed after its sign-off" in reasons
    portal.commit(ZHANG, "补充说明")
    assert portal.state(A)[:2] == ("stale", 1)


# --- forged and foreign signatures --------------------------------------------------------------


def test_unsigned_commit_with_copied_signoff_message(portal: Portal) -> None:
    # A real sign-off exists on a branch nobody merged; its message is copied into an unsigned
    # commit on main, even with the leader as author. Only the signature counts.
    portal.git("switch", "-q", "-c", "review")
    assert portal.sign(WANG, A).code == 0
    copied = portal.git("log", "-1", "--format=%B")
    portal.git("switch", "-q", "main")
    portal.by_hand(WANG, copied, signed=False)
    state, code, reasons = portal.state(A)
    assert (state, code) == ("bad-signature", 1)
    assert "not signed" in reasons
    assert "merge commit" in reasons


def test_tampered_signed_commit_is_a_bad_signature(portal: Portal) -> None:
    # The leader signed b.md; the attacker rewrites the signed commit object to name a.md instead
    # and keeps the signature header: git reports B (bad), and nothing is cleared.
    portal.by_hand(WANG, portal.message_for(B))
    raw = portal.git("cat-file", "commit", "HEAD")
    theirs, ours = cleared_for(B, portal.read(B)), cleared_for(A, portal.read(A))
    forged = raw.replace(
        f"{B} blob={theirs.blob} sha256={theirs.sha256}", f"{A} blob={ours.blob} sha256={ours.sha256}"
    )
    assert forged != raw
    done = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=portal.root,
        input=forged + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    portal.git("reset", "-q", "--soft", done.stdout.strip())
    state, code, reasons = portal.state(A)
    assert (state, code) == ("bad-signature", 1)
    assert "does not verify" in reasons


def test_signature_by_a_key_not_in_signers(portal: Portal) -> None:
    # The outsider signs with their own key and poses as the deputy (author name and email):
    # git does not tie a key to an email, Baomi maps keys to people itself.
    portal.by_hand(WANG, portal.message_for(A), key=LIU)
    assert portal.git("log", "-1", "--format=%ae") == WANG.email
    state, code, reasons = portal.state(A)
    assert (state, code) == ("untrusted-signer", 1)
    assert "not in rules/signers.yml" in reasons


def test_signer_key_not_listed_cannot_use_baomi_sign(portal: Portal) -> None:
    before = portal.head()
    run = portal.sign(LIU, A)
    assert run.code == 2
    assert "not in rules/signers.yml" in run.err
    assert portal.head() == before


def test_expired_signer(portal: Portal) -> None:
    # valid_until 2020-01-01 in signers.yml; the signature is made now
    before = portal.head()
    run = portal.sign(ZHAO, A)
    assert run.code == 2
    assert "valid_until" in run.err
    assert portal.head() == before
    portal.by_hand(ZHAO, portal.message_for(A))
    state, code, reasons = portal.state(A)
    assert (state, code) == ("untrusted-signer", 1)
    assert "valid only until 2020-01-01" in reasons


def test_revoked_signer(portal: Portal) -> None:
    before = portal.head()
    run = portal.sign(SUN, A)
    assert run.code == 2
    assert "revoked" in run.err
    assert portal.head() == before
    # revocation is absolute: a signature dated before it does not count either
    portal.by_hand(SUN, portal.message_for(A), date="2019-06-01T10:00:00+08:00")
    state, code, reasons = portal.state(A)
    assert (state, code) == ("untrusted-signer", 1)
    assert "revoked" in reasons


# --- roles and separation of duties -------------------------------------------------------------


def test_drafter_without_a_role_cannot_sign(portal: Portal) -> None:
    before = portal.head()
    run = portal.sign(ZHANG, A)
    assert run.code == 2
    assert "needs role deputy; 张小文 holds no role" in run.err
    assert portal.head() == before
    # signed by hand with the drafter's listed key: a good signature, but no role (and their own
    # page besides)
    portal.by_hand(ZHANG, portal.message_for(A))
    state, code, reasons = portal.state(A)
    assert (state, code) == ("missing-role", 1)
    assert "needs roles deputy" in reasons


def test_leader_cannot_clear_own_writing(portal: Portal) -> None:
    portal.write(B, PAGES[B] + "\n领导修改的段落。\n")
    portal.commit(WANG, "修改防汛稿件")
    before = portal.head()
    run = portal.sign(WANG, B)
    assert run.code == 2
    assert "changed content/news/b.md" in run.err
    assert portal.head() == before
    portal.by_hand(WANG, portal.message_for(B))
    state, code, reasons = portal.state(B)
    assert (state, code) == ("self-approved", 1)
    assert "王建国" in reasons


def test_important_page_needs_both_roles_from_different_people(portal: Portal) -> None:
    assert portal.sign(WANG, IMPORTANT).code == 0
    state, code, reasons = portal.state(IMPORTANT)
    assert (state, code) == ("missing-role", 1)
    assert "deputy, principal" in reasons
    assert portal.sign(LI, IMPORTANT).code == 0
    run, files, _ = portal.status(IMPORTANT)
    assert (files[IMPORTANT]["state"], run.code) == ("cleared", 0)
    assert sorted(s["signer"] for s in files[IMPORTANT]["signoffs"]) == ["li", "wang"]


def test_principal_alone_does_not_clear_a_default_page(portal: Portal) -> None:
    run = portal.sign(LI, A)
    assert run.code == 2
    assert "needs role deputy" in run.err
    portal.by_hand(LI, portal.message_for(A))
    assert portal.state(A)[:2] == ("missing-role", 1)


# --- screening is part of clearance -------------------------------------------------------------


def add_secret(portal: Portal, who: Person = ZHANG) -> str:
    portal.write(SECRET, BLOCKING)
    portal.commit(who, "项目进展稿")
    [fingerprint] = portal.fingerprints(SECRET)
    return fingerprint


def test_blocking_finding_without_a_waiver(portal: Portal) -> None:
    fingerprint = add_secret(portal)
    state, code, reasons = portal.state(SECRET)
    assert (state, code) == ("blocked", 1)
    assert f"--waive {fingerprint}" in reasons
    assert "青松计划" not in reasons  # status redacts
    before = portal.head()
    run = portal.sign(WANG, SECRET)
    assert run.code == 2
    assert "codename.project" in run.err
    assert f"--waive {fingerprint}" in run.err
    assert portal.head() == before
    # a sign-off made by hand without the waiver leaves it blocked
    portal.by_hand(WANG, portal.message_for(SECRET))
    assert portal.state(SECRET)[:2] == ("blocked", 1)


def test_blocking_finding_with_a_waiver(portal: Portal) -> None:
    fingerprint = add_secret(portal)
    run = portal.sign(WANG, SECRET, "--waive", fingerprint, "--reason", "已公开的计划生育服务项目")
    assert run.code == 0, run.err
    assert f"Baomi-Waive: {fingerprint} 已公开的计划生育服务项目" in portal.git("log", "-1", "--format=%B")
    assert portal.state(SECRET)[:2] == ("cleared", 0)


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


def test_status_since_covers_what_a_branch_changed(portal: Portal) -> None:
    portal.git("branch", "base")
    run = portal.baomi("status", "--since", "base")
    assert run.code == 0 and "nothing to clear" in run.err
    portal.write(A, PAGES[A] + "\n补充。\n")
    portal.write(SECRET, BLOCKING)
    portal.commit(ZHANG, "两篇稿件")
    run, files, _ = portal.status("--since", "base")
    assert run.code == 1
    assert {p: f["state"] for p, f in files.items()} == {A: "unsigned", SECRET: "blocked"}
    markdown = portal.baomi("status", "--since", "base", "--format", "markdown")
    assert markdown.code == 1
    assert f"| `{A}` | ⛔ unsigned |" in markdown.out
    assert "青松计划" not in markdown.out
    assert portal.sign(WANG, A).code == 0
    portal.git("rm", "-q", SECRET)
    portal.commit(ZHANG, "撤下")
    run, files, _ = portal.status("--since", "base")
    assert (run.code, list(files)) == (0, [A])
    assert "✅ cleared" in portal.baomi("status", "--since", "base", "--format", "markdown").out
    assert portal.baomi("status", A, "--since", "base").code == 2


def test_sign_refuses_an_unknown_waiver(portal: Portal) -> None:
    add_secret(portal)
    before = portal.head()
    run = portal.sign(WANG, SECRET, "--waive", "0" * 32, "--reason", "无")
    assert run.code == 2
    assert "no finding has fingerprint" in run.err
    run = portal.sign(WANG, SECRET, "--waive", "0" * 32)
    assert run.code == 2
    assert "--reason" in run.err
    assert portal.head() == before


def test_waiver_in_an_unsigned_copy_does_not_count(portal: Portal) -> None:
    fingerprint = add_secret(portal)
    waiver = ((fingerprint, "已公开"),)
    portal.by_hand(WANG, portal.message_for(SECRET, waivers=waiver), signed=False)
    assert portal.state(SECRET)[:2] == ("blocked", 1)
    # not even next to a valid sign-off of the same bytes that carries no waiver
    portal.by_hand(WANG, portal.message_for(SECRET))
    assert portal.state(SECRET)[:2] == ("blocked", 1)


def test_waiver_by_a_signer_without_a_role_does_not_count(portal: Portal) -> None:
    # The drafter is listed (no role) and did not write this page; their validly signed waiver is
    # not a reviewer's decision, so a deputy's plain sign-off of the same bytes leaves it blocked.
    fingerprint = add_secret(portal, who=LIU)
    portal.by_hand(ZHANG, portal.message_for(SECRET, waivers=((fingerprint, "无妨"),)))
    portal.by_hand(WANG, portal.message_for(SECRET))
    assert portal.state(SECRET)[:2] == ("blocked", 1)


def test_new_rules_block_a_cleared_page(portal: Portal) -> None:
    portal.write(B, "# 松涛项目简报\n\n松涛项目进展顺利。\n")
    portal.commit(ZHANG, "简报")
    assert portal.sign(WANG, B).code == 0
    assert portal.state(B)[:2] == ("cleared", 0)
    portal.write(
        "rules/terms/new.yml",
        "id: codename.songtao\nlevel: block\nmessage: 内部项目代号\nterms: [松涛项目]\n"
        "hits: [松涛项目启动]\nmisses: [松涛阵阵]\n",
    )
    state, code, reasons = portal.state(B)
    assert (state, code) == ("blocked", 1)
    assert "codename.songtao" in reasons


# --- history: renames, branches, merges ---------------------------------------------------------


def test_rename_after_signoff_is_stale(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.git("mv", A, "content/news/renamed.md")
    portal.commit(ZHANG, "改名")
    state, code, reasons = portal.state("content/news/renamed.md")
    assert (state, code) == ("stale", 1)
    assert f"signed as {A}" in reasons
    assert "rename" in reasons


def test_signoff_only_on_an_unmerged_branch(portal: Portal) -> None:
    portal.git("switch", "-q", "-c", "review")
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A, "--trust-ref", "main")[:2] == ("cleared", 0)  # the pull request's check
    portal.git("switch", "-q", "main")
    state, code, _ = portal.state(A)
    assert (state, code) == ("unsigned", 1)


def test_merge_commit_keeps_the_signoff(portal: Portal) -> None:
    portal.git("switch", "-q", "-c", "feature")
    portal.write("content/news/new.md", "# 新闻\n\n县里召开了会议。\n")
    portal.commit(ZHANG, "新稿")
    assert portal.sign(WANG, "content/news/new.md").code == 0
    portal.git("switch", "-q", "main")
    portal.git(*portal.identity(ZHANG), "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "合并", "feature")
    assert portal.state("content/news/new.md")[:2] == ("cleared", 0)


def test_squash_merge_drops_the_signoff(portal: Portal) -> None:
    portal.git("switch", "-q", "-c", "feature")
    portal.write("content/news/new.md", "# 新闻\n\n县里召开了会议。\n")
    portal.commit(ZHANG, "新稿")
    assert portal.sign(WANG, "content/news/new.md").code == 0
    portal.git("switch", "-q", "main")
    portal.git("merge", "-q", "--squash", "feature")
    portal.git(*portal.identity(ZHANG), "commit", "-q", "--no-edit", "--no-gpg-sign")
    assert "Baomi-Cleared:" in portal.git("log", "-1", "--format=%B")  # git quotes the messages
    state, code, reasons = portal.state("content/news/new.md")
    assert (state, code) == ("unsigned", 1)
    assert "squash" in reasons
    assert "merge commit" in reasons


def test_rebased_signoff_loses_its_signature(portal: Portal) -> None:
    # A rebase merge re-creates the sign-off commit without the leader's signature.
    portal.git("switch", "-q", "-c", "feature")
    portal.write("content/news/new.md", "# 新闻\n\n县里召开了会议。\n")
    portal.commit(ZHANG, "新稿")
    assert portal.sign(WANG, "content/news/new.md").code == 0
    portal.git("switch", "-q", "main")
    portal.write(B, PAGES[B] + "\n主干上的修改。\n")
    portal.commit(ZHANG, "主干修改")
    portal.git("switch", "-q", "feature")
    portal.git(*portal.identity(ZHANG), "-c", "commit.gpgSign=false", "rebase", "-q", "main")
    state, code, reasons = portal.state("content/news/new.md")
    assert (state, code) == ("bad-signature", 1)
    assert "rebase" in reasons


# --- the chain of trust -------------------------------------------------------------------------

SIGNERS = "rules/signers.yml"
POLICY_PATH = "rules/policy.yml"


def add_chen(portal: Portal, keys: Path) -> None:
    """The change under review adds a new deputy to rules/signers.yml (committed by the drafter)."""
    listed = (*(p for p in PEOPLE if p.listed), CHEN)
    portal.write(SIGNERS, signers_yaml(listed, keys))
    portal.commit(ZHANG, "新增签发人陈新")


def merge(portal: Portal, branch: str) -> None:
    portal.git("switch", "-q", "main")
    portal.git(
        *portal.identity(ZHANG), "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", f"合并 {branch}", branch
    )


def test_signer_added_inside_the_change_under_review(portal: Portal, keys: Path) -> None:
    portal.git("switch", "-q", "-c", "feature")
    add_chen(portal, keys)
    run = portal.sign(CHEN, A)  # not in force on this branch either: the chain says so
    assert run.code == 2
    assert "not in rules/signers.yml" in run.err
    portal.by_hand(CHEN, portal.message_for(A))
    # the pull request's check: trust comes from the base branch
    state, code, reasons = portal.state(A, "--trust-ref", "main")
    assert (state, code) == ("untrusted-signer", 1)
    assert "not in rules/signers.yml" in reasons
    # and the branch's own signers.yml change is not in force without the principal either
    _, files, document = portal.status(A, SIGNERS)
    assert files[A]["state"] == "untrusted-signer"
    assert files[SIGNERS]["state"] == "unsigned"
    assert any("rules/signers.yml changed in" in p for p in document["trust_problems"])


def test_signer_added_and_merged_without_the_principal(portal: Portal, keys: Path) -> None:
    portal.git("switch", "-q", "-c", "feature")
    add_chen(portal, keys)
    portal.by_hand(CHEN, portal.message_for(A))
    portal.by_hand(WANG, portal.message_for(SIGNERS))  # a deputy's sign-off is not enough for rules
    merge(portal, "feature")
    run, files, document = portal.status(A, SIGNERS)
    assert run.code == 1
    assert files[A]["state"] == "untrusted-signer"
    assert files[SIGNERS]["state"] == "missing-role"
    problems = " ".join(document["trust_problems"])
    assert "rules/signers.yml changed in" in problems
    assert "not in force" in problems
    text = portal.baomi("status", A)
    assert "! trust: rules/signers.yml changed in" in text.out


def test_signer_added_with_the_principals_signoff_is_trusted(portal: Portal, keys: Path) -> None:
    portal.git("switch", "-q", "-c", "feature")
    add_chen(portal, keys)
    assert portal.sign(LI, SIGNERS, "-m", "同意增加陈新为分管领导").code == 0
    portal.by_hand(CHEN, portal.message_for(A))
    # on the pull request, with the base branch as trust ref, the new signer is not trusted yet
    assert portal.state(A, "--trust-ref", "main")[:2] == ("untrusted-signer", 1)
    merge(portal, "feature")
    run, files, document = portal.status(A, SIGNERS)
    assert document["trust_problems"] == []
    assert files[SIGNERS]["state"] == "cleared"
    assert files[A]["state"] == "cleared"
    assert files[A]["signoffs"][0]["signer"] == "chen"
    assert run.code == 0
    assert portal.sign(CHEN, B).code == 0  # and `baomi sign` now accepts the key


def test_policy_lowered_without_the_principal(portal: Portal) -> None:
    portal.git("switch", "-q", "-c", "lower")
    portal.write(POLICY_PATH, POLICY.replace("important: [deputy, principal]", "important: [deputy]"))
    portal.commit(ZHANG, "简化重要页面审批")
    run = portal.sign(WANG, POLICY_PATH)
    assert run.code == 2
    assert "needs role principal" in run.err
    portal.by_hand(WANG, portal.message_for(POLICY_PATH))
    merge(portal, "lower")
    assert portal.sign(WANG, IMPORTANT).code == 0
    run, files, document = portal.status(IMPORTANT, POLICY_PATH)
    assert run.code == 1
    assert files[IMPORTANT]["state"] == "missing-role"  # the old policy is still in force
    assert files[POLICY_PATH]["state"] == "missing-role"
    assert any("rules/policy.yml changed in" in p for p in document["trust_problems"])


def test_policy_change_signed_by_the_principal_comes_into_force(portal: Portal) -> None:
    portal.write(POLICY_PATH, POLICY.replace("important: [deputy, principal]", "important: [deputy]"))
    portal.commit(ZHANG, "简化重要页面审批")
    assert portal.sign(LI, POLICY_PATH).code == 0
    assert portal.sign(WANG, IMPORTANT).code == 0
    assert portal.state(IMPORTANT)[:2] == ("cleared", 0)


# --- fail closed --------------------------------------------------------------------------------


def test_shallow_clone_fails_closed(portal: Portal, tmp_path: Path) -> None:
    assert portal.sign(WANG, A).code == 0
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{portal.root}", str(clone))
    run = portal.baomi("status", A, cwd=clone)
    assert run.code == 2
    assert "shallow clone" in run.err
    assert "full history" in run.err
    assert "fetch-depth: 0" in run.err


def test_missing_trust_ref_fails_closed(portal: Portal) -> None:
    run = portal.baomi("status", "--trust-ref", "origin/main")
    assert run.code == 2
    assert "trust ref 'origin/main' does not exist" in run.err
    assert "git fetch" in run.err


def test_unparsable_signers_at_the_root_fails_closed(portal: Portal) -> None:
    shutil.rmtree(portal.root / ".git")
    portal.git("init", "-q", "-b", "main")
    portal.write(SIGNERS, "schema_version: 1\nsigners: [\n")
    portal.commit(ZHANG, "坏的签发人文件")
    run = portal.baomi("status")
    assert run.code == 2
    assert "rules/signers.yml: cannot parse" in run.err
    run = portal.sign(WANG, A)
    assert run.code == 2


def test_missing_signers_file_fails_closed(portal: Portal) -> None:
    shutil.rmtree(portal.root / ".git")
    (portal.root / SIGNERS).unlink()
    portal.git("init", "-q", "-b", "main")
    portal.commit(ZHANG, "没有签发人")
    run = portal.baomi("status")
    assert run.code == 2
    assert "rules/signers.yml does not exist" in run.err


def test_not_a_git_repository_fails_closed(portal: Portal) -> None:
    shutil.rmtree(portal.root / ".git")
    run = portal.baomi("status")
    assert run.code == 2
    assert "not inside a git repository" in run.err


# --- `baomi sign` refuses, and makes no commit --------------------------------------------------


def test_sign_refuses_a_dirty_path(portal: Portal) -> None:
    portal.write(A, PAGES[A] + "未提交的修改\n")
    before = portal.head()
    run = portal.sign(WANG, A)
    assert run.code == 2
    assert "uncommitted changes" in run.err
    assert A in run.err
    assert portal.head() == before


def test_sign_refuses_with_staged_changes(portal: Portal) -> None:
    # anything staged would ride along in the sign-off commit
    portal.write(B, PAGES[B] + "暂存的修改\n")
    portal.git("add", B)
    before = portal.head()
    run = portal.sign(WANG, A)
    assert run.code == 2
    assert "uncommitted changes" in run.err
    assert portal.head() == before


def test_sign_refuses_without_ssh_signing_config(portal: Portal) -> None:
    portal.act_as(WANG)
    portal.git("config", "--unset", "gpg.format")
    before = portal.head()
    run = portal.baomi("sign", A)
    assert run.code == 2
    assert "gpg.format ssh" in run.err
    assert portal.head() == before


def test_sign_refuses_an_unpublished_path(portal: Portal) -> None:
    run = portal.sign(WANG, "README.md")
    assert run.code == 2
    assert "not a published file" in run.err


def test_dry_run_prints_the_signoff_without_committing(portal: Portal) -> None:
    before = portal.head()
    run = portal.sign(WANG, A, "--dry-run")
    assert run.code == 0
    assert run.out.startswith("baomi: 审核签发 1 个文件")
    assert f"Baomi-Cleared: {A} blob=" in run.out
    assert portal.head() == before


# --- `baomi review` -----------------------------------------------------------------------------


def test_review_shows_the_diff_and_unredacted_findings(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.write(A, PAGES[A] + "\n青松计划的进展另行通报。\n")
    portal.commit(ZHANG, "补充")
    portal.act_as(WANG)
    run = portal.baomi("review", A)
    assert run.code == 1
    assert f"== {A}: blocked" in run.out
    assert "changes since the version cleared in" in run.out
    assert "+青松计划的进展另行通报。" in run.out
    assert "青松计划" in run.out.split("-- findings")[1]  # unredacted, for the reviewer
    assert "codename.project" in run.out
    assert "would refuse now" in run.out  # a blocking finding needs a waiver first


def test_review_of_a_new_page_shows_what_the_signoff_records(portal: Portal) -> None:
    portal.act_as(WANG)
    run = portal.baomi("review", B)
    assert run.code == 1
    assert "never cleared before" in run.out
    assert f"Baomi-Cleared: {B} blob=" in run.out


# --- deeper attacks on separation of duties and the chain ---------------------------------------


def test_leader_cannot_reset_authorship_with_a_bogus_earlier_signoff(portal: Portal) -> None:
    # The deputy edits the page, then signs a sign-off naming made-up bytes of it (a "previous
    # cleared version" that never existed), then signs the real bytes: still their own writing.
    portal.write(B, PAGES[B] + "\n领导修改的段落。\n")
    portal.commit(WANG, "修改")
    bogus = cleared_for(B, b"never existed\n")
    portal.by_hand(
        WANG, f"baomi: 审核签发 1 个文件\n\nBaomi-Cleared: {B} blob={bogus.blob} sha256={bogus.sha256}\n"
    )
    run = portal.sign(WANG, B)
    assert run.code == 2
    assert "changed content/news/b.md" in run.err
    portal.by_hand(WANG, portal.message_for(B))
    assert portal.state(B)[:2] == ("self-approved", 1)


def test_leader_cannot_launder_own_edit_through_a_self_signed_version(portal: Portal) -> None:
    # The deputy edits and self-signs that version; the drafter adds a line; the deputy signs the
    # result. The deputy's paragraph was never cleared by anyone else.
    portal.write(B, PAGES[B] + "\n领导修改的段落。\n")
    portal.commit(WANG, "领导修改")
    portal.by_hand(WANG, portal.message_for(B))
    portal.write(B, portal.read(B).decode() + "撰稿人补充。\n")
    portal.commit(ZHANG, "补充")
    run = portal.sign(WANG, B)
    assert run.code == 2
    assert "changed content/news/b.md" in run.err
    portal.by_hand(WANG, portal.message_for(B))
    assert portal.state(B)[:2] == ("self-approved", 1)


def test_signer_without_a_role_cannot_reset_authorship(portal: Portal) -> None:
    # The listed drafter (no role) "clears" the deputy's edit; then the deputy signs a later version.
    portal.write(B, PAGES[B] + "\n领导修改的段落。\n")
    portal.commit(WANG, "领导修改")
    portal.by_hand(ZHANG, portal.message_for(B))
    portal.write(B, portal.read(B).decode() + "撰稿人补充。\n")
    portal.commit(LIU, "补充")
    portal.by_hand(WANG, portal.message_for(B))
    assert portal.state(B)[:2] == ("self-approved", 1)


def test_earlier_fair_clearance_resets_authorship(portal: Portal) -> None:
    # The legitimate counterpart: the deputy's edit was cleared by another deputy; after the
    # drafter's next edit, the deputy may sign again (they did not change it since).
    portal.write(B, PAGES[B] + "\n领导修改的段落。\n")
    portal.commit(WANG, "领导修改")
    assert portal.sign(ZHOU, B).code == 0
    portal.write(B, portal.read(B).decode() + "撰稿人补充。\n")
    portal.commit(ZHANG, "补充")
    run = portal.sign(WANG, B)
    assert run.code == 0, run.err
    _, files, _ = portal.status(B)
    assert files[B]["state"] == "cleared"
    assert [s["signer"] for s in files[B]["signoffs"]] == ["wang"]


def test_leader_writing_under_the_drafters_email_is_caught_by_the_signing_key(portal: Portal) -> None:
    # The deputy commits an edit with the drafter's name and email but signs the commit with their
    # own key (commit.gpgSign): the key, not the email, says who wrote it.
    portal.write(B, PAGES[B] + "\n冒名修改的段落。\n")
    portal.git("add", "-A")
    portal.git(*portal.identity(ZHANG, key=WANG), "commit", "-q", "-S", "-m", "冒名修改")
    portal.by_hand(WANG, portal.message_for(B))
    assert portal.state(B)[:2] == ("self-approved", 1)


def test_expired_signer_backdating_the_signoff(portal: Portal) -> None:
    # The commit date is the signer's own claim; a sign-off dated before the bytes it clears were
    # committed is not believed.
    portal.write(B, PAGES[B] + "\n新的段落。\n")
    portal.commit(ZHANG, "新稿")
    portal.by_hand(ZHAO, portal.message_for(B), date="2019-06-01T10:00:00+08:00")
    state, code, reasons = portal.state(B)
    assert (state, code) == ("untrusted-signer", 1)
    assert "2020-01-01" in reasons


def unrelated_takeover(portal: Portal, keys: Path) -> str:
    """An attacker merges an unrelated, backdated history whose rules/ name only their own key,
    takes its rules files in the merge, and signs a page; returns the original root commit."""
    root = portal.git("rev-list", "--max-parents=0", "HEAD")
    portal.git("switch", "-q", "--orphan", "evil")
    evil = Person("liu", "刘外", LIU.email, ("deputy", "principal"))
    portal.write(SIGNERS, signers_yaml((evil,), keys))
    portal.write(POLICY_PATH, POLICY)
    portal.git("add", SIGNERS, POLICY_PATH)
    old = {"GIT_AUTHOR_DATE": "2001-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2001-01-01T00:00:00Z"}
    portal.git(*portal.identity(LIU), "commit", "-q", "--no-gpg-sign", "-m", "root", env=old)
    portal.git("clean", "-q", "-fdx")
    portal.git("switch", "-q", "-f", "main")
    subprocess.run(
        ["git", *portal.identity(LIU), "merge", "-q", "--no-gpg-sign", "--allow-unrelated-histories", "evil"],
        cwd=portal.root,
        capture_output=True,
        check=False,
    )  # add/add conflicts on both rules files
    portal.git("checkout", "--theirs", SIGNERS, POLICY_PATH)
    portal.commit(LIU, "合并")
    portal.by_hand(LIU, portal.message_for(A, SIGNERS, POLICY_PATH))
    return root


def test_unrelated_history_cannot_become_the_root_of_trust(portal: Portal, keys: Path) -> None:
    unrelated_takeover(portal, keys)
    run = portal.baomi("status", A)
    assert run.code == 2
    assert "root commits" in run.err
    assert "--trust-root" in run.err


def test_unrelated_history_with_a_pinned_root(portal: Portal, keys: Path) -> None:
    root = unrelated_takeover(portal, keys)
    run, files, document = portal.status(A, SIGNERS, "--trust-root", root)
    assert run.code == 1
    assert files[A]["state"] == "untrusted-signer"
    assert files[SIGNERS]["state"] == "untrusted-signer"
    assert document["trust_problems"]
    portal.git("config", "baomi.trustRoot", root)  # the same, pinned in the repository's config
    assert portal.state(A)[:2] == ("untrusted-signer", 1)


def test_revoked_principal_cannot_reorder_the_chain_by_backdating(portal: Portal, keys: Path) -> None:
    # The principal signs a change that revokes them and names a successor (legitimate). Later,
    # on a branch from that change, the former principal adds an accomplice as principal and
    # backdates the change and their sign-off to when they were in office; the merge edits the
    # file once more so git keeps both sides, and the accomplice signs everything.
    successor = Person("chen", "陈新", CHEN.email, ("principal",))
    listed = (WANG, Person("li", LI.name, LI.email, ("principal",), "    revoked: true\n"), ZHANG, successor)
    portal.write(SIGNERS, signers_yaml(listed, keys))
    portal.commit(ZHANG, "换届")
    assert portal.sign(LI, SIGNERS).code == 0
    portal.git("switch", "-q", "-c", "evil")
    accomplice = Person("liu", "刘外", LIU.email, ("deputy", "principal"))
    portal.write(SIGNERS, signers_yaml((*listed, accomplice), keys))
    old = "2020-06-01T10:00:00+08:00"
    portal.commit(ZHANG, "增加签发人", date=old)
    portal.by_hand(LI, portal.message_for(SIGNERS), date=old)
    portal.git("switch", "-q", "main")
    portal.git("merge", "-q", "--no-ff", "--no-commit", "evil")
    portal.write(SIGNERS, portal.read(SIGNERS).decode() + "# merged\n")
    portal.commit(ZHANG, "合并")
    portal.by_hand(LIU, portal.message_for(A, SIGNERS))
    run, files, document = portal.status(A, SIGNERS)
    assert run.code == 1
    assert files[A]["state"] == "untrusted-signer"
    assert files[SIGNERS]["state"] == "untrusted-signer"
    problems = " ".join(document["trust_problems"])
    assert "not in force" in problems


def test_commit_message_cannot_forge_a_log_record(portal: Portal, keys: Path) -> None:
    # git prints commit messages verbatim; a message that embeds the separators of Baomi's log
    # format must not become a "commit" with a good signature by the deputy's key.
    from screen.signers import key_fingerprint

    wang = key_fingerprint((keys / "wang.pub").read_text(encoding="utf-8"))
    fields = ["f" * 40, "", WANG.name, WANG.email, "1795570217", "G", wang, portal.message_for(A)]
    message = portal.root.parent / "message.txt"
    message.write_text("说明\n\x1e" + "\x1f".join(fields) + "\x1f", encoding="utf-8")
    portal.git(*portal.identity(ZHANG), "commit", "-q", "--allow-empty", "--no-gpg-sign",
               "--cleanup=verbatim", "-F", str(message))  # fmt: skip
    state, code, _ = portal.state(A)
    assert (state, code) == ("bad-signature", 1)


def test_leader_cannot_clear_own_writing_under_a_chinese_file_name(portal: Portal) -> None:
    # git quotes non-ASCII (and odd) file names in its output unless told not to; authorship must
    # still be found for content/news/通知.md and for a name with a tab in it.
    for path in ("content/news/通知.md", "content/news/tab\there.md"):
        portal.write(path, "# 通知\n\n领导撰写的通知。\n")
        portal.commit(WANG, "领导撰稿")
        run = portal.sign(WANG, path)
        assert run.code == 2, run.out
        assert "changed content/news/" in run.err
        portal.by_hand(WANG, portal.message_for(path))
        assert portal.state(path)[:2] == ("self-approved", 1)


def test_leader_cannot_clear_an_edit_made_inside_a_merge(portal: Portal) -> None:
    # An "evil merge": the deputy merges a branch and edits the page in the merge commit itself,
    # where a plain `git log` lists no changed files.
    portal.git("switch", "-q", "-c", "feature")
    portal.write("content/news/new.md", "# 新闻\n\n县里召开了会议。\n")
    portal.commit(ZHANG, "新稿")
    portal.git("switch", "-q", "main")
    portal.git(*portal.identity(WANG), "merge", "-q", "--no-ff", "--no-commit", "feature")
    portal.write(B, PAGES[B] + "\n合并时夹带的段落。\n")
    portal.commit(WANG, "合并")
    run = portal.sign(WANG, B)
    assert run.code == 2
    assert "changed content/news/b.md" in run.err
    portal.by_hand(WANG, portal.message_for(B))
    assert portal.state(B)[:2] == ("self-approved", 1)


def test_uncommitted_signers_change_is_not_trusted(portal: Portal, keys: Path) -> None:
    # Trust is read from git at the trust ref, never from the working tree.
    portal.write(
        SIGNERS,
        signers_yaml((*(p for p in PEOPLE if p.listed), Person("liu", "刘外", LIU.email, ("deputy",))), keys),
    )
    portal.by_hand(LIU, portal.message_for(A))
    assert portal.state(A)[:2] == ("untrusted-signer", 1)


def test_review_diffs_against_the_last_fair_clearance(portal: Portal) -> None:
    # The deputy edits a cleared page and self-signs it; the next reviewer must see that edit, not
    # "(no change)" against the self-approved version.
    assert portal.sign(ZHOU, B).code == 0
    cleared_in = portal.head()
    portal.write(B, PAGES[B] + "\n领导夹带的段落。\n")
    portal.commit(WANG, "领导修改")
    portal.by_hand(WANG, portal.message_for(B))
    portal.act_as(ZHOU)
    run = portal.baomi("review", B)
    assert run.code == 1
    assert f"== {B}: self-approved" in run.out
    assert f"changes since the version cleared in {cleared_in[:10]}" in run.out
    assert "+领导夹带的段落。" in run.out


def test_dropping_important_needs_the_roles_it_had(portal: Portal) -> None:
    # A cleared important page is edited and its `important: true` removed: the deputy alone may
    # not clear that downgrade; the roles of the last cleared version still apply.
    assert portal.sign(WANG, IMPORTANT).code == 0
    assert portal.sign(LI, IMPORTANT).code == 0
    portal.write(IMPORTANT, PAGES[IMPORTANT].replace("important: true\n", "") + "\n补充内容。\n")
    portal.commit(ZHANG, "去掉重要标记")
    assert portal.sign(ZHOU, IMPORTANT).code == 0
    state, code, reasons = portal.state(IMPORTANT)
    assert (state, code) == ("missing-role", 1)
    assert "deputy, principal" in reasons
    assert portal.sign(LI, IMPORTANT).code == 0
    assert portal.state(IMPORTANT)[:2] == ("cleared", 0)


def test_mkdocs_config_needs_the_config_role(portal: Portal) -> None:
    portal.write("mkdocs.yml", "site_name: 青溪县人民政府\ntheme:\n  name: material\n")
    portal.commit(ZHANG, "站点配置")
    assert portal.sign(WANG, "mkdocs.yml").code == 0
    state, code, reasons = portal.state("mkdocs.yml")
    assert (state, code) == ("missing-role", 1)
    assert "deputy, principal" in reasons
    assert portal.sign(LI, "mkdocs.yml").code == 0
    assert portal.state("mkdocs.yml")[:2] == ("cleared", 0)


def test_portal_in_a_subdirectory_of_the_repository_fails_closed(portal: Portal, tmp_path: Path) -> None:
    # git would name files from the outer repository's root and the gate from the portal's:
    # nobody's authorship would be found, so Baomi refuses to run there.
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    shutil.copytree(portal.root, outer / "portal", ignore=shutil.ignore_patterns(".git"))
    git(outer, *portal.identity(ZHANG), "add", "-A")
    git(outer, *portal.identity(ZHANG), "commit", "-q", "--no-gpg-sign", "-m", "portal")
    run = portal.baomi("status", A, cwd=outer / "portal")
    assert run.code == 2
    assert "root of the git repository" in run.err


def test_one_commit_cannot_approve_its_policy_with_its_own_new_signers(portal: Portal, keys: Path) -> None:
    # One commit adds a principal and lowers the policy; the old principal approves only the new
    # signers, the new principal approves the policy. The policy was not approved by anyone in
    # force before that commit.
    successor = Person("chen", "陈新", CHEN.email, ("principal",))
    portal.write(SIGNERS, signers_yaml((*(p for p in PEOPLE if p.listed), successor), keys))
    portal.write(POLICY_PATH, POLICY.replace("important: [deputy, principal]", "important: [deputy]"))
    portal.commit(ZHANG, "新增主要领导并简化审批")
    assert portal.sign(LI, SIGNERS).code == 0
    portal.by_hand(CHEN, portal.message_for(POLICY_PATH))
    assert portal.sign(WANG, IMPORTANT).code == 0
    run, files, document = portal.status(IMPORTANT, SIGNERS, POLICY_PATH)
    assert files[SIGNERS]["state"] == "cleared"
    assert files[POLICY_PATH]["state"] == "untrusted-signer"  # signed, but by a new principal
    assert "rules/policy.yml changed in" in files[POLICY_PATH]["reasons"][0]
    assert files[IMPORTANT]["state"] == "missing-role"
    assert any("rules/policy.yml changed in" in p for p in document["trust_problems"])
    assert run.code == 1


def test_weakened_rules_in_the_change_do_not_unblock_it(portal: Portal) -> None:
    # A pull request that deletes the codename dictionary and adds a page using a codename: the
    # page stays blocked, because the trust ref's rules are screened too.
    portal.git("checkout", "-q", "-b", "weaken")
    (portal.root / "rules" / "terms" / "codenames.yml").unlink()
    (portal.root / "rules" / "terms" / "codenames.txt").unlink()
    portal.write("content/plan.md", "---\ntitle: 计划\n---\n\n关于青松计划的说明。\n")
    portal.commit(ZHANG, "weaken the rules")
    state, code, reasons = portal.state("content/plan.md", "--trust-ref", "main")
    assert (state, code) == ("blocked", 1)
    assert "codename.project" in reasons
    # Without the trust ref's rules the weakened dictionary would have let it through.
    assert portal.fingerprints("content/plan.md") == []


# --- classification (定密): the gate never publishes a classified page ----------------------------

SECRET_PAGE = "content/news/plan.md"
CLASSIFIED = (
    "---\ntitle: 通知\nclassification: 机密\nclassified_on: 2026-03-01\nsecrecy_term: 5年\n---\n\n"
    "关于年度工作安排的内部意见。\n"
)
DECLASSIFIED = CLASSIFIED.replace("classification: 机密", "classification: 公开")


def test_a_classified_page_is_never_published_even_when_signed(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    portal.by_hand(LI, portal.message_for(SECRET_PAGE))
    run, files, _ = portal.status(SECRET_PAGE)
    record = files[SECRET_PAGE]
    assert (run.code, record["state"]) == (1, "blocked")
    assert record["classification"] == "机密★5年（2026-03-01 定密）"
    assert "涉密信息不公开" in record["reasons"][0]
    text = portal.baomi("status", SECRET_PAGE).out
    assert "机密★5年（2026-03-01 定密）" in text


def test_an_unreadable_record_keeps_the_page_back(portal: Portal) -> None:
    portal.write(SECRET_PAGE, "---\ntitle: 通知\nclassification: 机蜜\n---\n\n正文。\n")
    portal.commit(ZHANG, "稿件")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    state, code, reasons = portal.state(SECRET_PAGE)
    assert (state, code) == ("blocked", 1) and "cannot be read" in reasons


def test_flipping_the_record_to_public_is_not_declassifying(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.write(SECRET_PAGE, DECLASSIFIED)
    portal.commit(ZHANG, "改为公开")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    portal.by_hand(LI, portal.message_for(SECRET_PAGE))  # even the principal's sign-off
    state, code, reasons = portal.state(SECRET_PAGE)
    assert (state, code) == ("blocked", 1) and "no declassification record of the principal" in reasons


def test_declassify_by_the_principal_then_the_usual_sign_off(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.act_as(WANG)
    refused = portal.baomi("declassify", SECRET_PAGE, "--reason", "已公开发布")
    assert refused.code == 2 and "only principal may declassify" in refused.err  # a deputy may not
    portal.act_as(LI)
    early = portal.baomi("declassify", SECRET_PAGE)
    assert early.code == 2 and "runs until 2031-03-01" in early.err  # term not over, no reason
    dry = portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开", "--dry-run")
    assert (
        dry.code == 0 and f"Baomi-Declassified: {SECRET_PAGE} blob=" in dry.out and "was=机密★5年" in dry.out
    )
    before = portal.head()
    done = portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开")
    assert done.code == 0, done.err
    assert portal.git("rev-list", "--count", f"{before}..HEAD") == "1"
    assert "-----BEGIN SSH SIGNATURE-----" in portal.git("cat-file", "commit", "HEAD")
    text = portal.read(SECRET_PAGE).decode()
    assert "classification: 公开\ndeclassified_on: " in text and "secrecy_term: 5年" in text
    state, _, reasons = portal.state(SECRET_PAGE)
    assert state == "unsigned", reasons  # now screened and signed like any page
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    assert portal.state(SECRET_PAGE)[:2] == ("cleared", 0)


def test_a_declassification_record_signed_by_a_deputy_does_not_count(portal: Portal) -> None:
    from screen.signoff import Declassification, blob_id, format_declassification

    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.write(SECRET_PAGE, DECLASSIFIED)
    record = Declassification(
        path=SECRET_PAGE, blob=blob_id(DECLASSIFIED.encode()), was="机密★5年", reason="无"
    )
    portal.git("add", "-A")
    portal.git(*portal.identity(WANG), "commit", "-q", "-S", "-m", format_declassification(record))
    portal.by_hand(LI, portal.message_for(SECRET_PAGE))
    state, _, reasons = portal.state(SECRET_PAGE)
    assert state == "blocked" and "no declassification record" in reasons


def test_declassify_once_the_term_has_passed_needs_no_reason(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED.replace("2026-03-01", "2019-03-01").replace("5年", "2"))
    portal.commit(ZHANG, "旧稿")
    portal.act_as(LI)
    done = portal.baomi("declassify", SECRET_PAGE)
    assert done.code == 0, done.err
    assert "Baomi-Reason: 保密期限已满（2021-03-01）" in portal.git("log", "-1", "--format=%B")


def test_a_page_that_was_always_public_needs_only_the_usual_roles(portal: Portal) -> None:
    portal.write(SECRET_PAGE, DECLASSIFIED)
    portal.commit(ZHANG, "稿件")
    portal.by_hand(WANG, portal.message_for(SECRET_PAGE))
    _, files, document = portal.status(SECRET_PAGE)
    assert files[SECRET_PAGE]["state"] == "cleared"
    assert files[SECRET_PAGE]["classification"] == "公开"
    assert json.dumps(document, ensure_ascii=False).count("机密") == 0


# --- baomi log: the review trail of one page ----------------------------------------------------


def test_log_tells_the_whole_review_trail(portal: Portal) -> None:
    fingerprint = add_secret(portal)  # drafted with a blocking finding
    portal.sign(
        WANG, SECRET, "--waive", fingerprint, "--reason", "已公开的计划生育服务项目", "-m", "同意公开"
    )
    portal.write(SECRET, BLOCKING + "\n补充。\n")
    portal.commit(ZHANG, "补充")
    portal.by_hand(WANG, portal.message_for(SECRET), key=LIU)  # a sign-off with a key not in force
    run = portal.baomi("log", SECRET, "--format", "json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert (document["path"], document["state"], document["publishable"]) == (SECRET, "blocked", False)
    kinds = [e["kind"] for e in document["events"]]
    assert kinds == ["draft", "signoff", "draft", "signoff-not-counted"]
    first, signed, second, rejected = document["events"]
    assert first["detail"].startswith("1 block (codename.project)")
    assert first["who"] == f"{ZHANG.name} <{ZHANG.email}>"
    assert signed["who"] == WANG.name and signed["blob"] == first["blob"]
    assert "deputy" in signed["detail"] and "已公开的计划生育服务项目" in signed["detail"]
    assert "同意公开" in signed["detail"]
    assert second["blob"] != first["blob"]
    assert "not in rules/signers.yml" in rejected["detail"]
    text = portal.baomi("log", SECRET).out
    assert "审查记录" in text and "签发 sign-off: 王建国" in text and "签发无效" in text
    assert "青松计划" not in run.out + text  # the trail is redacted like every report


def test_log_shows_classification_and_declassification(portal: Portal) -> None:
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    assert "定密 classification: 机密★5年（2026-03-01 定密）" in portal.baomi("log", SECRET_PAGE).out
    portal.act_as(LI)
    assert portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开").code == 0
    document = json.loads(portal.baomi("log", SECRET_PAGE, "--format", "json").out)
    kinds = [e["kind"] for e in document["events"]]
    assert kinds == ["draft", "declassified", "draft"]
    declassified = document["events"][1]
    assert declassified["detail"] == "was 机密★5年; reason: 相关工作已按规定公开"
    assert document["events"][0]["detail"].endswith("机密★5年（2026-03-01 定密）")


def test_log_of_a_file_that_is_not_published_is_a_usage_error(portal: Portal) -> None:
    run = portal.baomi("log", "content/nope.md")
    assert run.code == 2 and "not a published file" in run.err


# --- baomi report: the self-inspection report ---------------------------------------------------


def test_report_counts_what_the_history_holds(portal: Portal) -> None:
    portal.by_hand(WANG, portal.message_for(A, B))  # two pages in one sign-off
    portal.by_hand(WANG, portal.message_for("content/important.md"))
    portal.by_hand(LI, portal.message_for("content/important.md"))
    fingerprint = add_secret(portal)
    assert portal.sign(WANG, SECRET, "--waive", fingerprint, "--reason", "已公开的计划生育服务项目").code == 0
    portal.by_hand(WANG, portal.message_for(B), key=LIU)  # a key not in force: does not count
    portal.write(SECRET_PAGE, CLASSIFIED)
    portal.commit(ZHANG, "定密稿件")
    portal.act_as(LI)
    assert portal.baomi("declassify", SECRET_PAGE, "--reason", "相关工作已按规定公开").code == 0
    run = portal.baomi("report", "--format", "json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert (report["items_reviewed"], report["pages_reviewed"]) == (4, 4)  # a.md, b.md, important.md, secret
    # versions: 4 pages and 2 trust files at the start, the secret page, the classified page twice
    assert report["versions_drafted"] == 9
    assert report["reviewers"] == [["王建国", "deputy", 4], ["李明", "principal", 1]]
    assert [w[1:] for w in report["waivers"]] == [[SECRET, "王建国", "已公开的计划生育服务项目"]]
    assert len(report["broken"]) == 1 and "not in rules/signers.yml" in report["broken"][0][2]
    assert ["codename.project", "block", 1] in report["findings"]
    assert [c[1:] for c in report["classification"]] == [
        [SECRET_PAGE, "定密 classified"],
        [SECRET_PAGE, "解密 declassified (was 机密★5年)"],
    ]
    assert report["median_hours"] is not None and report["median_hours"] >= 0
    assert report["summary"].startswith("审查发布信息4条，审查网页4个，筛查稿件版本9个，检出阻断级问题1处")
    markdown = portal.baomi("report").out
    assert "# 保密自查报告" in markdown and "| 王建国 | deputy | 4 |" in markdown
    page = portal.baomi("report", "--format", "html").out
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "保密自查报告" in page
    for output in (run.out, markdown, page):
        assert "青松计划" not in output  # the report never prints a sensitive term


def test_report_period_and_its_errors(portal: Portal) -> None:
    portal.by_hand(WANG, portal.message_for(A))
    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    report = json.loads(portal.baomi("report", "--format", "json", "--since", later).out)
    assert (report["items_reviewed"], report["versions_drafted"], report["reviewers"]) == (0, 0, [])
    assert report["period"] == {"since": later, "until": None}
    today = datetime.date.today().isoformat()
    assert json.loads(portal.baomi("report", "--format", "json", "--until", today).out)["items_reviewed"] == 1
    assert portal.baomi("report", "--since", later, "--until", today).code == 2
    with pytest.raises(SystemExit):
        portal.baomi("report", "--since", "昨天")
