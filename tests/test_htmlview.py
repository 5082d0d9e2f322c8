"""The page as a browser parses it: what the HTML5 reader shows, and the page policy on markup.

Each case is a copied HTML file that a hand-written reading of HTML gets wrong; every one must be
blocked, and by the rule the case is about."""

from __future__ import annotations

import base64
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screen.engine import Engine
from screen.errors import InputError
from screen.model import Finding, Level
from screen.source import read_document
from screen.source.htmlview import parse_view, sniff_encoding

KEY = b"test-key"
TERM = "青松计划"
CODENAME = "codename.project"


def _screen(
    engine: Engine, html: str | bytes, path: str = "content/page.html", markup: bool = True
) -> tuple[Finding, ...]:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return engine.screen(read_document(path, data, markup=markup), KEY)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


_SVG = f'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="20">{TERM}</text></svg>'

# (case, page, the rules that must block it). The term is planted in a way only a browser reads.
READER_CASES = [
    ("attribute name", f'<p x{TERM}="1">正文</p>', {CODENAME, "html.attribute"}),
    ("reference with leading zeros", '<p title="&#0000038738;&#000026494;计划">正文</p>', {CODENAME}),
    ("reference without a semicolon", "<p>&#38738&#26494计划</p>", {CODENAME}),
    ("line break inside the term", "<p>关于青松<br>计划的通知</p>", {CODENAME}),
    ("line break inside a cell", "<table><tr><td>青松<br/>计划</td></tr></table>", {CODENAME}),
    ("hex reference without a semicolon", "<p>&#x9752&#x677e计划</p>", {CODENAME}),
    ("comment opener inside an attribute", f'<span title="<!--">{TERM}</span> -->', {CODENAME}),
    ("ruby annotation between characters", "<ruby>青<rt>qīng</rt>松<rt>sōng</rt>计划</ruby>", {CODENAME}),
    ("ruby with fallback parentheses", "<ruby>青<rp>(</rp><rt>q</rt><rp>)</rp>松计划</ruby>", {CODENAME}),
    (
        "CSS generated content with escapes",
        '<style>p::before{content:"\\9752\\677E\\8BA1\\5212"}</style><p>x</p>',
        {CODENAME, "html.style"},
    ),
    (
        "CSS content in a style attribute",
        "<p style=\"content:'\\9752\\677E计划'\">x</p>",
        {CODENAME, "html.style"},
    ),
    (
        "SVG image in a data URI",
        f'<img alt="图" src="data:image/svg+xml;base64,{_b64(_SVG)}">',
        {CODENAME, "html.element"},
    ),
    (
        "percent-encoded SVG in a data URI",
        '<img src="data:image/svg+xml,%3Csvg%3E%3Ctext%3E%E9%9D%92%E6%9D%BE'
        '%E8%AE%A1%E5%88%92%3C/text%3E%3C/svg%3E">',
        {CODENAME, "html.element"},
    ),
    (
        "HTML in a data URI link",
        f'<a href="data:text/html;base64,{_b64("<p>" + TERM)}">打开</a>',
        {CODENAME, "html.data_uri"},
    ),
    (
        "frame srcdoc with double-escaped text",
        '<iframe srcdoc="&amp;#38738;&amp;#26494;计划"></iframe>',
        {CODENAME, "html.element"},
    ),
    (
        "CSS background drawn from a data URI",
        f'<p style="background:url(data:image/svg+xml;base64,{_b64(_SVG)})">x</p>',
        {CODENAME, "html.style"},
    ),
    ("title element", f"<title>{TERM}</title><p>正文</p>", {CODENAME}),
    (
        "script writing escaped text",
        '<script>document.write("\\u9752\\u677e\\u8ba1\\u5212")</script>',
        {"html.script"},
    ),
    ("event handler", "<p onmouseover=\"this.textContent=atob('x')\">正文</p>", {"html.script"}),
    (
        "javascript link with a tab in the scheme",
        '<a href="java&#9;script:alert(1)">链接</a>',
        {"html.script"},
    ),
    ("bidi override element", '<bdo dir="rtl">划计松青</bdo>', {"html.element"}),
    (
        "bidi override in CSS",
        '<span style="unicode-bidi:bidi-override;direction:rtl">划计松青</span>',
        {"html.style"},
    ),
    (
        "flex order reversed",
        '<span style="display:inline-flex;flex-direction:row-reverse"><i>划</i><i>计</i></span>',
        {"html.style"},
    ),
    ("floats", '<span style="float:right">划</span><span style="float:right">青</span>', {"html.style"}),
    (
        "web font that redraws letters",
        "<style>@font-face{font-family:x;src:url(x.woff2)}</style><p>abcd</p>",
        {"html.style"},
    ),
    ("right-to-left paragraph", '<p dir="rtl">青א松</p>', {"html.attribute"}),
    (
        "meta refresh away from the site",
        '<meta http-equiv="refresh" content="0;url=https://example.org/">',
        {"html.attribute"},
    ),
    ("embedded object", '<object data="x.pdf"></object>', {"html.element"}),
    (
        "SVG text placed by coordinates",
        '<svg><text x="30">划</text><text x="0">青</text></svg>',
        {"html.element"},
    ),
]


@pytest.mark.parametrize(
    ("page", "expected"), [(c[1], c[2]) for c in READER_CASES], ids=[c[0] for c in READER_CASES]
)
def test_a_browser_only_reading_is_blocked(engine: Engine, page: str, expected: set[str]) -> None:
    findings = _screen(engine, page)
    blocking = {f.rule for f in findings if f.level is Level.BLOCK}
    assert expected <= blocking, f"missing {expected - blocking}"


def test_a_declared_charset_is_honoured(engine: Engine) -> None:
    page = b'<html><head><meta charset="gbk"></head><body><p>' + TERM.encode("gbk") + b"</p></body></html>"
    findings = _screen(engine, page)
    assert [f.rule for f in findings] == [CODENAME]
    assert findings[0].line == 1 and not findings[0].rendered  # found in the source itself, decoded
    legacy = b'<meta http-equiv="Content-Type" content="text/html; charset=big5"><p>' + "青松計劃".encode(
        "big5"
    )
    assert CODENAME in {f.rule for f in _screen(engine, legacy)}


def test_a_charset_the_bytes_do_not_fit_is_an_error_to_fix() -> None:
    with pytest.raises(InputError, match="declares the gbk encoding"):
        read_document("content/a.html", b'<meta charset="gbk"><p>\xff\xff\xff</p>')


def test_sniffing_follows_the_standard() -> None:
    assert sniff_encoding(b"<p>plain") is None
    assert sniff_encoding(b"<!-- <meta charset=gbk> --><p>") is None  # a comment declares nothing
    assert sniff_encoding(b'<meta charset="utf-16">') == "utf-8"  # the standard's own rule
    assert sniff_encoding(b"\xef\xbb\xbf<meta charset=gbk>") == "utf-8"  # the byte-order mark wins
    assert sniff_encoding(b'<?xml version="1.0" encoding="GB2312"?><svg/>', xml=True) == "gbk"


def test_one_term_seen_in_source_and_view_is_one_finding(engine: Engine) -> None:
    findings = _screen(engine, f"<p>第一段{TERM}</p>\n<p>第二段</p>")
    assert [(f.rule, f.line, f.rendered) for f in findings] == [(CODENAME, 1, "")]


def test_a_rendered_only_finding_names_its_element(engine: Engine) -> None:
    page = "<p>正文</p>\n<p>其次</p>\n<p>第三&#38738&#26494计划</p>"
    (finding,) = _screen(engine, page)
    assert (finding.line, finding.column, finding.rendered, finding.rendered_offset) == (3, 1, "<p>#3", 2)
    assert finding.location == "rendered <p>#3"
    assert TERM not in finding.context and TERM not in finding.excerpt


def test_each_occurrence_counts(engine: Engine) -> None:
    """A term in the source and the same term again only in the view is two findings."""
    findings = _screen(engine, f"<p>{TERM}</p><p>&#38738&#26494计划</p>")
    assert sorted(bool(f.rendered) for f in findings if f.rule == CODENAME) == [False, True]


def test_fingerprints_of_rendered_findings_are_stable(engine: Engine) -> None:
    page = '<p title="&#0038738;松计划">a</p><p onclick="x()">b</p>'
    assert [f.fingerprint for f in _screen(engine, page)] == [f.fingerprint for f in _screen(engine, page)]


SAFE_PAGES = [
    '<p class="note" id="a1" title="说明">正文<a href="https://www.gov.cn/" title="中国政府网">链接</a></p>',
    '<table><thead><tr><th>项目</th></tr></thead><tbody><tr><td colspan="2">正文</td></tr></tbody></table>',
    '<p style="text-align:center;color:#c00;font-weight:bold;margin:0 1em">居中</p>',
    '<div class="admonition note"><p class="admonition-title">注意</p><p>正文</p></div>',
    '<ul class="task-list"><li class="task-list-item">'
    '<input type="checkbox" disabled checked> 完成</li></ul>',
    '<span class="twemoji"><svg viewBox="0 0 24 24" xmlns="http://www.w3.org/2000/svg">'
    '<path d="M1 1h2"/></svg></span>',
    "<details open><summary>展开</summary><p>正文</p></details>",
    '<img alt="图一" src="../images/a.png" width="300"><p dir="ltr">正文</p>',
    "<ruby>青溪<rt>qīng xī</rt></ruby>县",
]


@pytest.mark.parametrize("page", SAFE_PAGES)
def test_ordinary_markup_is_allowed(engine: Engine, page: str) -> None:
    assert [f.rule for f in _screen(engine, page)] == []


def test_the_theme_and_built_pages_are_not_held_to_the_page_policy(engine: Engine) -> None:
    page = f'<script>var x = 1;</script><p onclick="y()">&#38738&#26494计划{TERM}</p>'
    rules = [f.rule for f in _screen(engine, page, "overrides/main.html", markup=False)]
    assert rules == [CODENAME, CODENAME]  # the text is still screened, both occurrences


def test_script_and_style_files_in_the_docs_folder(engine: Engine) -> None:
    assert {f.rule for f in _screen(engine, "document.title = 1;", "content/js/extra.js")} == {"html.script"}
    css = 'h1::after { content: "\\9752\\677E\\8BA1\\5212"; }'
    assert {f.rule for f in _screen(engine, css, "content/css/extra.css")} == {CODENAME, "html.style"}
    assert [f.rule for f in _screen(engine, "h1 { color: #c00; }", "content/css/extra.css")] == []


def test_nesting_is_bounded(engine: Engine) -> None:
    page = "<p>x</p>"
    for _ in range(6):
        page = f'<img src="data:image/svg+xml;base64,{_b64(page)}">'
    rules = {f.rule for f in _screen(engine, page)}
    assert "html.data_uri" in rules  # the innermost levels are refused, not read


def test_deep_nesting_of_elements_is_read_without_recursion(engine: Engine) -> None:
    page = "<div>" * 1_000 + TERM + "</div>" * 1_000
    assert CODENAME in {f.rule for f in _screen(engine, page)}
    flat = "<p>段落" * 50_000 + TERM  # unclosed paragraphs close themselves: not nested
    assert CODENAME in {f.rule for f in _screen(engine, flat)}


def test_nesting_deeper_than_browsers_build_is_refused_in_bounded_time() -> None:
    page = "<div>" * 50_000 + TERM + "</div>" * 50_000
    started = time.perf_counter()
    with pytest.raises(InputError, match="nested more than 1024 elements deep"):
        read_document("content/a.html", page.encode())
    assert time.perf_counter() - started < 2


_TEXT = st.text(alphabet="正文<>&#;/\"' =abcdp-!\n", max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_TEXT, after=_TEXT)
def test_a_term_in_its_own_element_is_always_found(engine: Engine, before: str, after: str) -> None:
    """Whatever markup soup surrounds it, a term a browser shows in a paragraph of its own blocks."""
    page = f"{before}<p>{TERM}</p>{after}"
    view = parse_view(page)
    shown = any(TERM in run.text for run in view.runs)
    if shown:
        assert CODENAME in {f.rule for f in _screen(engine, page, markup=False)}


def test_repeated_blocks_are_screened_once_per_build() -> None:
    from screen.built import without_repeats

    nav = '<nav><ul><li><a href="/a/">甲</a></li><li><a href="/b/">乙</a></li></ul></nav>'
    first = f"<html><body>{nav}<article><p>一</p></article></body></html>".encode()
    seen: set[bytes] = set()
    assert without_repeats(first, seen) == first  # nothing seen yet: the page as it is
    second = without_repeats(f"<html><body>{nav}<article><p>二</p></article></body></html>".encode(), seen)
    assert "甲" not in second.decode() and "二" in second.decode()
    changed = nav.replace("乙", "丙")
    third = without_repeats(f"<html><body>{changed}<article><p>三</p></article></body></html>".encode(), seen)
    assert "丙" in third.decode() and "甲" not in third.decode()  # only the new item is kept


_TOKENS = [*"<>/=\"' &#;%:!-?[]{}", "a", "p", "svg", "style", "script", "href", "src", "data:", "base64,"]
_TOKENS += ["image/svg+xml", "text/html", "%E9", "%9D", "\\9752", "url(", "青", "\n", "x", "&#0038738"]


@settings(max_examples=300, deadline=None)
@given(page=st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
def test_any_markup_parses_without_crashing(page: str) -> None:
    for markup in (
        page,
        f"<p title='{page}'>{page}</p>",
        f'<a href="{page}">x</a>',
        f"<style>{page}</style>",
    ):
        view = parse_view(markup)
        assert all(isinstance(run.text, str) for run in view.runs)
