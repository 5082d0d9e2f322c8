"""Clearance: a page is publishable when people with the roles its policy requires signed its
exact bytes, none of them wrote it, and screening finds nothing unwaived; what history,
renames, branches and merges do to a sign-off, and deeper attacks on separation of duties."""

from __future__ import annotations

from screen.signoff.message import cleared_for
from tests.signoff_portal import (
    BLOCKING,
    IMPORTANT,
    LI,
    LIU,
    PAGES,
    SECRET,
    WANG,
    ZHANG,
    ZHOU,
    A,
    B,
    Portal,
    add_secret,
)

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
    rules = sorted(str(p.relative_to(portal.root)) for p in (portal.root / "rules").rglob("*") if p.is_file())
    assert portal.sign(LI, IMPORTANT, *rules).code == 0  # the trust files and every rule file
    run, files, document = portal.status()
    assert run.code == 0, run.out
    assert document["publishable"] is True
    assert document["trust_problems"] == []
    assert set(files) == {A, B, "content/index.md", IMPORTANT, *rules}
    assert {f["state"] for f in files.values()} == {"cleared"}
    text = portal.baomi("status")
    assert text.code == 0
    assert f"{4 + len(rules)}/{4 + len(rules)} file(s) cleared; publishable" in text.out


def test_edit_after_signoff_is_stale(portal: Portal) -> None:
    assert portal.sign(WANG, A).code == 0
    portal.write(A, PAGES[A] + "\n补充一段说明。\n")
    state, code, reasons = portal.state(A)  # uncommitted: what would be published now
    assert (state, code) == ("stale", 1)
    assert "changed after its sign-off" in reasons
    portal.commit(ZHANG, "补充说明")
    assert portal.state(A)[:2] == ("stale", 1)


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


# --- deeper attacks on separation of duties -----------------------------------------------------


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
