"""`baomi review` output: for the reviewer's own terminal, findings unredacted."""

from __future__ import annotations

from screen.i18n import _
from screen.model import CheckResult
from screen.report.text import format_text
from screen.report.view import ReportView
from screen.signoff.records import Review, ReviewItem, state_label


def _item(item: ReviewItem, rules_fingerprint: str) -> list[str]:
    state = item.status
    lines = [f"== {state.path}: {state_label(state.state)}"]
    lines += [f"   {reason}" for reason in state.reasons]
    if item.since:
        lines.append(
            "-- " + _("changes since the version cleared in {commit}:").format(commit=item.since[:10])
        )
        lines.append(item.diff)
    else:
        lines.append("-- " + _("never cleared before: read the whole file"))
    result = CheckResult(
        findings=item.findings, errors=(), files_scanned=1, rules_fingerprint=rules_fingerprint, rules=()
    )
    lines.append("-- " + _("findings (unredacted, for your terminal only):"))
    lines.append(format_text(ReportView(result=result, show_matches=True)).rstrip())
    return lines


def format_review_text(review: Review) -> str:
    out: list[str] = []
    for item in review.items:
        out += _item(item, review.rules_fingerprint)
    if not review.items:
        out.append(_("everything is cleared; nothing to review"))
    else:
        command = "`baomi sign " + " ".join(review.signable) + "`"
        out.append("-- " + _("{command} would record (waivers aside):").format(command=command))
        out.append(
            review.signoff.rstrip()
            if review.signoff
            else "   " + _("(it would refuse now: {refusal})").format(refusal=review.refusal)
        )
    return "\n".join(out) + "\n"
