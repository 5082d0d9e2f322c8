"""`baomi`: a thin door over `screen.api`. Arguments in, one API call, output and an exit code out
(the exit codes of docs/contracts.md live in `screen.errors`). The parser is in `parser.py`; each area's
doors in their own module."""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence

from screen.cli import audit, screening, signoff, site
from screen.cli.parser import build_parser
from screen.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, RuleError, ScreenError
from screen.i18n import _, localize_argparse, ngettext

DOORS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": screening.run_check,
    "fix": screening.run_fix,
    "sweep": screening.run_sweep,
    "rules": screening.run_rules,
    "import": screening.run_import,
    "init": screening.run_init,
    "key": screening.run_key,
    "entities": screening.run_entities,
    "strip": screening.run_strip,
    "status": signoff.run_status,
    "sign": signoff.run_sign,
    "review": signoff.run_review,
    "declassify": signoff.run_declassify,
    "revoke": signoff.run_revoke,
    "signer": signoff.run_signer,
    "history": audit.run_history,
    "report": audit.run_report,
    "log": audit.run_log,
    "publish": site.run_publish,
    "serve": site.run_serve,
}


def _parser() -> argparse.ArgumentParser:
    """The whole command line (the CI templates' tests check their commands against it)."""
    return build_parser()


def _internal_error() -> int:
    with tempfile.NamedTemporaryFile("w", prefix="baomi-crash-", suffix=".txt", delete=False) as log:
        traceback.print_exc(file=log)
    print(
        _("baomi: internal error (a bug, not your content); details in {log}").format(log=log.name),
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _rule_error(error: RuleError) -> int:
    for problem in error.problems:
        print(_("baomi: rule error: {problem}").format(problem=problem), file=sys.stderr)
    count = len(error.problems)
    print(
        ngettext(
            "baomi: {count} rule problem; fix it, then run `baomi rules check`",
            "baomi: {count} rule problems; fix them, then run `baomi rules check`",
            count,
        ).format(count=count),
        file=sys.stderr,
    )
    return error.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    localize_argparse()
    args = build_parser().parse_args(argv)
    try:
        return DOORS[args.command](args)
    except RuleError as error:
        return _rule_error(error)
    except ScreenError as error:
        print(_("baomi: error: {error}").format(error=error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(_("baomi: interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:  # the one place that turns a bug into exit 3 with a pointer to details
        return _internal_error()
