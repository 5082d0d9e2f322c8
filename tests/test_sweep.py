"""`baomi sweep`: WARC files written with warcio and a wget-style mirror, screened on a real Dask
cluster (a local one, and one started with the `dask` command line on 127.0.0.1); findings as
Parquet by site, error rows for what cannot be read, summaries, an owner-only output folder."""

from __future__ import annotations

import gzip
import http.server
import itertools
import json
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import ClassVar

import pyarrow.dataset as ds
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from screen.engine import Engine
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, EXIT_INPUT
from screen.sweep.records import SweepResult
from tests.conftest import RULES, TEST_KEY
from tests.test_attachments import ID_NUMBER, pdf

BIN = Path(sys.executable).parent
HTML = "text/html; charset=utf-8"


def record(
    writer: WARCWriter, url: str, body: bytes, content_type: str = HTML, status: str = "200 OK"
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers)
    )


def page(*paragraphs: str) -> bytes:
    return ("<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>").encode()


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """Two sites in one WARC file: a marking, an ID number in a GBK page (declared by the HTTP
    header only, and by <meta charset> only), an ID number in a PDF, a redirect, a 404, a style
    sheet (not screened), and a clean site."""
    path = tmp_path / "region.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        record(writer, "http://a.qingxi.gov.cn/", page("机密★5年", "春耕生产进展顺利。"))
        record(writer, "http://a.qingxi.gov.cn/gbk.html", page(f"身份证号{ID_NUMBER}").decode().encode("gbk"),
               "text/html; charset=gbk")  # fmt: skip
        meta = f'<html><head><meta charset="gb2312"></head><body><p>身份证号{ID_NUMBER}</p></body></html>'
        record(writer, "http://a.qingxi.gov.cn/meta.html", meta.encode("gbk"), "text/html")
        record(writer, "http://a.qingxi.gov.cn/files/list.pdf", pdf([f"ID {ID_NUMBER}"]), "application/pdf")
        record(writer, "http://a.qingxi.gov.cn/old", b"", "text/html", "301 Moved Permanently")
        record(writer, "http://a.qingxi.gov.cn/missing", page("机密★5年"), HTML, "404 Not Found")
        record(writer, "http://a.qingxi.gov.cn/style.css", "body{} /* 机密★5年 */".encode(), "text/css")
        record(writer, "http://b.qingxi.gov.cn/news/1.html", page("全县春耕备耕工作会议召开。"))
    return path


def rows(out: Path) -> list[dict[str, object]]:
    table = ds.dataset(out / "findings", format="parquet").to_table()
    return sorted(table.to_pylist(), key=lambda r: (str(r["url"]), str(r["rule"])))


def sweep(cli: object, *args: str) -> object:
    return cli(["sweep", *args])  # type: ignore[operator]


def test_a_region_in_a_warc_file(cli: object, region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = sweep(cli, str(region), "--out", str(out), "--workers", "2")
    assert run.code == EXIT_BLOCKED, run.out + run.err  # type: ignore[attr-defined]
    found = [(r["url"], r["rule"], r["level"], r["kind"]) for r in rows(out)]
    assert found == [
        ("http://a.qingxi.gov.cn/", "marking.classified", "block", "finding"),
        # The PDF attachment, read as `baomi check` reads one.
        ("http://a.qingxi.gov.cn/files/list.pdf", "pii.resident_id", "block", "finding"),
        # GBK by the HTTP header, and by <meta charset>: decoded as a browser does.
        ("http://a.qingxi.gov.cn/gbk.html", "pii.resident_id", "block", "finding"),
        ("http://a.qingxi.gov.cn/meta.html", "pii.resident_id", "block", "finding"),
    ]  # the redirect, the 404 page and the style sheet are not screened; site b is clean
    every = rows(out)
    assert all(ID_NUMBER not in json.dumps(r, ensure_ascii=False) for r in every)  # redacted
    assert {r["site"] for r in every} == {"a.qingxi.gov.cn"}
    assert all(r["fetched"] for r in every)  # the WARC date
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    a = summary["sites"]["a.qingxi.gov.cn"]
    assert (a["pages"], a["attachments"], a["errors"]) == (3, 1, 0)
    assert summary["sites"]["b.qingxi.gov.cn"]["findings"] == {}
    assert "2 sites" in run.out  # type: ignore[attr-defined]


def test_the_output_folder_is_its_owners_only(cli: object, region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep(cli, str(region), "--out", str(out), "--workers", "1")
    for folder in (out, out / "findings"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "保密法（2024）第36条" in (out / "summary.md").read_text(encoding="utf-8")


def test_the_summary_speaks_chinese(cli: object, region: Path, tmp_path: Path, chinese: None) -> None:
    out = tmp_path / "out"
    run = sweep(cli, str(region), "--out", str(out), "--workers", "1")
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "阻断" in html and "<script" not in html
    assert "巡查" in (out / "summary.md").read_text(encoding="utf-8")
    assert "巡查" in run.out  # type: ignore[attr-defined]


def test_a_truncated_warc_is_an_error_row_and_exit_2(cli: object, region: Path, tmp_path: Path) -> None:
    data = gzip.decompress(region.read_bytes())
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data[: len(data) * 2 // 3])  # cut in the middle of a record
    out = tmp_path / "out"
    run = sweep(cli, str(broken), "--out", str(out), "--workers", "1")
    assert run.code == EXIT_INPUT, run.out + run.err  # type: ignore[attr-defined]
    errors = [r for r in rows(out) if r["kind"] == "error"]
    assert len(errors) == 1 and "cannot be read" in str(errors[0]["error"])
    assert any(r["rule"] == "marking.classified" for r in rows(out))  # what came before is screened


def test_a_mirrored_folder(cli: object, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "c.qingxi.gov.cn" / "news").mkdir(parents=True)
    (mirror / "c.qingxi.gov.cn" / "index.html").write_bytes(page("全县春耕备耕工作会议召开。"))
    (mirror / "c.qingxi.gov.cn" / "news" / "a.html").write_bytes(page("青溪县机密★5年"))
    (mirror / "d.qingxi.gov.cn").mkdir()
    (mirror / "d.qingxi.gov.cn" / "index.html").write_bytes(page("欢迎访问"))
    out = tmp_path / "out"
    run = sweep(cli, str(mirror), "--out", str(out))
    assert run.code == EXIT_BLOCKED
    assert [(r["site"], r["url"], r["rule"]) for r in rows(out)] == [
        ("c.qingxi.gov.cn", "http://c.qingxi.gov.cn/news/a.html", "marking.classified")
    ]


def test_a_clean_region_exits_0(cli: object, tmp_path: Path) -> None:
    path = tmp_path / "clean.warc"
    with path.open("wb") as stream:
        record(
            WARCWriter(stream, gzip=False), "http://e.qingxi.gov.cn/", page("欢迎访问青溪县人民政府网站。")
        )
    run = sweep(cli, str(path), "--out", str(tmp_path / "out"), "--workers", "1")
    assert run.code == EXIT_CLEAN, run.out + run.err  # type: ignore[attr-defined]


@pytest.mark.parametrize("source", ["no-such.warc", "notes.bin"])
def test_a_source_that_is_not_one_is_a_usage_error(cli: object, tmp_path: Path, source: str) -> None:
    (tmp_path / "notes.bin").write_bytes(b"\xff\xfe\x00binary")
    run = sweep(cli, str(tmp_path / source), "--out", str(tmp_path / "out"))
    assert run.code == 2 and source in run.err  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and two worker processes started with the `dask` command line."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--dashboard-address", ":0", "--no-show"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
    )  # fmt: skip
    workers = subprocess.Popen(
        [str(BIN / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
         "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
    )  # fmt: skip
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in (workers, scheduler):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_an_existing_cluster_by_its_address(cli: object, region: Path, tmp_path: Path, cluster: str) -> None:
    out = tmp_path / "out"
    run = sweep(cli, str(region), str(region), "--out", str(out), "--scheduler", cluster)
    assert run.code == EXIT_BLOCKED, run.out + run.err  # type: ignore[attr-defined]
    assert len([r for r in rows(out) if r["rule"] == "pii.resident_id"]) == 6  # both files, 3 each
    assert cluster in run.out  # type: ignore[attr-defined]
    assert "2 workers" in run.out  # type: ignore[attr-defined]
    assert TEST_KEY not in json.dumps(rows(out), ensure_ascii=False)
    shutil.rmtree(out)


def crawl(path: Path, pages: dict[str, bytes]) -> Path:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, body in pages.items():
            record(writer, url, body)
    return path


def test_a_daily_recheck_screens_only_what_changed(cli: object, tmp_path: Path) -> None:
    site = "http://f.qingxi.gov.cn"
    first = {
        f"{site}/a.html": page("机密★5年"),  # fixed by tomorrow
        f"{site}/b.html": page(f"身份证号{ID_NUMBER}"),  # unchanged: still open
        f"{site}/c.html": page("欢迎访问。"),  # a new leak by tomorrow
        **{f"{site}/n{i}.html": page(f"第{i}条新闻。") for i in range(20)},  # unchanged, clean
    }
    day1 = tmp_path / "day1"
    sweep(cli, str(crawl(tmp_path / "day1.warc.gz", first)), "--out", str(day1), "--workers", "1")
    second = dict(first)
    second[f"{site}/a.html"] = page("内容已更正。")
    second[f"{site}/c.html"] = page("欢迎访问。绝密★长期")
    day2 = tmp_path / "day2"
    run = sweep(
        cli, str(crawl(tmp_path / "day2.warc.gz", second)), "--out", str(day2), "--since", str(day1),
        "--workers", "1",
    )  # fmt: skip
    assert run.code == EXIT_BLOCKED, run.out + run.err  # type: ignore[attr-defined]
    summary = json.loads((day2 / "summary.json").read_text(encoding="utf-8"))["sites"]["f.qingxi.gov.cn"]
    # Two pages changed and were screened again; the other 21 were not.
    assert (summary["unchanged"], summary["new"], summary["fixed"], summary["still_open"]) == (21, 1, 1, 1)
    # The table holds every open finding: the unchanged page's, carried over, and the new one.
    assert [(r["url"], r["rule"]) for r in rows(day2)] == [
        (f"{site}/b.html", "pii.resident_id"),
        (f"{site}/c.html", "marking.classified"),
    ]
    assert "1 new, 1 fixed, 1 still open" in run.out  # type: ignore[attr-defined]


def test_since_needs_an_earlier_sweep_and_another_folder(cli: object, region: Path, tmp_path: Path) -> None:
    run = sweep(cli, str(region), "--out", str(tmp_path / "out"), "--since", str(tmp_path))
    assert run.code == 2 and "--since" in run.err  # type: ignore[attr-defined]
    sweep(cli, str(region), "--out", str(tmp_path / "out"), "--workers", "1")
    again = sweep(cli, str(region), "--out", str(tmp_path / "out"), "--since", str(tmp_path / "out"))
    assert again.code == 2 and "same folder" in again.err  # type: ignore[attr-defined]


class _Site(http.server.SimpleHTTPRequestHandler):
    """A site on 127.0.0.1 that remembers when each path was asked for, and answers /slow late."""

    asked: ClassVar[list[tuple[float, str]]] = []

    def do_GET(self) -> None:
        _Site.asked.append((time.monotonic(), self.path))
        if self.path == "/slow.html":
            time.sleep(3)
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    (root / "news").mkdir(parents=True)
    (root / "private").mkdir()
    (root / "files").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (root / "index.html").write_bytes(
        b"<html><body><a href='/news/1.html'>1</a> <a href='news/gbk.html'>2</a> "
        b"<a href='/private/secret.html'>3</a> <a href='/files/a.pdf'>4</a> <a href='/missing.html'>5</a> "
        b"<a href='/slow.html'>6</a> <a href='http://other.example/leak.html'>7</a>"
        b"<link rel='stylesheet' href='/style.css'></body></html>"
    )
    (root / "news" / "1.html").write_bytes(page("机密★5年", "<a href='/index.html#top'>首页</a>"))
    meta = f'<html><head><meta charset="gbk"></head><body><p>身份证号{ID_NUMBER}</p></body></html>'
    (root / "news" / "gbk.html").write_bytes(meta.encode("gbk"))
    (root / "private" / "secret.html").write_bytes(page("绝密★长期"))
    (root / "files" / "a.pdf").write_bytes(pdf([f"ID {ID_NUMBER}"]))
    (root / "slow.html").write_bytes(page("慢"))
    (root / "style.css").write_text("body{}", encoding="utf-8")
    handler = partial(_Site, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Site.asked.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_list_of_start_urls_is_crawled_politely(cli: object, served: str, tmp_path: Path) -> None:
    starts = tmp_path / "sites.txt"
    starts.write_text(f"# 青溪县门户\n{served}/index.html\n", encoding="utf-8")
    out = tmp_path / "out"
    run = sweep(
        cli, str(starts), "--out", str(out), "--workers", "1", "--crawl-pause", "0.2", "--crawl-timeout", "1",
    )  # fmt: skip
    assert run.code == EXIT_INPUT, run.out + run.err  # type: ignore[attr-defined]  # the 404 and the timeout
    found = {(str(r["url"]).removeprefix(served), r["kind"], r["rule"] or r["error"]) for r in rows(out)}
    assert found == {
        ("/news/1.html", "finding", "marking.classified"),
        ("/news/gbk.html", "finding", "pii.resident_id"),  # GBK by <meta charset>
        ("/files/a.pdf", "finding", "pii.resident_id"),  # an attachment the page links to
        ("/missing.html", "error", "HTTP 404"),
        ("/slow.html", "error", "no answer within the timeout"),
    }
    paths = [path for _when, path in _Site.asked]
    assert "/private/secret.html" not in paths  # robots.txt
    assert paths.count("/news/1.html") == 1  # each URL once (the #top link is the same page)
    assert "/style.css" not in paths  # only links are followed, and style sheets are not screened
    times = [when for when, path in _Site.asked if path != "/robots.txt"]
    assert all(later - earlier >= 0.19 for earlier, later in itertools.pairwise(times))  # the pause


def test_a_list_that_holds_no_address_is_a_usage_error(cli: object, tmp_path: Path) -> None:
    starts = tmp_path / "sites.txt"
    starts.write_text("青溪县人民政府\n", encoding="utf-8")
    run = sweep(cli, str(starts), "--out", str(tmp_path / "out"))
    assert run.code == 2 and "http(s)" in run.err  # type: ignore[attr-defined]


def test_findings_as_json_lines(cli: object, region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = sweep(cli, str(region), "--out", str(out), "--workers", "1", "--format", "jsonl")
    assert run.code == EXIT_BLOCKED
    lines = [
        json.loads(line)
        for part in (out / "findings").rglob("*.jsonl")
        for line in part.read_text().splitlines()
    ]
    assert sorted(r["rule"] for r in lines) == ["marking.classified"] + ["pii.resident_id"] * 3
    assert not list((out / "findings").rglob("*.parquet"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["format"] == "jsonl"
    assert {"read", "parse pages", "screen pages", "screen attachments"} <= set(summary["worker_seconds"])
    # a re-check of the same crawl carries every row over, screening nothing
    again = tmp_path / "again"
    sweep(cli, str(region), "--out", str(again), "--since", str(out), "--format", "jsonl", "--workers", "1")
    carried = [
        json.loads(line)
        for part in (again / "findings").rglob("*.jsonl")
        for line in part.read_text().splitlines()
    ]
    assert sorted(r["url"] for r in carried) == sorted(r["url"] for r in lines)


def region_of(path: Path, hosts: list[str], pages: int = 12) -> Path:
    """`pages` pages a host, each after its request record, some with a finding, written with
    warcio gzipped (`.warc.gz`) or not (`.warc`)."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=path.name.endswith(".gz"))
        for host in hosts:
            for number in range(pages):
                url = f"http://{host}/news/{number}.html"
                request = BytesIO(f"GET /news/{number}.html HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                writer.write_record(writer.create_warc_record(url, "request", payload=request))
                leak = ["机密★5年", f"身份证号{ID_NUMBER}", ""][number % 3]
                record(writer, url, page(f"第{number}条新闻：全县春耕备耕工作会议召开。" * 8, leak))
    return path


def read_all(path: Path, split: int) -> list[tuple[str, str]]:
    from screen.sweep.ranges import ranges
    from screen.sweep.sources import read_warc

    return [
        (item.url, getattr(item, "reason", "") or getattr(item, "name", ""))
        for cut in ranges(path, split)
        for item in read_warc(path, cut.start, cut.end, cut.after)
    ]


def test_a_large_warc_file_is_swept_in_ranges_as_if_whole(engine: Engine, tmp_path: Path) -> None:
    from screen.ruleset import read_sources
    from screen.sweep.driver import cut, jobs
    from screen.sweep.driver import sweep as run

    gz = region_of(tmp_path / "a.warc.gz", ["g1.qingxi.gov.cn", "g2.qingxi.gov.cn", "g3.qingxi.gov.cn"])
    plain = region_of(tmp_path / "b.warc", ["p1.qingxi.gov.cn", "p2.qingxi.gov.cn"])
    split = 6_000
    parts = [piece for job in jobs([str(gz), str(plain)]) for piece in cut(job, split)]
    for path in (gz, plain):
        cuts = [(job.start, job.end) for job in parts if job.path == str(path)]
        assert len(cuts) >= 4  # several ranges a file …
        assert cuts[0][0] == 0 and cuts[-1][1] is None  # … from its start to its end, …
        assert all(end == start for (_s, end), (start, _e) in itertools.pairwise(cuts))  # … no gap
    assert len(cut(jobs([str(gz)])[0])) == 1  # a file below the threshold (64 MB) is one part

    cache = tmp_path / "cache"
    cache.mkdir()
    swept: dict[str, SweepResult] = {}
    for name, size in (("whole", 1 << 40), ("ranges", split)):
        swept[name] = run(
            [str(gz), str(plain)], read_sources(RULES), TEST_KEY.encode(), tmp_path / name,
            fingerprint=engine.fingerprint, workers=2, cache_dir=cache, split=size,
        )  # fmt: skip
    # The same rows, and the same summary for every site …
    assert rows(tmp_path / "ranges") == rows(tmp_path / "whole")
    assert len([r for r in rows(tmp_path / "whole") if r["kind"] == "finding"]) == 5 * 8

    def counts(name: str) -> dict[str, dict[str, object]]:
        return {site: {**asdict(s), "seconds": None} for site, s in swept[name].sites.items()}

    assert counts("ranges") == counts("whole")
    assert sum(s.pages for s in swept["whole"].sites.values()) == 5 * 12
    # … though a range began in the middle of a site: its rows came from two parts.
    state = (tmp_path / "ranges" / "state").iterdir()
    across = {folder.name.removeprefix("site=") for folder in state if len(list(folder.iterdir())) > 1}
    assert any(site.startswith("g") for site in across) and any(site.startswith("p") for site in across)


@pytest.mark.parametrize("name", ["cut.warc.gz", "cut.warc"])
def test_a_cut_off_warc_file_in_ranges_is_one_error_row_as_if_whole(tmp_path: Path, name: str) -> None:
    whole = region_of(tmp_path / ("whole" + name.removeprefix("cut")), ["h.qingxi.gov.cn"], pages=40)
    data = whole.read_bytes()
    cut = tmp_path / name
    broken = 0
    for end in range(len(data) * 2 // 3, len(data) * 2 // 3 + 2_000, 37):
        cut.write_bytes(data[:end])
        read = read_all(cut, 1 << 40)
        assert read_all(cut, 3_000) == read  # the same pages, and the same error at the end
        if not read[-1][0].endswith(".html"):  # cut between two records: nothing to see
            assert read[-1][0] == str(cut) and "cannot be read after http://h.qingxi.gov.cn/" in read[-1][1]
            assert len([item for item in read if item[0] == str(cut)]) == 1
            broken += 1
    assert broken > 30
    assert read_all(whole, 3_000) == read_all(whole, 1 << 40)
    assert all(url.endswith(".html") for url, _name in read_all(whole, 3_000))
