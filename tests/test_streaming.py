"""Reports written as the files are screened: the same bytes as a report of the result held whole,
on one core and on several, with the findings cache cold and warm; and the screening reads only
a few runs of files ahead of the writer, so no run holds all its findings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screen import api, screening
from screen.engine import shared_engine
from screen.model import FileResult
from screen.portal import Target
from screen.report import HistoryView, ReportView, formats, render
from screen.report.jsontext import _UNSAFE, _escape, encode
from screen.settings import load_settings
from tests.conftest import write_portal

# Prose with a codename (block), an ID number (block) and plain text; each page about 10 KB, so
# 120 pages pass the size above which a check uses several cores.
FILLER = "春耕生产有序推进，各乡镇做好农资供应和技术指导，确保粮食面积稳定。" * 12
LEAK = "配合青松计划的实施。"
PERSON = "联系人身份证号11010519491231002X。"


def _page(number: int) -> str:
    lines = ["---", f"title: 第{number}期", "---", ""]
    for paragraph in range(10):
        extra = LEAK if (number + paragraph) % 3 == 0 else PERSON if (number + paragraph) % 7 == 0 else ""
        lines += [FILLER + extra, ""]
    return "\n".join(lines)


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    root = tmp_path / "portal"
    files: dict[str, str | bytes] = {f"content/s{n % 4}/p{n:03d}.md": _page(n) for n in range(120)}
    files["content/s1/bad.md"] = b"\xff\xfe not UTF-8"
    write_portal(root, files)
    return root


@pytest.mark.parametrize("fmt", formats("check"))
def test_a_streamed_report_is_the_report_of_the_whole_result(cli: Any, portal: Path, fmt: str) -> None:
    assert sum(p.stat().st_size for p in portal.rglob("*.md")) > screening._PARALLEL_BYTES
    several = cli(["check", "--format", fmt, "--jobs", "2"], cwd=portal)
    assert several.code == 2, several.err  # the unreadable page
    again = cli(["check", "--format", fmt, "--jobs", "2"], cwd=portal)  # findings cached now
    one = cli(["check", "--format", fmt, "--jobs", "1"], cwd=portal)
    settings_ = load_settings(portal, jobs=1, run_key=False)
    whole = render("check", fmt, ReportView(result=api.check(settings_, [])))
    assert several.out == again.out == one.out == whole
    if fmt == "json":
        document = json.loads(several.out)
        assert len(document["findings"]) > 200
        assert [e["path"] for e in document["errors"]] == ["content/s1/bad.md"]


def test_the_screening_reads_only_a_few_runs_ahead_of_the_writer(cli: Any, portal: Path) -> None:
    # `cli` sets the team key and a cache folder of the test's own.
    settings_ = load_settings(portal, jobs=2, run_key=False)
    engine = shared_engine(settings_.rules_dir, settings_.cache_dir)
    targets = [
        Target(path=p, display=str(p.relative_to(portal)))
        for p in sorted((portal / "content").rglob("p*.md"))
    ]
    pulled: list[int] = []

    def parts() -> Any:
        for index in range(0, len(targets), 2):
            pulled.append(index // 2)
            yield targets[index : index + 2]

    results = screening.screen_parts(engine, parts(), settings_, jobs=2)
    first = next(results)
    assert isinstance(first, FileResult)
    ahead = len(pulled)
    rest = list(results)
    assert 1 + len(rest) == len(targets)
    # The first result came back when at most the window (cores × runs each) had been read.
    assert ahead <= 2 * screening._AHEAD + 1 < len(targets) // 2


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=撰稿人", "-c", "user.email=drafter@example.gov.cn", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize("fmt", formats("history"))
def test_a_streamed_history_is_the_history_of_the_whole_result(cli: Any, portal: Path, fmt: str) -> None:
    (portal / "content" / "s1" / "bad.md").unlink()
    _git(portal, "init", "-q", "-b", "main")
    _git(portal, "add", "-A")
    _git(portal, "commit", "-q", "--no-gpg-sign", "-m", "start")
    for name in ("content/s0/p000.md", "content/s1/p001.md"):
        (portal / name).write_text(_page(3) + PERSON, encoding="utf-8")
    _git(portal, "commit", "-q", "--no-gpg-sign", "-am", "edit")
    streamed = cli(["history", "--format", fmt, "--jobs", "2"], cwd=portal)
    assert streamed.code == 1, streamed.err
    settings_ = load_settings(portal, jobs=1, run_key=False)
    whole = api.history(settings_, None).gathered()
    assert whole.versions_scanned == 122
    assert streamed.out == render("history", fmt, HistoryView(result=whole))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_json_encoder_writes_what_json_dumps_writes(value: object) -> None:
    expected = _UNSAFE.sub(_escape, json.dumps(value, ensure_ascii=False, indent=2))
    assert encode(value) == expected
    assert json.loads(encode(value)) == value
