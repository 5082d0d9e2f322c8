"""The language people read: Chinese by default, English when the locale names English.

Messages are written in English in the code and marked with `_()` (or `N_()` where a constant
is translated later, at display); the Chinese catalog is `locale/zh_CN/LC_MESSAGES/baomi.po`,
compiled with Babel into the `.mo` beside it (`make catalogs`; docs/architecture.md). Machine
outputs (JSON keys, SARIF, rule and state ids, exit codes) never pass through here.

The locale is read from `LANGUAGE`, `LC_ALL`, `LC_MESSAGES` and `LANG`, in that order, the first
that is set deciding, as gettext reads them. Unlike gettext, an unset, `C` or `POSIX` locale (most
CI images) gets Chinese: the people who read Baomi's output read Chinese.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

DOMAIN = "baomi"
LOCALE_DIR = Path(__file__).parent / "locale"
CHINESE, ENGLISH = "zh_CN", "en"

# The variables gettext consults, in its order; LANGUAGE is a colon-separated list.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def choose(environ: Mapping[str, str]) -> str:
    """CHINESE or ENGLISH for these environment variables (pure; `language()` reads os.environ)."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        if name == "LANGUAGE":
            # A preference list: the first entry Baomi speaks decides; none, and the next variable does.
            for entry in value.split(":"):
                if entry.lower().startswith("en"):
                    return ENGLISH
                if entry.lower().startswith("zh"):
                    return CHINESE
            continue
        return ENGLISH if value.lower().startswith("en") else CHINESE
    return CHINESE


@functools.cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language])


# A language set for a stretch of code (`speaking`), over the locale's.
_SPOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("baomi_language", default=None)


def language() -> str:
    """The language of this process's messages (read on each call: tests and servers may switch)."""
    return _SPOKEN.get() or choose(os.environ)


def site_language(code: object) -> str:
    """The language of a site whose MkDocs `theme.language` is `code`: text Baomi writes into the
    pages (the review footer, the preview banner) is the site's, whoever builds it."""
    return ENGLISH if isinstance(code, str) and code.lower().startswith("en") else CHINESE


@contextlib.contextmanager
def speaking(spoken: str) -> Iterator[None]:
    """Messages in `spoken` (CHINESE or ENGLISH) within the block, whatever the locale says."""
    token = _SPOKEN.set(spoken)
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def listed(items: Iterable[str]) -> str:
    """Names, roles or ids within a sentence: 、 between them in Chinese, a comma in English."""
    return ("、" if language() == CHINESE else ", ").join(items)


def _(message: str) -> str:
    """`message` in the reader's language."""
    return _catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of `singular`/`plural` for `count`, in the reader's language."""
    return _catalog(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a constant for the catalog; translate it with `_()` where it is shown."""
    return message


# argparse's own words a person may read (Python 3.11), so the catalog translates them too.
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def localize_argparse() -> None:
    """Route argparse's own words (usage, options, its error messages) through the catalog.

    argparse calls the module-level `_` and `ngettext` it imported from gettext, which read the
    locale only from the environment and fall back to English for C; the CLI calls this once at
    its start so `baomi --help` and argparse's errors speak as the rest of Baomi does."""
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
