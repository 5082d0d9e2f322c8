"""Doors of the screening commands: `check`, `rules check`, `key`, `entities`, `strip`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from screen import api
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, EXIT_INPUT, InputError, UsageError
from screen.model import CheckResult, Level
from screen.report import EntitiesView, ReportView, render
from screen.settings import default_cache_dir, load_settings, rules_dir

STDIN = "-"


_UNSTABLE = (
    "note: no team fingerprint key (BAOMI_FINGERPRINT_KEY, or .baomi/fingerprint.key from "
    "`baomi key`): the fingerprints below are made with a key for this run only, are not stable "
    "and cannot be used in a waiver"
)


def run_check(args: argparse.Namespace) -> int:
    settings = load_settings(Path.cwd(), rules=args.rules, jobs=args.jobs, run_key=True)
    if not settings.stable_fingerprints:
        print(_UNSTABLE, file=sys.stderr)
    if args.full and not args.since:
        raise UsageError("--full goes with --since")
    result: CheckResult | None
    if args.staged or (args.since and not args.full):
        result = api.check_changes(settings, list(args.paths), None if args.staged else args.since)
        if result is None:
            print("no published file changed; nothing to screen", file=sys.stderr)
            return EXIT_CLEAN
    else:
        stdin = sys.stdin.buffer.read() if STDIN in args.paths else None
        result = api.check(settings, list(args.paths), stdin=stdin)
    fail_on = Level(args.fail_on)
    view = ReportView(result=result, show_matches=args.show_matches, fail_on=fail_on)
    sys.stdout.write(render("check", args.format, view))
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "github" and summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write(render("check", "markdown", ReportView(result=result, fail_on=fail_on)))
    if result.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if result.blocked(fail_on) else EXIT_CLEAN


def run_import(args: argparse.Namespace) -> int:
    settings = load_settings(Path.cwd(), rules=args.rules)
    done = api.import_word(settings, Path(args.source), args.to)
    images = f" and {len(done.media)} image(s)" if done.media else ""
    print(f"imported {args.source} as {done.page}{images}: 《{done.title}》", file=sys.stderr)
    view = ReportView(result=done.check, show_matches=False, fail_on=Level.BLOCK)
    sys.stdout.write(render("check", "text", view))
    if done.check.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if done.check.blocked(Level.BLOCK) else EXIT_CLEAN


def run_init(args: argparse.Namespace) -> int:
    root = Path(args.directory)
    done = api.init_portal(root, args.name, args.org or args.name)
    where = "当前文件夹" if root == Path() else f"{root}/"
    git = "，并运行了 git init" if done.git_created else ""
    enter = "" if root == Path() else f"  cd {root}\n"
    print(
        f"已在{where}建立门户「{args.name}」：{len(done.written)} 个文件{git}。\n"
        "团队指纹密钥在 .baomi/fingerprint.key（已列入 .gitignore，不进 Git）：把它交给审核领导，"
        "并把它的内容设为 CI 的机密变量 BAOMI_FINGERPRINT_KEY。\n\n"
        "接下来：\n"
        f"{enter}"
        "  1. 添加签发人，先添加主要领导（每位领导在自己的电脑上生成密钥）：\n"
        "     baomi signer add --id li --name 李明 --email li@example.gov.cn --role principal \\\n"
        "       --new-key ~/.ssh/baomi_li\n"
        '  2. 提交：git add -A && git commit -m "初始化门户"\n'
        "  3. 主要领导签发 rules/ 和 mkdocs.yml，分管领导签发 content/，然后发布：\n"
        "     baomi sign rules/ mkdocs.yml   baomi sign content/   baomi publish\n"
        "各角色的命令见 README.md。"
    )
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
    print(f"{checked.rules} rules valid, {checked.examples} examples pass; rules {checked.fingerprint}")
    return EXIT_CLEAN


def _lock(locked: api.RulesLocked) -> int:
    change = locked.change
    if not locked.written:
        print(
            f"{locked.path} already accepts these packaged rules ({locked.fingerprint[:19]}…); nothing to do"
        )
        return EXIT_CLEAN
    if change is not None:
        for label, ids in (("added", change.added), ("changed", change.changed), ("removed", change.removed)):
            if ids:
                print(f"  {label}: {', '.join(ids)}")
    print(
        f"wrote {locked.path} ({locked.fingerprint[:19]}…); commit it, and the principal signs it: "
        f"baomi sign {locked.path.parent.name}/{locked.path.name}"
    )
    return EXIT_CLEAN


def run_key(args: argparse.Namespace) -> int:
    if not args.write:
        print(api.new_key())
        return EXIT_CLEAN
    path = api.write_key(Path.cwd())
    print(f"wrote {path}; share it with reviewers and CI (as the BAOMI_FINGERPRINT_KEY secret)")
    return EXIT_CLEAN


def _lines(path: str) -> list[str]:
    try:
        data = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read as UTF-8 text ({error})") from None
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
            print(f"wrote {api.strip(Path(name), in_place=args.in_place)}")
        except InputError as error:
            print(f"baomi: error: {error}", file=sys.stderr)
            failed = True
    return EXIT_INPUT if failed else EXIT_CLEAN
