"""The whole `baomi` command line as one argparse tree, with the options several commands share
(`--rules`, `--format`, `--fail-on`, `--show-matches`, `--jobs`, `--trust-ref`/`--trust-root`)
defined once. Formats come from the report registry, so a new format needs no change here.

Every help text and metavar a person reads is translated when the parser is built (`build_parser`
runs at each start, after the language is known); choices are values and stay as they are."""

from __future__ import annotations

import argparse
import datetime
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from screen import __version__
from screen.i18n import CHINESE, _, language
from screen.report import formats
from screen.settings import DEFAULT_TRUST_REF

if TYPE_CHECKING:  # subscriptable for the type checker only
    Commands = argparse._SubParsersAction["_Parser"]


def _rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar=_("DIR"), help=_("rules directory (default: rules/)"))


def _format(parser: argparse.ArgumentParser, kind: str) -> None:
    choices = formats(kind)
    parser.add_argument("--format", default=choices[0], choices=choices, help=_("output format"))


def _matches(parser: argparse.ArgumentParser, fail_on_help: str | None = None) -> None:
    parser.add_argument(
        "--fail-on",
        default="block",
        choices=("block", "review"),
        help=fail_on_help or _("lowest level that fails the run (exit 1)"),
    )
    parser.add_argument(
        "--show-matches", action="store_true", help=_("print matched text (never in CI logs)")
    )


def _jobs(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar=_("N"), help=text)


def _trust(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust-ref",
        default=DEFAULT_TRUST_REF,
        metavar=_("REF"),
        help=_("ref whose signers and policy are trusted (the base branch of a pull request)"),
    )
    parser.add_argument(
        "--trust-root",
        metavar=_("COMMIT"),
        help=_("commit where trust starts (default: the first commit of rules/signers.yml)"),
    )
    _rules(parser)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date like 2026-01-31").format(text=repr(text))
        ) from None


def _screening(commands: Commands) -> None:
    check = commands.add_parser("check", help=_("screen files (default: everything that would be published)"))
    check.add_argument("paths", nargs="*", metavar=_("PATH"), help=_("files or directories; '-' reads stdin"))
    _rules(check)
    _format(check, "check")
    _matches(check, _("lowest level that blocks (exit 1)"))
    _jobs(check, _("worker processes (default: all cores)"))
    changes = check.add_mutually_exclusive_group()
    changes.add_argument(
        "--staged", action="store_true", help=_("screen the git index: what will be committed")
    )
    changes.add_argument("--since", metavar=_("REV"), help=_("screen what changed since REV (REV...HEAD)"))
    check.add_argument(
        "--full", action="store_true", help=_("with --since: screen everything, not only changes")
    )
    fix = commands.add_parser(
        "fix", help=_("apply the safe fixes: wording suggestions, masking of personal numbers")
    )
    fix.add_argument(
        "paths", nargs="*", metavar=_("PATH"), help=_("files or directories (default: everything published)")
    )
    fix.add_argument("--dry-run", action="store_true", help=_("print the diff; change nothing"))
    _rules(fix)
    _matches(fix)
    init = commands.add_parser("init", help=_("create a new portal in DIR; never overwrites a file"))
    init.add_argument("directory", nargs="?", default=".", metavar=_("DIR"), help=_("an empty or new folder"))
    init.add_argument("--name", default="门户网站", metavar=_("NAME"), help=_("the site's name"))
    init.add_argument(
        "--org",
        metavar=_("ORG"),
        help=_("the organisation that runs it (default: the site's name)"),
    )
    word = commands.add_parser("import", help=_("a Word draft (.docx) becomes a page, screened at once"))
    word.add_argument("source", metavar=_("FILE.docx"), help=_("the Word draft"))
    word.add_argument("--to", metavar=_("PATH.md"), help=_("where the page goes (default: the docs folder)"))
    _rules(word)
    rules = commands.add_parser("rules", help=_("rule maintenance"))
    actions = rules.add_subparsers(dest="rules_command", required=True, metavar=_("ACTION"))
    _rules(actions.add_parser("check", help=_("validate rule files and run their hits/misses")))
    listing = actions.add_parser("list", help=_("every rule in effect, packaged and the portal's own"))
    _rules(listing)
    listing.add_argument("--format", choices=("text", "json"), default="text", help=_("output format"))
    lock = actions.add_parser(
        "lock",
        help=_("accept this Baomi's packaged rules: write rules/packaged.lock (the principal signs it)"),
    )
    _rules(lock)
    key = commands.add_parser("key", help=_("create the team's fingerprint key"))
    key.add_argument("--write", action="store_true", help=_("write it to .baomi/fingerprint.key"))
    entities = commands.add_parser("entities", help=_("print recognized PERSON/PLACE/ORG spans"))
    entities.add_argument(
        "path", nargs="?", default="-", metavar=_("PATH"), help=_("a text file; '-' reads stdin")
    )
    _format(entities, "entities")
    _rules(entities)
    strip = commands.add_parser(
        "strip", help=_("write copies of images without metadata (EXIF, GPS, XMP, comments)")
    )
    strip.add_argument("paths", nargs="+", metavar=_("PATH"), help=_("JPEG, PNG or WebP images"))
    strip.add_argument(
        "--in-place",
        action="store_true",
        help=_("replace each image (default: write <stem>.stripped<suffix>)"),
    )


def _sweep(commands: Commands) -> None:
    sweep = commands.add_parser(
        "sweep", help=_("screen already-published sites (WARC files, mirrors) on a Dask cluster")
    )
    sweep.add_argument(
        "sources",
        nargs="+",
        metavar=_("SOURCE"),
        help=_(
            "WARC files (.warc, .warc.gz), folders mirrored with wget -m, or lists of start URLs to crawl"
        ),
    )
    _rules(sweep)
    sweep.add_argument(
        "--out",
        default="baomi-sweep",
        metavar=_("DIR"),
        help=_("where findings and summaries go (owner-only)"),
    )
    sweep.add_argument(
        "--scheduler",
        metavar=_("ADDRESS"),
        help=_("an existing Dask scheduler (tcp://host:8786); default: a local cluster"),
    )
    sweep.add_argument(
        "--workers", type=int, default=0, metavar=_("N"), help=_("local workers (default: all cores)")
    )
    sweep.add_argument(
        "--format",
        choices=("parquet", "jsonl"),
        default="parquet",
        help=_("how the findings are written: Parquet files or JSON lines, by site"),
    )
    sweep.add_argument(
        "--since",
        metavar=_("STATE"),
        help=_(
            "an earlier sweep's --out folder: screen only what changed, list new, fixed and open findings"
        ),
    )
    crawl = sweep.add_argument_group(_("crawling a list of start URLs"))
    crawl.add_argument(
        "--crawl-pages", type=int, default=10_000, metavar=_("N"), help=_("URLs fetched per site")
    )
    crawl.add_argument(
        "--crawl-depth", type=int, default=8, metavar=_("N"), help=_("links followed from a start URL")
    )
    crawl.add_argument(
        "--crawl-pause",
        type=float,
        default=0.5,
        metavar=_("SECONDS"),
        help=_("between two requests to a host"),
    )
    crawl.add_argument(
        "--crawl-timeout", type=float, default=15.0, metavar=_("SECONDS"), help=_("for one request")
    )


def _signoff(commands: Commands) -> None:
    status = commands.add_parser("status", help=_("per published file: screening verdict and sign-off state"))
    status.add_argument("paths", nargs="*", metavar=_("PATH"), help=_("published files or folders"))
    _format(status, "status")
    status.add_argument(
        "--since",
        metavar=_("REV"),
        help=_("only published files changed since REV (REV...HEAD): a pull request's"),
    )
    _trust(status)
    sign = commands.add_parser("sign", help=_("sign off the current bytes of PATH… (a signed, empty commit)"))
    sign.add_argument("paths", nargs="+", metavar=_("PATH"), help=_("published files or folders"))
    sign.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar=_("FINGERPRINT"),
        help=_("waive a blocking finding (needs --reason)"),
    )
    sign.add_argument(
        "--reason",
        action="append",
        default=[],
        metavar=_("REASON"),
        help=_("why the waived finding may be published"),
    )
    sign.add_argument(
        "--comment",
        "-m",
        default="",
        metavar=_("COMMENT"),
        help=_("review opinion for the commit message"),
    )
    sign.add_argument("--dry-run", action="store_true", help=_("print the sign-off without committing"))
    _trust(sign)
    declassify = commands.add_parser(
        "declassify",
        help=_("the principal's signed record that a classified page is now public"),
    )
    declassify.add_argument("path", metavar=_("PATH"), help=_("the classified page"))
    declassify.add_argument(
        "--reason",
        default="",
        metavar=_("REASON"),
        help=_("the declassification condition met (needed before the term ends)"),
    )
    declassify.add_argument("--dry-run", action="store_true", help=_("print the record without committing"))
    _trust(declassify)
    signer = commands.add_parser("signer", help=_("who may sign: add a signer, list those in force"))
    actions = signer.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    add = actions.add_parser(
        "add", help=_("add a signer to rules/signers.yml (a change the principal signs)")
    )
    add.add_argument(
        "--id", required=True, dest="signer_id", metavar=_("ID"), help=_("a short permanent id: wang")
    )
    add.add_argument("--name", required=True, metavar=_("FULL_NAME"), help=_("their full name"))
    add.add_argument("--email", required=True, metavar=_("EMAIL"), help=_("the address they commit with"))
    add.add_argument(
        "--role",
        required=True,
        metavar=_("ROLE"),
        help=_("deputy (deputy leader), principal (principal leader) or drafter"),
    )
    keys = add.add_mutually_exclusive_group(required=True)
    keys.add_argument("--key", metavar=_("PUB"), help=_("their SSH public key: a .pub file or the key line"))
    keys.add_argument(
        "--new-key", metavar=_("PATH"), help=_("make an ed25519 key pair at PATH with ssh-keygen")
    )
    add.add_argument(
        "--no-passphrase", action="store_true", help=_("with --new-key: no passphrase (not advised)")
    )
    listing = actions.add_parser("list", help=_("the signers in force and who must sign what"))
    _trust(listing)
    revoke = commands.add_parser(
        "revoke",
        help=_("take a published file down at the next publish, keeping it in the repository"),
    )
    revoke.add_argument("path", metavar=_("PATH"), help=_("the published file"))
    revoke.add_argument("--reason", required=True, metavar=_("REASON"), help=_("why it is taken down"))
    revoke.add_argument("--dry-run", action="store_true", help=_("print the record without committing"))
    _trust(revoke)
    review = commands.add_parser(
        "review", help=_("what a reviewer needs: diff, unredacted findings, what a sign-off records")
    )
    review.add_argument("paths", nargs="*", metavar=_("PATH"), help=_("published files or folders"))
    _trust(review)


def _audit(commands: Commands) -> None:
    history = commands.add_parser(
        "history", help=_("audit every version of every published file in the git history")
    )
    history.add_argument(
        "--since",
        metavar=_("REV"),
        help=_("only commits HEAD has and REV has not (default: all refs)"),
    )
    _format(history, "history")
    _rules(history)
    _matches(history)
    _jobs(history, _("worker processes"))
    report = commands.add_parser("report", help=_("the self-inspection report for a period"))
    report.add_argument(
        "--since", type=_day, metavar=_("DATE"), help=_("first day (YYYY-MM-DD), by commit date")
    )
    report.add_argument(
        "--until", type=_day, metavar=_("DATE"), help=_("last day (YYYY-MM-DD), by commit date")
    )
    _format(report, "report")
    _trust(report)
    log = commands.add_parser("log", help=_("the review trail of one page: versions, findings, sign-offs"))
    log.add_argument("path", metavar=_("PATH"), help=_("the published file"))
    _format(log, "log")
    _trust(log)


def _site(commands: Commands) -> None:
    publish = commands.add_parser(
        "publish", help=_("verify, build with MkDocs, audit the output, then replace the site")
    )
    publish.add_argument(
        "--site-dir",
        type=Path,
        default=Path("site"),
        metavar=_("DIR"),
        help=_("where the site goes (default: site/)"),
    )
    publish.add_argument(
        "--strict",
        action="store_true",
        help=_("exit 1 when a page is pending (its last cleared version shown) or held back"),
    )
    _format(publish, "publish")
    serve = commands.add_parser(
        "serve", help=_("local preview: pending pages with a pending-review banner, findings marked")
    )
    serve.add_argument(
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar=_("ADDRESS:PORT"),
        help=_("loopback address:port (default 127.0.0.1:8000)"),
    )


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose section headings ("options:") end in a full-width colon when the
    help is in Chinese (argparse writes the colon itself)."""

    def format_help(self) -> str:
        text = super().format_help()
        return re.sub(r"(?m)^(\S[^\n]*):$", r"\1：", text) if language() == CHINESE else text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="baomi",
        description=_("Secrecy screening: screen a portal before it is published."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"baomi {__version__}",
        help=_("show program's version number and exit"),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("COMMAND"))
    for area in (_screening, _sweep, _signoff, _audit, _site):
        area(commands)
    return parser
