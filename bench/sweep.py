"""Throughput of `baomi sweep`: a generated region of 200 sites and 20,000 pages in WARC files
(pages made of the public prose in ../shared/data, with the markup a portal's pages have), swept
with 1 and then 2 local Dask workers; then a re-check with `--since` after 1 % of the pages
changed; then the whole region as one WARC file: how fast the driver scans it for where records
start (gzipped and not, against warcio reading it), and that file swept by 2 workers whole (one
task) and cut into 8 ranges of records (`--split` bytes); last, one process doing a worker's
work on one range, for its peak memory.

    .venv/bin/python bench/sweep.py [--sites 200] [--pages 100] [--files 20] [--split BYTES]

Each sweep runs in a fresh process; the cluster's start is timed apart (a sweep of an empty
WARC file). Where the workers' time went is summary.json's `worker_seconds`: `parse pages`
is reading the page as a browser does (screen/source/htmlview.py), `screen pages` the rules.
Writes bench/out/sweep/results.json."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "sweep"
sys.path.insert(0, str(HERE))

from run import sentences  # noqa: E402

BAOMI = [sys.executable, "-m", "screen"]


def html_page(rng: random.Random, pool: list[str], site: int, number: int) -> bytes:
    paragraphs = "".join(
        f"<p>{''.join(rng.choice(pool) for _ in range(rng.randint(2, 5)))}</p>" for _ in range(6)
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8">'
        f"<title>青溪县第{site}站 第{number}号</title></head>"
        f"<body><nav><a href='/'>首页</a> <a href='/news/'>新闻</a></nav><main><h1>政务信息第{number}期</h1>"
        f"{paragraphs}</main><footer>青溪县人民政府 主办</footer></body></html>"
    ).encode()


def portal_page(rng: random.Random, pool: list[str], number: int) -> bytes:
    """A page the size of a government portal's (about 20 KB): a menu of 60 columns, a sidebar of
    40 links with dates, 10 paragraphs, statistics scripts and a footer repeating the menu."""
    menu = "".join(f"<li><a href='/col{i}/index.html' title='栏目{i}'>栏目{i}</a></li>" for i in range(60))
    side = "".join(
        f"<li><a href='/news/{number}-{i}.html'>{rng.choice(pool)[:20]}</a>"
        f"<span>2026-11-{i % 28 + 1:02d}</span></li>"
        for i in range(40)
    )
    paragraphs = "".join(
        f"<p style='text-indent:2em'>{''.join(rng.choice(pool) for _ in range(rng.randint(3, 6)))}</p>"
        for _ in range(10)
    )
    script = (
        "<script>var _hmt=_hmt||[];(function(){var hm=document.createElement('script');})();</script>" * 5
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>政务信息第{number}期</title>'
        f"<link rel='stylesheet' href='/css/main.css'>{script}</head><body><ul class='nav'>{menu}</ul>"
        f"<div class='side'><ul>{side}</ul></div><div class='article'><h1>政务信息第{number}期</h1>"
        f"{paragraphs}</div><div class='footer'><p>主办：青溪县人民政府办公室</p>{menu}</div></body></html>"
    ).encode()


def page_sizes(count: int = 300) -> dict[str, object]:
    """Milliseconds a page for reading it as a browser does (parse) and for the rules, one
    process: the benchmark's pages against portal-sized ones."""
    from screen.ruleset import read_sources
    from screen.sweep.sources import Resource
    from screen.sweep.work import Rules, document_of, engine_for, screened

    rng, pool = random.Random(3), sentences()
    key = b"bench-key-0123456789abcdef"
    engine = engine_for(Rules(source=read_sources(ROOT / "rules"), key=key, cache_dir=str(OUT / "cache")))
    found: dict[str, object] = {}
    for label, make in (
        ("bench_page", lambda n: html_page(rng, pool, 0, n)),
        ("portal_page", lambda n: portal_page(rng, pool, n)),
    ):
        pages = [make(n) for n in range(count)]
        parse = rules = 0.0
        for n, data in enumerate(pages):
            url = f"http://site.qingxi.gov.cn/news/{n}.html"
            resource = Resource(site="site", url=url, fetched="", name=f"/news/{n}.html", data=data)
            start = time.perf_counter()
            document = document_of(resource)
            parsed = time.perf_counter()
            screened(engine, document, key)
            parse, rules = parse + parsed - start, rules + time.perf_counter() - parsed
        found[label] = {
            "kb": round(sum(map(len, pages)) / count / 1024, 1),
            "parse_ms": round(parse / count * 1000, 2),
            "rules_ms": round(rules / count * 1000, 2),
            "pages_per_second": round(count / (parse + rules), 1),
        }
    return found


def write_region(
    sites: int, pages: int, files: int, changed: float = 0.0, seed: int = 1, name: str = ""
) -> list[Path]:
    """`sites` sites of `pages` pages each, spread over `files` WARC files; with `changed`, that
    share of the pages differs from the region of `changed=0`."""
    rng = random.Random(seed)
    pool = sentences()
    folder = OUT / (name or ("warc" if not changed else "warc-changed"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    change = random.Random(seed + 1)
    handles = [(folder / f"region-{i:03d}.warc.gz").open("wb") for i in range(files)]
    writers = [WARCWriter(h, gzip=True) for h in handles]
    headers = [("Content-Type", "text/html; charset=utf-8")]
    for site in range(sites):
        writer = writers[site % files]
        for number in range(pages):
            body = html_page(rng, pool, site, number)
            if changed and change.random() < changed:
                body = body.replace(b"</main>", "<p>本页已更新。</p></main>".encode())
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            url = f"http://site{site:03d}.qingxi.gov.cn/news/{number}.html"
            writer.write_record(
                writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http)
            )
        pdf_headers = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1")
        url = f"http://site{site:03d}.qingxi.gov.cn/files/notice.pdf"
        payload = BytesIO(PDF)
        writer.write_record(
            writer.create_warc_record(url, "response", payload=payload, http_headers=pdf_headers)
        )
    for handle in handles:
        handle.close()
    return sorted(folder.glob("*.warc.gz"))


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Contents 2 0 R "
        b"/Resources << /Font << /F1 1 0 R >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Catalog /Pages 4 0 R >>",
    ]
    out = BytesIO(b"%PDF-1.4\n")
    out.seek(0, 2)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


PDF = _pdf("Qingxi county notice 2026 No. 12: spring farming work arrangements")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args[:4])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout


def split_sweep(out: Path, split: int, workers: int, paths: list[str]) -> None:
    """One sweep of `paths` with WARC files larger than `split` bytes read in ranges, in this
    process (the threshold is a keyword of the driver, not an option), after a sweep of an empty
    WARC file that times the cluster's start; prints both times as JSON."""
    from screen.engine import load_engine_from
    from screen.ruleset import read_sources
    from screen.sweep.driver import cut, jobs, sweep

    source = read_sources(ROOT / "rules")
    cache = Path(os.environ["BAOMI_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    engine = load_engine_from(source, cache)
    key = os.environ["BAOMI_FINGERPRINT_KEY"].encode()
    seconds = {}
    for name, sources in (("start", [str(OUT / "empty.warc")]), ("sweep", paths)):
        start = time.perf_counter()
        result = sweep(
            sources, source, key, out / name, fingerprint=engine.fingerprint, workers=workers,
            cache_dir=cache, split=split,
        )  # fmt: skip
        seconds[name] = time.perf_counter() - start
    pages = sum(s.pages for s in result.sites.values())
    parts = [piece for job in jobs(paths) for piece in cut(job, split)]
    print(json.dumps({"parts": len(parts), "pages": pages, **seconds}))


def worker_memory(out: Path, split: int, path: str) -> None:
    """The peak memory of one process doing a worker's work (the engine with spaCy and jieba,
    then the first range of `path` screened and written), without Dask's own; prints JSON."""
    import resource

    from screen.ruleset import read_sources
    from screen.sweep.driver import cut, jobs, prepare
    from screen.sweep.work import Rules, run

    key = os.environ["BAOMI_FINGERPRINT_KEY"].encode()
    rules = Rules(source=read_sources(ROOT / "rules"), key=key, cache_dir=os.environ["BAOMI_CACHE_DIR"])
    prepare(out, None)
    job = cut(jobs([path])[0], split)[0]
    start = time.perf_counter()
    sites = run(job, rules, str(out))
    pages = sum(s.pages for s in sites.values())
    print(json.dumps({
        "range_mb": round(((job.end or Path(path).stat().st_size) - job.start) / 1e6, 1),
        "pages": pages,
        "seconds": round(time.perf_counter() - start, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))  # fmt: skip


def scanning(path: Path, split: int) -> dict[str, object]:
    """How fast the driver finds where records start (`screen.sweep.ranges`) in one big WARC
    file, gzipped and not, against a worker reading the same file with warcio (one process)."""
    from screen.sweep.ranges import ranges
    from screen.sweep.sources import read_warc

    plain = path.with_name(path.name.removesuffix(".gz"))
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    found: dict[str, object] = {}
    for label, file in (("warc_gz", path), ("warc", plain)):
        size = file.stat().st_size
        start = time.perf_counter()
        cuts = ranges(file, split)
        scan = time.perf_counter() - start
        start = time.perf_counter()
        for _item in read_warc(file):
            pass
        read = time.perf_counter() - start
        found[label] = {
            "mb": round(size / 1e6, 1),
            "ranges": len(cuts),
            "scan_seconds": round(scan, 2),
            "scan_mb_per_second": round(size / 1e6 / scan, 1),
            "warcio_read_seconds": round(read, 2),
            "warcio_read_mb_per_second": round(size / 1e6 / read, 1),
        }
    plain.unlink()
    return found


def main() -> int:
    if sys.argv[1:2] == ["--split-sweep"]:
        split_sweep(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:])
        return 0
    if sys.argv[1:2] == ["--worker-memory"]:
        worker_memory(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument(
        "--split", type=int, default=0, help="range size for the one-file run (default: 8 equal ranges)"
    )
    options = parser.parse_args()
    env = dict(os.environ, BAOMI_FINGERPRINT_KEY="bench-key-0123456789abcdef", PYTHONPATH=str(ROOT))
    env["BAOMI_CACHE_DIR"] = str(OUT / "cache")
    env["LANGUAGE"] = "en"
    warcs = write_region(options.sites, options.pages, options.files)
    size = sum(p.stat().st_size for p in warcs)
    count = options.sites * options.pages  # and one PDF attachment per site
    empty = OUT / "empty.warc"
    empty.write_bytes(b"")
    results: dict[str, object] = {"sites": options.sites, "pages": count, "warc_mb": round(size / 1e6, 1)}
    for workers in (1, 2):
        empty_run = [*BAOMI, "sweep", str(empty), "--out", str(OUT / "empty"), "--workers", str(workers)]
        start_only = statistics.median(timed(empty_run, env)[0] for _ in range(3))
        seconds, _ = timed(
            [*BAOMI, "sweep", *map(str, warcs), "--out", str(OUT / f"w{workers}"), "--workers", str(workers)],
            env,
        )
        spent = json.loads((OUT / f"w{workers}" / "summary.json").read_text(encoding="utf-8"))[
            "worker_seconds"
        ]
        results[f"workers_{workers}"] = {
            "seconds": round(seconds, 1),
            "worker_seconds_by_part": spent,
            "cluster_start_and_exit_seconds": round(start_only, 1),
            "pages_per_second": round(count / (seconds - start_only), 1),
        }
    one = results["workers_1"]["pages_per_second"]  # type: ignore[index]
    two = results["workers_2"]["pages_per_second"]  # type: ignore[index]
    results["speedup_1_to_2"] = round(two / one, 2)
    changed = write_region(options.sites, options.pages, options.files, changed=0.01)
    seconds, _output = timed(
        [
            *BAOMI,
            "sweep",
            *map(str, changed),
            "--out",
            str(OUT / "since"),
            "--since",
            str(OUT / "w2"),
            "--workers",
            "2",
        ],
        env,
    )
    from screen.sweep.sources import read_warc

    start = time.perf_counter()
    for path in changed:  # reading, decompressing and hashing alone, one process
        for item in read_warc(path):
            hashlib.sha256(getattr(item, "data", b"")).hexdigest()
    reading = time.perf_counter() - start
    summary = json.loads((OUT / "since" / "summary.json").read_text(encoding="utf-8"))
    unchanged = sum(s.get("unchanged", 0) for s in summary["sites"].values())
    resources = sum(s["pages"] + s["attachments"] for s in summary["sites"].values())
    since_spent = summary.get("worker_seconds", {})
    results["since_1_percent_changed"] = {
        "worker_seconds_by_part": since_spent,
        "seconds": round(seconds, 1),
        "rescreened_resources": resources - unchanged,
        "rescreened_share": round((resources - unchanged) / resources, 4),
        "ratio_to_full_sweep": round(seconds / results["workers_2"]["seconds"], 2),  # type: ignore[index]
        "reading_and_hashing_the_warc_files_1_process_seconds": round(reading, 1),
    }
    # One big WARC file (the whole region), swept by 2 workers whole and in ranges.
    big = write_region(options.sites, options.pages, 1, name="warc-one")[0]
    split = options.split or big.stat().st_size // 8 + 1
    results["one_file"] = {"split_bytes": split, **scanning(big, split)}
    for label, size in (("whole", 1 << 40), ("ranges", split)):
        _seconds, output = timed(
            [sys.executable, __file__, "--split-sweep", str(OUT / f"one-{label}"), str(size), "2", str(big)],
            env,
        )
        run = json.loads(output.strip().splitlines()[-1])
        results["one_file"][f"workers_2_{label}"] = {  # type: ignore[index]
            "parts": run["parts"],
            "seconds": round(run["sweep"], 1),
            "cluster_start_and_exit_seconds": round(run["start"], 1),
            "pages_per_second": round(run["pages"] / (run["sweep"] - run["start"]), 1),
        }
    _seconds, output = timed(
        [sys.executable, __file__, "--worker-memory", str(OUT / "memory"), str(split), str(big)], env
    )
    results["one_process_one_range"] = json.loads(output.strip().splitlines()[-1])
    results["page_sizes_one_process"] = page_sizes()
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
