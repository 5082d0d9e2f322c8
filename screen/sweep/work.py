"""One part of a sweep, where it runs (a Dask worker): the rules engine built once per worker
process, each resource screened as `baomi check` screens a file (same rules, findings, redaction,
keyed fingerprints; the URL stands for the path), and the rows written to Parquet files by site
in batches as they come. What goes back to the driver is a small summary: no finding is held
longer than a batch, so memory does not grow with the findings."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from screen.detectors.recognizer import EntityUnavailable
from screen.engine import Engine, load_engine_from
from screen.errors import InputError
from screen.model import Finding
from screen.ruleset import RuleSource
from screen.source import HTML_SUFFIXES, Document, read_document
from screen.source.attachments import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES
from screen.sweep.crawl import Limits, crawl
from screen.sweep.records import TOP, SiteSummary
from screen.sweep.sources import Broken, Item, Resource, read_mirror, read_warc

BATCH = 2_000  # rows written at once: what a worker holds at most, per site
CARRIED = 999_999_999  # the part number of rows carried over from an earlier sweep (`--since`)
COLUMNS = (
    "site", "url", "fetched", "kind", "rule", "level", "line", "column", "end_line", "end_column",
    "scope", "message", "basis", "excerpt", "fingerprint", "location", "suggestion", "error",
)  # fmt: skip
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A part of the sweep: a WARC file or a range of its records, one site's folder of a
    mirror, or the crawl of one host."""

    number: int
    kind: str  # warc | mirror | crawl
    path: str  # the WARC file, the site's folder, or the list of start URLs
    start: int = 0  # warc: the range's first byte (where a record starts)
    end: int | None = None  # warc: where the range ends (the next range's start); None: the end
    after: str = ""  # warc: the URL of the last record before `start`, for an error row
    urls: tuple[str, ...] = ()  # crawl: the start URLs (one host)
    limits: Limits = field(default_factory=Limits)  # crawl: how far and how fast


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """What every worker needs to screen: the rule files' bytes and the team's key (sent once to
    every worker, never read from the worker's own disk)."""

    source: RuleSource
    key: bytes
    cache_dir: str | None = None


_ENGINES: dict[str, Engine] = {}


def engine_for(rules: Rules) -> Engine:
    """The engine of these rules, built (or unpickled from the cache) once per worker process."""
    digest = rules.source.digest
    if digest not in _ENGINES:
        cache = Path(rules.cache_dir) if rules.cache_dir else None
        engine = load_engine_from(rules.source, cache if cache and cache.is_dir() else None)
        for detector in engine.detectors:  # spaCy and jieba load now, not inside the first page
            recognizer = getattr(detector, "recognizer", None)
            if recognizer is not None:
                with contextlib.suppress(EntityUnavailable):  # said by the page that needs it
                    _ = recognizer.pipeline
        _ENGINES[digest] = engine
    return _ENGINES[digest]


def items(job: Job) -> Iterator[Item]:
    if job.kind == "crawl":
        return crawl(list(job.urls), job.limits)
    if job.kind == "warc":
        return read_warc(Path(job.path), job.start, job.end, job.after)
    return read_mirror(Path(job.path))


def run(
    job: Job, rules: Rules, out: str, since: str | None = None, output: str = "parquet"
) -> dict[str, SiteSummary]:
    """Screen one part; write its rows (`output`: parquet or jsonl) and its state under `out`;
    return its summary by site, with where the time went. With `since` (an earlier sweep's
    folder), a resource whose bytes did not change is not screened again: its findings are the
    earlier ones, still open."""
    clock = time.perf_counter()
    engine = engine_for(rules)
    loading = time.perf_counter() - clock
    summaries: dict[str, SiteSummary] = {}
    earlier = _Earlier(Path(since)) if since else None
    with Writer(Path(out), job.number, output) as writer, _States(Path(out), job.number) as states:
        source = items(job)
        while True:
            clock = time.perf_counter()
            item = next(source, None)
            if item is None:
                break
            summary = summaries.setdefault(item.site, SiteSummary())
            summary.spend("read", time.perf_counter() - clock)
            summary.spend("engine", loading)
            loading = 0.0
            _one(engine, rules, item, summary, writer, states, earlier)
    return summaries


def _one(
    engine: Engine,
    rules: Rules,
    item: Item,
    summary: SiteSummary,
    writer: Writer,
    states: _States,
    earlier: _Earlier | None,
) -> None:
    """One resource: screened (or its earlier state kept), its rows and state written."""
    if isinstance(item, Broken):
        summary.errors += 1
        writer.add(item.site, _error_row(item.site, item.url, item.fetched, item.reason))
        return
    summary.bytes += len(item.data)
    kind = "attachments" if _attachment(item.name) else "pages"
    if kind == "attachments":
        summary.attachments += 1
    else:
        summary.pages += 1
    digest = hashlib.sha256(item.data).hexdigest()
    before = earlier.of(item.site).get(item.url) if earlier else None
    if before is not None and before[0] == digest:
        summary.unchanged += 1
        summary.still_open += len(before[1])
        summary.findings.update(level for _fingerprint, level in before[1])
        states.add(item.site, item.url, digest, before[1], screened=False)
        return
    clock = time.perf_counter()
    parsed = None
    try:
        document = document_of(item)
        parsed = time.perf_counter()
        findings = screened(engine, document, rules.key)
    except InputError as error:
        summary.errors += 1
        writer.add(item.site, _error_row(item.site, item.url, item.fetched, error.reason))
        return
    finally:  # reading the page as a browser does (or an attachment's text), then the rules
        done = time.perf_counter()
        summary.spend(f"parse {kind}", (parsed or done) - clock)
        summary.spend(f"screen {kind}", done - (parsed or done))
    clock = time.perf_counter()
    now = [(f.fingerprint, f"{f.rule} {f.level.value}") for f in findings]
    states.add(item.site, item.url, digest, now, screened=True)
    if earlier is not None:
        old = {fingerprint for fingerprint, _level in (before[1] if before else ())}
        current = {fingerprint for fingerprint, _level in now}
        summary.new += len(current - old)
        summary.fixed += len(old - current)
        summary.still_open += len(current & old)
    for finding in findings:
        summary.findings[f"{finding.rule} {finding.level.value}"] += 1
        writer.add(item.site, _finding_row(item, finding))
    if findings:
        top = [*summary.top, (len(findings), item.url)]
        summary.top = sorted(top, key=lambda t: (-t[0], t[1]))[:TOP]
    summary.spend("write", time.perf_counter() - clock)


State = tuple[str, list[tuple[str, str]]]  # sha256 of the bytes, [(fingerprint, "rule level")]


class _Earlier:
    """An earlier sweep's state, read a site at a time, when the part first meets the site."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sites: dict[str, dict[str, State]] = {}

    def of(self, site: str) -> dict[str, State]:
        if site not in self.sites:
            found: dict[str, State] = {}
            for part in sorted((self.folder / "state" / site_folder(site)).glob("part-*.jsonl")):
                for line in part.read_text(encoding="utf-8").splitlines():
                    entry = json.loads(line)
                    found[entry["url"]] = (entry["sha256"], [tuple(f) for f in entry["findings"]])
            self.sites[site] = found
        return self.sites[site]


class _States:
    """Each resource's state (`state/site=<site>/part-<job>.jsonl`): its bytes' hash and its
    findings' fingerprints, for the next sweep's `--since`; written a line at a time."""

    def __init__(self, out: Path, number: int) -> None:
        self.out = out
        self.number = number
        self.files: dict[str, Any] = {}

    def __enter__(self) -> _States:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.files.values():
            handle.close()

    def add(
        self, site: str, url: str, digest: str, findings: list[tuple[str, str]], *, screened: bool
    ) -> None:
        if site not in self.files:
            folder = self.out / "state" / site_folder(site)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.files[site] = (folder / f"part-{self.number:05d}.jsonl").open("w", encoding="utf-8")
        entry = {"url": url, "sha256": digest, "findings": findings, "screened": screened}
        self.files[site].write(json.dumps(entry, ensure_ascii=False) + "\n")


def site_folder(site: str) -> str:
    """The folder of a site's partition: `site=<host>` (characters a path cannot hold as `_`)."""
    return f"site={_SAFE.sub('_', site) or '_'}"


def screen(engine: Engine, resource: Resource, key: bytes) -> tuple[Finding, ...]:
    """The findings of one resource, as `baomi check` finds them in a file (its URL for a path)."""
    return screened(engine, document_of(resource), key)


def document_of(resource: Resource) -> Document:
    """A resource read as `baomi check` reads a file: a page as a browser parses it
    (`screen.source.htmlview`), an attachment's text. A page whose HTTP header names its encoding
    and that declares none itself is decoded as the header says (a browser's order: byte-order
    mark, header, `<meta charset>`)."""
    data = resource.data
    if resource.charset and resource.name.lower().endswith(tuple(HTML_SUFFIXES)) and not _declares(data):
        try:
            data = b"\xef\xbb\xbf" + data.decode(resource.charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError) as error:
            raise InputError(resource.url, str(error)) from None
    return replace(read_document(resource.name, data), path=resource.url)


def screened(engine: Engine, document: Document, key: bytes) -> tuple[Finding, ...]:
    """The rules over a document read; a page without its rendered view is an error."""
    findings = engine.screen(document, key)
    if document.unrendered:
        raise InputError(document.path, document.unrendered)
    return findings


def _declares(data: bytes) -> bool:
    from screen.source.htmlview import sniff_encoding

    return sniff_encoding(data) is not None


def _attachment(name: str) -> bool:
    return name.lower().endswith(tuple(DOCUMENT_SUFFIXES | IMAGE_SUFFIXES))


def _finding_row(resource: Resource, finding: Finding) -> dict[str, Any]:
    return {
        "site": resource.site,
        "url": resource.url,
        "fetched": resource.fetched,
        "kind": "finding",
        "rule": finding.rule,
        "level": finding.level.value,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "scope": finding.scope.value,
        "message": finding.message,
        "basis": finding.basis,
        "excerpt": finding.excerpt,
        "fingerprint": finding.fingerprint,
        "location": finding.location,
        "suggestion": finding.suggestion,
        "error": "",
    }


def _error_row(site: str, url: str, fetched: str, reason: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(site=site, url=url, fetched=fetched, kind="error", error=reason)
    row.update(line=0, column=0, end_line=0, end_column=0)
    return row


class Writer:
    """Rows to `out/findings/site=<site>/part-<job>.parquet` (or `.jsonl`), a batch at a time."""

    def __init__(self, out: Path, number: int, output: str = "parquet") -> None:
        self.out = out
        self.number = number
        self.output = output
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.writers: dict[str, Any] = {}

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        for site in list(self.pending):
            self._flush(site)
        for writer in self.writers.values():
            writer.close()

    def add(self, site: str, row: dict[str, Any]) -> None:
        rows = self.pending.setdefault(site, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self._flush(site)

    def _flush(self, site: str) -> None:
        rows = self.pending.pop(site, [])
        if not rows:
            return
        if site not in self.writers:
            folder = self.out / "findings" / site_folder(site)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.writers[site] = self._open(folder / f"part-{self.number:05d}.{self.output}")
        if self.output == "jsonl":
            self.writers[site].write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
            return
        import pyarrow as pa

        self.writers[site].write_table(pa.Table.from_pylist(rows, schema=schema()))

    def _open(self, path: Path) -> Any:
        if self.output == "jsonl":
            return path.open("w", encoding="utf-8")
        import pyarrow.parquet as pq

        return pq.ParquetWriter(path, schema())


def schema() -> Any:
    import pyarrow as pa

    numbers = {"line", "column", "end_line", "end_column"}
    return pa.schema([(name, pa.int32() if name in numbers else pa.string()) for name in COLUMNS])
