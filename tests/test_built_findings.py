"""The findings of built files go through the findings cache (screening.BuiltFindings): a second
build of the same bytes with the same rules screens nothing again, and any change to the rules
is a miss."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from screen import screening
from screen.engine import Engine, build_engine
from screen.model import Finding
from screen.ruleset import parse, read_sources
from tests.conftest import RULES

KEY = b"built-findings-test-key"
PAGE = "<html><body><main><p>关于青松计划的通知</p><p>东岭基地</p></main></body></html>".encode()


def _screens_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> tuple[Finding, ...]:
        raise AssertionError("screened again")

    monkeypatch.setattr(screening, "screen_text", refuse)


def test_a_second_build_of_the_same_page_screens_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = screening.BuiltFindings(engine, KEY, tmp_path)
    found = first.screen("site/news/index.html", PAGE)
    assert {f.rule for f in found} >= {"codename.project"}
    assert first.screen("site/news/index.html", PAGE) == found  # within the build, before the flush
    first.flush()
    _screens_nothing(monkeypatch)
    second = screening.BuiltFindings(engine, KEY, tmp_path)
    assert second.screen("site/news/index.html", PAGE) == found


def test_other_bytes_another_name_or_other_rules_are_screened(engine: Engine, tmp_path: Path) -> None:
    first = screening.BuiltFindings(engine, KEY, tmp_path)
    first.screen("site/a/index.html", PAGE)
    first.flush()
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "terms" / "extra.yml").write_text(
        "id: codename.extra\nlevel: block\nmessage: 新加的代号\nterms: [东岭基地]\n"
        "hits: [东岭基地]\nmisses: [东岭]\n",
        encoding="utf-8",
    )
    stricter = build_engine(parse(read_sources(rules)))
    again = screening.BuiltFindings(stricter, KEY, tmp_path)
    assert "codename.extra" in {f.rule for f in again.screen("site/a/index.html", PAGE)}
    other = screening.BuiltFindings(engine, KEY, tmp_path)
    changed = PAGE.replace("东岭基地".encode(), "青松计划".encode())
    assert other.screen("site/a/index.html", changed) != other.screen("site/a/index.html", PAGE)
    assert {f.path for f in other.screen("site/b/index.html", PAGE)} == {"site/b/index.html"}


def test_without_a_cache_folder_every_call_screens(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = screening.BuiltFindings(engine, KEY, None)
    assert built.screen("site/a/index.html", PAGE)
    built.flush()
    _screens_nothing(monkeypatch)
    with pytest.raises(AssertionError, match="screened again"):
        built.screen("site/a/index.html", PAGE)


def _audit(gate: object, pages: dict[str, bytes], folder: Path) -> dict[str, set[str]]:
    """The audit of built pages (name → bytes, written under `folder`), as `built.audit` runs
    it: the rules each page is reported for."""
    from screen import built

    files = []
    for name, data in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append((name, path, None))
    found = built._pages_findings(gate, files)  # type: ignore[arg-type]
    return {name: {f.rule for f in findings} for name, findings in zip(pages, found, strict=True)}


def _gate(engine: Engine, cache: Path, jobs: int = 1) -> object:
    from types import SimpleNamespace

    settings = SimpleNamespace(fingerprint_key=KEY, jobs=jobs)
    workspace = SimpleNamespace(engine=engine, settings=settings)
    return SimpleNamespace(workspace=workspace, built=screening.BuiltFindings(engine, KEY, cache))


def _page(nav: str, body: str) -> bytes:
    return f"<html><body><nav><ul><li>{nav}</li></ul></nav><main><p>{body}</p></main></body></html>".encode()


def test_a_remembered_page_never_leans_on_a_block_no_page_of_this_build_screened(
    engine: Engine, tmp_path: Path
) -> None:
    first = _gate(engine, tmp_path)
    pages = {"site/a.html": _page("关于青松计划", "甲"), "site/b.html": _page("关于青松计划", "乙")}
    found = _audit(first, pages, tmp_path / "build1")
    assert "codename.project" in found["site/a.html"]  # the navigation, screened once
    assert "codename.project" not in found["site/b.html"]  # left to the page that had it first
    first.built.flush()  # type: ignore[attr-defined]
    # the first page changes its navigation; the second is remembered, leaning on a block gone
    changed = {"site/a.html": _page("政务动态", "甲"), "site/b.html": pages["site/b.html"]}
    assert "codename.project" in _audit(_gate(engine, tmp_path), changed, tmp_path / "build2")["site/b.html"]


def test_pages_audited_on_two_cores_find_what_one_core_finds(engine: Engine, tmp_path: Path) -> None:
    pages = {
        f"site/p{n:03d}.html": _page("关于青松计划" if n % 7 else "政务动态", f"第{n}页") for n in range(120)
    }
    pages["site/p077.html"] = _page("政务动态", "东岭基地")
    one = _audit(_gate(engine, tmp_path / "one", jobs=1), pages, tmp_path / "site1")
    two = _audit(_gate(engine, tmp_path / "two", jobs=2), pages, tmp_path / "site2")
    assert set().union(*one.values()) == set().union(*two.values()) >= {"codename.project"}
    assert "codename.project" in two["site/p077.html"]
