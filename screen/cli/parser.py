"""The whole `baomi` command line as one argparse tree, with the options several commands share
(`--rules`, `--format`, `--fail-on`, `--show-matches`, `--jobs`, `--trust-ref`/`--trust-root`)
defined once. Formats come from the report registry, so a new format needs no change here."""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path
from typing import TYPE_CHECKING

from screen import __version__
from screen.report import formats
from screen.settings import DEFAULT_TRUST_REF

if TYPE_CHECKING:  # subscriptable for the type checker only
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def _rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, help="rules directory (default: rules/)")


def _format(parser: argparse.ArgumentParser, kind: str) -> None:
    choices = formats(kind)
    parser.add_argument("--format", default=choices[0], choices=choices)


def _matches(parser: argparse.ArgumentParser, fail_on_help: str | None = None) -> None:
    parser.add_argument("--fail-on", default="block", choices=("block", "review"), help=fail_on_help)
    parser.add_argument("--show-matches", action="store_true", help="print matched text (never in CI logs)")


def _jobs(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help=text)


def _trust(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust-ref",
        default=DEFAULT_TRUST_REF,
        help="ref whose signers and policy are trusted (the base branch of a pull request)",
    )
    parser.add_argument(
        "--trust-root", help="commit where trust starts (default: the first commit of rules/signers.yml)"
    )
    _rules(parser)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _screening(commands: Commands) -> None:
    check = commands.add_parser("check", help="screen files (default: everything that would be published)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; '-' reads stdin")
    _rules(check)
    _format(check, "check")
    _matches(check, "lowest level that blocks (exit 1)")
    _jobs(check, "worker processes (default: all cores)")
    changes = check.add_mutually_exclusive_group()
    changes.add_argument("--staged", action="store_true", help="screen the git index: what will be committed")
    changes.add_argument("--since", metavar="REV", help="screen what changed since REV (REV...HEAD)")
    check.add_argument(
        "--full", action="store_true", help="with --since: screen everything, not only changes"
    )
    init = commands.add_parser("init", help="create a new portal in DIR (新建门户); never overwrites a file")
    init.add_argument("directory", nargs="?", default=".", metavar="DIR", help="an empty or new folder")
    init.add_argument("--name", default="门户网站", help="the site's name (站点名称)")
    init.add_argument("--org", help="the organisation that runs it (主办单位; default: the site's name)")
    word = commands.add_parser("import", help="a Word draft (.docx) becomes a page, screened at once (导入)")
    word.add_argument("source", metavar="FILE.docx")
    word.add_argument("--to", metavar="PATH.md", help="where the page goes (default: the docs folder)")
    _rules(word)
    rules = commands.add_parser("rules", help="rule maintenance")
    actions = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    _rules(actions.add_parser("check", help="validate rule files and run their hits/misses"))
    listing = actions.add_parser("list", help="every rule in effect, packaged and the portal's own")
    _rules(listing)
    listing.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lock = actions.add_parser(
        "lock", help="accept this Baomi's packaged rules: write rules/packaged.lock (the principal signs it)"
    )
    _rules(lock)
    key = commands.add_parser("key", help="create the team's fingerprint key")
    key.add_argument("--write", action="store_true", help="write it to .baomi/fingerprint.key")
    entities = commands.add_parser("entities", help="print recognized PERSON/PLACE/ORG spans")
    entities.add_argument("path", nargs="?", default="-", metavar="PATH", help="a text file; '-' reads stdin")
    _format(entities, "entities")
    _rules(entities)
    strip = commands.add_parser(
        "strip", help="write copies of images without metadata (EXIF, GPS, XMP, comments)"
    )
    strip.add_argument("paths", nargs="+", metavar="PATH", help="JPEG, PNG or WebP images")
    strip.add_argument(
        "--in-place", action="store_true", help="replace each image (default: write <stem>.stripped<suffix>)"
    )


def _signoff(commands: Commands) -> None:
    status = commands.add_parser("status", help="per published file: screening verdict and sign-off state")
    status.add_argument("paths", nargs="*", metavar="PATH")
    _format(status, "status")
    status.add_argument(
        "--since", metavar="REV", help="only published files changed since REV (REV...HEAD): a pull request's"
    )
    _trust(status)
    sign = commands.add_parser("sign", help="sign off the current bytes of PATH… (a signed, empty commit)")
    sign.add_argument("paths", nargs="+", metavar="PATH")
    sign.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="FINGERPRINT",
        help="waive a blocking finding (needs --reason)",
    )
    sign.add_argument(
        "--reason",
        action="append",
        default=[],
        metavar="TEXT",
        help="why the waived finding may be published",
    )
    sign.add_argument("--comment", "-m", default="", help="review opinion (审核意见) for the commit message")
    sign.add_argument("--dry-run", action="store_true", help="print the sign-off without committing")
    _trust(sign)
    declassify = commands.add_parser(
        "declassify", help="the principal's signed record that a classified page is now public (解密)"
    )
    declassify.add_argument("path", metavar="PATH")
    declassify.add_argument(
        "--reason", default="", help="the declassification condition met (needed before the term ends)"
    )
    declassify.add_argument("--dry-run", action="store_true", help="print the record without committing")
    _trust(declassify)
    signer = commands.add_parser("signer", help="who may sign: add a signer, list those in force")
    actions = signer.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a signer to rules/signers.yml (a change the principal signs)")
    add.add_argument("--id", required=True, dest="signer_id", help="a short permanent id: wang")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--email", required=True, help="the address they commit with")
    add.add_argument(
        "--role", required=True, help="deputy (分管领导), principal (主要领导) or drafter (撰稿人)"
    )
    keys = add.add_mutually_exclusive_group(required=True)
    keys.add_argument("--key", metavar="PUB", help="their SSH public key: a .pub file or the key line")
    keys.add_argument("--new-key", metavar="PATH", help="make an ed25519 key pair at PATH with ssh-keygen")
    add.add_argument(
        "--no-passphrase", action="store_true", help="with --new-key: no passphrase (not advised)"
    )
    listing = actions.add_parser("list", help="the signers in force and who must sign what")
    _trust(listing)
    revoke = commands.add_parser(
        "revoke", help="take a published file down at the next publish (撤稿), keeping it in the repository"
    )
    revoke.add_argument("path", metavar="PATH")
    revoke.add_argument("--reason", required=True, help="why it is taken down (撤稿理由)")
    revoke.add_argument("--dry-run", action="store_true", help="print the record without committing")
    _trust(revoke)
    review = commands.add_parser(
        "review", help="what a reviewer needs: diff, unredacted findings, what a sign-off records"
    )
    review.add_argument("paths", nargs="*", metavar="PATH")
    _trust(review)


def _audit(commands: Commands) -> None:
    history = commands.add_parser(
        "history", help="audit every version of every published file in the git history"
    )
    history.add_argument(
        "--since", metavar="REV", help="only commits HEAD has and REV has not (default: all refs)"
    )
    _format(history, "history")
    _rules(history)
    _matches(history)
    _jobs(history, "worker processes")
    report = commands.add_parser("report", help="the self-inspection report (自查报告) for a period")
    report.add_argument("--since", type=_day, help="first day (YYYY-MM-DD), by commit date")
    report.add_argument("--until", type=_day, help="last day (YYYY-MM-DD), by commit date")
    _format(report, "report")
    _trust(report)
    log = commands.add_parser("log", help="the review trail of one page: versions, findings, sign-offs")
    log.add_argument("path", metavar="PATH")
    _format(log, "log")
    _trust(log)


def _site(commands: Commands) -> None:
    publish = commands.add_parser(
        "publish", help="verify, build with MkDocs, audit the output, then replace the site"
    )
    publish.add_argument(
        "--site-dir", type=Path, default=Path("site"), help="where the site goes (default: site/)"
    )
    publish.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when a page is pending (its last cleared version shown) or held back",
    )
    serve = commands.add_parser(
        "serve", help="local preview: pending pages with a 待审核 banner, findings marked"
    )
    serve.add_argument(
        "--dev-addr", default="127.0.0.1:8000", help="loopback address:port (default 127.0.0.1:8000)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baomi", description="保密审查: screen a portal before it is published."
    )
    parser.add_argument("--version", action="version", version=f"baomi {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in (_screening, _signoff, _audit, _site):
        area(commands)
    return parser
