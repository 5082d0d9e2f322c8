"""`baomi status` output: a table for people, the JSON of docs/contracts.md for tools, and Markdown for a
pull-request comment or a CI step summary."""

from __future__ import annotations

from screen.findings import printable
from screen.i18n import _
from screen.report.cells import markdown_cell
from screen.report.jsontext import dumps
from screen.report.view import display_width
from screen.signoff.records import FileStatus, StatusResult, state_label

SCHEMA_VERSION = 1
_STATE_WIDTH = 16


def signed_by(status: FileStatus) -> str:
    people = []
    for signoff in status.signoffs:
        if signoff.signer:
            people.append(f"{signoff.signer.name}（{signoff.signer.title}，{signoff.committed:%Y-%m-%d}）")
    return "、".join(people)


def format_status_text(result: StatusResult) -> str:
    lines = []
    width = max((len(f.path) for f in result.files), default=10)
    for status in result.files:
        mark = "✓" if status.publishable else "✗"
        detail = signed_by(status) if status.publishable else ""
        if status.classification not in ("", "公开"):
            detail = f"{status.classification} {detail}"
        state = state_label(status.state)
        state += " " * (_STATE_WIDTH - display_width(state))
        lines.append(f"{mark} {printable(status.path):<{width}}  {state} {detail}".rstrip())
        lines.extend(f"    - {printable(reason)}" for reason in status.reasons)
    lines.extend("! " + _("trust: {problem}").format(problem=printable(p)) for p in result.trust_problems)
    values = {
        "cleared": sum(f.publishable for f in result.files),
        "total": len(result.files),
        "fingerprint": result.rules_fingerprint,
    }
    if result.publishable:
        lines.append(
            _("{cleared}/{total} file(s) cleared; publishable; rules {fingerprint}").format(**values)
        )
    else:
        lines.append(
            _("{cleared}/{total} file(s) cleared; NOT publishable; rules {fingerprint}").format(**values)
        )
    return "\n".join(lines) + "\n"


def format_status_json(result: StatusResult) -> str:
    files = []
    for status in result.files:
        record = {
            "path": status.path,
            "state": status.state,
            "publishable": status.publishable,
            "reasons": list(status.reasons),
            "classification": status.classification or None,
            "signoffs": [
                {
                    "commit": s.sha,
                    "signer": s.signer.id if s.signer else None,
                    "name": s.signer.name if s.signer else None,
                    "roles": sorted(s.signer.roles) if s.signer else [],
                    "date": s.committed.date().isoformat(),
                }
                for s in status.signoffs
            ],
        }
        files.append(record)
    document = {
        "schema_version": SCHEMA_VERSION,
        "rules_fingerprint": result.rules_fingerprint,
        "publishable": result.publishable,
        "trust_problems": list(result.trust_problems),
        "files": files,
    }
    return dumps(document)


def format_status_markdown(result: StatusResult) -> str:
    cleared = sum(f.publishable for f in result.files)
    if result.publishable:
        title = "✅ " + _("Baomi sign-off: all cleared, publishable")
    else:
        title = "⛔ " + _("Baomi sign-off: not all cleared, not publishable")
    lines = [
        f"### {title}",
        "",
        _("{cleared}/{total} file(s) cleared · rules {fingerprint}").format(
            cleared=cleared, total=len(result.files), fingerprint=f"`{result.rules_fingerprint[:19]}…`"
        ),
        "",
    ]
    if result.files:
        lines += [_("| file | state | signed by / reasons |"), "|---|---|---|"]
    for status in result.files:
        badge = ("✅ " if status.publishable else "⛔ ") + state_label(status.state)
        if status.classification not in ("", "公开"):
            badge += f" {markdown_cell(status.classification)}"
        if status.publishable:
            detail = markdown_cell(signed_by(status))
        else:
            detail = "<br>".join(map(markdown_cell, status.reasons))
        lines.append(f"| `{markdown_cell(status.path)}` | {badge} | {detail} |")
    lines += ["- " + _("trust: {problem}").format(problem=markdown_cell(p)) for p in result.trust_problems]
    if not result.publishable:
        lines += [
            "",
            _("Reviewers: check out the branch, run `baomi review`, then sign with `baomi sign`."),
        ]
    return "\n".join(lines) + "\n"
