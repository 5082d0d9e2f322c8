"""`baomi status` output: a table for people, the JSON of DESIGN.md for tools."""

from __future__ import annotations

import json

from screen.findings import printable
from screen.gate import FileStatus, StatusResult

SCHEMA_VERSION = 1


def _signed_by(status: FileStatus) -> str:
    people = []
    for signoff in status.signoffs:
        if signoff.signer:
            roles = "/".join(sorted(signoff.signer.roles))
            people.append(f"{signoff.signer.name}（{roles}，{signoff.committed:%Y-%m-%d}）")
    return "、".join(people)


def format_status_text(result: StatusResult) -> str:
    lines = []
    width = max((len(f.path) for f in result.files), default=10)
    for status in result.files:
        mark = "✓" if status.publishable else "✗"
        detail = _signed_by(status) if status.publishable else ""
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
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
