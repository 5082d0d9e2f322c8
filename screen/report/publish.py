"""`baomi publish` output: the site put in place, each file shown in its last cleared version
while its new version waits (pending), and each page held back, with why. Text for people, the
JSON of docs/contracts.md for tools, Markdown for a CI step summary."""

from __future__ import annotations

from screen.i18n import _, ngettext
from screen.model import PublishResult
from screen.report.cells import markdown_cell
from screen.report.cells import shown as printable
from screen.report.jsontext import dumps

SCHEMA_VERSION = 1


def _summary(result: PublishResult) -> str:
    return ngettext(
        "published {count} page to {site}; {pending} pending, {held} held back",
        "published {count} pages to {site}; {pending} pending, {held} held back",
        result.pages,
    ).format(count=result.pages, site=result.site, pending=len(result.pending), held=len(result.held_back))


def format_publish_text(result: PublishResult) -> str:
    lines = []
    for pending in result.pending:
        lines.append(
            _("pending: {page} (the version cleared in {commit} stays up)").format(
                page=printable(pending.path), commit=pending.shown[:10]
            )
        )
        lines.append(f"    - {printable(pending.waiting)}")
    for held in result.held_back:
        lines.append(_("held back: {page}").format(page=printable(held.path)))
        lines.extend(f"    - {printable(reason)}" for reason in held.reasons)
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def format_publish_json(result: PublishResult) -> str:
    return dumps(
        {
            "schema_version": SCHEMA_VERSION,
            "site": result.site,
            "pages": result.pages,
            "pending": [{"path": p.path, "shown": p.shown, "waiting": p.waiting} for p in result.pending],
            "held_back": [{"path": h.path, "reasons": list(h.reasons)} for h in result.held_back],
        }
    )


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def format_publish_markdown(result: PublishResult) -> str:
    lines = ["### " + _("Published"), "", _summary(result), ""]
    if result.pending:
        lines += ["#### " + _("Pending: the last cleared version stays up"), ""]
        lines += [_row(_("File"), _("Version shown"), _("Why the new version waits")), "|---|---|---|"]
        lines += [
            _row(markdown_cell(p.path), f"`{p.shown[:10]}`", markdown_cell(p.waiting)) for p in result.pending
        ]
        lines.append("")
    if result.held_back:
        lines += ["#### " + _("Held back"), "", _row(_("Page"), _("Why")), "|---|---|"]
        lines += [
            _row(markdown_cell(h.path), markdown_cell(_("; ").join(h.reasons))) for h in result.held_back
        ]
        lines.append("")
    return "\n".join(lines)
