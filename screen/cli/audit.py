"""Doors of the audit commands: `history`, `report`, `log`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from screen import api
from screen.cli.signoff import trusted_settings
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, EXIT_INPUT
from screen.model import Level
from screen.report import HISTORY_WRITERS, HistoryHead, render, write_history
from screen.settings import load_settings


def run_history(args: argparse.Namespace) -> int:
    run = api.history(load_settings(Path.cwd(), rules=args.rules, jobs=args.jobs), args.since)
    fail_on = Level(args.fail_on)
    head = HistoryHead.of(run, args.show_matches, fail_on)
    # Written as the versions are screened: the audit never holds all its findings.
    tally = write_history(HISTORY_WRITERS[args.format](head, sys.stdout), run.versions)
    if tally.errors:
        return EXIT_INPUT
    return EXIT_BLOCKED if tally.blocked(fail_on) else EXIT_CLEAN


def run_report(args: argparse.Namespace) -> int:
    report = api.report(trusted_settings(args), api.Period(since=args.since, until=args.until))
    sys.stdout.write(render("report", args.format, report))
    return EXIT_CLEAN


def run_log(args: argparse.Namespace) -> int:
    sys.stdout.write(render("log", args.format, api.log(trusted_settings(args), args.path)))
    return EXIT_CLEAN
