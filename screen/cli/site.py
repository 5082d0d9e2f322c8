"""Doors of the site commands: `publish` and `serve`."""

from __future__ import annotations

import argparse
from pathlib import Path

from screen.errors import EXIT_CLEAN
from screen.report.cells import shown as printable


def run_publish(args: argparse.Namespace) -> int:
    from screen.site import publish

    result = publish(Path.cwd(), args.site_dir)
    for page, reasons in sorted(result.held_back.items()):
        print(f"held back: {printable(page)}")
        for reason in reasons:
            print(f"    - {printable(reason)}")
    print(f"published {result.pages} page(s) to {result.site}; {len(result.held_back)} held back")
    return EXIT_CLEAN


def run_serve(args: argparse.Namespace) -> int:
    from screen.site import serve

    serve(Path.cwd(), args.dev_addr)
    return EXIT_CLEAN
