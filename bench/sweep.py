"""Throughput of `baomi sweep`: a generated region of 200 sites and 20,000 pages in WARC files
(pages made of the public prose in ../shared/data, with the markup a portal's pages have), swept
with 1 and then 2 local Dask workers; then a re-check with `--since` after 1 % of the pages
changed.

    .venv/bin/python bench/sweep.py [--sites 200] [--pages 100] [--files 20]

Each sweep runs in a fresh process; the cluster's start is timed apart (a sweep of an empty
WARC file). Writes bench/out/sweep.json."""

from __future__ import annotations

import argparse
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


def write_region(sites: int, pages: int, files: int, changed: float = 0.0, seed: int = 1) -> list[Path]:
    """`sites` sites of `pages` pages each, spread over `files` WARC files; with `changed`, that
    share of the pages differs from the region of `changed=0`."""
    rng = random.Random(seed)
    pool = sentences()
    folder = OUT / ("warc" if not changed else "warc-changed")
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--files", type=int, default=20)
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
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
