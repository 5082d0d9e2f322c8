"""A browser oracle for the published view: pages that show a term only when rendered, built with
plain MkDocs (Baomi's defences off), opened in headless Chromium, and what a reader sees there
(the title, the text, generated content, markers, the text in the order it is drawn, tooltips,
decoded data: images and frames) screened with Baomi's own rules.

First the oracle must flag every case: the attack works against a build without Baomi. Then
Baomi, screening the same source files, must block every one of them, so no sign-off can clear
them and `publish` lets none of them through."""

# ruff: noqa: E501 (cases and the oracle script are clearer on one line each)
from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium import webdriver

from screen.engine import Engine
from screen.model import Level
from screen.screening import screen_text
from screen.source import read_document
from screen.source.rendering import setup_from
from tests.test_browser import BIN, browser, free_port, serving  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(
    os.environ.get("BAOMI_SKIP_BROWSER") == "1", reason="BAOMI_SKIP_BROWSER=1 (browser tests need chromium)"
)

KEY = b"oracle-key"
TERM = "青松计划"
REVERSED = TERM[::-1]
ESCAPED = "\\9752\\677E\\8BA1\\5212"  # the term in CSS escapes
JS_ESCAPED = "\\u9752\\u677e\\u8ba1\\u5212"
EXTENSIONS = ["toc", "tables", "admonition", "attr_list", "md_in_html"]
_SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="0" y="20">{TERM}</text></svg>'
)
_SVG_SPANS = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text y="20">'
    '<tspan x="0">青</tspan><tspan x="16">松</tspan><tspan x="32">计</tspan><tspan x="48">划</tspan></text></svg>'
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


# cause → cases (file name, content). `.md` pages are rendered by MkDocs; `.html` files are
# copied as they are. Every case shows the term to a reader and nowhere spells it plainly.
CASES: dict[str, list[tuple[str, str]]] = {
    "bidi": [
        ("bidi-char.md", f"通知\u202e{REVERSED}\u202c。\n"),
        ("bidi-bdo.md", f'通知<bdo dir="rtl">{REVERSED}</bdo>。\n'),
        ("bidi-css.md", f'通知<span style="unicode-bidi:bidi-override;direction:rtl">{REVERSED}</span>。\n'),
        (
            "bidi-isolate.html",
            f'<p>通知<span style="unicode-bidi:isolate-override;direction:rtl">{REVERSED}</span></p>',
        ),
        (
            "bidi-flex.md",
            '<span style="display:inline-flex;flex-direction:row-reverse">'
            + "".join(f"<span>{c}</span>" for c in REVERSED)
            + "</span>\n",
        ),
    ],
    "generated": [
        ("before.html", f'<style>.x::before{{content:"{ESCAPED}"}}</style><p class="x">。</p>'),
        ("after.md", f'<style>.y::after{{content:"{ESCAPED}"}}</style>\n\n<p class="y">通知</p>\n'),
        ("split.html", '<style>.z::before{content:"青" "松" "\\8BA1" "\\5212"}</style><p class="z">。</p>'),
        ("marker.html", f"<ul style=\"list-style-type:'{ESCAPED}'\"><li>事项</li></ul>"),
        (
            "attr.html",
            '<style>.w::before{content:attr(data-x)}</style><p class="w" data-x="&#38738&#26494计划">。</p>',
        ),
    ],
    "script": [
        ("write.html", f'<p>通知</p><script>document.write("{JS_ESCAPED}")</script>'),
        (
            "text.md",
            f'<p id="t">通知</p>\n\n<script>document.getElementById("t").textContent = "{JS_ESCAPED}";</script>\n',
        ),
        (
            "charcode.html",
            "<p id='c'></p><script>c.textContent=String.fromCharCode(38738,26494,35745,21010)</script>",
        ),
        (
            "atob.html",
            f"<p id='a'></p><script>a.textContent=decodeURIComponent(escape(atob('{_b64(TERM)}')))</script>",
        ),
        (
            "onerror.html",
            f"<p id='e'></p><img src='missing.png' alt='' onerror=\"e.textContent='{JS_ESCAPED}'\">",
        ),
    ],
    "ruby": [
        ("ruby.md", "<ruby>青<rt>qīng</rt>松<rt>sōng</rt>计<rt>jì</rt>划<rt>huà</rt></ruby>\n"),
        (
            "ruby-rp.html",
            "<p><ruby>青<rp>(</rp><rt>q</rt><rp>)</rp>松<rp>(</rp><rt>s</rt><rp>)</rp>计划</ruby></p>",
        ),
        ("ruby-split.html", "<p><ruby>青<rt>a</rt></ruby><ruby>松<rt>b</rt></ruby>计划</p>"),
        ("ruby-pair.md", "<ruby>青松<rt>qīng sōng</rt>计划<rt>jì huà</rt></ruby>\n"),
        ("ruby-nested.html", "<p><ruby><ruby>青<rt>q</rt>松<rt>s</rt></ruby><rt>x</rt></ruby>计划</p>"),
    ],
    "data": [
        ("svg64.md", f"![图](data:image/svg+xml;base64,{_b64(_SVG)})\n"),
        ("svgpct.html", f'<img alt="图" src="data:image/svg+xml,{quote(_SVG)}">'),
        ("tspans.html", f'<img alt="图" src="data:image/svg+xml;base64,{_b64(_SVG_SPANS)}">'),
        (
            "background.html",
            f"<div style=\"width:200px;height:40px;background:url('data:image/svg+xml;base64,{_b64(_SVG)}')\"></div>",
        ),
        ("frame.html", f'<iframe src="data:text/html;base64,{_b64("<p>" + TERM + "</p>")}"></iframe>'),
    ],
    "references": [
        ("zeros.html", "<p>&#0000038738;&#000026494;计划</p>"),
        ("nosemi.md", "<p>&#38738&#26494计划</p>\n"),
        ("hexnosemi.html", "<p>&#x9752&#x677e计划</p>"),
        ("title.html", "<title>&#38738&#26494计划</title><p>正文</p>"),
        ("srcdoc.html", '<iframe srcdoc="&lt;p&gt;&amp;#38738;&amp;#26494;计划"></iframe>'),
    ],
}
ALL = [(cause, name, text) for cause, cases in CASES.items() for name, text in cases]

# What a reader meets, collected in the page: text as drawn (characters sorted by where they are
# painted), generated content, markers, titles and alt text, and data: images and frames decoded.
_ORACLE = r"""
const done = arguments[arguments.length - 1];
const out = [document.title, document.body ? document.body.innerText : ""];
const visual = [];
const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  for (let i = 0; i < node.data.length; i++) {
    const range = document.createRange();
    range.setStart(node, i); range.setEnd(node, i + 1);
    const rect = range.getBoundingClientRect();
    if (rect.width > 0) visual.push([Math.round(rect.top / 4), rect.left, node.data[i]]);
  }
}
visual.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
out.push(visual.map(v => v[2]).join(""));
const strings = value => (value.match(/"((?:[^"\\]|\\.)*)"/g) || []).map(s => JSON.parse(s)).join("");
const pending = [];
const decoded = url => pending.push(fetch(url).then(r => r.text()).then(text => {
  const doc = new DOMParser().parseFromString(text, url.startsWith("data:image/svg") ? "image/svg+xml" : "text/html");
  out.push(doc.documentElement.textContent);
}).catch(() => {}));
for (const el of document.querySelectorAll("*")) {
  for (const pseudo of ["::before", "::after", "::marker"]) {
    const style = getComputedStyle(el, pseudo);
    if (style.content && style.content !== "none" && style.content !== "normal") out.push(strings(style.content));
  }
  const list = getComputedStyle(el).listStyleType;
  if (list && list.startsWith('"')) out.push(strings(list));
  if (el.title) out.push(el.title);
  if (el.alt) out.push(el.alt);
  if (el.tagName === "IMG" && el.src.startsWith("data:")) decoded(el.src);
  if (el.tagName === "IFRAME") {
    if (el.src.startsWith("data:")) decoded(el.src);
    try { out.push(el.contentDocument.body.innerText); } catch (e) {}
  }
  const background = getComputedStyle(el).backgroundImage.match(/url\("(data:[^"]*)"\)/);
  if (background) decoded(background[1]);
}
Promise.all(pending).then(() => done(out.join("\n")));
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cases built by plain MkDocs with Material: no Baomi plugin, nothing screened."""
    root = tmp_path_factory.mktemp("oracle")
    docs = root / "docs"
    docs.mkdir()
    for _, name, text in ALL:
        # A copied page declares its encoding, as a real one does (else a browser guesses).
        declared = f'<meta charset="utf-8">{text}' if name.endswith(".html") else text
        (docs / name).write_text(declared, encoding="utf-8")
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    extensions = "".join(f"  - {name}\n" for name in EXTENSIONS)
    (root / "mkdocs.yml").write_text(
        f"site_name: 测试\ntheme:\n  name: material\nmarkdown_extensions:\n{extensions}", encoding="utf-8"
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([str(BIN / "mkdocs"), "build", "--quiet"], cwd=root, env=env, check=True)
    return root


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", "site"]
    yield from serving(command, built, port)


def _url(base: str, name: str) -> str:
    stem = name.removesuffix(".md")
    return f"{base}/{name}" if name.endswith(".html") else f"{base}/{stem}/"


def _what_a_reader_sees(browser: webdriver.Chrome, url: str) -> str:  # noqa: F811
    """The oracle's reading once the page has settled: two readings a moment apart that agree
    (scripts and Material's own may still be writing when the load event fires)."""
    browser.get(url)
    browser.set_script_timeout(20)
    seen, deadline = "", time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.2)
        again = str(browser.execute_async_script(_ORACLE))
        if again == seen and "\n\n\n" not in again:
            break
        seen = again
    return seen


def _flags(engine: Engine, text: str) -> bool:
    findings = screen_text(engine, "oracle.txt", text.encode("utf-8"), KEY)
    return any(f.rule == "codename.project" for f in findings)


@pytest.mark.parametrize(("cause", "name", "text"), ALL, ids=[f"{c}-{n}" for c, n, _ in ALL])
def test_the_oracle_sees_every_case_without_baomi(
    engine: Engine,
    browser: webdriver.Chrome,  # noqa: F811
    served: str,
    cause: str,
    name: str,
    text: str,
) -> None:
    seen = _what_a_reader_sees(browser, _url(served, name))
    assert _flags(engine, seen), f"{cause}: the browser does not show the term: {seen[-300:]!r}"
    assert TERM not in text  # the source never spells it plainly


@pytest.mark.parametrize(("cause", "name", "text"), ALL, ids=[f"{c}-{n}" for c, n, _ in ALL])
def test_baomi_blocks_every_case(engine: Engine, cause: str, name: str, text: str) -> None:
    document = read_document(
        f"content/{name}", text.encode("utf-8"), markdown=setup_from({"markdown_extensions": EXTENSIONS})
    )
    blocking = {f.rule for f in engine.screen(document, KEY) if f.level is Level.BLOCK}
    assert blocking, f"{cause}: {name} is not blocked"


def test_five_cases_per_cause() -> None:
    assert all(len(cases) >= 5 for cases in CASES.values())
