"""A Markdown page rendered as MkDocs renders it: Python-Markdown with the portal's extensions.

`check`, `status` and `sign` read the page from its source (every finding has a line and a
column), and from this rendering, parsed as a browser parses it: whatever Python-Markdown puts on
the page that the source reading does not see is found there too, so a page that the publish
audit would block is never reported clean earlier.

The extensions come from the configuration read as data (`screen.mkdocs_config`): names and
options as written, with MkDocs' own three (`toc`, `tables`, `fenced_code`) first, as MkDocs adds
them. Options MkDocs would build from Python tags (`!!python/name:…`) are left at the extension's
default: nothing of an uncleared configuration is run. An extension is loaded only from the
installed packages (the standard library and site-packages), never from a file of the portal."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import signal
import sysconfig
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from screen.errors import InputError
from screen.i18n import N_, _
from screen.source.reading import MAX_BYTES

_BUILTIN = ("toc", "tables", "fenced_code")  # MkDocs adds these to every configuration
# A page may take 2 s and 4 s per megabyte to render. Dense ordinary Markdown (links, emphasis,
# tables, code) renders at about 1.3 s per megabyte on a 2-core machine (18 MB in 24 s), so a
# loaded machine has three times that; the shapes Python-Markdown is slow on grow faster than
# their size and are cut off.
_SECONDS_PER_MEGABYTE = 4.0
MAX_SECONDS = 2.0 + _SECONDS_PER_MEGABYTE * MAX_BYTES / 1_000_000  # the largest page read
_RETRY = 0.05  # an alarm lost in a place that cannot raise (a gc callback) fires again this soon
# A line indented 160 columns (or quoted as deeply): 40 levels of lists, far beyond any page.
_TOO_DEEP = re.compile(r"^[ \t>]{160}", re.MULTILINE)
_DEEP_REASON = N_(
    "the page is nested more than 40 levels deep, more than MkDocs can render; simplify its lists and quotes"
)


@dataclass(frozen=True, slots=True)
class MarkdownSetup:
    """The extensions a portal renders its pages with, and their options (JSON, so the record
    is hashable and its digest keys the findings cache)."""

    extensions: tuple[str, ...] = _BUILTIN
    options: str = "{}"

    @property
    def digest(self) -> str:
        text = json.dumps([self.extensions, self.options], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


DEFAULT_SETUP = MarkdownSetup()


def _plain(value: Any) -> Any:
    """`value` without what the data reading left unbuilt (Python tags read as None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value if v is not None]
    return value


def setup_from(values: dict[str, Any]) -> MarkdownSetup:
    """The Markdown setup of a configuration read as data (`markdown_extensions`, as MkDocs reads
    it: names, or one-key mappings of a name to its options)."""
    names = list(_BUILTIN)
    options: dict[str, Any] = {}
    configured = values.get("markdown_extensions") or []
    items = list(configured.items()) if isinstance(configured, dict) else configured
    for item in items if isinstance(items, list) else []:
        pairs = (
            [item] if isinstance(item, tuple) else item.items() if isinstance(item, dict) else [(item, None)]
        )
        for name, config in pairs:
            if not isinstance(name, str):
                continue
            if name not in names:
                names.append(name)
            if isinstance(config, dict):
                options[name] = _plain(config)
    return MarkdownSetup(
        extensions=tuple(names), options=json.dumps(options, ensure_ascii=False, sort_keys=True)
    )


# Extensions whose output holds no text the source reading does not hold, for a page without the
# characters below: they only wrap the page's own text in markup (tables, lists, admonitions,
# tabs, emphasis), or add fixed English words (footnote back-links, key names); attr_list and
# md_in_html need `{` or `<`. Anything else (an extension that includes files, fetches, turns
# text into links or runs code) always renders.
_PLAIN_EXTENSIONS = frozenset(
    (  # noqa: SIM905
        "toc tables fenced_code abbr admonition attr_list md_in_html def_list footnotes meta nl2br "
        "sane_lists smarty "
        "wikilinks codehilite legacy_em pymdownx.betterem pymdownx.caret pymdownx.mark pymdownx.tilde "
        "pymdownx.superfences pymdownx.highlight pymdownx.inlinehilite pymdownx.details "
        "pymdownx.tabbed pymdownx.tasklist pymdownx.keys pymdownx.smartsymbols pymdownx.saneheaders"
    ).split()
)
# Raw HTML and comments, character references, attribute lists, backslash escapes, and link or
# image targets a browser reads as content (`data:`) or runs (`javascript:`).
_UNPLAIN = re.compile(r"[<&{\\]|data:|script:", re.IGNORECASE)


def reads_as_written(body: str, setup: MarkdownSetup) -> bool:
    """Whether rendering cannot show anything the source reading does not see: every extension
    only wraps the page's own text, and the page has no raw HTML, no character reference, no
    attribute list and no backslash escape. Such a page is screened from its source alone
    (the differential test of check against the publish audit covers it as any other)."""
    return all(name in _PLAIN_EXTENSIONS for name in setup.extensions) and not _UNPLAIN.search(body)


@cache
def _registered() -> frozenset[str]:
    """Extension names installed packages register (`toc`, `pymdownx.…` are named this way)."""
    from importlib.metadata import entry_points

    return frozenset(point.name for point in entry_points(group="markdown.extensions"))


def _installed(name: str) -> bool:
    """Whether the module an extension name points at is an installed one (not a portal file)."""
    if name in _registered():
        return True
    module = name.partition(":")[0]
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    origins = [spec.origin] if spec.origin and spec.origin != "built-in" else []
    origins += list(spec.submodule_search_locations or [])
    if spec.origin == "built-in":
        return True
    paths = sysconfig.get_paths()
    roots = [Path(paths[key]).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    return bool(origins) and all(any(Path(o).resolve().is_relative_to(r) for r in roots) for o in origins)


@cache
def _markdown(setup: MarkdownSetup) -> Any:
    import markdown

    options = json.loads(setup.options)
    extensions: list[Any] = []
    for name in setup.extensions:
        if not _installed(name):
            raise InputError(
                "",
                _(
                    "the Markdown extension {name} in the configuration is not an installed package; "
                    "install it (add it to the project's requirements) or remove it from "
                    "markdown_extensions"
                ).format(name=repr(name)),
            )
        extensions.append(name)
    try:
        return markdown.Markdown(extensions=extensions, extension_configs=options)
    except Exception:  # an option only a Python tag could give: the extensions at their defaults
        try:
            return markdown.Markdown(extensions=extensions)
        except Exception as error:
            raise InputError(
                "",
                _("the Markdown extensions in the configuration cannot be loaded ({error}); fix them").format(
                    error=error
                ),
            ) from None


class _Overrun(Exception):
    """The time given to render one page is up."""


def _budget(size: int) -> float:
    """Seconds one page may take to render: three times what dense ordinary Markdown takes."""
    return min(MAX_SECONDS, 2.0 + _SECONDS_PER_MEGABYTE * size / 1_000_000)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the Python code run inside after `seconds` (on the main thread, where a signal
    can be taken; Python-Markdown is pure Python, so it stops where it is).

    The alarm repeats until the block is left: an exception raised where Python only reports it
    (a garbage-collector callback, a finaliser) is lost, and the next alarm stops the code."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _alarm(signum: int, frame: object) -> None:
        raise _Overrun

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, _RETRY)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(path: str, body: str, setup: MarkdownSetup) -> str:
    """The HTML Python-Markdown makes of a page's body (its front matter already taken off).

    Python-Markdown is slow on some shapes of text (thousands of nested lists, of open brackets
    or links): MkDocs would take minutes or hours on such a page. It is given a time in
    proportion to its size, and a page that takes longer is refused, as is a page nested more
    deeply than any real page is."""
    if _TOO_DEEP.search(body):
        raise InputError(path, _(_DEEP_REASON))
    try:
        md = _markdown(setup)
    except InputError as error:
        raise InputError(path, error.reason) from None
    md.reset()
    seconds = _budget(len(body.encode("utf-8")))
    try:
        with _deadline(seconds):
            return str(md.convert(body))
    except _Overrun:
        md.reset()
        raise InputError(
            path,
            _(
                "Python-Markdown (which MkDocs builds the site with) takes more than {seconds:.0f} s to "
                "render this page, so it can be neither screened as rendered nor published; look for "
                "long runs of brackets, links, entities or nesting, and split or simplify the page"
            ).format(seconds=seconds),
        ) from None
    except RecursionError:
        raise InputError(path, _(_DEEP_REASON)) from None
    except Exception as error:  # an extension's own error (a missing snippet file …)
        message = _("Python-Markdown cannot render the page ({kind}: {error})").format(
            kind=type(error).__name__, error=error
        )
        raise InputError(path, message) from None
