"""`baomi init` (issue 16): a working portal in an empty or new folder, in Chinese, with the
policy, an empty signers list, an example dictionary, the lock of the packaged rules, a team key
kept out of Git, the CI pipelines and a pre-commit hook; it never overwrites anything."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from screen.packaged import installed, lock_text
from tests.conftest import ROOT

COLUMNS = ("news", "notices", "policy", "open")


def _init(cli: Callable[..., Any], where: Path, *extra: str) -> Any:
    names = ["--name", "青溪县人民政府门户网站", "--org", "青溪县人民政府办公室"]
    return cli(["init", str(where), *names, *extra], cwd=where.parent)


def test_init_writes_a_portal_that_checks_clean(cli: Callable[..., Any], tmp_path: Path) -> None:
    root = tmp_path / "qingxi"
    run = _init(cli, root)
    assert run.code == 0, run.err
    assert "baomi signer add" in run.out and "cd " in run.out and "git init" in run.out
    assert (root / ".git").is_dir()
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)
    assert config["site_name"] == "青溪县人民政府门户网站"
    assert config["theme"]["language"] == "zh" and config["theme"]["font"] is False
    assert "baomi" in config["plugins"] and config["docs_dir"] == "content"
    assert [next(iter(item)) for item in config["nav"]] == [
        "首页",
        "政务动态",
        "通知公告",
        "政策文件",
        "政务公开",
    ]
    for column in COLUMNS:
        assert (root / "content" / column / "index.md").is_file()
    assert "青溪县人民政府办公室" in (root / "content/index.md").read_text(encoding="utf-8")
    assert yaml.safe_load((root / "rules/signers.yml").read_text(encoding="utf-8"))["signers"] == []
    policy = yaml.safe_load((root / "rules/policy.yml").read_text(encoding="utf-8"))
    assert policy["require"]["default"] == ["deputy"] and policy["require"]["rules"] == ["principal"]
    assert (root / "rules/packaged.lock").read_text(encoding="utf-8") == lock_text(installed())
    key = root / ".baomi/fingerprint.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
    ignored = subprocess.run(["git", "check-ignore", "-q", ".baomi/fingerprint.key"], cwd=root, check=False)
    assert ignored.returncode == 0  # the key never reaches Git
    for ci in (".github/workflows/baomi.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml", "README.md"):
        assert (root / ci).is_file(), ci
    assert "撰稿人" in (root / "README.md").read_text(encoding="utf-8")
    # its own rules are valid, the example dictionary included, and its pages raise nothing
    checked = cli(["rules", "check"], cwd=root)
    assert checked.code == 0, checked.err
    listed = json.loads(cli(["rules", "list", "--format", "json"], cwd=root).out)["rules"]
    assert "local.codename" in {r["id"] for r in listed}
    screened = cli(["check", "--format", "json"], cwd=root)
    assert screened.code == 0, screened.out + screened.err
    assert json.loads(screened.out)["findings"] == []


def test_init_never_overwrites_and_writes_nothing_then(cli: Callable[..., Any], tmp_path: Path) -> None:
    root = tmp_path / "portal"
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "policy.yml").write_text("# 已有的策略\n", encoding="utf-8")
    run = _init(cli, root)
    assert run.code == 2
    assert "rules/policy.yml exists" in run.err and "never overwrites" in run.err
    assert sorted(p.name for p in root.rglob("*")) == ["policy.yml", "rules"]  # nothing written
    assert (root / "rules/policy.yml").read_text(encoding="utf-8") == "# 已有的策略\n"


def test_init_in_an_existing_repository_keeps_it(cli: Callable[..., Any], tmp_path: Path) -> None:
    root = tmp_path / "existing"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(root)], check=True)
    run = _init(cli, root)
    assert run.code == 0, run.err
    assert "git init" not in run.out
    head = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    )
    assert head.stdout.strip() == "refs/heads/trunk"


@pytest.mark.parametrize("name", ["县政府: 门户 # 网站", "“引号”与 'quote' 及 \\ 反斜杠"])
def test_any_one_line_name_reads_back_exactly(cli: Callable[..., Any], tmp_path: Path, name: str) -> None:
    root = tmp_path / "odd"
    run = cli(["init", str(root), "--name", name], cwd=tmp_path)
    assert run.code == 0, run.err
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)
    assert config["site_name"] == name


@pytest.mark.parametrize("name", ["", "两行\n名称"])
def test_a_name_that_is_not_one_line_is_refused(cli: Callable[..., Any], tmp_path: Path, name: str) -> None:
    run = cli(["init", str(tmp_path / "x"), "--name", name], cwd=tmp_path)
    assert run.code == 2 and "--name" in run.err
    assert not (tmp_path / "x").exists()


def test_init_speaks_chinese_by_default(cli: Callable[..., Any], tmp_path: Path, chinese: None) -> None:
    run = _init(cli, tmp_path / "qingxi")
    assert run.code == 0, run.err
    assert "建立门户网站“青溪县人民政府门户网站”" in run.out and "接下来：" in run.out
    assert "baomi signer add" in run.out and "初始化门户网站" in run.out
    again = _init(cli, tmp_path / "qingxi")
    assert again.code == 2 and "baomi init 不覆盖任何文件" in again.err


def test_a_file_where_the_folder_should_be_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    run = cli(["init", str(tmp_path / "taken")], cwd=tmp_path)
    assert run.code == 2 and "not a folder" in run.err


@pytest.mark.parametrize(
    ("template", "project"),
    [
        ("github-workflow.yml", ".github/workflows/baomi.yml"),
        ("gitlab-ci.yml", "ci/gitlab/baomi.gitlab-ci.yml"),
    ],
)
def test_the_portal_pipelines_are_the_projects_with_a_pinned_release(template: str, project: str) -> None:
    ours = (ROOT / "screen/templates/portal" / template).read_text(encoding="utf-8").splitlines()
    theirs = (ROOT / project).read_text(encoding="utf-8").splitlines()
    differ = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
    assert differ == [('  BAOMI_PACKAGE: "baomi==@@VERSION@@"', '  BAOMI_PACKAGE: "."')]
