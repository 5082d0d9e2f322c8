"""Doors of the screening commands: `check`, `rules check`, `key`, `entities`, `strip`."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from screen import api
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, EXIT_INPUT, InputError, UsageError
from screen.i18n import N_, _, ngettext
from screen.model import CheckRun, Level
from screen.report import (
    CHECK_WRITERS,
    CheckView,
    EntitiesView,
    FixView,
    ReportView,
    digester,
    render,
    write_digests,
)
from screen.settings import default_cache_dir, load_settings, rules_dir

STDIN = "-"


_UNSTABLE = N_(
    "note: no team fingerprint key (BAOMI_FINGERPRINT_KEY, or .baomi/fingerprint.key from "
    "`baomi key`): the fingerprints below are made with a key for this run only, are not stable "
    "and cannot be used in a waiver"
)


def run_check(args: argparse.Namespace) -> int:
    settings = load_settings(Path.cwd(), rules=args.rules, jobs=args.jobs, run_key=True)
    if not settings.stable_fingerprints:
        print(_(_UNSTABLE), file=sys.stderr)
    if args.full and not args.since:
        raise UsageError(_("--full goes with --since"))
    run: CheckRun | None
    if args.staged or (args.since and not args.full):
        run = api.check_changes(settings, list(args.paths), None if args.staged else args.since)
        if run is None:
            print(_("no published file changed; nothing to screen"), file=sys.stderr)
            return EXIT_CLEAN
    else:
        stdin = sys.stdin.buffer.read() if STDIN in args.paths else None
        run = api.check_files(settings, list(args.paths), stdin=stdin)
    fail_on = Level(args.fail_on)
    view = CheckView.of(run, args.show_matches, fail_on)
    with ExitStack() as stack:
        # Written as the files are screened: a check never holds all its findings.
        writers = [CHECK_WRITERS[args.format](view, sys.stdout)]
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if args.format == "github" and summary_path:
            summary = stack.enter_context(Path(summary_path).open("a", encoding="utf-8"))
            writers.append(CHECK_WRITERS["markdown"](replace(view, show_matches=False), summary))
        # Each file's part of the report is made on the core that screened it.
        tally = write_digests(writers, run.each(digester(writers)))
    if tally.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if tally.blocked(fail_on) else EXIT_CLEAN


def run_fix(args: argparse.Namespace) -> int:
    """`baomi fix`: the safe fixes, as a diff; written unless `--dry-run`; then what is left."""
    settings = load_settings(Path.cwd(), rules=args.rules, run_key=True)
    planned = api.fix_plan(settings, list(args.paths), show_matches=args.show_matches)
    if not args.dry_run:
        api.fix_apply(planned)
    sys.stdout.write(
        render("fix", "text", FixView(plan=planned, dry_run=args.dry_run, show_matches=args.show_matches))
    )
    if planned.result.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if planned.result.blocked(Level(args.fail_on)) else EXIT_CLEAN


def run_sweep(args: argparse.Namespace) -> int:
    """`baomi sweep`: findings as Parquet, summaries in the output folder, the totals printed."""
    settings = load_settings(Path.cwd(), rules=args.rules, run_key=True)
    if not settings.stable_fingerprints:
        print(_(_UNSTABLE), file=sys.stderr)
    if args.workers < 0:
        raise UsageError(_("--workers must be 0 (all cores) or more"))
    since = Path(args.since) if args.since else None
    crawl = {
        "pages": args.crawl_pages,
        "depth": args.crawl_depth,
        "pause": args.crawl_pause,
        "timeout": args.crawl_timeout,
    }
    if min(crawl.values()) < 0:
        raise UsageError(_("the --crawl-… limits must not be negative"))
    result = api.sweep(
        settings, list(args.sources), Path(args.out), args.scheduler, args.workers, since, crawl, args.format
    )
    sys.stdout.write(render("sweep", "text", result))
    if result.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if result.blocks else EXIT_CLEAN


def run_import(args: argparse.Namespace) -> int:
    settings = load_settings(Path.cwd(), rules=args.rules)
    done = api.import_word(settings, Path(args.source), args.to)
    if done.media:
        count = len(done.media)
        imported = ngettext(
            "imported {source} as {page} and {count} image: 《{title}》",
            "imported {source} as {page} and {count} images: 《{title}》",
            count,
        ).format(source=args.source, page=done.page, count=count, title=done.title)
    else:
        imported = _("imported {source} as {page}: 《{title}》").format(
            source=args.source, page=done.page, title=done.title
        )
    print(imported, file=sys.stderr)
    view = ReportView(result=done.check, show_matches=False, fail_on=Level.BLOCK)
    sys.stdout.write(render("check", "text", view))
    if done.check.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if done.check.blocked(Level.BLOCK) else EXIT_CLEAN


def run_init(args: argparse.Namespace) -> int:
    root = Path(args.directory)
    done = api.init_portal(root, args.name, args.org or args.name)
    count = len(done.written)
    if root == Path():
        made = ngettext(
            "Created the portal “{name}” in the current folder: {count} file.",
            "Created the portal “{name}” in the current folder: {count} files.",
            count,
        )
    else:
        made = ngettext(
            "Created the portal “{name}” in {folder}/: {count} file.",
            "Created the portal “{name}” in {folder}/: {count} files.",
            count,
        )
    lines = [made.format(name=args.name, folder=root, count=count)]
    if done.git_created:
        lines.append(_("Ran git init: the folder is now a Git repository."))
    lines += [
        _(
            "The team's fingerprint key is in .baomi/fingerprint.key (listed in .gitignore, kept out "
            "of Git): give it to the reviewing leaders, and set its content as the CI secret "
            "variable BAOMI_FINGERPRINT_KEY."
        ),
        "",
        _("Next:"),
    ]
    if root != Path():
        lines.append(f"  cd {root}")
    lines += [
        "  "
        + _("1. Add the signers, the principal first (each leader makes their key on their own computer):"),
        "     baomi signer add --id li --name 李明 --email li@example.gov.cn --role principal \\",
        "       --new-key ~/.ssh/baomi_li",
        "  "
        + _('2. Commit: `git add -A && git commit -m "{message}"`').format(message=_("Set up the portal")),
        "  "
        + _("3. The principal signs off rules/ and mkdocs.yml, the deputy signs off content/; then publish:"),
        "     baomi sign rules/ mkdocs.yml   baomi sign content/   baomi publish",
        _("README.md gives the commands of each role."),
    ]
    print("\n".join(lines))
    return EXIT_CLEAN


def run_rules(args: argparse.Namespace) -> int:
    folder = rules_dir(Path.cwd(), args.rules)
    if args.rules_command == "list":
        listed = api.rules_list(folder)
        sys.stdout.write(render("rules", args.format, listed))
        return EXIT_CLEAN
    if args.rules_command == "lock":
        return _lock(api.rules_lock(folder))
    checked = api.rules_check(folder)
    rules = ngettext("{count} rule valid", "{count} rules valid", checked.rules).format(count=checked.rules)
    examples = ngettext("{count} example passes", "{count} examples pass", checked.examples).format(
        count=checked.examples
    )
    print(
        _("{rules}, {examples}; rules {fingerprint}").format(
            rules=rules, examples=examples, fingerprint=checked.fingerprint
        )
    )
    return EXIT_CLEAN


_ADDED, _CHANGED, _REMOVED = N_("added"), N_("changed"), N_("removed")


def _lock(locked: api.RulesLocked) -> int:
    change = locked.change
    if not locked.written:
        print(
            _("{path} already accepts these packaged rules ({fingerprint}…); nothing to do").format(
                path=locked.path, fingerprint=locked.fingerprint[:19]
            )
        )
        return EXIT_CLEAN
    if change is not None:
        for label, ids in ((_ADDED, change.added), (_CHANGED, change.changed), (_REMOVED, change.removed)):
            if ids:
                print("  " + _("{label}: {rules}").format(label=_(label), rules=", ".join(ids)))
    print(
        _("wrote {path} ({fingerprint}…); commit it, and the principal signs it: baomi sign {file}").format(
            path=locked.path,
            fingerprint=locked.fingerprint[:19],
            file=f"{locked.path.parent.name}/{locked.path.name}",
        )
    )
    return EXIT_CLEAN


def run_key(args: argparse.Namespace) -> int:
    if not args.write:
        print(api.new_key())
        return EXIT_CLEAN
    path = api.write_key(Path.cwd())
    print(
        _("wrote {path}; share it with reviewers and CI (as the BAOMI_FINGERPRINT_KEY secret)").format(
            path=path
        )
    )
    return EXIT_CLEAN


def _lines(path: str) -> list[str]:
    try:
        data = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(
            _("{path}: cannot read as UTF-8 text ({error})").format(path=path, error=error)
        ) from None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()  # the last line's newline does not start another line
    return lines


def run_entities(args: argparse.Namespace) -> int:
    lines = _lines(args.path)
    found = api.entities(rules_dir(Path.cwd(), args.rules), default_cache_dir(), lines)
    sys.stdout.write(render("entities", args.format, EntitiesView(lines=tuple(lines), found=tuple(found))))
    return EXIT_CLEAN


def run_strip(args: argparse.Namespace) -> int:
    """One line per file written; every image is tried, any failure exits 2."""
    failed = False
    for name in args.paths:
        try:
            written = api.strip(Path(name), in_place=args.in_place)
            print(_("wrote {path}").format(path=written))
        except InputError as error:
            print(_("baomi: error: {error}").format(error=error), file=sys.stderr)
            failed = True
    return EXIT_INPUT if failed else EXIT_CLEAN
