"""`baomi status`: every published file screened and decided by the gate."""

from __future__ import annotations

from screen.model import Finding
from screen.packaged import LOCK_FILE
from screen.signoff.facts import file_facts
from screen.signoff.gate import decide
from screen.signoff.records import StatusResult
from screen.signoff.workspace import Workspace


def status(workspace: Workspace, paths: list[str]) -> StatusResult:
    """The state of `paths` (default: every published file and the trust files)."""
    targets = workspace.select(paths)
    findings, errors = workspace.screen(targets)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    failed = {e.path: e.message for e in errors}
    lock = f"{workspace.rules_folder}/{LOCK_FILE}"
    if workspace.lock_problem and any(t.display == lock for t in targets):
        failed[lock] = workspace.lock_problem  # no sign-off publishes rules this Baomi does not ship
    facts = [file_facts(workspace, t, by_path.get(t.display, []), failed.get(t.display, "")) for t in targets]
    files = tuple(decide(f, workspace.signoffs_for(f.path, f.blob)) for f in facts)
    return StatusResult(
        files=files, trust_problems=workspace.trust.problems, rules_fingerprint=workspace.engine.fingerprint
    )
