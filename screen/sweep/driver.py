"""The driver of a sweep: the parts (one per WARC file, one per site of a mirror), a Dask cluster
to run them on (a local one sized to the machine, or an existing one by its address), the rules
and the key sent once to every worker, and the workers' summaries merged as parts finish.

Dask schedules, moves and retries the work; Baomi adds no scheduler, queue or RPC of its own.
Workers write the findings themselves (Parquet, by site) under the output folder, which a
cluster's workers must therefore share with the driver (the same machine, or a shared mount)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from screen.errors import UsageError
from screen.i18n import _
from screen.ruleset import RuleSource
from screen.sweep.records import SiteSummary, SweepResult
from screen.sweep.work import Job, Rules, run

WARC_SUFFIXES = (".warc", ".warc.gz")


def jobs(sources: list[str]) -> list[Job]:
    """The parts of a sweep: each WARC file, and each site folder of each mirror."""
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
        elif path.exists():
            raise UsageError(
                _("{path}: not a WARC file (.warc, .warc.gz) or a mirrored folder").format(path=source)
            )
        else:
            raise UsageError(_("{path}: no such file or directory").format(path=source))
    return found


def prepare(out: Path) -> None:
    """The output folder, readable by its owner only (aggregated findings about many bodies are
    sensitive in themselves); findings of an earlier sweep there are replaced."""
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)
    shutil.rmtree(out / "findings", ignore_errors=True)
    (out / "findings").mkdir(mode=0o700)


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
) -> SweepResult:
    """Screen every source on a Dask cluster; findings go to `out/findings/`, the summary back."""
    parts = jobs(sources)
    prepare(out)
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
        futures = client.map(run, parts, rules=shared, out=str(out.absolute()), pure=False)
        for future in as_completed(futures):
            for site, summary in future.result().items():
                sites.setdefault(site, SiteSummary()).merge(summary)
            future.release()
        address = scheduler or "local"
        used = len(client.scheduler_info().get("workers", {})) or count
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return SweepResult(
        out=out,
        sites=dict(sorted(sites.items())),
        sources=tuple(sources),
        rules_fingerprint=fingerprint,
        workers=used,
        scheduler=address,
        seconds=time.perf_counter() - start,
    )
