"""Authorship that is proven, not claimed (issue 15, cause 3): with `authors: signed`, who wrote a
change is the owner of the listed key that signed it; a change no listed key signed needs two
leaders. Git reads the recorded history only: replace objects are ignored, grafts and shallow
clones refused, and no question about a page is answered through a symbolic link."""

from __future__ import annotations

import os
from pathlib import Path

from tests.signoff_portal import LI, LIU, PAGES, POLICY, POLICY_PATH, WANG, ZHANG, ZHOU, A, Person, Portal

SIGNED_POLICY = POLICY + "authors: signed\n"


def _signed_authors(portal: Portal) -> None:
    """The principal brings `authors: signed` into force, as a real office would."""
    portal.write(POLICY_PATH, SIGNED_POLICY)
    portal.commit(ZHANG, "作者以签名为准", sign=True)
    assert portal.sign(LI, POLICY_PATH).code == 0
    # its first version was committed unsigned: who wrote it is not proven, so a second leader
    assert portal.state(POLICY_PATH)[0] == "missing-role"
    assert portal.sign(WANG, POLICY_PATH).code == 0
    assert portal.state(POLICY_PATH)[0] == "cleared"


def _edit(portal: Portal, text: str, who: Person, *, key: Person | None = None, signed: bool = True) -> str:
    """`who`'s git commits an edit of page A claiming ZHANG's e-mail, signed with `key` or not."""
    portal.write(A, text)
    portal.git("add", "-A")
    spoof = {"GIT_AUTHOR_EMAIL": ZHANG.email, "GIT_AUTHOR_NAME": ZHANG.name}
    flag = "-S" if signed else "--no-gpg-sign"
    portal.git(*portal.identity(who, key=key), "commit", "-q", flag, "-m", "修改", env=spoof)
    return portal.head()


def test_a_leader_cannot_clear_their_own_signed_edit_under_a_drafters_email(portal: Portal) -> None:
    _signed_authors(portal)
    _edit(portal, PAGES[A] + "\n领导自己加的一段。\n", WANG)  # git signs with 王建国's key
    run = portal.sign(WANG, A)
    assert run.code == 2 and "changed" in run.err
    portal.by_hand(WANG, portal.message_for(A))
    state, _, reasons = portal.state(A)
    assert state == "self-approved" and "王建国" in reasons


def test_under_claimed_authorship_the_spoofed_email_fools_nobody_with_a_signature(portal: Portal) -> None:
    """Even without the option, a key that signed a change ties it to its holder."""
    _edit(portal, PAGES[A] + "\n领导自己加的一段。\n", WANG)
    portal.by_hand(WANG, portal.message_for(A))
    assert portal.state(A)[0] == "self-approved"


def test_an_unsigned_edit_needs_two_leaders(portal: Portal) -> None:
    _signed_authors(portal)
    sha = _edit(portal, PAGES[A] + "\n来历不明的一段。\n", WANG, signed=False)
    assert portal.sign(WANG, A).code == 0  # nothing proves 王建国 wrote it, nor that he did not
    state, code, reasons = portal.state(A)
    assert (state, code) == ("missing-role", 1)
    assert sha[:10] in reasons and "two different leaders" in reasons
    assert portal.sign(ZHOU, A).code == 0  # a second leader who signed none of it
    assert portal.state(A)[:2] == ("cleared", 0)


def test_an_edit_signed_by_an_unlisted_key_needs_two_leaders(portal: Portal) -> None:
    _signed_authors(portal)
    _edit(portal, PAGES[A] + "\n外来的一段。\n", WANG, key=LIU)
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[0] == "missing-role"
    assert portal.sign(LI, A).code == 0  # the principal is a second leader too
    assert portal.state(A)[0] == "cleared"


def _cleared_by_two(portal: Portal) -> None:
    """Page A's first version was committed unsigned: two leaders clear it."""
    assert portal.sign(WANG, A).code == 0
    assert portal.sign(ZHOU, A).code == 0
    assert portal.state(A)[0] == "cleared"


def test_a_listed_drafters_signed_edit_is_cleared_by_one_deputy(portal: Portal) -> None:
    _signed_authors(portal)
    _cleared_by_two(portal)
    portal.write(A, PAGES[A] + "\n撰稿人的一段。\n")
    portal.commit(ZHANG, "撰稿", sign=True)
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[:2] == ("cleared", 0)


def test_a_drafter_role_clears_nothing(portal: Portal) -> None:
    signers = portal.read("rules/signers.yml").decode()
    assert "roles: []" in signers  # 张小文 is listed without a role
    portal.write("rules/signers.yml", signers.replace("roles: []", "roles: [drafter]", 1))
    portal.commit(ZHANG, "登记撰稿人角色")
    assert portal.sign(LI, "rules/signers.yml").code == 0
    assert portal.state("rules/signers.yml")[0] == "cleared"
    run = portal.sign(ZHANG, A)
    assert run.code == 2 and "needs role deputy" in run.err


def test_an_unsigned_merge_that_only_joins_versions_authors_nothing(portal: Portal) -> None:
    """The forge's merge commit (unsigned) brings a signed edit onto main: it wrote no bytes."""
    _signed_authors(portal)
    _cleared_by_two(portal)
    portal.git("checkout", "-q", "-b", "draft")
    portal.write(A, PAGES[A] + "\n撰稿人的一段。\n")
    portal.commit(ZHANG, "撰稿", sign=True)
    portal.git("checkout", "-q", "main")
    portal.write("content/news/c.md", "# 另一篇\n")
    portal.commit(ZHANG, "另一篇", sign=True)
    portal.git(*portal.identity(LIU), "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "Merge", "draft")
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[:2] == ("cleared", 0)


def test_a_merge_that_writes_new_bytes_authors_them(portal: Portal) -> None:
    _signed_authors(portal)
    portal.git("checkout", "-q", "-b", "draft")
    portal.write(A, PAGES[A] + "\n撰稿人的一段。\n")
    portal.commit(ZHANG, "撰稿", sign=True)
    portal.git("checkout", "-q", "main")
    portal.git(*portal.identity(WANG), "merge", "-q", "--no-ff", "--no-commit", "draft")
    portal.write(A, PAGES[A] + "\n合并时改写的一段。\n")
    portal.git("add", "-A")
    portal.git(*portal.identity(WANG), "commit", "-q", "--no-gpg-sign", "-m", "Merge")
    assert portal.sign(WANG, A).code == 0
    assert portal.state(A)[0] == "missing-role"  # the merge's own bytes: nobody proven wrote them


def test_a_replace_graft_does_not_hide_a_leaders_own_edit(portal: Portal) -> None:
    drafted = portal.head()
    portal.write(A, PAGES[A] + "\n领导自己加的一段。\n")
    portal.commit(WANG, "领导改稿")
    portal.write("content/news/c.md", "# 另一篇\n")
    last = portal.commit(ZHANG, "另一篇")
    # In the clone that runs Baomi: pretend the last commit sits right on the draft
    portal.git("replace", "--graft", last, drafted)
    assert "领导改稿" not in portal.git("log", "--format=%s")  # git itself is fooled
    run = portal.sign(WANG, A)
    assert run.code == 2 and "changed" in run.err
    portal.by_hand(WANG, portal.message_for(A))
    assert portal.state(A)[0] == "self-approved"


def test_a_grafts_file_is_refused(portal: Portal) -> None:
    first = portal.git("rev-list", "--max-parents=0", "HEAD")
    portal.write("content/news/c.md", "# 另一篇\n")
    last = portal.commit(ZHANG, "另一篇")
    grafts = Path(portal.git("rev-parse", "--path-format=absolute", "--git-path", "info/grafts"))
    grafts.parent.mkdir(parents=True, exist_ok=True)
    grafts.write_text(f"{last} {first}\n", encoding="utf-8")
    for command in (["status"], ["sign", A], ["history"]):
        run = portal.sign(WANG, A) if command[0] == "sign" else portal.baomi(*command)
        assert run.code == 2, command
        assert "grafts" in run.err and "fetch the full history" in run.err


def test_a_shallow_clone_is_refused_by_every_history_command(portal: Portal, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    portal.git("clone", "-q", "--depth", "1", f"file://{portal.root}", str(clone))
    for command in (["status"], ["history"], ["sign", A]):
        run = portal.baomi(*command, cwd=clone)
        assert run.code == 2, (command, run.err)
        assert "shallow clone" in run.err


def test_a_symlinked_page_or_folder_answers_no_history_question(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    os.symlink("a.md", portal.root / "content/news/alias.md")
    os.symlink("news", portal.root / "content/mirror")
    portal.commit(ZHANG, "别名")
    for path in ("content/news/alias.md", "content/mirror/a.md"):
        state, code, reasons = portal.state(path)
        assert (state, code) == ("error", 1)
        assert "symbolic link" in reasons
    assert portal.state(A)[0] == "cleared"  # the page itself keeps its own history


def test_a_principal_cannot_bring_their_own_unsigned_trust_change_into_force(portal: Portal) -> None:
    """Under `authors: signed` the trust chain judges a signers.yml change by the key that signed
    it: the principal's own unsigned change, under a drafter's e-mail, needs a second leader."""
    _signed_authors(portal)
    signers = portal.read("rules/signers.yml").decode()
    portal.write("rules/signers.yml", signers.replace("valid_until: 2020-01-01", "valid_until: 2099-01-01"))
    portal.git("add", "-A")
    spoof = {"GIT_AUTHOR_EMAIL": ZHANG.email, "GIT_AUTHOR_NAME": ZHANG.name}
    portal.git(*portal.identity(LI), "commit", "-q", "--no-gpg-sign", "-m", "延长赵铁的有效期", env=spoof)
    portal.by_hand(LI, portal.message_for("rules/signers.yml"))
    _, _, document = portal.status()
    assert any("without a sign-off" in p for p in document["trust_problems"])
    portal.by_hand(WANG, portal.message_for("rules/signers.yml"))  # a second leader reads it too
    _, _, document = portal.status()
    assert not any("rules/signers.yml changed" in p for p in document["trust_problems"])
