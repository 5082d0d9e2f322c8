"""The sign-off doors of the CLI: `baomi status`, `baomi sign`, `baomi review`.

Kept apart from `screen.cli` (which registers them) so each door module stays small."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from screen.errors import UsageError

if TYPE_CHECKING:  # git and the sign-off machinery load only for these commands
    from screen.clearance import Workspace
    from screen.gate import FileStatus
    from screen.model import Finding

DEFAULT_TRUST_REF = "HEAD"

EXIT_CLEAN, EXIT_BLOCKED = 0, 1


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], cache_dir: Path | None
) -> None:
    def trust_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--trust-ref",
            default=DEFAULT_TRUST_REF,
            help="ref whose signers and policy are trusted (the base branch of a pull request)",
        )
        parser.add_argument(
            "--trust-root", help="commit where trust starts (default: the first commit of rules/signers.yml)"
        )
        parser.add_argument("--rules", type=Path, help="rules directory (default: rules/)")
        parser.set_defaults(cache_dir=cache_dir)

    status_parser = commands.add_parser(
        "status", help="per published file: screening verdict and sign-off state"
    )
    status_parser.add_argument("paths", nargs="*", metavar="PATH")
    status_parser.add_argument("--format", default="text", choices=("text", "json", "markdown"))
    status_parser.add_argument(
        "--since", metavar="REV", help="only published files changed since REV (REV...HEAD): a pull request's"
    )
    trust_options(status_parser)
    sign_parser = commands.add_parser(
        "sign", help="sign off the current bytes of PATH… (a signed, empty commit)"
    )
    sign_parser.add_argument("paths", nargs="+", metavar="PATH")
    sign_parser.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="FINGERPRINT",
        help="waive a blocking finding (needs --reason)",
    )
    sign_parser.add_argument(
        "--reason",
        action="append",
        default=[],
        metavar="TEXT",
        help="why the waived finding may be published",
    )
    sign_parser.add_argument(
        "--comment", "-m", default="", help="review opinion (审核意见) for the commit message"
    )
    sign_parser.add_argument("--dry-run", action="store_true", help="print the sign-off without committing")
    trust_options(sign_parser)
    declassify_parser = commands.add_parser(
        "declassify", help="the principal's signed record that a classified page is now public (解密)"
    )
    declassify_parser.add_argument("path", metavar="PATH")
    declassify_parser.add_argument(
        "--reason", default="", help="the declassification condition met (needed before the term ends)"
    )
    declassify_parser.add_argument(
        "--dry-run", action="store_true", help="print the record without committing"
    )
    trust_options(declassify_parser)
    report_parser = commands.add_parser("report", help="the self-inspection report (自查报告) for a period")
    report_parser.add_argument("--since", type=_day, help="first day (YYYY-MM-DD), by commit date")
    report_parser.add_argument("--until", type=_day, help="last day (YYYY-MM-DD), by commit date")
    report_parser.add_argument("--format", default="markdown", choices=("markdown", "html", "json"))
    trust_options(report_parser)
    log_parser = commands.add_parser(
        "log", help="the review trail of one page: versions, findings, sign-offs"
    )
    log_parser.add_argument("path", metavar="PATH")
    log_parser.add_argument("--format", default="text", choices=("text", "json"))
    trust_options(log_parser)
    review_parser = commands.add_parser(
        "review", help="what a reviewer needs: diff, unredacted findings, what a sign-off records"
    )
    review_parser.add_argument("paths", nargs="*", metavar="PATH")
    trust_options(review_parser)


def _workspace(args: argparse.Namespace) -> Workspace:
    from screen.api import fingerprint_key
    from screen.clearance import Workspace
    from screen.settings import Settings

    root = Path.cwd()
    settings = Settings(
        root=root,
        rules_dir=args.rules or root / "rules",
        fingerprint_key=fingerprint_key(root),
        jobs=os.cpu_count() or 1,
        cache_dir=args.cache_dir,
    )
    return Workspace(settings=settings, trust_ref=args.trust_ref, trust_root=args.trust_root)


def run_status(args: argparse.Namespace) -> int:
    from screen.clearance import status
    from screen.report.status import format_status_json, format_status_markdown, format_status_text

    workspace = _workspace(args)
    paths = list(args.paths)
    if args.since:
        if paths:
            raise UsageError("give PATH… or --since, not both")
        changed = set(workspace.repo.changed_since(args.since))
        paths = [t.display for t in workspace.targets if t.display in changed]
        if not paths:
            print(f"no published file changed since {args.since}; nothing to clear", file=sys.stderr)
            return EXIT_CLEAN
    result = status(workspace, paths)
    formatters = {"json": format_status_json, "markdown": format_status_markdown}
    sys.stdout.write(formatters.get(args.format, format_status_text)(result))
    return EXIT_CLEAN if result.publishable else EXIT_BLOCKED


def run_declassify(args: argparse.Namespace) -> int:
    from screen.declassify import declassify, plan_declassification
    from screen.signoff import format_declassification

    workspace = _workspace(args)
    plan = plan_declassification(
        workspace, args.path, args.reason, datetime.datetime.now(tz=datetime.UTC).date()
    )
    if args.dry_run:
        sys.stdout.write(format_declassification(plan.record))
        return EXIT_CLEAN
    sha = declassify(workspace, plan)
    print(
        f"declassified {plan.path} (was {plan.record.was}) in {sha[:10]}; "
        "from now on it is screened and signed off like any page"
    )
    return EXIT_CLEAN


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def run_report(args: argparse.Namespace) -> int:
    from screen.inspection import Period, inspect
    from screen.report.inspection import REPORT_FORMATS

    report = inspect(_workspace(args), Period(since=args.since, until=args.until))
    sys.stdout.write(REPORT_FORMATS[args.format](report))
    return EXIT_CLEAN


def run_log(args: argparse.Namespace) -> int:
    from screen.report.trail import format_trail_json, format_trail_text
    from screen.trail import trail

    found = trail(_workspace(args), args.path)
    sys.stdout.write((format_trail_json if args.format == "json" else format_trail_text)(found))
    return EXIT_CLEAN


def run_sign(args: argparse.Namespace) -> int:
    from screen.clearance import plan_signoff, sign
    from screen.signoff import format_message

    if len(args.waive) != len(args.reason):
        raise UsageError("every --waive needs its own --reason")
    workspace = _workspace(args)
    plan = plan_signoff(
        workspace, list(args.paths), list(zip(args.waive, args.reason, strict=True)), args.comment
    )
    message = format_message(plan.message)
    if args.dry_run:
        sys.stdout.write(message)
        return EXIT_CLEAN
    sha = sign(workspace, plan)
    print(f"signed {len(plan.message.cleared)} file(s) as {plan.signer.name} in {sha[:10]}")
    return EXIT_CLEAN


def _review_one(workspace: Workspace, state: FileStatus, findings: list[Finding]) -> list[str]:
    from screen.model import CheckResult
    from screen.report import FORMATS, ReportView

    lines = [f"== {state.path}: {state.state}"]
    lines += [f"   {reason}" for reason in state.reasons]
    # the last version that was fairly cleared: a self-approved "previous version" would hide
    # exactly the changes the reviewer must see
    previous = workspace.last_cleared(workspace.select([state.path])[0]) if state.state != "error" else None
    if previous:
        sha, cleared = previous
        lines.append(f"-- changes since the version cleared in {sha[:10]}:")
        lines.append(workspace.repo.diff_blob(cleared.blob, workspace.settings.root / state.path))
    else:
        lines.append("-- never cleared before: read the whole file")
    result = CheckResult(
        findings=tuple(findings),
        errors=(),
        files_scanned=1,
        rules_fingerprint=workspace.engine.fingerprint,
        rules=(),
    )
    lines.append("-- findings (unredacted, for your terminal only):")
    lines.append(FORMATS["text"](ReportView(result=result, show_matches=True)).rstrip())
    return lines


def run_review(args: argparse.Namespace) -> int:
    from screen.clearance import plan_signoff, status
    from screen.signoff import format_message

    workspace = _workspace(args)
    result = status(workspace, list(args.paths))
    pending = [f for f in result.files if not f.publishable or args.paths]

    targets = workspace.select([f.path for f in pending]) if pending else []
    findings, _ = workspace.screen(targets)
    out: list[str] = []
    for state in pending:
        out += _review_one(workspace, state, [f for f in findings if f.path == state.path])
    if not pending:
        out.append("everything is cleared; nothing to review")
    else:
        signable = [f.path for f in pending if f.state not in ("error",)]
        out.append("-- `baomi sign " + " ".join(signable) + "` would record (waivers aside):")
        try:
            plan = plan_signoff(workspace, signable, [])
            out.append(format_message(plan.message).rstrip())
        except UsageError as refusal:
            out.append(f"   (it would refuse now: {refusal})")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_CLEAN if result.publishable else EXIT_BLOCKED
