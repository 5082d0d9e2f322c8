"""The marks of `baomi serve`'s preview: a pending page's Markdown with a 待审核 banner on top and
each finding's text wrapped in <mark>. Never part of a build (the plugin refuses preview mode
there)."""

from __future__ import annotations

import html

from screen.i18n import _
from screen.model import Finding, Scope
from screen.report.view import level_label, scope_label

_BANNER = (
    '<div class="baomi-pending" style="border:2px solid #c62828;background:#fff3f3;'
    'padding:.6em 1em;margin-bottom:1em">{text}{reasons}</div>\n\n'
)
# Only text of these scopes can be wrapped in <mark>: front matter is not in the Markdown MkDocs
# hands over, and markup inside code, link targets or alt text would break the page.
_MARKABLE = frozenset({Scope.BODY, Scope.HEADING})
_SHOWN_REASONS = 3  # the marks in the text carry the rest
_MARK = '<mark class="baomi-finding" title="{title}" style="background:#ffcdd2">{text}</mark>'


def mark_pending(markdown: str, findings: list[Finding], reasons: tuple[str, ...]) -> str:
    """The page's Markdown with a banner on top and each finding's text wrapped in <mark>.

    Findings are located by their matched text, in order (MkDocs hands over the Markdown without
    its front matter, so source offsets do not apply); a match the reader cannot see as plain
    text (split by markup) is listed in the banner instead."""
    pieces, cursor, unplaced = [], 0, []
    for finding in sorted(findings, key=lambda f: (f.line, f.column)):
        at = markdown.find(finding.match, cursor) if finding.scope in _MARKABLE else -1
        if at < 0 or "\n" in finding.match:
            unplaced.append(finding)
            continue
        right = f" → {finding.suggestion}" if finding.suggestion else ""
        title = html.escape(
            f"{level_label(finding.level)} {finding.rule}: {finding.message}{right}", quote=True
        )
        pieces += [markdown[cursor:at], _MARK.format(title=title, text=html.escape(finding.match))]
        cursor = at + len(finding.match)
    pieces.append(markdown[cursor:])
    listed = [html.escape(r) for r in reasons[:_SHOWN_REASONS]]
    if len(reasons) > _SHOWN_REASONS:
        listed.append(html.escape(_("…and {count} more").format(count=len(reasons) - _SHOWN_REASONS)))
    listed += [
        html.escape(f"{f.line}:{f.column} ({scope_label(f.scope)}) {f.rule} {f.message}") for f in unplaced
    ]
    detail = "<ul>" + "".join(f"<li>{item}</li>" for item in listed) + "</ul>" if listed else ""
    pending = "<strong>" + html.escape(_("Pending review")) + "</strong>"
    sentence = _("{pending}: this page has not passed secrecy screening and will not be published.")
    text = html.escape(sentence).format(pending=pending)
    return _BANNER.format(text=text, reasons=detail) + "".join(pieces)
