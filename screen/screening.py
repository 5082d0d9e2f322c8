"""Screening targets: read their bytes, screen them on all cores, and let the findings cache wrap
it (get what it holds, screen the misses, put them). Findings come back in target order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from screen.engine import Engine
from screen.errors import InputError
from screen.findings_cache import FindingsCache, pack
from screen.i18n import N_, _
from screen.mkdocs_config import read_closure
from screen.model import AuditedPage, FileError, FileResult, Finding, same_result
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
_PART_BYTES = 256 << 10  # a core's unit of work: consecutive files of about this size …
_PART_FILES = 64  # … and no more files than this
_AHEAD = 3  # units in flight per core: enough to keep the cores busy, few enough to bound memory

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


def screen_files_here(
    engine: Engine,
    targets: list[Target],
    key: bytes,
    stdin: bytes | None = None,
    setup: MarkdownSetup = DEFAULT_SETUP,
) -> list[FileResult]:
    """Screen `targets` one after the other in this process (pages rendered with `setup`): each
    file's findings in the order reports list them (line, column, rule), and its errors."""
    results = []
    for target in targets:
        findings: list[Finding] = []
        errors: list[FileError] = []
        if not target.stdin:
            findings.extend(engine.screen_name(target.display, key))
        try:
            document = _document(target, stdin, setup)
            findings.extend(engine.screen(document, key))
            if document.unrendered:
                errors.append(FileError(path=target.display, message=document.unrendered))
        except InputError as error:
            errors.append(FileError(path=error.path or target.display, message=error.reason))
        findings.sort(key=lambda f: (f.line, f.column, f.rule))
        results.append(FileResult(path=target.display, findings=tuple(findings), errors=tuple(errors)))
    return results


def screen_targets(
    engine: Engine,
    targets: list[Target],
    key: bytes,
    stdin: bytes | None = None,
    setup: MarkdownSetup = DEFAULT_SETUP,
) -> Screened:
    """`screen_files_here`, the findings and errors of all files together."""
    results = screen_files_here(engine, targets, key, stdin, setup)
    return [f for r in results for f in r.findings], [e for r in results for e in r.errors]


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


Digested = tuple[bytes | None, Any]  # a file's findings `pack`ed (None: it had an error), its digest


def _work(targets: list[Target], key: bytes, setup: MarkdownSetup) -> list[Digested]:
    """Screen `targets` in a worker: each file's findings packed as the cache stores them, and
    the digest of its result (`_WORKER["digest"]`: what the caller keeps of a file, such as the
    report's piece of it), so the parent neither packs nor formats them again."""
    engine, digest = _WORKER["engine"], _WORKER["digest"]
    assert isinstance(engine, Engine)
    assert callable(digest)
    return [
        (None if r.errors else pack(r.findings), digest(r))
        for r in screen_files_here(engine, targets, key, setup=setup)
    ]


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


def _parts(targets: list[Target]) -> list[list[Target]]:
    """Runs of consecutive targets of about `_PART_BYTES` each (at most `_PART_FILES` files): the
    unit of work of a core, small enough that results come back in order as they are screened."""
    parts: list[list[Target]] = [[]]
    size = 0
    for target in targets:
        if parts[-1] and (size >= _PART_BYTES or len(parts[-1]) >= _PART_FILES):
            parts.append([])
            size = 0
        parts[-1].append(target)
        size += _size(target)
    return [p for p in parts if p]


class _Recalled:
    """What the findings cache holds of a run of targets (by position: a run may hold two
    versions of one file), and which targets it lacks."""

    def __init__(self, cache: FindingsCache | None, part: list[Target], setup: MarkdownSetup) -> None:
        self.part = part
        self.keys: list[str | None] = [None] * len(part)
        if cache is not None:
            for index, target in enumerate(part):
                if target.stdin:
                    continue
                try:
                    context = f"{target.config} {target.theme} {setup.digest}"
                    self.keys[index] = cache.key(target.display, context, read_bytes(target))
                except InputError:
                    continue  # screened, where the error is reported
        known = [k for k in self.keys if k is not None]
        self.found = cache.get(known) if cache is not None and known else {}
        self.pending = [t for t, k in zip(part, self.keys, strict=True) if k not in self.found]

    def settle(
        self,
        cache: FindingsCache | None,
        digest: Callable[[FileResult], T],
        screened: list[FileResult],
        digested: list[Digested],
    ) -> Iterator[T]:
        """The digests of the part's results in target order: of those remembered, of those just
        `screened` here, or `digested` by a worker; the screened ones put in the cache, unless
        they have an error (errors are reported afresh)."""
        fresh: Iterator[Digested] = iter(digested) if digested else ((None, r) for r in screened)
        entries: dict[str, bytes] = {}
        for target, key in zip(self.part, self.keys, strict=True):
            if key is not None and key in self.found:
                yield digest(FileResult(path=target.display, findings=self.found[key], errors=()))
                continue
            blob, value = next(fresh)
            if not digested:  # screened here: `value` is the result itself
                assert isinstance(value, FileResult)
                blob = None if value.errors else pack(value.findings)
                value = digest(value)
            if cache is not None and key is not None and blob is not None:
                entries[key] = blob
            yield value
        if cache is not None and entries:
            cache.put_packed(entries)


def screen_files(
    engine: Engine, targets: list[Target], settings: Settings, stdin: bytes | None = None
) -> Iterator[FileResult]:
    """Each target's findings and errors, in target order, as they are screened: from the
    findings cache where it has them, on all cores otherwise (when there is enough to share)."""
    return digest_files(engine, targets, settings, same_result, stdin)


def digest_files(
    engine: Engine,
    targets: list[Target],
    settings: Settings,
    digest: Callable[[FileResult], T],
    stdin: bytes | None = None,
) -> Iterator[T]:
    """`screen_files`, each result passed through `digest` where it is screened."""
    jobs = min(settings.jobs, len(targets))
    alone = jobs <= 1 or any(t.stdin for t in targets) or sum(map(_size, targets)) < _PARALLEL_BYTES
    return digest_parts(engine, _parts(targets), settings, 1 if alone else jobs, digest, stdin)


def screen_parts(
    engine: Engine, parts: Iterable[list[Target]], settings: Settings, jobs: int
) -> Iterator[FileResult]:
    """Each target's findings and errors, in order, as they are screened (`digest_parts`)."""
    return digest_parts(engine, parts, settings, jobs, same_result)


def digest_parts(
    engine: Engine,
    parts: Iterable[list[Target]],
    settings: Settings,
    jobs: int,
    digest: Callable[[FileResult], T],
    stdin: bytes | None = None,
) -> Iterator[T]:
    """What `digest` makes of each target's result, in order, as they are screened: runs of
    targets (`parts`, read as they are needed) on `jobs` cores, each result digested on the core
    that screened it. The runs go to the cores a few at a time ahead of the one being read, so
    memory holds the findings of those runs, never those of the whole check."""
    setup = markdown_setup(settings.root)
    key = settings.fingerprint_key
    cache = FindingsCache(settings.cache_dir, engine, key) if settings.cache_dir is not None else None
    try:
        if jobs <= 1:
            for part in parts:
                recalled = _Recalled(cache, part, setup)
                screened = screen_files_here(engine, recalled.pending, key, stdin, setup)
                yield from recalled.settle(cache, digest, screened, [])
            return
        _WORKER["engine"], _WORKER["digest"] = engine, digest  # the forked workers inherit them
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
                window: deque[tuple[_Recalled, Future[list[Digested]] | None]] = deque()
                for part in parts:
                    recalled = _Recalled(cache, part, setup)
                    pending = recalled.pending
                    window.append((recalled, pool.submit(_work, pending, key, setup) if pending else None))
                    while len(window) > jobs * _AHEAD:
                        done, future = window.popleft()
                        yield from done.settle(cache, digest, [], future.result() if future else [])
                while window:
                    done, future = window.popleft()
                    yield from done.settle(cache, digest, [], future.result() if future else [])
        finally:
            _WORKER.clear()
    finally:
        if cache is not None:
            cache.close()


def screen(engine: Engine, targets: list[Target], settings: Settings, stdin: bytes | None = None) -> Screened:
    """Findings and errors of `targets`, in target order:
    `screen_files`, gathered (for the commands that need them all at once)."""
    findings: list[Finding] = []
    errors: list[FileError] = []
    for result in screen_files(engine, targets, settings, stdin):
        findings.extend(result.findings)
        errors.extend(result.errors)
    return findings, errors
