"""Doors of the site commands: `publish` and `serve`."""

from __future__ import annotations

import argparse
from pathlib import Path

from screen.errors import EXIT_BLOCKED, EXIT_CLEAN
from screen.report.cells import shown as printable


def run_publish(args: argparse.Namespace) -> int:
    from screen.site import publish

    result = publish(Path.cwd(), args.site_dir)
    for page, (since, waiting) in sorted(result.pending.items()):
        print(f"pending: {printable(page)} (the version cleared in {since[:10]} stays up)")
        print(f"    - {printable(waiting)}")
    for page, reasons in sorted(result.held_back.items()):
        print(f"held back: {printable(page)}")
        for reason in reasons:
            print(f"    - {printable(reason)}")
    print(
        f"published {result.pages} page(s) to {result.site}; {len(result.pending)} pending, "
        f"{len(result.held_back)} held back"
    )
    if args.strict and (result.pending or result.held_back):
        return EXIT_BLOCKED
    return EXIT_CLEAN


def run_serve(args: argparse.Namespace) -> int:
    from screen.site import serve

    serve(Path.cwd(), args.dev_addr)
    return EXIT_CLEAN
