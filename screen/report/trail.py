"""`baomi log` output: the review trail as text for people and JSON for tools."""

from __future__ import annotations

from screen.audit.records import Trail
from screen.findings import printable
from screen.i18n import N_, _
from screen.report.jsontext import dumps
from screen.report.status import signed_by
from screen.signoff.records import state_label

# Each kind of event as people read it (the ids stay in the JSON); translated with `_()` where shown.
_KIND = {
    "draft": N_("draft"),
    "deleted": N_("deleted"),
    "signoff": N_("sign-off"),
    "signoff-not-counted": N_("sign-off not counted"),
    "declassified": N_("declassified"),
    "revoked": N_("revoked"),
    "revocation-not-counted": N_("revocation not counted"),
}


def format_trail_text(trail: Trail) -> str:
    status = trail.status
    signed = f" — {signed_by(status)}" if status.publishable else ""
    lines = [_("Review trail of {path}").format(path=trail.path)]
    if status.classification not in ("", "公开"):
        lines.append(_("classification: {classification}").format(classification=status.classification))
    lines.append(_("state: {state}").format(state=state_label(status.state)) + signed)
    lines += [f"    - {reason}" for reason in status.reasons]
    lines.append("")
    for event in trail.events:
        blob = " " + _("blob {blob}").format(blob=event.blob[:10]) if event.blob else ""
        kind = _(_KIND[event.kind])
        head = f"{event.when:%Y-%m-%d %H:%M} {event.commit[:10]} " + _("{kind}: {who}").format(
            kind=kind, who=event.who
        )
        head += blob
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
