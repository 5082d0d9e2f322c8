"""`baomi signer add` and `baomi signer list` (issue 16): a portal starts from an empty signers
list; the first version that names a principal is the root of trust, the same in every clone."""

from __future__ import annotations

from pathlib import Path

from screen.signoff.trust import load_trust
from screen.vcs import Repository
from tests.signoff_portal import LI as LI_PERSON
from tests.signoff_portal import ZHANG, Portal, git, new_portal

PAGE = "content/index.md"


def _empty_portal(portal: Portal) -> Portal:
    """A new portal as `baomi init` leaves it: policy, an empty signers list, one page."""
    empty = "schema_version: 1\nsigners: []\n"
    return new_portal(portal, "fresh", empty, {PAGE: "# 欢迎访问\n\n本网站发布政务信息。\n"})


def test_the_first_principal_added_is_the_root_of_trust_in_every_clone(
    portal: Portal, tmp_path: Path
) -> None:
    fresh = _empty_portal(portal)
    run = fresh.baomi("status")
    assert run.code == 2 and "names no principal" in run.err
    key = str(portal.keys / "li.pub")
    run = fresh.baomi("signer", "add", "--id", "li", "--name", "李明", "--email", "li@example.gov.cn",
                      "--role", "principal", "--key", key)  # fmt: skip
    assert run.code == 0, run.err
    assert "the principal in force signs it" in run.out
    text = (fresh.root / "rules/signers.yml").read_text(encoding="utf-8")
    assert "signers: []" not in text and "- id: li" in text and "# principal" in text
    root = fresh.commit(ZHANG, "登记主要领导")  # the office's administrator commits it
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(fresh.root), str(clone))
    here = load_trust(Repository(fresh.root), "HEAD", None)
    there = load_trust(Repository(clone), "HEAD", None)
    assert here.root == there.root == root
    assert fresh.sign(LI_PERSON, "rules/signers.yml").code == 0  # li may sign from the root on
    listed = fresh.baomi("signer", "list")
    assert listed.code == 0 and "李明 (li)" in listed.out and "  principal  " in listed.out
    assert "rules (every file under rules/): principal" in listed.out


def test_a_new_key_is_made_and_git_set_up_to_sign_with_it(portal: Portal, tmp_path: Path) -> None:
    fresh = _empty_portal(portal)
    made = tmp_path / "keys" / "wang_ed25519"
    run = fresh.baomi("signer", "add", "--id", "wang", "--name", "王建国", "--email", "wang@example.gov.cn",
                      "--role", "deputy", "--new-key", str(made), "--no-passphrase")  # fmt: skip
    assert run.code == 0, run.err
    assert made.is_file() and made.with_name("wang_ed25519.pub").is_file()
    assert fresh.git("config", "gpg.format") == "ssh"
    assert fresh.git("config", "user.signingkey") == str(made.resolve()) + ".pub"
    public = made.with_name("wang_ed25519.pub").read_text(encoding="utf-8").split()[1]
    assert public in (fresh.root / "rules/signers.yml").read_text(encoding="utf-8")


def test_invalid_input_writes_nothing(portal: Portal, tmp_path: Path) -> None:
    fresh = _empty_portal(portal)
    signers = fresh.root / "rules/signers.yml"
    before = signers.read_bytes()
    li = str(portal.keys / "li.pub")
    not_a_key = tmp_path / "note.txt"
    not_a_key.write_text("这不是公钥\n", encoding="utf-8")
    base = ["signer", "add", "--name", "某人", "--email", "x@example.gov.cn"]
    for args, says in (
        ([*base, "--id", "x", "--role", "mayor", "--key", li], "--role mayor"),
        ([*base, "--id", "x", "--role", "deputy", "--key", str(not_a_key)], "not an SSH public key"),
        ([*base, "--id", "x", "--role", "deputy", "--key", "ssh-ed25519 !!!"], "not an SSH public key"),
        ([*base, "--id", "x: y", "--role", "deputy", "--key", li], "plain value"),
    ):
        run = fresh.baomi(*args)
        assert run.code == 2 and says in run.err, (args, run.err)
        assert signers.read_bytes() == before
    assert fresh.baomi(*base, "--id", "li", "--role", "principal", "--key", li).code == 0
    after = signers.read_bytes()
    for args, says in (
        ([*base, "--id", "li", "--role", "deputy", "--key", str(portal.keys / "wang.pub")], "already in"),
        ([*base, "--id", "li2", "--role", "deputy", "--key", li], "listed more than once"),
    ):
        run = fresh.baomi(*args)
        assert run.code == 2 and says in run.err, (args, run.err)
        assert signers.read_bytes() == after
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    run = fresh.baomi(*base, "--id", "z", "--role", "deputy", "--new-key", str(taken), "--no-passphrase")
    assert run.code == 2 and "nothing was overwritten" in run.err and taken.read_text(encoding="utf-8") == "x"
