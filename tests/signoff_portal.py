"""The portal the sign-off tests attack: people with real `ssh-keygen` keys, a real git repository
with rules, signers, policy and four pages, and `Portal`, which runs git and `baomi` as one of
them. tests/conftest.py registers this module as a plugin, so its fixtures (`portal`, `keys`,
...) reach test_clearance, test_trust, test_signing, test_review, test_declassify,
test_history_waivers, test_trail and test_inspection."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from screen import sshsig
from screen.packaged import installed, lock_text
from screen.signoff.message import (
    SignOffMessage,
    Waiver,
    cleared_for,
    format_message,
    parse_message,
    payload,
)
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
    (root / "rules" / "packaged.lock").write_text(lock_text(installed()), encoding="utf-8")
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
        sealed: bool = True,
    ) -> str:
        """An empty commit made without `baomi sign`: `who` as author, signed by `key` (default
        `who`) or not at all. A sign-off message is made on HEAD and sealed by the signing key
        as `baomi sign` does, unless `sealed` is false (or it already names its parent)."""
        parsed = parse_message(message)
        if sealed and parsed is not None and not parsed.parent:
            parsed = replace(parsed, parent=self.head())
            signature = sshsig.seal(payload(parsed), str(self.keys / (key or who).id))
            message = format_message(replace(parsed, seal=signature))
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


def new_portal(beside: Portal, name: str, signers: str, pages: dict[str, str]) -> Portal:
    """Another portal next to `beside` (same keys and CLI): the sample's codenames, the lock of the
    packaged rules, POLICY, `signers` as rules/signers.yml and `pages`, committed by the drafter."""
    root = beside.root.parent / name
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(RULES / "terms", root / "rules" / "terms")
    (root / "rules" / "packaged.lock").write_text(lock_text(installed()), encoding="utf-8")
    (root / "rules" / "policy.yml").write_text(POLICY, encoding="utf-8")
    (root / "rules" / "signers.yml").write_text(signers, encoding="utf-8")
    fresh = Portal(root=root, keys=beside.keys, cli=beside.cli)
    for path, text in pages.items():
        fresh.write(path, text)
    fresh.commit(ZHANG, "门户初始化")
    return fresh


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

SIGNERS = "rules/signers.yml"
POLICY_PATH = "rules/policy.yml"

SECRET_PAGE = "content/news/plan.md"
CLASSIFIED = (
    "---\ntitle: 通知\nclassification: 机密\nclassified_on: 2026-03-01\nsecrecy_term: 5年\n---\n\n"
    "关于年度工作安排的内部意见。\n"
)
DECLASSIFIED = CLASSIFIED.replace("classification: 机密", "classification: 公开")


def add_secret(portal: Portal, who: Person = ZHANG) -> str:
    portal.write(SECRET, BLOCKING)
    portal.commit(who, "项目进展稿")
    [fingerprint] = portal.fingerprints(SECRET)
    return fingerprint
