"""`baomi sign` refuses what it must not sign (dirty or staged files, no SSH signing, unknown
waivers, unpublished paths) and makes no commit; `--dry-run` only prints the sign-off."""

from __future__ import annotations

from tests.signoff_portal import PAGES, SECRET, WANG, A, B, Portal, add_secret

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


def test_dry_run_prints_the_signoff_without_committing(portal: Portal) -> None:
    before = portal.head()
    run = portal.sign(WANG, A, "--dry-run")
    assert run.code == 0
    assert run.out.startswith("baomi: 审核签发 1 个文件")
    assert f"Baomi-Cleared: {A} blob=" in run.out
    assert portal.head() == before
