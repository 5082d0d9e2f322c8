"""Check sees what publish sees: a Markdown page is also screened as Python-Markdown renders it
with the portal's extensions, and a page the publish audit would block is never clean earlier."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screen.engine import Engine
from screen.model import Level
from screen.screening import screen_text
from screen.source import read_document, rendering
from screen.source.reading import MAX_BYTES
from screen.source.rendering import MarkdownSetup, render, setup_from
from tests.conftest import ROOT, write_portal

KEY = b"test-key"
TERM = "青松计划"
CODENAME = "codename.project"
# The sample portal's own extensions, as its mkdocs.yml names them.
PORTAL = setup_from({"markdown_extensions": ["toc", "tables", "admonition", "attr_list", "md_in_html"]})


def _blocking(engine: Engine, page: str, setup: MarkdownSetup = PORTAL) -> set[str]:
    document = read_document("content/page.md", page.encode("utf-8"), markdown=setup)
    return {f.rule for f in engine.screen(document, KEY) if f.level is Level.BLOCK}


def _audited(engine: Engine, page: str, setup: MarkdownSetup = PORTAL) -> set[str]:
    """What the publish audit blocks in the page as built (its rendered body, read as HTML)."""
    html = f"<html><body><article>{render('page.md', page, setup)}</article></body></html>"
    return {
        f.rule
        for f in screen_text(engine, "site/page/index.html", html.encode(), KEY)
        if f.level is Level.BLOCK
    }


MARKDOWN_CASES = [
    ("attr_list title with a reference", '正文\n{: title="&#38738;&#26494;计划" }\n'),
    ("attr_list attribute name", f'正文\n{{: data-{TERM}="1" }}\n'),
    ("inline HTML attribute name", f"正文<span x{TERM}>说明</span>"),
    ("reference without a semicolon in inline HTML", "<p>&#38738&#26494计划</p>"),
    ("comment opener in an attribute", f'<div title="<!--">{TERM}</div>\n\n-->'),
    ("markdown inside an HTML block", '<div markdown="1">\n青松**计划**\n</div>'),
    ("ruby in a paragraph", "<ruby>青<rt>qīng</rt>松<rt>sōng</rt>计划</ruby>"),
    ("heading built from references", "# &#x9752;&#x677E;计划\n"),
    ("table cell with entities", "| 项目 |\n|---|\n| &#38738;&#26494;计划 |\n"),
]


@pytest.mark.parametrize("page", [c[1] for c in MARKDOWN_CASES], ids=[c[0] for c in MARKDOWN_CASES])
def test_what_the_rendered_page_shows_is_blocked_at_check(engine: Engine, page: str) -> None:
    assert CODENAME in _audited(engine, page)  # the published page would show it
    assert CODENAME in _blocking(engine, page)


def test_the_page_policy_applies_to_markdown_pages(engine: Engine) -> None:
    assert "html.script" in _blocking(engine, "正文\n\n<script>document.write('x')</script>\n")
    assert "html.script" in _blocking(engine, '正文\n{: onclick="x()" }\n')
    assert "html.element" in _blocking(engine, '<iframe src="https://example.org/"></iframe>')


def test_code_is_not_markup(engine: Engine) -> None:
    page = "示例：\n\n```html\n<script>alert(1)</script>\n```\n\n以及 `<iframe>` 一词。\n"
    assert _blocking(engine, page) == set()


def test_the_sample_portal_is_clean_of_the_page_policy(engine: Engine) -> None:
    for path in sorted((ROOT / "content").rglob("*.md")):
        document = read_document(str(path.relative_to(ROOT)), path.read_bytes(), markdown=PORTAL)
        rules = {f.rule for f in engine.screen(document, KEY)}
        assert not {r for r in rules if r.startswith("html.")}, path


def test_a_rendered_only_finding_points_at_its_source_line(engine: Engine) -> None:
    page = "# 标题\n\n第一段。\n\n<p>&#38738&#26494计划</p>\n"
    document = read_document("content/page.md", page.encode(), markdown=PORTAL)
    (finding,) = engine.screen(document, KEY)
    assert (finding.rule, finding.line, finding.rendered) == (CODENAME, 5, "<p>#2")


def test_a_term_in_the_source_is_found_once(engine: Engine) -> None:
    page = f"# 标题\n\n关于{TERM}的说明，{TERM}。\n\n- 列表{TERM}\n"
    document = read_document("content/page.md", page.encode(), markdown=PORTAL)
    findings = engine.screen(document, KEY)
    assert [(f.line, bool(f.rendered)) for f in findings] == [(3, False), (3, False), (5, False)]


def test_an_extension_that_is_not_installed_is_refused(tmp_path: Path) -> None:
    """A module in the portal named as an extension is never imported: it would run uncleared code."""
    root = write_portal(
        tmp_path,
        {
            "mkdocs.yml": "site_name: 测试\ndocs_dir: content\nmarkdown_extensions:\n  - localext\n",
            "localext.py": "import pathlib\npathlib.Path('ran').write_text('x')\n",
            "content/index.md": "# 首页\n",
        },
    )
    env = {"BAOMI_FINGERPRINT_KEY": "test-fingerprint-key-0123456789abcdef", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "screen", "check", "content", "--format", "json"],
        cwd=root,
        env=env | {"PATH": "/usr/bin:/bin", "BAOMI_CACHE_DIR": "", "LANGUAGE": "en"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "not an installed package" in json.loads(done.stdout)["errors"][0]["message"]
    assert not (root / "ran").exists()


def test_an_option_built_from_a_python_tag_falls_back_to_the_default() -> None:
    setup = setup_from({"markdown_extensions": [{"toc": {"permalink": True, "slugify": None}}]})
    assert '<h1 id="' in render("page.md", "# 标题\n", setup)


def test_a_page_that_cannot_be_rendered_is_an_error_but_its_source_is_screened(engine: Engine) -> None:
    setup = MarkdownSetup(extensions=("no_such_extension_x",))
    document = read_document("content/a.md", f"# {TERM}".encode(), markdown=setup)
    assert "not an installed package" in document.unrendered
    assert [f.rule for f in engine.screen(document, KEY)] == [CODENAME]


def test_a_page_that_renders_too_slowly_is_an_error_but_its_source_is_screened(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python-Markdown makes its slow shapes fast from one release to the next (3.11.4 renders a
    # run of 20,000 open brackets in 0.06 s, 3.11.3 took 54 s), so the time a page may take is
    # cut here instead: an ordinary long page then overruns it, on whatever release is installed.
    monkeypatch.setattr(rendering, "_budget", lambda size: 0.001)
    # (A character reference makes the page one that must be rendered to be read.)
    body = "\n\n".join(f"## 第{i}节\n\n正文 **加粗** [链接](x.md) &amp; {TERM}" for i in range(3000))
    slow = read_document("content/b.md", body.encode(), markdown=PORTAL)
    assert "takes more than" in slow.unrendered
    assert CODENAME in [f.rule for f in engine.screen(slow, KEY)]


def test_the_render_budget_grows_with_the_page_up_to_a_limit() -> None:
    assert rendering._budget(0) == 2.0
    assert rendering._budget(3_000_000) == 14.0
    assert rendering._budget(100_000_000) == rendering.MAX_SECONDS
    # The largest page read still has its 4 s a megabyte: an ordinary one is not cut off.
    assert rendering._budget(MAX_BYTES) == rendering.MAX_SECONDS


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost alarm
def test_an_alarm_lost_in_a_garbage_collector_callback_still_stops_the_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An exception raised inside a gc callback is only reported, never raised (pytest's own
    # plugins install such callbacks). The first collection during the render outlasts the
    # budget, so the first alarm lands there and is lost; the render must stop all the same.
    rendering_began: list[int] = []

    def budget(size: int) -> float:
        rendering_began.append(size)
        return 0.05

    monkeypatch.setattr(rendering, "_budget", budget)
    slow_collections = [0]

    def slow(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and rendering_began and slow_collections[0] < 2:
            slow_collections[0] += 1
            until = time.perf_counter() + 0.3
            while time.perf_counter() < until:
                pass

    body = "\n\n".join(f"## 第{i}节\n\n正文 **加粗** [链接](x.md) &amp; 内容" for i in range(2_000))
    gc.callbacks.append(slow)
    started = time.perf_counter()
    try:
        document = read_document("content/b.md", body.encode(), markdown=PORTAL)
    finally:
        gc.callbacks.remove(slow)
    assert slow_collections[0] >= 1
    assert "takes more than" in document.unrendered
    assert time.perf_counter() - started < 3


_PIECES = st.sampled_from(
    [
        TERM,
        "&#38738;&#26494;计划",
        "&#38738&#26494计划",
        "&#x9752;&#x677E;计划",
        "青松**计划**",
        "青<b>松</b>计划",
        "青<!-- x -->松计划",
        f'<span title="{TERM}">说明</span>',
        f"<span x{TERM}>说明</span>",
        '{: title="&#38738;&#26494;计划" }',
        f"`{TERM}`",
        f"[链接](https://example.org/{TERM})",
        "<ruby>青<rt>q</rt>松<rt>s</rt>计划</ruby>",
        "![图](data:image/svg+xml;base64,PHN2Zz48dGV4dD7pnZLmnb7orqHliJI8L3RleHQ+PC9zdmc+)",
        "[链接](https://example.org/%E9%9D%92%E6%9D%BE%E8%AE%A1%E5%88%92)",
    ]
)
_AROUND = st.sampled_from(
    ["", "正文", "\n", "\n\n", "# ", "- ", "> ", "| a |\n|---|\n| ", "<div>", "</div>", "*"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(_AROUND, _PIECES, _AROUND), min_size=1, max_size=3))
def test_check_and_the_publish_audit_agree(engine: Engine, parts: list[tuple[str, str, str]]) -> None:
    """Every rule that blocks the page as built blocks it at check, and a page check passes
    publishes clean."""
    page = "".join(a + piece + b for a, piece, b in parts)
    audited, checked = _audited(engine, page), _blocking(engine, page)
    assert audited <= checked, (page, audited - checked)


def test_a_plain_page_is_read_from_its_source_alone() -> None:
    plain = read_document(
        "content/a.md", f"# 标题\n\n正文{TERM}，**强调**，[链接](https://example.org/)。\n".encode()
    )
    assert plain.view is None  # nothing to render that the source reading does not see
    assert read_document("content/b.md", b"<p>x</p>").view is not None


def test_an_extension_that_makes_text_always_renders(engine: Engine) -> None:
    """With magiclink a bare address becomes a link, and a browser decodes its escapes."""
    setup = setup_from({"markdown_extensions": ["pymdownx.magiclink"]})
    page = "见 https://example.org/%E9%9D%92%E6%9D%BE%E8%AE%A1%E5%88%92 。\n"
    assert CODENAME in _audited(engine, page, setup)
    assert CODENAME in _blocking(engine, page, setup)


@pytest.mark.parametrize(
    "page",
    [
        "![图](data:image/svg+xml;base64,PHN2Zz48dGV4dD7pnZLmnb7orqHliJI8L3RleHQ+PC9zdmc+)\n",
        "[打开](DATA:text/html;base64,PHA+6Z2S5p2+6K6h5YiSPC9wPg==)\n",
        "[打开](javascript:alert(1))\n",
    ],
    ids=["data-image", "data-html-upper", "javascript"],
)
def test_link_targets_a_browser_reads_are_rendered(engine: Engine, page: str) -> None:
    assert read_document("content/a.md", page.encode(), markdown=PORTAL).view is not None
    assert _blocking(engine, page)


def test_front_matter_the_theme_writes_as_html_is_read_as_html(engine: Engine) -> None:
    """Material writes `title` into <h1> and <title> unescaped: a browser decodes it."""
    page = '---\ntitle: "&#38738;松计划"\n---\n\n正文。\n'
    document = read_document("content/a.md", page.encode(), markdown=PORTAL)
    (finding,) = engine.screen(document, KEY)
    assert (finding.rule, finding.line) == (CODENAME, 2)
    scripted = '---\ntitle: "通知<script>alert(1)</script>"\n---\n\n正文。\n'
    assert "html.script" in _blocking(engine, scripted)
