"""What a sweep found, as the driver gathers it from the workers' summaries: per site, counts
and the pages with the most findings (the findings themselves are in the Parquet files)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from screen.model import Level

TOP = 10  # pages with the most findings, per site, in the summary


@dataclass(slots=True)
class SiteSummary:
    pages: int = 0
    attachments: int = 0
    bytes: int = 0
    findings: Counter[str] = field(default_factory=Counter)  # "rule level" → count
    errors: int = 0
    top: list[tuple[int, str]] = field(default_factory=list)  # (findings, url), most first
    # Against an earlier sweep (`--since`): resources unchanged (not screened again), and
    # findings new, fixed (gone from a page screened again) and still open.
    seconds: dict[str, float] = field(default_factory=dict)  # where the workers' time went
    unchanged: int = 0
    new: int = 0
    fixed: int = 0
    still_open: int = 0

    def merge(self, other: SiteSummary) -> None:
        self.pages += other.pages
        self.attachments += other.attachments
        self.bytes += other.bytes
        self.findings.update(other.findings)
        self.errors += other.errors
        self.top = sorted(self.top + other.top, key=lambda t: (-t[0], t[1]))[:TOP]
        for part, spent in other.seconds.items():
            self.spend(part, spent)
        self.unchanged += other.unchanged
        self.new += other.new
        self.fixed += other.fixed
        self.still_open += other.still_open

    def spend(self, part: str, seconds: float) -> None:
        self.seconds[part] = self.seconds.get(part, 0.0) + seconds

    @property
    def blocks(self) -> int:
        return sum(count for key, count in self.findings.items() if key.endswith(" " + Level.BLOCK.value))


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepResult:
    out: Path
    sites: dict[str, SiteSummary]
    sources: tuple[str, ...]
    rules_fingerprint: str
    workers: int
    scheduler: str  # the cluster's address ("local" for a cluster made for this sweep)
    seconds: float
    since: Path | None = None  # the earlier sweep compared with
    output: str = "parquet"  # how the findings are written: parquet | jsonl

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.sites.values())

    @property
    def blocks(self) -> int:
        return sum(s.blocks for s in self.sites.values())
