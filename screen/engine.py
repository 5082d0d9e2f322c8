"""The screening engine: validated rules, compiled detectors, their self-tests, and a cache."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from screen import __version__
from screen.detectors import KINDS, Detector, compile_detectors, example_detector
from screen.detectors.analysis import Analysis
from screen.detectors.lexicon import Lexicon
from screen.errors import InputError, RuleError
from screen.findings import make_findings, place_rendered, rendered_only, unshared
from screen.i18n import _
from screen.model import Finding, Hit, Rule
from screen.ruleset import Ruleset, RuleSource, parse, read_sources
from screen.source import Document, name_document

_CACHE_SCHEMA = 3
_CACHE_MAGIC = b"baomi-engine\n"
_SELF_TEST_KEY = b"baomi self-test"
_NAME_SALT = "\x00name"  # a name's findings have fingerprints of their own


@dataclass(frozen=True, slots=True, kw_only=True)
class Engine:
    ruleset: Ruleset
    detectors: tuple[Detector, ...]
    lexicon: Lexicon  # the words the detectors look up, in one automaton (`detectors/lexicon.py`)

    @property
    def fingerprint(self) -> str:
        return self.ruleset.fingerprint

    def hits(self, document: Document) -> Iterator[Hit]:
        analysis = Analysis(document, self.lexicon)
        for detector in self.detectors:
            yield from detector.detect(analysis)

    def every_hit(self, document: Document) -> Iterator[Hit]:
        """The hits of the document and of its rendered view (no merging: for self-tests)."""
        yield from self.hits(document)
        if document.view is not None:
            yield from self.hits(document.view)

    def screen(self, document: Document, key: bytes) -> tuple[Finding, ...]:
        """Findings of the document, and those only its rendered view holds (`Document.view`)."""
        hits = list(self.hits(document))
        if document.view is None:
            return make_findings(document, hits, key)
        extra, stronger = rendered_only(
            document, unshared(document, hits), document.view, self.hits(document.view)
        )
        hits = [stronger.get(id(hit), hit) for hit in hits]
        return make_findings(document, hits, key) + place_rendered(document, document.view, extra, key)

    def screen_name(self, path: str, key: bytes) -> tuple[Finding, ...]:
        """Findings in the file's name and folders (scope `path`)."""
        document = name_document(path)
        return make_findings(document, self.hits(document), key, salt=_NAME_SALT)


def self_test(engine: Engine) -> tuple[str, ...]:
    """Run every rule's own `hits` and `misses`; one problem line per failing example."""
    problems = []
    for rule in engine.ruleset.rules:
        if not rule.enabled:
            continue
        own = example_detector(rule)
        for example, expect in [(h, True) for h in rule.hits] + [(m, False) for m in rule.misses]:
            try:
                document = _example(rule, example)
                hits = own[0].detect(Analysis(document, own[1])) if own else engine.every_hit(document)
                found = any(hit.rule.id == rule.id for hit in hits)
            except InputError:  # a file rule's text example with binary bytes: a broken file
                found = False
            if found != expect:
                problem = (
                    _("{origin}: {rule}: hits example {example} gives no finding")
                    if expect
                    else _("{origin}: {rule}: misses example {example} gives a finding")
                )
                problems.append(problem.format(origin=rule.origin, rule=rule.id, example=repr(example)))
    return tuple(problems)


def _example(rule: Rule, example: str) -> Document:
    """The document an example stands for, as the rule's kind reads it (text, or a file name)."""
    return KINDS[rule.kind].example(rule, example)


def build_engine(ruleset: Ruleset) -> Engine:
    try:
        detectors, lexicon = compile_detectors(ruleset.rules)
    except ValueError as error:
        raise RuleError((str(error),)) from None
    engine = Engine(ruleset=ruleset, detectors=detectors, lexicon=lexicon)
    problems = self_test(engine)
    if problems:
        raise RuleError(problems)
    return engine


@cache
def code_digest() -> str:
    """Hash of this package's code: a cached engine is only reused by the code that built it.
    Read once per process (the rules cache and the findings cache both key on it)."""
    digest = hashlib.sha256(
        f"{_CACHE_SCHEMA} {__version__} {sys.version} {version('pyahocorasick')}".encode()
    )
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _seal(label: str, payload: bytes) -> bytes:
    """Checksum of a cache payload, bound to the cache key it was written under."""
    return hashlib.sha256(label.encode() + b"\0" + payload).digest()


def _read_cache(cache: Path) -> Engine | None:
    """The engine in `cache`, or None if the file is missing, damaged or not ours.

    The checksum is verified before unpickling: a flipped bit in a term or a level would otherwise
    load as a different, wrong engine, and damaged automaton data is not safe to unpickle."""
    try:
        data = cache.read_bytes()
    except OSError:
        return None
    header = len(_CACHE_MAGIC) + hashlib.sha256().digest_size
    magic, seal, payload = data[: len(_CACHE_MAGIC)], data[len(_CACHE_MAGIC) : header], data[header:]
    if magic != _CACHE_MAGIC or seal != _seal(cache.name, payload):
        return None
    try:
        cached = pickle.loads(payload)  # noqa: S301 (our own cache file, checksum verified)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # rebuilt by the caller, never trusted
    return cached if isinstance(cached, Engine) else None


def load_engine(rules_dir: Path, cache_dir: Path | None) -> Engine:
    """The engine for `rules_dir`, from the cache when the rule files and code are unchanged."""
    return load_engine_from(read_sources(rules_dir), cache_dir)


def load_engine_from(source: RuleSource, cache_dir: Path | None) -> Engine:
    """The engine for rule files already read (from a folder or a git tree), from the cache when
    they and the code are unchanged."""
    if cache_dir is None:
        return build_engine(parse(source))
    cache = cache_dir / f"engine-{source.digest[:24]}-{code_digest()}.pickle"
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    engine = build_engine(parse(source))
    _write_cache(cache, engine)
    return engine


def _write_cache(cache: Path, engine: Engine) -> None:
    payload = pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(_CACHE_MAGIC + _seal(cache.name, payload) + payload)
        temporary.replace(cache)
    except OSError:
        pass  # an unwritable cache only costs speed; the engine in hand is complete


# Engines by rules directory, with the digest of the rule files they were built from: the MkDocs
# plugin is made anew on every rebuild of `mkdocs serve`, and the publish step audits with the
# same rules, so one process builds (or unpickles) them once, and again only when a file changes.
_SHARED: dict[Path, tuple[str, Engine]] = {}
_SHARED_MOST = 4  # rule folders kept: a process that meets more (a test run) keeps the latest


def shared_engine(rules_dir: Path, cache_dir: Path | None) -> Engine:
    """`load_engine`, once per process for unchanged rule files (they are re-read every call)."""
    source = read_sources(rules_dir)
    digest = source.digest
    known = _SHARED.get(rules_dir)
    if known is None or known[0] != digest:
        known = (digest, load_engine_from(source, cache_dir))
    _SHARED.pop(rules_dir, None)
    _SHARED[rules_dir] = known  # the most recently used last
    while len(_SHARED) > _SHARED_MOST:
        del _SHARED[next(iter(_SHARED))]
    return known[1]
