"""Markup rules: what a published page may not contain because its text cannot be screened as a
reader will see it. A script can write any text, a style can add text (`content`), reorder it
(`direction`, `unicode-bidi`, `order`, floats, negative margins) or draw it from a font, an SVG
`<text>` places each glyph by coordinates, and a `data:` URI carries a file of its own.

The page as a browser parses it (`screen.source.htmlview`) lists every element, attribute, style
declaration and `data:` URI; each rule refuses one class of them. What is allowed starts from the
allow-lists of ammonia, the HTML sanitizer (through `nh3`), with what Python-Markdown and the
Material extensions write (classes, ids, task-list inputs, tab labels, icon SVG paths) added and
the bidi override `<bdo>` taken out. The theme and the configuration are not pages: their markup
is cleared as configuration, so only pages and files under the docs folder carry constructs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from screen.detectors.analysis import Analysis
from screen.i18n import N_, _
from screen.model import Hit, Rule
from screen.rulefields import Problems, located
from screen.source import Document, read_document
from screen.source.htmlview import Construct

KIND = "markup"
NAME = N_("a markup rule")  # how messages name a rule of this kind
FIELDS = frozenset({"refuse"})
MARKERS = frozenset({"refuse"})

# What each rule may name in `refuse`, and what it stands for.
CLASSES = {
    "script": N_("scripts, event handler attributes (onclick …) and javascript: links"),
    "style": N_("style declarations that add, reorder or redraw text, and at-rules (@font-face …)"),
    "data": N_("data: URIs other than images"),
    "element": N_("elements outside the safe set (iframe, object, form, bdo, SVG text …)"),
    "attribute": N_("attributes outside the safe set (dir=rtl, http-equiv …)"),
}

_SCRIPT_ELEMENTS = frozenset({"script", "noscript"})
_DOCUMENT = frozenset({"html", "head", "body", "title", "meta", "link"})
# What Python-Markdown, pymdown-extensions and Material write into a page beyond ammonia's set.
_MARKDOWN = frozenset(
    {
        "div",
        "span",
        "section",
        "main",
        "nav",
        "img",
        "label",
        "input",
        "tfoot",
        "caption",
        "details",
        "summary",
        "figure",
        "figcaption",
        "picture",
        "source",
    }
)
_SVG_DRAWING = frozenset(
    {
        "svg",
        "path",
        "g",
        "circle",
        "rect",
        "line",
        "polyline",
        "polygon",
        "ellipse",
        "defs",
        "lineargradient",
        "radialgradient",
        "stop",
        "clippath",
        "symbol",
        "desc",
    }
)
_REFUSED_ELEMENTS = frozenset({"bdo"})  # in ammonia's set, but it reverses what it holds
_GENERIC_ATTRIBUTES = frozenset(
    {
        "class",
        "id",
        "title",
        "lang",
        "style",
        "role",
        "name",
        "hidden",
        "tabindex",
        "width",
        "height",
        "align",
        "valign",
        "xmlns",
        "xmlns:xlink",
        "translate",
    }
)
_EXTRA_ATTRIBUTES = {
    "a": {"href", "hreflang", "rel", "target", "download", "type"},
    "img": {"src", "alt", "loading", "decoding", "srcset", "sizes", "border"},
    "source": {"srcset", "type", "media", "sizes"},
    "input": {"type", "checked", "disabled", "value"},
    "label": {"for"},
    "details": {"open"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "table": {"border", "cellpadding", "cellspacing", "summary"},
    "td": {"colspan", "rowspan", "headers", "scope", "nowrap"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr", "nowrap"},
    "meta": {"charset", "name", "content"},
    "link": {"rel", "href", "type", "media", "sizes"},
    "html": {"dir"},  # checked by value below, as everywhere
    "time": {"datetime"},
    "data": {"value"},
}
_SVG_ATTRIBUTES = frozenset(
    {
        "viewbox",
        "d",
        "fill",
        "fill-rule",
        "fill-opacity",
        "clip-rule",
        "clip-path",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-opacity",
        "opacity",
        "transform",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "points",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientunits",
        "gradienttransform",
        "preserveaspectratio",
        "version",
        "focusable",
        "aria-hidden",
    }
)
_URL_SCHEMES = re.compile(r"\s*(?:javascript|vbscript|livescript)\s*:", re.IGNORECASE)
# Style properties that only colour, size, frame or align text in place; anything else is refused.
_SAFE_PROPERTIES = frozenset(
    {
        "color",
        "background-color",
        "font-weight",
        "font-style",
        "font-size",
        "font-variant",
        "text-align",
        "text-decoration",
        "text-decoration-line",
        "text-decoration-color",
        "text-decoration-style",
        "text-indent",
        "line-height",
        "vertical-align",
        "white-space",
        "word-break",
        "overflow-wrap",
        "word-wrap",
        "list-style-type",
        "list-style-position",
        "width",
        "max-width",
        "min-width",
        "height",
        "max-height",
        "min-height",
        "border",
        "border-collapse",
        "border-spacing",
        "border-color",
        "border-style",
        "border-width",
        "border-top",
        "border-right",
        "border-bottom",
        "border-left",
        "border-radius",
        "margin",
        "margin-top",
        "margin-right",
        "margin-bottom",
        "margin-left",
        "padding",
        "padding-top",
        "padding-right",
        "padding-bottom",
        "padding-left",
        "text-align-last",
        "table-layout",
        "caption-side",
        "empty-cells",
    }
)
_NEGATIVE = re.compile(r"(?<![\w.])-(?:\d|\.\d)")
_BAD_VALUE = re.compile(r"url\(|expression\(|var\(|attr\(|image-set\(", re.IGNORECASE)


@cache
def _allowed_elements() -> frozenset[str]:
    import nh3

    return frozenset(nh3.ALLOWED_TAGS) - _REFUSED_ELEMENTS | _DOCUMENT | _MARKDOWN | _SVG_DRAWING


@cache
def _allowed_attributes() -> dict[str, frozenset[str]]:
    import nh3

    allowed: dict[str, set[str]] = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _EXTRA_ATTRIBUTES.items():
        allowed.setdefault(tag, set()).update(names)
    for tag in _SVG_DRAWING:
        allowed.setdefault(tag, set()).update(_SVG_ATTRIBUTES)
    allowed.get("bdo", set()).discard("dir")
    return {tag: frozenset(names) for tag, names in allowed.items()}


def refused(construct: Construct) -> str | None:
    """The class (a key of `CLASSES`) a construct falls in, or None when it is allowed."""
    judge = {"file": _file, "element": _element, "attribute": _attribute, "style": _style, "data": _data}
    return judge.get(construct.kind, _element)(construct)


def _file(construct: Construct) -> str | None:
    return construct.name  # a script file or a style sheet as a whole


def _element(construct: Construct) -> str | None:
    if construct.name in _SCRIPT_ELEMENTS:
        return "script"
    return None if construct.name in _allowed_elements() else "element"


def _data(construct: Construct) -> str | None:
    """Images (an SVG image's own markup is judged element by element); anything else refused."""
    return None if construct.name.startswith("image/") else "data"


def _attribute(construct: Construct) -> str | None:
    tag, _sep, name = construct.name.partition(" ")
    value = construct.detail
    if name.startswith("on") or _URL_SCHEMES.match(value):
        return "script"
    if name == "dir":
        return None if value.strip().lower() == "ltr" else "attribute"
    if name.startswith(("data-", "aria-")) or name in _GENERIC_ATTRIBUTES:
        return None
    return None if name in _allowed_attributes().get(tag, frozenset()) else "attribute"


def _style(construct: Construct) -> str | None:
    if construct.name.startswith("@") or construct.name == "pseudo-element":
        return "style"
    if construct.name not in _SAFE_PROPERTIES or _BAD_VALUE.search(construct.detail):
        return "style"
    if construct.name.startswith(("margin", "text-indent")) and _NEGATIVE.search(construct.detail):
        return "style"
    return None


class MarkupDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = {rule.refuse: rule for rule in rules}

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for offset, construct in analysis.document.constructs:
            rule = self.rules.get(refused(construct) or "")
            if rule is not None:
                key = f"{construct.kind} {construct.name}"
                yield Hit(rule=rule, start=offset, end=offset, level=rule.level, key=key)


DETECTOR = MarkupDetector


def example(rule: Rule, text: str) -> Document:
    """A markup rule's examples are HTML pages."""
    return read_document("example.html", text.encode("utf-8"))


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """`refuse`: the one class of constructs the rule refuses (a key of `CLASSES`)."""
    value = raw.get("refuse")
    if value not in CLASSES:
        choices = ""
        for key, text in CLASSES.items():
            choice = _("{key} ({text})").format(key=key, text=_(text))
            choices = _("{choices}, {choice}").format(choices=choices, choice=choice) if choices else choice
        problems.add(
            located(name, raw, "refuse"), _("'refuse' names one of: {choices}").format(choices=choices)
        )
        return {}
    return {"refuse": value}
