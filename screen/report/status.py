"""`baomi status` output: a table for people, the JSON of docs/contracts.md for tools, and Markdown for a
pull-request comment or a CI step summary."""

from __future__ import annotations

from screen.findings import printable
from screen.report.cells import markdown_cell
from screen.report.jsontext import dumps
from screen.signoff.records import FileStatus, StatusResult

SCHEMA_VERSION = 1


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
        lines.append(f"{mark} {printable(status.path):<{width}}  {status.state:<16} {detail}".rstrip())
        lines.extend(f"    - {printable(reason)}" for reason in status.reasons)
    lines.extend(f"! trust: {printable(problem)}" for problem in result.trust_problems)
    cleared = sum(f.publishable for f in result.files)
    verdict = "publishable" if result.publishable else "NOT publishable"
    lines.append(
        f"{cleared}/{len(result.files)} file(s) cleared; {verdict}; rules {result.rules_fingerprint}"
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


_STATE_BADGE = {"cleared": "✅ cleared 已签发"}


def format_status_markdown(result: StatusResult) -> str:
    cleared = sum(f.publishable for f in result.files)
    title = (
        "✅ 已全部审核签发 (publishable)" if result.publishable else "⛔ 尚未全部审核签发 (not publishable)"
    )
    lines = [
        f"### Baomi 审核签发: {title}",
        "",
        f"{cleared}/{len(result.files)} file(s) cleared · rules `{result.rules_fingerprint[:19]}…`",
        "",
    ]
    if result.files:
        lines += ["| 文件 file | 状态 state | 签发 signed by / 原因 reasons |", "|---|---|---|"]
    for status in result.files:
        badge = _STATE_BADGE.get(status.state, f"⛔ {status.state}")
        if status.classification not in ("", "公开"):
            badge += f" {markdown_cell(status.classification)}"
        if status.publishable:
            detail = markdown_cell(signed_by(status))
        else:
            detail = "<br>".join(map(markdown_cell, status.reasons))
        lines.append(f"| `{markdown_cell(status.path)}` | {badge} | {detail} |")
    lines += [f"- trust: {markdown_cell(problem)}" for problem in result.trust_problems]
    if not result.publishable:
        lines += [
            "",
            "审核人：检出分支后运行 `baomi review` 审阅，再以 `baomi sign` 签发。",
            "Reviewers: check out the branch, run `baomi review`, then sign with `baomi sign`.",
        ]
    return "\n".join(lines) + "\n"
