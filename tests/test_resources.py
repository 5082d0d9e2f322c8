# ruff: noqa: E501  (one attack a line reads better than a wrapped one)
"""What a built page or style sheet loads from another host (screen/source/resources.py), read
as a browser reads URLs: the audit of the built site refuses each one (tests/test_portal.py has
the whole publish)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screen.source.resources import leaves, outside, own_origin

OWN = own_origin("https://www.qingxi.example.gov.cn/")


def hosts(kind: str, text: str) -> list[tuple[str, str]]:
    return [(o.context, o.host) for o in outside(kind, text, OWN)]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<link rel="preconnect" href="https://fonts.gstatic.com">', ("<link rel=preconnect>", "fonts.gstatic.com")),
        ('<link rel="stylesheet" href="//cdn.example.com/a.css">', ("<link rel=stylesheet>", "cdn.example.com")),
        ('<link rel="icon" href="https://ico.example/f.ico">', ("<link rel=icon>", "ico.example")),
        ('<link href="https://norel.example/x">', ("<link rel=?>", "norel.example")),
        ('<script src="https://js.example/a.js"></script>', ("<script src>", "js.example")),
        ('<img src="https://img.example/a.png">', ("<img src>", "img.example")),
        ('<img srcset="a.png 1x, https://set.example/b.png 2x">', ("<img srcset>", "set.example")),
        ('<iframe src="https://frame.example/"></iframe>', ("<iframe src>", "frame.example")),
        ('<video poster="https://poster.example/p.jpg"></video>', ("<video poster>", "poster.example")),
        ('<object data="https://obj.example/x.swf"></object>', ("<object data>", "obj.example")),
        ('<base href="https://base.example/">', ("<base href>", "base.example")),
        ('<svg><image href="https://svg.example/i.png"/></svg>', ("<image href>", "svg.example")),
        ('<div style="background: url(https://bg.example/a.png)"></div>', ("CSS url()", "bg.example")),
        ('<style>@import "https://imp.example/a.css";</style>', ("CSS @import", "imp.example")),
        # written to slip past a reader that does not read URLs as a browser does
        ('<img src=" h\tttps://tab.example/a">', ("<img src>", "tab.example")),
        ('<img src="/\\\\slash.example/a">', ("<img src>", "slash.example")),
        ('<img src="HTTPS://CASE.EXAMPLE/a">', ("<img src>", "case.example")),
        ('<img src="https://www.qingxi.example.gov.cn@user.example/a">', ("<img src>", "user.example")),
        ('<img src="https://www.qingxi.example.gov.cn.evil.example/a">', ("<img src>", "www.qingxi.example.gov.cn.evil.example")),
        ('<img src="http://www.qingxi.example.gov.cn/a">', ("<img src>", "www.qingxi.example.gov.cn")),  # another scheme
        ('<img src="https:noslash.example/a">', ("<img src>", "https:noslash.example/a")),
        ('<style>a{background:u\\72l(https://escaped.example/a)}</style>', ("CSS url()", "escaped.example")),
    ],
)  # fmt: skip
def test_each_way_to_load_from_another_host_is_found(html: str, expected: tuple[str, str]) -> None:
    assert hosts("html", f"<html><body>{html}</body></html>") == [expected]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://www.gov.cn/">中国政府网</a>',  # a link is followed only on a click
        '<link rel="canonical" href="https://elsewhere.example/">',
        '<img src="../assets/logo.png"><img src="/assets/a.png"><img src="data:image/png;base64,AAAA">',
        '<img src="https://www.qingxi.example.gov.cn/assets/a.png">',
        '<img src="https://www.qingxi.example.gov.cn:443/a.png">',
        '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
        '<a href="mailto:office@qingxi.gov.cn">信箱</a><img src="about:blank">',
    ],
)
def test_what_stays_on_the_site_is_not_found(html: str) -> None:
    assert hosts("html", html) == []


def test_a_style_sheet_is_read_for_fonts_and_images() -> None:
    css = (
        '@font-face{font-family:x;src:url("https://font.example/x.woff2") format("woff2")}'
        ".a{background:url(data:image/svg+xml;charset=utf-8,<svg/>)}"
        '.b{background-image:image-set("https://set.example/a.png" 1x)}'
    )
    assert sorted(hosts("css", css)) == [("CSS image-set()", "set.example"), ("CSS url()", "font.example")]


def test_without_a_site_url_every_absolute_url_leaves() -> None:
    assert leaves("https://www.qingxi.example.gov.cn/a.png", None) == "www.qingxi.example.gov.cn"
    assert leaves("a.png", None) is None


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){1,3}", fullmatch=True))
def test_any_other_host_is_found_in_any_context(host: str) -> None:
    if host == "www.qingxi.example.gov.cn":
        return
    for html in (f'<img src="https://{host}/a">', f'<script src="//{host}/a.js"></script>',
                 f'<link rel="stylesheet" href="https://{host}/a.css">', f'<p style="background:url(https://{host}/x)">'):  # fmt: skip
        assert [h for _, h in hosts("html", html)] == [host], html
