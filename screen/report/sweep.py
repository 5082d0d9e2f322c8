"""The summary of a sweep, per site and for the region: Markdown, a standalone HTML page, and
the text the command prints. Counts only: no finding is quoted (they are in the Parquet files,
redacted)."""

from __future__ import annotations

import html

from screen.i18n import CHINESE, N_, _, language
from screen.model import Level
from screen.report.jsontext import dumps
from screen.report.view import level_label
from screen.sweep.records import SiteSummary, SweepResult

_WHY_PRIVATE = N_(
    "This folder is readable by its owner only: findings gathered about many bodies are sensitive "
    "in themselves (保密法（2024）第36条, data aggregation)."
)


def _levels(summary: SiteSummary) -> tuple[int, int, int]:
    counts = {"block": 0, "review": 0, "info": 0}
    for key, count in summary.findings.items():
        counts[key.rsplit(" ", 1)[1]] += count
    return counts["block"], counts["review"], counts["info"]


def _region(result: SweepResult) -> SiteSummary:
    region = SiteSummary()
    for summary in result.sites.values():
        region.merge(summary)
    return region


def format_sweep_text(result: SweepResult) -> str:
    region = _region(result)
    block, review, info = _levels(region)
    lines = [
        _(
            "swept {sites} sites: {pages} pages, {attachments} attachments, {megabytes:.1f} MB, "
            "{errors} not screened; {block} block, {review} review, {info} info"
        ).format(
            sites=len(result.sites),
            pages=region.pages,
            attachments=region.attachments,
            megabytes=region.bytes / 1e6,
            errors=region.errors,
            block=block,
            review=review,
            info=info,
        ),
        *_since_lines(result, region),
        _("findings: {folder}; summary: {summary}").format(
            folder=result.out / "findings", summary=result.out / "summary.html"
        ),
        _("{workers} workers ({scheduler}), {seconds:.1f} s; rules {fingerprint}").format(
            workers=result.workers,
            scheduler=result.scheduler,
            seconds=result.seconds,
            fingerprint=result.rules_fingerprint,
        ),
    ]
    return "\n".join(lines) + "\n"


def _since_lines(result: SweepResult, region: SiteSummary) -> list[str]:
    if result.since is None:
        return []
    return [
        _(
            "since {since}: {new} new, {fixed} fixed, {still_open} still open; "
            "{unchanged} unchanged (not screened again)"
        ).format(
            since=result.since,
            new=region.new,
            fixed=region.fixed,
            still_open=region.still_open,
            unchanged=region.unchanged,
        )
    ]


def format_sweep_markdown(result: SweepResult) -> str:
    region = _region(result)
    block, review, info = _levels(region)
    lines = [
        "# " + _("Sweep of published sites"),
        "",
        _("Sources: {sources}. Rules {fingerprint}.").format(
            sources=", ".join(f"`{s}`" for s in result.sources), fingerprint=result.rules_fingerprint
        ),
        "",
        "> " + _(_WHY_PRIVATE),
        "",
        "## " + _("The region"),
        "",
        _(
            "{sites} sites, {pages} pages, {attachments} attachments ({megabytes:.1f} MB); "
            "{block} block, {review} review, {info} info; {errors} could not be screened."
        ).format(
            sites=len(result.sites),
            pages=region.pages,
            attachments=region.attachments,
            megabytes=region.bytes / 1e6,
            block=block,
            review=review,
            info=info,
            errors=region.errors,
        ),
        *(["", *_since_lines(result, region)] if result.since else []),
        "",
        _("| site | pages | attachments | block | review | info | not screened |")
        + (_(" new | fixed | still open |") if result.since else ""),
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if result.since else ""),
    ]
    for site, summary in result.sites.items():
        cells: tuple[object, ...] = (site or "-", summary.pages, summary.attachments, *_levels(summary))
        cells += (summary.errors,)
        if result.since:
            cells += (summary.new, summary.fixed, summary.still_open)
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    for site, summary in result.sites.items():
        if not summary.findings and not summary.errors:
            continue
        lines += ["", f"## {site or '-'}", "", _("| rule | level | findings |"), "|---|---|---:|"]
        for key, count in sorted(summary.findings.items(), key=lambda kv: (-kv[1], kv[0])):
            rule, level = key.rsplit(" ", 1)
            lines.append(f"| `{rule}` | {level_label(Level(level))} | {count} |")
        if summary.top:
            lines += ["", _("Pages with the most findings:"), ""]
            lines += [f"- {url} ({count})" for count, url in summary.top]
    return "\n".join(lines) + "\n"


def format_sweep_html(result: SweepResult) -> str:
    """A standalone page (no script, nothing fetched) of the Markdown summary's tables."""
    body: list[str] = []
    in_table = False
    for line in format_sweep_markdown(result).splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set(line) <= set("|-: "):
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append(
                "<tr>" + "".join(f"<{tag}>{html.escape(c.strip('`'))}</{tag}>" for c in cells) + "</tr>"
            )
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("> "):
            body.append(f"<p class=note>{html.escape(line[2:])}</p>")
        elif line.startswith("- "):
            body.append(f"<p>{html.escape(line[2:])}</p>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .6em}"
        ".note{background:#fff4e5;padding:.5em}"
    )
    title = html.escape(_("Sweep of published sites"))
    lang = "zh-CN" if language() == CHINESE else "en"
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def format_sweep_json(result: SweepResult) -> str:
    return dumps(
        {
            "schema_version": 1,
            "sources": list(result.sources),
            "rules_fingerprint": result.rules_fingerprint,
            "since": str(result.since) if result.since else None,
            "format": result.output,
            "worker_seconds": {
                part: round(spent, 2) for part, spent in sorted(_region(result).seconds.items())
            },
            "sites": {
                site: {
                    "pages": s.pages,
                    "attachments": s.attachments,
                    "bytes": s.bytes,
                    "findings": dict(sorted(s.findings.items())),
                    "errors": s.errors,
                    "top": [{"url": url, "findings": count} for count, url in s.top],
                    **(
                        {"unchanged": s.unchanged, "new": s.new, "fixed": s.fixed, "still_open": s.still_open}
                        if result.since
                        else {}
                    ),
                }
                for site, s in result.sites.items()
            },
        }
    )
