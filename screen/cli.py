"""`baomi`: a thin door over `screen.api`. Arguments in, one API call, output and an exit code out.

Exit codes (DESIGN.md): 0 clean · 1 blocked · 2 usage, rule, config or input error · 3 internal
error · 130 interrupted."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screen import __version__, cli_signoff
from screen.errors import RuleError, ScreenError, UsageError
from screen.model import Level
from screen.settings import Settings, default_cache_dir

EXIT_CLEAN, EXIT_BLOCKED, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baomi", description="保密审查: screen a portal before it is published."
    )
    parser.add_argument("--version", action="version", version=f"baomi {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="screen files (default: everything that would be published)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; '-' reads stdin")
    check.add_argument("--rules", type=Path, help="rules directory (default: rules/)")
    check.add_argument(
        "--format",
        default="text",
        choices=("text", "json", "sarif", "github", "markdown", "junit", "codequality"),
    )
    check.add_argument(
        "--fail-on",
        default="block",
        choices=("block", "review"),
        help="lowest level that blocks (exit 1)",
    )
    check.add_argument(
        "--show-matches",
        action="store_true",
        help="print matched text (never in CI logs)",
    )
    check.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    changes = check.add_mutually_exclusive_group()
    changes.add_argument("--staged", action="store_true", help="screen the git index: what will be committed")
    changes.add_argument("--since", metavar="REV", help="screen what changed since REV (REV...HEAD)")
    check.add_argument(
        "--full", action="store_true", help="with --since: screen everything, not only changes"
    )
    history = commands.add_parser(
        "history", help="audit every version of every published file in the git history"
    )
    history.add_argument(
        "--since", metavar="REV", help="only commits HEAD has and REV has not (default: all refs)"
    )
    history.add_argument("--format", default="text", choices=("text", "json", "sarif"))
    history.add_argument("--rules", type=Path, help="rules directory (default: rules/)")
    history.add_argument("--fail-on", default="block", choices=("block", "review"))
    history.add_argument("--show-matches", action="store_true", help="print matched text (never in CI logs)")
    history.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    rules = commands.add_parser("rules", help="rule maintenance")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rules_check = rules_commands.add_parser("check", help="validate rule files and run their hits/misses")
    rules_check.add_argument("--rules", type=Path, help="rules directory (default: rules/)")
    key = commands.add_parser("key", help="create the team's fingerprint key")
    key.add_argument("--write", action="store_true", help="write it to .baomi/fingerprint.key")
    entities = commands.add_parser("entities", help="print recognized PERSON/PLACE/ORG spans")
    entities.add_argument("path", nargs="?", default="-", metavar="PATH", help="a text file; '-' reads stdin")
    entities.add_argument("--format", default="jsonl", choices=("jsonl", "json", "text"))
    entities.add_argument("--rules", type=Path, help="rules directory (default: rules/)")
    cli_signoff.add_parsers(commands, default_cache_dir())
    publish = commands.add_parser(
        "publish", help="verify, build with MkDocs, audit the output, then replace the site"
    )
    publish.add_argument(
        "--site-dir", type=Path, default=Path("site"), help="where the site goes (default: site/)"
    )
    serve = commands.add_parser(
        "serve", help="local preview: pending pages with a 待审核 banner, findings marked"
    )
    serve.add_argument(
        "--dev-addr", default="127.0.0.1:8000", help="loopback address:port (default 127.0.0.1:8000)"
    )
    strip = commands.add_parser(
        "strip", help="write copies of images without metadata (EXIF, GPS, XMP, comments)"
    )
    strip.add_argument("paths", nargs="+", metavar="PATH", help="JPEG, PNG or WebP images")
    strip.add_argument(
        "--in-place", action="store_true", help="replace each image (default: write <stem>.stripped<suffix>)"
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    from screen.api import fingerprint_key

    root = Path.cwd()
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    return Settings(
        root=root,
        rules_dir=args.rules or root / "rules",
        fingerprint_key=fingerprint_key(root),
        fail_on=Level(args.fail_on),
        jobs=args.jobs,
        cache_dir=default_cache_dir(),
    )


def _check(args: argparse.Namespace) -> int:
    from screen.api import STDIN, check, check_targets
    from screen.report import FORMATS, ReportView

    settings = _settings(args)
    if args.full and not args.since:
        raise UsageError("--full goes with --since")
    if args.staged or (args.since and not args.full):
        targets = _changed_targets(args, settings.root)
        if not targets:
            print("no published file changed; nothing to screen", file=sys.stderr)
            return EXIT_CLEAN
        result = check_targets(targets, settings)
    else:
        stdin = sys.stdin.buffer.read() if STDIN in args.paths else None
        result = check(list(args.paths), settings, stdin=stdin)
    view = ReportView(result=result, show_matches=args.show_matches, fail_on=settings.fail_on)
    sys.stdout.write(FORMATS[args.format](view))
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "github" and summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write(FORMATS["markdown"](ReportView(result=result, fail_on=settings.fail_on)))
    if result.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if result.blocked(settings.fail_on) else EXIT_CLEAN


def _history(args: argparse.Namespace) -> int:
    from screen.history import audit
    from screen.report.history import HISTORY_FORMATS

    settings = _settings(args)
    result = audit(settings, args.since)
    sys.stdout.write(HISTORY_FORMATS[args.format](result, args.show_matches, settings.fail_on))
    if result.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if result.blocked(settings.fail_on) else EXIT_CLEAN


def _changed_targets(args: argparse.Namespace, root: Path) -> list[Any]:
    """Published files in the git index (--staged, with their staged bytes) or changed since
    --since REV (as they are now); only those under PATH… when paths are given."""
    from screen.api import CONFIG_NAME, Target, is_published
    from screen.vcs import Repository

    repo = Repository(root)
    found: list[tuple[str, bytes | None]]
    if args.staged:
        found = list(repo.staged().items())
    else:
        found = [(name, None) for name in repo.changed_since(args.since) if (root / name).exists()]
    wanted = [Path(p).as_posix().rstrip("/") for p in args.paths]
    return [
        Target(path=root / name, display=name, config=name == CONFIG_NAME, data=data)
        for name, data in found
        if is_published(name, root)
        and (not wanted or any(name == w or name.startswith(w + "/") for w in wanted))
    ]


def _rules_check(args: argparse.Namespace) -> int:
    from screen.engine import build_engine
    from screen.ruleset import parse, read_sources

    rules_dir = args.rules or Path.cwd() / "rules"
    engine = build_engine(parse(read_sources(rules_dir)))
    rules = engine.ruleset.rules
    examples = sum(len(r.hits) + len(r.misses) for r in rules)
    print(f"{len(rules)} rules valid, {examples} examples pass; rules {engine.fingerprint}")
    return EXIT_CLEAN


def _key(args: argparse.Namespace) -> int:
    key = secrets.token_hex(32)
    if not args.write:
        print(key)
        return EXIT_CLEAN
    path = Path.cwd() / ".baomi" / "fingerprint.key"
    if path.exists():
        raise UsageError(f"{path} exists; delete it first (every waiver made with it stops matching)")
    path.parent.mkdir(exist_ok=True)
    path.write_text(key + "\n", encoding="ascii")
    path.chmod(0o600)
    print(f"wrote {path}; share it with reviewers and CI (as the BAOMI_FINGERPRINT_KEY secret)")
    return EXIT_CLEAN


def _publish(args: argparse.Namespace) -> int:
    from screen.findings import printable
    from screen.publish import publish

    result = publish(Path.cwd(), args.site_dir)
    for page, reasons in sorted(result.held_back.items()):
        print(f"held back: {printable(page)}")
        for reason in reasons:
            print(f"    - {printable(reason)}")
    print(f"published {result.pages} page(s) to {result.site}; {len(result.held_back)} held back")
    return EXIT_CLEAN


_SIGNOFF_DOORS = {
    "status": cli_signoff.run_status,
    "sign": cli_signoff.run_sign,
    "review": cli_signoff.run_review,
    "declassify": cli_signoff.run_declassify,
    "log": cli_signoff.run_log,
    "report": cli_signoff.run_report,
}


def _entities(args: argparse.Namespace) -> int:
    """`baomi entities`: one JSON line per input line (jsonl), one document (json), or text."""
    import json

    from screen.api import recognize

    try:
        data = sys.stdin.buffer.read() if args.path == "-" else Path(args.path).read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{args.path}: cannot read as UTF-8 text ({error})") from None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()  # the last line's newline does not start another line
    found = recognize(lines, args.rules or Path.cwd() / "rules", default_cache_dir())
    if args.format == "jsonl":
        sys.stdout.writelines(
            json.dumps({"entities": [{"type": e.label, "start": e.start, "end": e.end} for e in f]}) + "\n"
            for f in found
        )
    elif args.format == "json":
        rows = [
            {"type": e.label, "line": n, "start": e.start, "end": e.end, "text": line[e.start : e.end]}
            for n, (line, f) in enumerate(zip(lines, found, strict=True), 1)
            for e in f
        ]
        document = {"schema_version": 1, "entities": rows}
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        for n, (line, f) in enumerate(zip(lines, found, strict=True), 1):
            sys.stdout.writelines(f"{n}:{e.start + 1}: {e.label} {line[e.start : e.end]}\n" for e in f)
    return EXIT_CLEAN


def _serve(args: argparse.Namespace) -> int:
    from screen.preview import serve

    serve(Path.cwd(), args.dev_addr)
    return EXIT_CLEAN


def _strip(args: argparse.Namespace) -> int:
    """`baomi strip`: one line per file written; every image is tried, any failure exits 2."""
    from screen.errors import InputError
    from screen.strip import strip_file

    failed = False
    for name in args.paths:
        try:
            print(f"wrote {strip_file(Path(name), in_place=args.in_place)}")
        except InputError as error:
            print(f"baomi: error: {error}", file=sys.stderr)
            failed = True
    return EXIT_INPUT if failed else EXIT_CLEAN


def _dispatch(args: argparse.Namespace) -> int:
    doors = {
        "check": _check,
        "history": _history,
        "entities": _entities,
        "rules": _rules_check,
        "key": _key,
        "publish": _publish,
        "serve": _serve,
        "strip": _strip,
        **_SIGNOFF_DOORS,
    }
    return doors[args.command](args)


def _internal_error() -> int:
    with tempfile.NamedTemporaryFile("w", prefix="baomi-crash-", suffix=".txt", delete=False) as log:
        traceback.print_exc(file=log)
    print(
        f"baomi: internal error (a bug, not your content); details in {log.name}",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except RuleError as error:
        for problem in error.problems:
            print(f"baomi: rule error: {problem}", file=sys.stderr)
        print(
            f"baomi: {len(error.problems)} rule problem(s); fix them, then run `baomi rules check`",
            file=sys.stderr,
        )
        return error.exit_code
    except ScreenError as error:
        print(f"baomi: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("baomi: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:  # the one place that turns a bug into exit 3 with a pointer to details
        return _internal_error()
