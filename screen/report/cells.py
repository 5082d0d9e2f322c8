"""One table cell, as every Markdown and HTML table of the reports writes it: control, format
and bidi characters made visible (a path or a reason must not drive the reader's terminal or
reorder what a reviewer reads), then escaped for the table."""

from __future__ import annotations

import html

from screen.findings import printable


def shown(value: object) -> str:
    """`value` on one line with its control and format characters made visible."""
    return printable(str(value).replace("\n", " "))


def markdown_cell(value: object) -> str:
    """`value` as the content of one Markdown table cell."""
    return shown(value).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def html_cell(value: object) -> str:
    """`value` as HTML text (a table cell, a chart label)."""
    return html.escape(shown(value))
