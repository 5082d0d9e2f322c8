"""`baomi serve`: a local preview for drafters and reviewers. Pending pages appear with a 待审核
banner and their findings highlighted in place. It serves on localhost only, from a temporary
directory, and the plugin refuses preview mode in any build, so a preview is never published."""

from __future__ import annotations

import html
import ipaddress
import os
from pathlib import Path

from screen.api import CONFIG_NAME
from screen.errors import UsageError
from screen.model import Finding, Scope

_BANNER = (
    '<div class="baomi-pending" style="border:2px solid #c62828;background:#fff3f3;'
    'padding:.6em 1em;margin-bottom:1em"><strong>待审核（pending review）</strong>：'
    "本页尚未通过保密审查，不会发布。{reasons}</div>\n\n"
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
        title = html.escape(f"{finding.level.value} {finding.rule}: {finding.message}", quote=True)
        pieces += [markdown[cursor:at], _MARK.format(title=title, text=html.escape(finding.match))]
        cursor = at + len(finding.match)
    pieces.append(markdown[cursor:])
    listed = [html.escape(r) for r in reasons[:_SHOWN_REASONS]]
    if len(reasons) > _SHOWN_REASONS:
        listed.append(
            f"……另有 {len(reasons) - _SHOWN_REASONS} 条（and {len(reasons) - _SHOWN_REASONS} more）"
        )
    listed += [html.escape(f"{f.line}:{f.column} ({f.scope.value}) {f.rule} {f.message}") for f in unplaced]
    detail = "<ul>" + "".join(f"<li>{item}</li>" for item in listed) + "</ul>" if listed else ""
    return _BANNER.format(reasons=detail) + "".join(pieces)


def serve(root: Path, address: str) -> None:
    """Run MkDocs' development server in preview mode on a loopback address."""
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    from screen.mkdocs_plugin import HOLD_BACK_ENV, PREVIEW_ENV

    host, _, port = address.rpartition(":")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback or not port.isdigit():
        raise UsageError(f"--dev-addr {address}: the preview serves on localhost only (e.g. 127.0.0.1:8000)")
    os.environ[PREVIEW_ENV] = "1"
    os.environ.pop(HOLD_BACK_ENV, None)
    try:
        mkdocs_serve(config_file=str(root / CONFIG_NAME), dev_addr=address, livereload=True)
    except MkDocsException as error:
        raise UsageError(f"the preview could not be built: {error}") from None
