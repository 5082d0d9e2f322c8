"""`baomi log` output: the review trail as text for people and JSON for tools."""

from __future__ import annotations

from screen.audit.records import Trail
from screen.findings import printable
from screen.report.jsontext import dumps
from screen.report.status import signed_by

_KIND = {
    "draft": "起草/修改 draft",
    "deleted": "删除 deleted",
    "signoff": "签发 sign-off",
    "signoff-not-counted": "签发无效 sign-off not counted",
    "declassified": "解密 declassified",
    "revoked": "撤稿 revoked",
    "revocation-not-counted": "撤稿无效 revocation not counted",
}


def format_trail_text(trail: Trail) -> str:
    status = trail.status
    signed = f" — {signed_by(status)}" if status.publishable else ""
    lines = [f"{trail.path} 审查记录 (review trail)"]
    if status.classification not in ("", "公开"):
        lines.append(f"定密 classification: {status.classification}")
    lines.append(f"当前状态 state: {status.state}{signed}")
    lines += [f"    - {reason}" for reason in status.reasons]
    lines.append("")
    for event in trail.events:
        blob = f" blob {event.blob[:10]}" if event.blob else ""
        head = f"{event.when:%Y-%m-%d %H:%M} {event.commit[:10]} {_KIND[event.kind]}: {event.who}{blob}"
        lines.append(head)
        if event.detail:
            lines.append(f"    {event.detail}")
    return "\n".join(printable(line) for line in lines) + "\n"


def format_trail_json(trail: Trail) -> str:
    document = {
        "schema_version": 1,
        "path": trail.path,
        "state": trail.status.state,
        "publishable": trail.status.publishable,
        "classification": trail.status.classification or None,
        "reasons": list(trail.status.reasons),
        "events": [
            {
                "when": event.when.isoformat(),
                "commit": event.commit,
                "kind": event.kind,
                "who": event.who,
                "blob": event.blob or None,
                "detail": event.detail,
            }
            for event in trail.events
        ],
    }
    return dumps(document)
