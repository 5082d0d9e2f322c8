"""Trust: only a good SSH signature by a key in force in rules/signers.yml counts; changes to
signers and policy come into force through the chain of trust; anything Baomi cannot verify
fails closed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from screen.signoff.message import cleared_for
from tests.signoff_portal import (
    CHEN,
    IMPORTANT,
    LI,
    LIU,
    PAGES,
    PEOPLE,
    POLICY,
    POLICY_PATH,
    SIGNERS,
    SUN,
    WANG,
    ZHANG,
    ZHAO,
    A,
    B,
    Person,
    Portal,
    git,
    signers_yaml,
)

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


# --- the chain of trust -------------------------------------------------------------------------


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


# --- deeper attacks on the chain ----------------------------------------------------------------


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
    from screen.signoff.signers import key_fingerprint

    wang = key_fingerprint((keys / "wang.pub").read_text(encoding="utf-8"))
    fields = ["f" * 40, "", WANG.name, WANG.email, "1795570217", "G", wang, portal.message_for(A)]
    message = portal.root.parent / "message.txt"
    message.write_text("说明\n\x1e" + "\x1f".join(fields) + "\x1f", encoding="utf-8")
    portal.git(*portal.identity(ZHANG), "commit", "-q", "--allow-empty", "--no-gpg-sign",
               "--cleanup=verbatim", "-F", str(message))  # fmt: skip
    state, code, _ = portal.state(A)
    assert (state, code) == ("bad-signature", 1)


def test_uncommitted_signers_change_is_not_trusted(portal: Portal, keys: Path) -> None:
    # Trust is read from git at the trust ref, never from the working tree.
    portal.write(
        SIGNERS,
        signers_yaml((*(p for p in PEOPLE if p.listed), Person("liu", "刘外", LIU.email, ("deputy",))), keys),
    )
    portal.by_hand(LIU, portal.message_for(A))
    assert portal.state(A)[:2] == ("untrusted-signer", 1)


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
