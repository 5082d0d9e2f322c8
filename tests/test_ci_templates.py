"""The GitHub Actions workflow and the GitLab CI template: they parse, have the shape the README
promises, every `baomi` command in them is one the CLI accepts, and their jobs, run here step
by step in a clone of the sample portal, pass a cleared pull request and stop a leaking one."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from screen.cli import _parser
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "baomi.yml"
GITLAB = ROOT / "ci" / "gitlab" / "baomi.gitlab-ci.yml"
BIN = Path(sys.executable).parent  # where this environment installed `baomi`
PAGE = "content/news/spring-farming-meeting.md"
LEAK = "\n另悉，东岭基地配套道路将于下月开工。\n"  # codename.project: block


def workflow() -> dict[str, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def gitlab() -> dict[str, Any]:
    document = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def triggers(document: dict[str, Any]) -> dict[str, Any]:
    on = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def gitlab_lines(job: dict[str, Any], template: dict[str, Any]) -> list[str]:
    base = template[job["extends"]] if "extends" in job else {}
    return [*base.get("before_script", []), *job.get("before_script", []), *job["script"]]


def shell_texts() -> list[str]:
    steps = [s for job in workflow()["jobs"].values() for s in job["steps"] if "run" in s]
    template = gitlab()
    jobs = [j for name, j in template.items() if isinstance(j, dict) and "script" in j and name[0] != "."]
    return [s["run"] for s in steps] + [line for job in jobs for line in gitlab_lines(job, template)]


# --- shape -----------------------------------------------------------------------------------


def test_the_workflow_runs_on_pull_requests_and_main() -> None:
    document = workflow()
    on = triggers(document)
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    assert document["permissions"] == {"contents": "read"}  # least privilege by default
    gate, publish = document["jobs"]["gate"], document["jobs"]["publish"]
    assert gate["if"] == "github.event_name == 'pull_request'"
    assert publish["if"] == "github.event_name != 'pull_request'"
    for job in (gate, publish):
        checkout = job["steps"][0]
        assert checkout["uses"].startswith("actions/checkout@")
        assert checkout["with"]["fetch-depth"] == 0  # a shallow clone cannot verify sign-offs
        assert job["permissions"]["security-events"] == "write"
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_the_pull_request_job_annotates_uploads_audits_and_gates() -> None:
    steps = workflow()["jobs"]["gate"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "--format github" in runs and "--format sarif > baomi.sarif" in runs
    assert 'baomi history --since "$BASE"' in runs
    assert 'baomi status --since "$BASE" --trust-ref "$BASE"' in runs
    assert "GITHUB_STEP_SUMMARY" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "baomi.sarif" and upload["if"].startswith("always()")


def test_the_main_job_publishes_and_uploads_the_site() -> None:
    steps = workflow()["jobs"]["publish"]["steps"]
    assert any(s.get("run") == "baomi publish --site-dir site" for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site/" and upload["with"]["if-no-files-found"] == "error"


def test_the_gitlab_template_has_a_required_gate_and_reports() -> None:
    template = gitlab()
    assert template["variables"]["GIT_DEPTH"] == "0"
    gate, publish = template["baomi:gate"], template["baomi:publish"]
    assert gate["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert gate["allow_failure"] is False
    assert gate["artifacts"]["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "baomi-junit.xml",
    }
    assert gate["artifacts"]["when"] == "always"  # the reports matter most when the gate fails
    assert publish["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert publish["artifacts"]["paths"] == ["public/"]
    assert set(template["stages"]) >= {gate["stage"], publish["stage"]}
    included = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))["include"]
    assert included == [{"local": GITLAB.relative_to(ROOT).as_posix()}]


def test_every_baomi_command_in_them_is_one_the_cli_accepts() -> None:
    commands = [
        m.group(0)
        for text in shell_texts()
        for m in re.finditer(r"(?<![\w-])baomi [^|;&>\n]*", text)
        if not m.group(0).startswith("baomi ==")
    ]
    assert len(commands) >= 10
    parser = _parser()
    for command in commands:
        words = shlex.split(command)[1:]
        if not words or words[0] == "/":  # a comment's prose, not a command
            continue
        parser.parse_args(words)  # exits (fails the test) on an unknown command or option


# --- run locally -----------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare copy of this repository whose `main` is the commit under test: the CI remote."""
    bare = tmp_path_factory.mktemp("remote") / "portal.git"
    git(ROOT, "clone", "--quiet", "--bare", "--no-local", str(ROOT), str(bare))
    git(bare, "update-ref", "refs/heads/main", git(ROOT, "rev-parse", "HEAD"))
    return bare


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("baomi-cache")


@dataclass
class Runner:
    """A CI machine: a fresh clone of `origin`, the environment CI gives, and a way to run the
    jobs' shell lines as the runner would."""

    root: Path
    env: dict[str, str]

    def shell(self, script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )

    def edit(self, path: str, extra: str) -> None:
        with (self.root / path).open("a", encoding="utf-8") as handle:
            handle.write(extra)

    def commit(self, message: str) -> None:
        git(self.root, "add", "-A")
        git(self.root, "-c", "user.name=撰稿人", "-c", "user.email=drafter@qingxi.gov.cn", "commit", "-q",
            "--no-gpg-sign", "-m", message)  # fmt: skip

    def sign_as(self, path: str, keys: Path, who: str = "wang") -> None:
        """`baomi sign` as 王建国 (deputy) or 李明 (principal) with the public demo key, set up
        as the README says."""
        name = {"wang": "王建国", "li": "李明"}[who]
        for key, value in (
            ("user.name", name),
            ("user.email", f"{who}@qingxi.gov.cn"),
            ("gpg.format", "ssh"),
            ("user.signingkey", str(keys / f"{who}_ed25519.pub")),
        ):
            git(self.root, "config", key, value)
        done = self.shell(f"baomi sign {shlex.quote(path)} -m 经审核，不涉及国家秘密，同意公开。")
        assert done.returncode == 0, done.stderr


@pytest.fixture
def runner(origin: Path, shared_cache: Path, tmp_path: Path) -> Iterator[Runner]:
    root = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", "--branch", "main", str(origin), str(root))
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("", encoding="utf-8")
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "BAOMI_CACHE_DIR": str(shared_cache),
        "LANG": "C.UTF-8",
    }
    yield Runner(root=root, env=env)


def github_job(runner: Runner, job: str, summary: Path, base: str = "main") -> list[tuple[str, int, str]]:
    """Run a workflow job's `run:` steps in order, as Actions would (bash -eo pipefail, the
    workflow's and job's env, `${{ }}` expressions filled in), stopping at the first failure.
    Steps that install Baomi or use an action are the runner's business, not ours, and skipped.
    Returns (step name, exit code, output) per step run."""
    document = workflow()
    expressions = {
        "github.base_ref": base,
        "github.ref": "refs/heads/test",
        "secrets.BAOMI_FINGERPRINT_KEY": "",  # no secret: the repository's key file is used
    }

    def fill(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: expressions[m.group(1)], text)

    spec = document["jobs"][job]
    env = {**runner.env, "GITHUB_STEP_SUMMARY": str(summary)}
    env |= {k: fill(str(v)) for k, v in {**document.get("env", {}), **spec.get("env", {})}.items()}
    done = []
    for step in spec["steps"]:
        if "run" not in step or "BAOMI_PACKAGE" in step["run"]:
            continue
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fill(step["run"])],
            cwd=runner.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        done.append((step["name"], result.returncode, result.stdout + result.stderr))
        if result.returncode:
            break
    return done


def gitlab_job(runner: Runner, job: str, variables: dict[str, str]) -> tuple[int, str]:
    """Run a template job's before_script and script in one shell, as a GitLab runner does, with
    the template's and job's variables (expanded against the CI variables given)."""
    template = gitlab()
    spec = template[job]
    env = {**runner.env, **variables}
    for name, value in {**template["variables"], **spec.get("variables", {})}.items():
        env[name] = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), ""), str(value))
    lines = [line for line in gitlab_lines(spec, template) if "BAOMI_PACKAGE" not in line]
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)],
        cwd=runner.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_github_gate_passes_a_cleared_pull_request(runner: Runner, demo_keys: Path, tmp_path: Path) -> None:
    git(runner.root, "switch", "-q", "-c", "feature")
    runner.edit(PAGE, "\n各乡镇要加强农技服务。\n")
    runner.commit("补充春耕稿件")
    runner.sign_as(PAGE, demo_keys)
    # the drafter's commit is unsigned and the sample's policy is `authors: signed`: two leaders
    runner.sign_as(PAGE, demo_keys, "li")
    summary = tmp_path / "summary.md"
    steps = github_job(runner, "gate", summary)
    assert [code for _, code, _ in steps] == [0] * len(steps), steps
    assert len(steps) == 6  # fetch, rules, annotations, SARIF, history, sign-off gate
    sarif = json.loads((runner.root / "baomi.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]  # the drafts' findings
    text = summary.read_text(encoding="utf-8")
    assert "Baomi 保密审查" in text and f"| `{PAGE}` | ✅ 已审核签发" in text  # C.UTF-8: Chinese
    assert "东岭基地" not in text  # the drafts' codename, redacted everywhere


def test_github_gate_stops_an_unsigned_change(runner: Runner, tmp_path: Path) -> None:
    git(runner.root, "switch", "-q", "-c", "feature")
    runner.edit(PAGE, "\n各乡镇要加强农技服务。\n")
    runner.commit("补充春耕稿件")
    steps = github_job(runner, "gate", tmp_path / "summary.md")
    name, code, output = steps[-1]
    assert (name, code) == ("Require sign-off of every changed published file", 1)
    assert f"| `{PAGE}` | ⛔ 签发后已改动 |" in output, output  # C.UTF-8: Chinese


def test_github_gate_stops_a_leak_removed_before_the_merge(runner: Runner, tmp_path: Path) -> None:
    git(runner.root, "switch", "-q", "-c", "feature")
    runner.edit(PAGE, LEAK)
    runner.commit("稿件")
    git(runner.root, "checkout", "-q", "main", "--", PAGE)
    runner.commit("撤回")  # the branch's final tree changes nothing, its history carries the leak
    steps = github_job(runner, "gate", tmp_path / "summary.md")
    name, code, output = steps[-1]
    assert (name, code) == ("Audit every commit the pull request adds", 1)
    assert "codename.project" in output and "东岭基地" not in output


def test_github_annotations_show_a_leak_and_the_gate_blocks_it(runner: Runner, tmp_path: Path) -> None:
    git(runner.root, "switch", "-q", "-c", "feature")
    runner.edit(PAGE, LEAK)
    runner.commit("稿件")
    steps = github_job(runner, "gate", tmp_path / "summary.md")
    by_name = {name: (code, output) for name, code, output in steps}
    code, output = by_name["Screen the change (annotations and step summary)"]
    assert code == 0 and f"::error file={PAGE}" in output  # annotated, not yet decided
    assert steps[-1][0] == "Audit every commit the pull request adds" and steps[-1][1] == 1


def test_github_main_job_publishes_cleared_pages_only(runner: Runner, tmp_path: Path) -> None:
    steps = github_job(runner, "publish", tmp_path / "summary.md")
    assert [code for _, code, _ in steps] == [0] * len(steps), steps
    site = runner.root / "site"
    assert (site / "index.html").is_file()
    assert (site / "news" / "spring-farming-meeting" / "index.html").is_file()
    assert not (site / "drafts").exists()  # held back: not cleared
    assert "暂缓发布：drafts/leaked-memo.md" in steps[-1][2]  # CI's C locale reads Chinese


def test_gitlab_gate_passes_a_cleared_merge_request(runner: Runner, demo_keys: Path) -> None:
    git(runner.root, "switch", "-q", "-c", "feature")
    runner.edit(PAGE, "\n各乡镇要加强农技服务。\n")
    runner.commit("补充春耕稿件")
    runner.sign_as(PAGE, demo_keys)
    # the drafter's commit is unsigned and the sample's policy is `authors: signed`: two leaders
    runner.sign_as(PAGE, demo_keys, "li")
    code, output = gitlab_job(
        runner,
        "baomi:gate",
        {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_PIPELINE_SOURCE": "merge_request_event"},
    )
    assert code == 0, output
    report = json.loads((runner.root / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert report == []  # the changed page is clean
    suite = ET.parse(runner.root / "baomi-junit.xml").getroot()
    assert suite.iter("testcase")


def test_gitlab_gate_reports_and_stops_a_leak(runner: Runner) -> None:
    git(runner.root, "switch", "-q", "-c", "feature")
    runner.edit(PAGE, LEAK)
    runner.commit("稿件")
    code, output = gitlab_job(runner, "baomi:gate", {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    assert code == 1
    report = json.loads((runner.root / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [(i["check_name"], i["location"]["path"]) for i in report] == [("codename.project", PAGE)]
    failures = list(ET.parse(runner.root / "baomi-junit.xml").getroot().iter("failure"))
    assert len(failures) == 1
    assert "东岭基地" not in output + (runner.root / "baomi-junit.xml").read_text(encoding="utf-8")


def test_gitlab_publish_builds_public(runner: Runner) -> None:
    code, output = gitlab_job(
        runner, "baomi:publish", {"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    )
    assert code == 0, output
    assert (runner.root / "public" / "index.html").is_file()
    assert not (runner.root / "public" / "drafts").exists()
    assert isinstance(
        json.loads((runner.root / "gl-code-quality-report.json").read_text(encoding="utf-8")), list
    )
