"""Screening targets: read their bytes, screen them on all cores, and let the findings cache wrap
it (get what it holds, screen the misses, put them). Findings come back in target order."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

from screen.engine import Engine
from screen.errors import InputError
from screen.findings_cache import FindingsCache
from screen.i18n import N_, _
from screen.mkdocs_config import read_closure
from screen.model import AuditedPage, FileError, Finding
from screen.portal import Target
from screen.settings import Settings
from screen.source import Document, read_document
from screen.source.reading import read_file
from screen.source.rendering import DEFAULT_SETUP, MarkdownSetup, setup_from

_LINK = N_(
    "a symbolic link (the file or a folder on its way): MkDocs would publish what it points to, "
    "which git records under another path, so no sign-off of this path covers it; put the file "
    "itself here (git rm the link, copy the file, commit)"
)
_STDIN_AS = "stdin.md"  # text on stdin is read as a Markdown page, the only thing drafters pipe in
_PARALLEL_BYTES = 1 << 20  # below this, forking workers costs more than it saves
_PARALLEL_PAGES = 50  # built pages per run below which the audit stays on one core

Screened = tuple[list[Finding], list[FileError]]
T = TypeVar("T")


def read_bytes(target: Target, stdin: bytes | None = None) -> bytes:
    """The bytes to screen of `target`: a regular file's, never more than the size limit."""
    if target.data is not None:
        return target.data
    if target.stdin:
        return stdin or b""
    return read_file(target.path, target.display)


def _utf8_name(target: Target) -> None:
    try:
        str(target.path).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            target.display,
            _(
                "the file name is not UTF-8 (a name from another system's encoding); rename it "
                "with a UTF-8 name (git mv), as the portal's URLs are built from it"
            ),
        ) from None


def markdown_setup(root: Path) -> MarkdownSetup:
    """How the portal at `root` renders its pages (its configuration read as data); MkDocs'
    defaults without one, or when it cannot be read (screening the configuration says why)."""
    try:
        return setup_from(read_closure(root).values)
    except InputError:
        return DEFAULT_SETUP


def _document(target: Target, stdin: bytes | None, setup: MarkdownSetup) -> Document:
    if not target.stdin:
        _utf8_name(target)
        data = read_bytes(target, stdin)
        if target.link:
            raise InputError(target.display, _(_LINK))
        return read_document(
            target.display, data, config=target.config, markup=not target.theme, markdown=setup
        )
    # Read by its format, not as plain text: `&#x9752;松计划` or a percent-encoded link target on
    # stdin must block exactly as it does in a file.
    try:
        document = read_document(_STDIN_AS, stdin or b"", markdown=setup)
    except InputError as error:
        raise InputError(target.display, error.reason) from None
    return replace(document, path=target.display)


def screen_targets(
    engine: Engine,
    targets: list[Target],
    key: bytes,
    stdin: bytes | None = None,
    setup: MarkdownSetup = DEFAULT_SETUP,
) -> Screened:
    """Screen `targets` one after the other in this process (pages rendered with `setup`)."""
    findings: list[Finding] = []
    errors: list[FileError] = []
    for target in targets:
        if not target.stdin:
            findings.extend(engine.screen_name(target.display, key))
        try:
            document = _document(target, stdin, setup)
            findings.extend(engine.screen(document, key))
            if document.unrendered:
                errors.append(FileError(path=target.display, message=document.unrendered))
        except InputError as error:
            errors.append(FileError(path=error.path or target.display, message=error.reason))
    return findings, errors


def screen_text(engine: Engine, name: str, data: bytes, key: bytes) -> tuple[Finding, ...]:
    """Findings of one text read as the file `name` (a rendered page, a built file). Its markup
    is the theme's around cleared pages, so the page policy is not applied to it again."""
    return engine.screen(read_document(name, data, markup=False), key)


class BuiltFindings:
    """`screen_text` of a build's files (rendered pages, the built site), remembered in the findings
    cache under the same key as any file (bytes, name, rules, fingerprint key, code), so a build of
    unchanged pages screens nothing twice; and what else the audit derives from a built file's
    bytes alone (`recall`, `remember`). New entries are written by `flush`, once per build."""

    _CONTEXT = "built"

    def __init__(self, engine: Engine, key: bytes, cache_dir: Path | None) -> None:
        self._engine, self._key = engine, key
        self._cache = FindingsCache(cache_dir, engine, key) if cache_dir is not None else None
        self._new: dict[str, object] = {}

    def screen(self, name: str, data: bytes) -> tuple[Finding, ...]:
        found = self.recall(self._CONTEXT, name, data, tuple)
        if found is None or not all(isinstance(f, Finding) for f in found):
            found = screen_text(self._engine, name, data, self._key)
            self.remember(self._CONTEXT, name, data, found)
        return found

    def recall(self, kind: str, name: str, data: bytes, expected: type[T]) -> T | None:
        """What was remembered of `data` read as `name` for `kind`, if it is an `expected`."""
        if self._cache is None:
            return None
        entry = self._cache.key(name, kind, data)
        found = self._new[entry] if entry in self._new else self._cache.recall([entry]).get(entry)
        return found if isinstance(found, expected) else None

    def remember(self, kind: str, name: str, data: bytes, value: object) -> None:
        if self._cache is not None:
            self._new[self._cache.key(name, kind, data)] = value

    def flush(self) -> None:
        if self._cache is not None and self._new:
            self._cache.put(self._new)
            self._new = {}


_WORKER: dict[str, object] = {}  # the engine a forked worker inherited from its parent


def _work(targets: list[Target], key: bytes, setup: MarkdownSetup) -> Screened:
    engine = _WORKER["engine"]
    assert isinstance(engine, Engine)
    return screen_targets(engine, targets, key, setup=setup)


Reduced = tuple[bytes, set[bytes], set[bytes]]
Reducer = Callable[[bytes, set[bytes]], Reduced]
Loader = Callable[[Path, bytes | None], bytes]
Page = tuple[str, Path, bytes | None]  # name, file, what to leave out of it (read by a Loader)


def _reduce_chunk(
    engine: Engine, key: bytes, pages: list[Page], load: Loader, reduce: Reducer
) -> list[AuditedPage]:
    seen: set[bytes] = set()
    audited = []
    for name, path, cut in pages:
        reduced, kept, dropped = reduce(load(path, cut), seen)
        findings = screen_text(engine, name, reduced, key)
        audited.append(
            AuditedPage(findings=findings, kept=AuditedPage.pack(kept), dropped=AuditedPage.pack(dropped))
        )
    return audited


def _reduce_work(pages: list[Page], key: bytes, load: Loader, reduce: Reducer) -> list[AuditedPage]:
    engine = _WORKER["engine"]
    assert isinstance(engine, Engine)
    return _reduce_chunk(engine, key, pages, load, reduce)


def screen_reduced(
    engine: Engine, key: bytes, pages: list[Page], load: Loader, reduce: Reducer, jobs: int
) -> list[AuditedPage]:
    """Each page read by `load`, reduced by `reduce`, which drops the blocks an earlier page had
    (and says which it kept and dropped), and what is left screened: in `jobs` runs of
    consecutive pages, each on its own core with its own memory of the pages before (a block is
    then screened once per run, and every page it is dropped from leans on a page that kept it).
    Pages are read where they are screened, one at a time: a site is never held in memory."""
    if jobs <= 1 or len(pages) < 2 * _PARALLEL_PAGES:
        return _reduce_chunk(engine, key, pages, load, reduce)
    size = -(-len(pages) // jobs)
    runs = [pages[start : start + size] for start in range(0, len(pages), size)]
    _WORKER["engine"] = engine
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            count = len(runs)
            parts = list(pool.map(_reduce_work, runs, [key] * count, [load] * count, [reduce] * count))
    finally:
        _WORKER.clear()
    return [audited for part in parts for audited in part]


def _size(target: Target) -> int:
    if target.data is not None:
        return len(target.data)
    return target.path.stat().st_size if not target.stdin and target.path.is_file() else 0


def _batches(targets: list[Target], count: int) -> list[list[Target]]:
    """Split targets into `count` batches of similar total size (largest first)."""
    batches: list[list[Target]] = [[] for _batch in range(count)]
    loads = [0] * count
    for size, target in sorted(((_size(t), t) for t in targets), key=lambda pair: pair[0], reverse=True):
        index = loads.index(min(loads))
        batches[index].append(target)
        loads[index] += size
    return [b for b in batches if b]


def _screen_all(
    engine: Engine, targets: list[Target], settings: Settings, stdin: bytes | None, setup: MarkdownSetup
) -> Screened:
    """Screen `targets`, on several cores when there is enough to share."""
    jobs = min(settings.jobs, len(targets))
    if jobs <= 1 or any(t.stdin for t in targets) or sum(map(_size, targets)) < _PARALLEL_BYTES:
        return screen_targets(engine, targets, settings.fingerprint_key, stdin, setup)
    _WORKER["engine"] = engine
    batches = _batches(targets, jobs * 4)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            count = len(batches)
            parts = list(pool.map(_work, batches, [settings.fingerprint_key] * count, [setup] * count))
    finally:
        _WORKER.clear()
    return [f for part in parts for f in part[0]], [e for part in parts for e in part[1]]


def _cache_keys(cache: FindingsCache, targets: list[Target], setup: MarkdownSetup) -> dict[str, str]:
    """The cache key of each target whose bytes can be read (the others are screened, where
    their error is reported)."""
    keys: dict[str, str] = {}
    for target in targets:
        if target.stdin:
            continue
        try:
            context = f"{target.config} {target.theme} {setup.digest}"
            keys[target.display] = cache.key(target.display, context, read_bytes(target))
        except InputError:
            continue
    return keys


def _through_cache(
    cache: FindingsCache,
    engine: Engine,
    targets: list[Target],
    settings: Settings,
    stdin: bytes | None,
    setup: MarkdownSetup,
) -> Screened:
    """Findings the cache holds, and the rest screened and put in the cache."""
    keys = _cache_keys(cache, targets, setup)
    found = cache.get(list(keys.values()))
    hits = [f for t in targets if keys.get(t.display) in found for f in found[keys[t.display]]]
    pending = [t for t in targets if keys.get(t.display) not in found]
    findings, errors = _screen_all(engine, pending, settings, stdin, setup)
    failed = {e.path for e in errors}
    cache.put(
        {
            keys[t.display]: tuple(f for f in findings if f.path == t.display)
            for t in pending
            if t.display in keys and t.display not in failed
        }
    )
    return findings + hits, errors


def screen(engine: Engine, targets: list[Target], settings: Settings, stdin: bytes | None = None) -> Screened:
    """Findings and errors of `targets` (whose `display` names must differ), in target order,
    from the findings cache where it has them and screened on all cores otherwise."""
    setup = markdown_setup(settings.root)
    if settings.cache_dir is None:
        findings, errors = _screen_all(engine, targets, settings, stdin, setup)
    else:
        cache = FindingsCache(settings.cache_dir, engine, settings.fingerprint_key)
        try:
            findings, errors = _through_cache(cache, engine, targets, settings, stdin, setup)
        finally:
            cache.close()
    order = {t.display: i for i, t in enumerate(targets)}
    findings.sort(key=lambda f: (order.get(f.path, 0), f.line, f.column, f.rule))
    errors.sort(key=lambda e: order.get(e.path, 0))
    return findings, errors
