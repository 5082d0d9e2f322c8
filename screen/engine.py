"""The screening engine: validated rules, compiled detectors, their self-tests, and a cache."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from screen import __version__
from screen.detectors import Detector, compile_detectors
from screen.detectors.analysis import Analysis
from screen.errors import RuleError
from screen.findings import make_findings
from screen.model import Finding, Hit
from screen.ruleset import Ruleset, parse, read_sources
from screen.source import Document, read_document

_CACHE_SCHEMA = 1
_SELF_TEST_KEY = b"baomi self-test"


@dataclass(frozen=True, slots=True, kw_only=True)
class Engine:
    ruleset: Ruleset
    detectors: tuple[Detector, ...]

    @property
    def fingerprint(self) -> str:
        return self.ruleset.fingerprint

    def hits(self, document: Document) -> Iterator[Hit]:
        analysis = Analysis(document)
        for detector in self.detectors:
            yield from detector.detect(analysis)

    def screen(self, document: Document, key: bytes) -> tuple[Finding, ...]:
        return make_findings(document, self.hits(document), key)


def self_test(engine: Engine) -> tuple[str, ...]:
    """Run every rule's own `hits` and `misses`; one problem line per failing example."""
    problems = []
    for rule in engine.ruleset.rules:
        if not rule.enabled:
            continue
        for example, expect in [(h, True) for h in rule.hits] + [(m, False) for m in rule.misses]:
            document = read_document("example.md", example.encode("utf-8"))
            found = any(hit.rule.id == rule.id for hit in engine.hits(document))
            if found != expect:
                kind = "hits" if expect else "misses"
                outcome = "gives no finding" if expect else "gives a finding"
                problems.append(f"{rule.origin}: {rule.id}: {kind} example {example!r} {outcome}")
    return tuple(problems)


def build_engine(ruleset: Ruleset) -> Engine:
    try:
        detectors = compile_detectors(ruleset.rules)
    except ValueError as error:
        raise RuleError((str(error),)) from None
    engine = Engine(ruleset=ruleset, detectors=detectors)
    problems = self_test(engine)
    if problems:
        raise RuleError(problems)
    return engine


def _code_digest() -> str:
    """Hash of this package's code: a cached engine is only reused by the code that built it."""
    digest = hashlib.sha256(
        f"{_CACHE_SCHEMA} {__version__} {sys.version} {version('pyahocorasick')}".encode()
    )
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_engine(rules_dir: Path, cache_dir: Path | None) -> Engine:
    """The engine for `rules_dir`, from the cache when the rule files and code are unchanged."""
    source = read_sources(rules_dir)
    if cache_dir is None:
        return build_engine(parse(source))
    cache = cache_dir / f"engine-{source.digest[:24]}-{_code_digest()}.pickle"
    if cache.is_file():
        try:
            cached = pickle.loads(cache.read_bytes())  # noqa: S301 (our own cache file)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            cached = None  # a damaged cache is rebuilt below, never trusted
        if isinstance(cached, Engine):
            return cached
    engine = build_engine(parse(source))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(cache)
    except OSError:
        pass  # an unwritable cache only costs speed; the engine in hand is complete
    return engine
