"""The driver of a sweep: the parts (one per WARC file or range of its records, one per site of a
mirror), a Dask cluster to run them on (a local one sized to the machine, or an existing one by
its address), the rules and the key sent once to every worker, and the workers' summaries merged
as parts finish.

Dask schedules, moves and retries the work; Baomi adds no scheduler, queue or RPC of its own.
Workers write the findings themselves (Parquet, by site) under the output folder, which a
cluster's workers must therefore share with the driver (the same machine, or a shared mount)."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from screen.errors import UsageError
from screen.i18n import _
from screen.ruleset import RuleSource
from screen.sweep.crawl import Limits, read_urls
from screen.sweep.ranges import SPLIT_BYTES, ranges
from screen.sweep.records import SiteSummary, SweepResult
from screen.sweep.work import Job, Rules, run

WARC_SUFFIXES = (".warc", ".warc.gz")


def jobs(sources: list[str], limits: Limits | None = None) -> list[Job]:
    """The parts of a sweep: each WARC file (a large one is `cut` into ranges on the cluster),
    each site folder of each mirror, and each host of each list of start URLs (crawled)."""
    found: list[Job] = []
    for source in sources:
        path = Path(source)
        if path.is_file() and path.name.lower().endswith(WARC_SUFFIXES):
            found.append(Job(number=len(found), kind="warc", path=str(path)))
        elif path.is_dir():
            sites = sorted(p for p in path.iterdir() if p.is_dir() and not p.is_symlink())
            if not sites:
                raise UsageError(
                    _("{path}: no site folder in it (a wget -m mirror holds one folder per host)").format(
                        path=source
                    )
                )
            found += [
                Job(number=len(found) + i, kind="mirror", path=str(site)) for i, site in enumerate(sites)
            ]
        elif path.is_file():
            found += _crawls(path, len(found), limits or Limits())
        elif path.exists():
            raise UsageError(
                _("{path}: not a WARC file (.warc, .warc.gz) or a mirrored folder").format(path=source)
            )
        else:
            raise UsageError(_("{path}: no such file or directory").format(path=source))
    return found


def cut(job: Job, split: int = SPLIT_BYTES) -> list[Job]:
    """A WARC file's part as parts of record ranges of about `split` bytes each (the part itself
    for a file no larger), numbered as `job`. It runs as a task on the cluster, one per large
    file: the scan reads the whole file (a `.warc.gz` inflated), which the driver alone would do
    for every file one after the other."""
    if job.kind != "warc":
        return [job]
    return [replace(job, start=r.start, end=r.end, after=r.after) for r in ranges(Path(job.path), split)]


def _large(job: Job, split: int) -> bool:
    return job.kind == "warc" and Path(job.path).stat().st_size > split


def _crawls(path: Path, first: int, limits: Limits) -> list[Job]:
    """A crawl per host of a list of start URLs."""
    try:
        urls = read_urls(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, OSError):
        urls = []
    hosts: dict[str, list[str]] = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                _("{path}: {url} is not an http(s) address; a list holds one start URL a line").format(
                    path=path, url=url
                )
            )
        hosts.setdefault(parts.netloc, []).append(url)
    if not hosts:
        raise UsageError(
            _("{path}: not a WARC file (.warc, .warc.gz), a mirrored folder or a list of start URLs").format(
                path=path
            )
        )
    return [
        Job(number=first + i, kind="crawl", path=str(path), urls=tuple(starts), limits=limits)
        for i, starts in enumerate(hosts.values())
    ]


def prepare(out: Path, since: Path | None) -> None:
    """The output folder, readable by its owner only (aggregated findings about many bodies are
    sensitive in themselves); findings of an earlier sweep there are replaced."""
    if since is not None:
        if not (since / "state").is_dir():
            raise UsageError(
                _(
                    "{path}: no earlier sweep's state in it (--since names an earlier sweep's --out folder)"
                ).format(path=since)
            )
        if since.resolve() == out.resolve():
            raise UsageError(_("--since and --out name the same folder: write the new sweep to another one"))
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)
    for part in ("findings", "state"):
        shutil.rmtree(out / part, ignore_errors=True)
        (out / part).mkdir(mode=0o700)


def carry(out: Path, since: Path, output: str) -> None:
    """The earlier sweep's rows of every resource not screened again (its bytes unchanged), copied
    into this sweep's table a batch at a time: the table holds every open finding."""
    from screen.sweep.work import CARRIED, Writer

    with Writer(out, CARRIED, output) as writer:
        for folder in sorted((out / "state").iterdir()):
            unchanged = {
                entry["url"]
                for part in sorted(folder.glob("part-*.jsonl"))
                for entry in map(json.loads, part.read_text(encoding="utf-8").splitlines())
                if not entry["screened"]
            }
            earlier = since / "findings" / folder.name
            if not unchanged or not earlier.is_dir():
                continue
            for row in _rows(earlier):
                if row["kind"] == "finding" and row["url"] in unchanged:
                    writer.add(str(row["site"]), row)


def _rows(folder: Path) -> Iterator[dict[str, Any]]:
    """The rows of one site of an earlier sweep, Parquet or JSON lines, a batch at a time."""
    import pyarrow.parquet as pq

    for part in sorted(folder.iterdir()):
        if part.suffix == ".parquet":
            for batch in pq.ParquetFile(part).iter_batches(batch_size=2_000):
                yield from batch.to_pylist()
        elif part.suffix == ".jsonl":
            with part.open(encoding="utf-8") as lines:
                yield from map(json.loads, lines)


def sweep(
    sources: list[str],
    rules: RuleSource,
    key: bytes,
    out: Path,
    *,
    fingerprint: str,
    scheduler: str | None = None,
    workers: int = 0,
    cache_dir: Path | None = None,
    since: Path | None = None,
    limits: Limits | None = None,
    output: str = "parquet",
    split: int = SPLIT_BYTES,
) -> SweepResult:
    """Screen every source on a Dask cluster; findings go to `out/findings/`, each resource's
    state to `out/state/`, the summary back. With `since`, only what changed is screened. A WARC
    file larger than `split` bytes is read in ranges, by several workers at once."""
    parts = jobs(sources, limits)
    prepare(out, since)
    start = time.perf_counter()
    from distributed import Client, LocalCluster, as_completed

    count = workers or os.cpu_count() or 1
    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        )
    )
    client = Client(scheduler) if scheduler else Client(cluster)
    sites: dict[str, SiteSummary] = {}
    try:
        shared = client.scatter(
            Rules(source=rules, key=key, cache_dir=str(cache_dir) if cache_dir else None), broadcast=True
        )
        earlier = str(since.absolute()) if since else None
        options = {"rules": shared, "out": str(out.absolute()), "since": earlier, "output": output}
        # Large WARC files are first cut into ranges by a task each; their ranges join the
        # sweep as the cuts finish, numbered after every other part.
        large = [job for job in parts if _large(job, split)]
        futures = client.map(run, [job for job in parts if job not in large], **options, pure=False)
        cuts = client.map(cut, large, split=split, pure=False)
        cutting = {future.key for future in cuts}
        number = len(parts)
        pending = as_completed([*futures, *cuts])
        for future in pending:
            if future.key in cutting:
                pieces = [replace(job, number=number + i) for i, job in enumerate(future.result())]
                number += len(pieces)
                pending.update(client.map(run, pieces, **options, pure=False))
            else:
                for site, summary in future.result().items():
                    sites.setdefault(site, SiteSummary()).merge(summary)
            future.release()
        address = scheduler or "local"
        used = len(client.scheduler_info().get("workers", {})) or count
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if since is not None:
        carry(out, since, output)
    return SweepResult(
        out=out,
        sites=dict(sorted(sites.items())),
        sources=tuple(sources),
        rules_fingerprint=fingerprint,
        workers=used,
        scheduler=address,
        seconds=time.perf_counter() - start,
        since=since,
        output=output,
    )
