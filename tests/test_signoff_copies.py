"""A sign-off means it (issue 15, cause 2): only a commit `baomi sign` made where it stands
clears anything. Git signs every commit it writes when `commit.gpgsign` is on, so a leader who
rebases or cherry-picks a branch signs whatever messages it carries; the `Baomi-Seal` (an SSH
signature in the `baomi` namespace) and `Baomi-Parent` trailers tell a deliberate sign-off from
a copy."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import pytest

from screen import sshsig
from screen.signoff.message import format_message, parse_message, payload
from tests.signoff_portal import LI, PAGES, WANG, ZHANG, A, B, Person, Portal

EVIL = "content/news/evil.md"


def _gpgsign(portal: Portal, who: Person) -> list[str]:
    """git options of a leader whose git signs every commit it writes (commit.gpgsign)."""
    return [*portal.identity(who), "-c", "commit.gpgSign=true"]


def _drafter_branch(portal: Portal, predicted_parent: str) -> None:
    """A drafter's branch: an unreviewed page, then a commit whose message they wrote as a
    sign-off of it (trailers copied from `baomi sign --dry-run`'s format, a guessed parent)."""
    portal.git("checkout", "-q", "-b", "feature", "HEAD~1")
    portal.write(EVIL, "# 未经审核的稿件\n\n内部讨论稿。\n")
    portal.commit(ZHANG, "新稿")
    message = portal.message_for(EVIL).rstrip("\n") + f"\nBaomi-Parent: {predicted_parent}\n"
    portal.git(*portal.identity(ZHANG), "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message)


def test_a_leader_rebasing_a_drafters_message_clears_nothing(portal: Portal) -> None:
    portal.write("content/news/c.md", "# 第三篇\n\n正文。\n")
    portal.commit(ZHANG, "另一稿")
    main = portal.head()
    _drafter_branch(portal, main)
    # The leader rebases the branch onto main; git signs both copies with the leader's key.
    portal.git(*_gpgsign(portal, WANG), "rebase", "-q", "main")
    assert "BEGIN SSH SIGNATURE" in portal.git("cat-file", "commit", "feature")  # signed by the leader
    portal.git("checkout", "-q", "main")
    portal.git("merge", "-q", "--ff-only", "feature")
    state, code, reasons = portal.state(EVIL)
    assert (state, code) == ("bad-signature", 1)
    assert "not made by baomi (no Baomi-Parent or Baomi-Seal)" in reasons


def test_a_cherry_picked_message_with_a_forged_seal_clears_nothing(portal: Portal) -> None:
    """Even a seal lifted from a real sign-off does not make a drafter's message count."""
    portal.sign(WANG, A)
    genuine = parse_message(portal.git("log", "-1", "--format=%B"))
    assert genuine is not None and genuine.seal
    portal.write(EVIL, "# 未经审核的稿件\n")
    portal.commit(ZHANG, "新稿")
    head = portal.head()
    forged = portal.message_for(EVIL).rstrip("\n") + f"\nBaomi-Parent: {head}\nBaomi-Seal: {genuine.seal}\n"
    portal.git("checkout", "-q", "-b", "side")
    portal.git(*portal.identity(ZHANG), "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", forged)
    side = portal.head()
    portal.git("checkout", "-q", "main")
    portal.git("reset", "-q", "--hard", head)
    portal.git(*_gpgsign(portal, WANG), "cherry-pick", "--allow-empty", side)
    state, _, reasons = portal.state(EVIL)
    assert state == "bad-signature"
    assert "Baomi-Seal does not verify" in reasons


def test_a_rebased_genuine_signoff_is_a_copy_and_says_where_it_was_made(portal: Portal) -> None:
    portal.git("checkout", "-q", "-b", "review")
    made_on = portal.head()
    assert portal.sign(WANG, A).code == 0
    portal.git("checkout", "-q", "main")
    portal.write(B, PAGES[B] + "\n补充一段。\n")
    portal.commit(ZHANG, "修改 b")
    moved_to = portal.head()
    portal.git("checkout", "-q", "review")
    portal.git(*_gpgsign(portal, WANG), "rebase", "-q", "main")
    state, _, reasons = portal.state(A)
    assert state == "bad-signature"
    assert f"a copied sign-off: made on {made_on[:10]}, found on {moved_to[:10]}" in reasons


def test_a_merged_genuine_signoff_counts(portal: Portal) -> None:
    """The supported flow: the sign-off lands with a merge commit and keeps its parent."""
    portal.git("checkout", "-q", "-b", "review")
    assert portal.sign(WANG, A).code == 0
    portal.git("checkout", "-q", "main")
    portal.write(B, PAGES[B] + "\n补充一段。\n")
    portal.commit(ZHANG, "修改 b")
    portal.git(*portal.identity(ZHANG), "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "合并", "review")
    assert portal.state(A)[:2] == ("cleared", 0)


def test_a_seal_by_another_key_than_the_commit_signature_does_not_count(portal: Portal) -> None:
    """The principal's seal on a commit the deputy signed (or the other way round) is no one's
    sign-off: the seal and the commit signature must be the same key."""
    portal.by_hand(WANG, portal.message_for(A), key=LI, sealed=False)
    text = portal.git("log", "-1", "--format=%B")
    parsed = parse_message(text)
    assert parsed is not None
    portal.git("reset", "-q", "--hard", "HEAD~1")
    sealed = replace(parsed, parent=portal.head())
    sealed = replace(sealed, seal=sshsig.seal(payload(sealed), str(portal.keys / WANG.id)))
    portal.git(*portal.identity(LI), "commit", "-q", "--allow-empty", "-S", "-m", format_message(sealed))
    state, _, reasons = portal.state(A)
    assert state == "bad-signature" and "Baomi-Seal does not verify" in reasons


def test_a_git_namespace_signature_is_no_seal(portal: Portal) -> None:
    """The commit's own signature (namespace `git`) pasted as a seal does not verify."""
    portal.by_hand(WANG, "普通提交")
    raw = portal.git("cat-file", "commit", "HEAD")
    armored = re.search(r"-----BEGIN SSH SIGNATURE-----(.*?)-----END SSH SIGNATURE-----", raw, re.S)
    assert armored is not None
    lifted = "".join(armored.group(1).split())
    assert base64.b64decode(lifted).startswith(b"SSHSIG")
    assert sshsig.sealer(lifted) is None
    message = portal.message_for(A).rstrip("\n") + f"\nBaomi-Parent: {portal.head()}\nBaomi-Seal: {lifted}\n"
    portal.git(*portal.identity(WANG), "commit", "-q", "--allow-empty", "-S", "-m", message)
    assert portal.state(A)[0] == "bad-signature"


def test_a_signoff_that_changes_any_published_file_does_not_count(portal: Portal) -> None:
    portal.write(B, PAGES[B] + "\n顺手改一句。\n")
    portal.git("add", "-A")
    sealed_message = portal.message_for(A)
    portal.by_hand(WANG, sealed_message)  # commits the staged change to b.md with the sign-off
    assert B in portal.git("show", "--name-only", "--format=", "HEAD")
    state, _, reasons = portal.state(A)
    assert state == "bad-signature"
    assert "changes nothing that is published" in reasons


def test_an_amended_signoff_keeps_counting_only_if_unchanged(portal: Portal) -> None:
    assert portal.sign(WANG, A, "-m", "同意").code == 0
    portal.git(*portal.identity(WANG), "commit", "-q", "--amend", "-S", "--no-edit", "--allow-empty")
    assert portal.state(A)[:2] == ("cleared", 0)  # the same record, re-signed in the same place
    text = portal.git("log", "-1", "--format=%B").replace("同意", "同意，另附一份未审核附件")
    portal.git(*portal.identity(WANG), "commit", "-q", "--amend", "-S", "--allow-empty", "-m", text)
    assert portal.state(A)[0] == "bad-signature"


def test_a_merge_commit_is_no_signoff(portal: Portal) -> None:
    portal.git("checkout", "-q", "-b", "side")
    portal.by_hand(ZHANG, "旁支", signed=False)
    portal.git("checkout", "-q", "main")
    head = portal.head()
    sealed = parse_message(portal.message_for(A))
    assert sealed is not None
    sealed = replace(sealed, parent=head)
    sealed = replace(sealed, seal=sshsig.seal(payload(sealed), str(portal.keys / WANG.id)))
    portal.git(*portal.identity(WANG), "merge", "-q", "--no-ff", "-S", "-m", format_message(sealed), "side")
    assert len(portal.git("log", "-1", "--format=%P").split()) == 2
    state, _, reasons = portal.state(A)
    assert state == "bad-signature" and "merge commit is no sign-off" in reasons


def test_baomi_sign_refuses_a_file_name_that_could_carry_a_trailer(portal: Portal) -> None:
    """End to end: a drafter names a page `x<break>Baomi-Cleared: …`; signing it is refused."""
    evil = parse_message(portal.message_for(A))
    assert evil is not None
    trailer = f"Baomi-Cleared: {EVIL.rsplit('/', 1)[1]} blob={evil.cleared[0].blob}"
    for brk in ("\n", "\u2028"):
        name = f"content/news/x{brk}{trailer}.md"
        portal.write(name, "# 普通稿件\n")
        portal.commit(ZHANG, "新稿")
        run = portal.sign(WANG, name)
        assert run.code == 2 and "line break or a control character" in run.err
        portal.git("rm", "-q", name)
        portal.commit(ZHANG, "删除")


def test_status_and_sign_still_need_the_team_key(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAOMI_FINGERPRINT_KEY", raising=False)
    for run in (portal.baomi("status"), portal.sign(WANG, A)):
        assert run.code == 2 and "no fingerprint key" in run.err
        assert "`baomi key --write`" in run.err  # the command that writes one, not the one that prints it
