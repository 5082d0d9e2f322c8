"""Doors of the site commands: `publish` and `serve`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from screen.errors import EXIT_BLOCKED, EXIT_CLEAN
from screen.report import render


def run_publish(args: argparse.Namespace) -> int:
    from screen.site import publish

    result = publish(Path.cwd(), args.site_dir)
    sys.stdout.write(render("publish", args.format, result))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:  # in GitHub Actions: what the site shows and what waits, on the run's page
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(render("publish", "markdown", result))
    if args.strict and (result.pending or result.held_back):
        return EXIT_BLOCKED
    return EXIT_CLEAN


def run_serve(args: argparse.Namespace) -> int:
    from screen.site import serve

    serve(Path.cwd(), args.dev_addr)
    return EXIT_CLEAN
