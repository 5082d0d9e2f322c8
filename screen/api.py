"""The library API both doors (CLI, MkDocs plugin) call: find the files, screen them, return one
result."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import yaml

from screen.engine import Engine, load_engine
from screen.errors import InputError, UsageError
from screen.findings_cache import FindingsCache
from screen.model import CheckResult, Entity, FileError, Finding
from screen.normalize import fold
from screen.settings import Settings
from screen.source import MAX_BYTES, Document, read_document

CONFIG_NAME = "mkdocs.yml"
STDIN = "-"
_STDIN_AS = "stdin.md"  # text on stdin is read as a Markdown page, the only thing drafters pipe in
_PARALLEL_BYTES = 1 << 20  # below this, forking workers costs more than it saves
KEY_ENV = "BAOMI_FINGERPRINT_KEY"
KEY_FILE_ENV = "BAOMI_FINGERPRINT_KEY_FILE"
KEY_FILE = Path(".baomi") / "fingerprint.key"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    path: Path  # on disk (or "-")
    display: str  # as reported
    config: bool = False
    theme: bool = False  # a theme override: needs the config role
    data: bytes | None = None  # the bytes to screen when they are not the file's (the git index)


def _long_enough(key: bytes, where: str) -> bytes:
    if len(key) < 16:
        raise UsageError(f"{where}: fingerprint key is shorter than 16 bytes; generate one with `baomi key`")
    return key


def fingerprint_key(root: Path) -> bytes:
    """The team's fingerprint key: $BAOMI_FINGERPRINT_KEY, the file named by
    $BAOMI_FINGERPRINT_KEY_FILE, or .baomi/fingerprint.key in the portal root."""
    if os.environ.get(KEY_ENV):
        # The same minimum as for a key file: a short, guessable key would let anyone recover an
        # ID number from its fingerprint by trying every candidate.
        return _long_enough(os.environ[KEY_ENV].encode(), f"${KEY_ENV}")
    candidates = [Path(os.environ[KEY_FILE_ENV])] if os.environ.get(KEY_FILE_ENV) else []
    candidates.append(root / KEY_FILE)
    for path in candidates:
        if path.is_file():
            return _long_enough(path.read_bytes().strip(), str(path))
    raise UsageError(
        f"no fingerprint key: set {KEY_ENV} (a CI secret), or put the team's key in {KEY_FILE}; "
        "create one with `baomi key`"
    )


class _KeepTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags; reading docs_dir needs neither."""


_KeepTags.add_multi_constructor("", lambda loader, suffix, node: None)


def _config(root: Path) -> dict[str, object]:
    config = root / CONFIG_NAME
    if not config.is_file():
        return {}
    try:
        text = config.read_text(encoding="utf-8")
        loaded = yaml.load(text, Loader=_KeepTags)  # noqa: S506 (a SafeLoader subclass)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(CONFIG_NAME, f"cannot read the MkDocs configuration: {error}") from None
    except RecursionError:
        raise InputError(CONFIG_NAME, "cannot read the MkDocs configuration: nested too deeply") from None
    return loaded if isinstance(loaded, dict) else {}


def docs_dir(root: Path) -> Path:
    configured = _config(root).get("docs_dir")
    return root / configured if isinstance(configured, str) else root / "content"


def theme_dir(root: Path) -> Path | None:
    """The theme's `custom_dir` (overrides): its templates and assets are published too."""
    theme = _config(root).get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return root / custom if isinstance(custom, str) else None


def _display(path: Path, root: Path) -> str:
    """`path` relative to the root as it is published: a symlink is named as itself, not as its
    target (which may be missing, or named differently). A name that is not UTF-8 shows its
    undecodable bytes as U+FFFD (it is refused when screened)."""
    shown = path.as_posix()
    for candidate, base in (
        (Path(os.path.normpath(path.absolute())), root.absolute()),
        (path.parent.resolve() / path.name, root.resolve()),
    ):
        if candidate.is_relative_to(base):
            shown = candidate.relative_to(base).as_posix()
            break
    return os.fsencode(shown).decode("utf-8", "replace")


def _utf8_name(target: Target) -> None:
    try:
        str(target.path).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            target.display,
            "the file name is not UTF-8 (a name from another system's encoding); rename it "
            "with a UTF-8 name (git mv), as the portal's URLs are built from it",
        ) from None


def _walk(directory: Path, root: Path) -> list[Target]:
    """Every file under `directory`. MkDocs follows symlinked directories, so this does too (a
    link back to a directory being walked is not followed again)."""
    targets = []
    chains: dict[Path, frozenset[Path]] = {}  # real paths of each directory's ancestors
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=True):
        chain = chains.pop(Path(dirpath), frozenset()) | {Path(dirpath).resolve()}
        dirnames[:] = sorted(d for d in dirnames if Path(dirpath, d).resolve() not in chain)
        chains.update(dict.fromkeys((Path(dirpath, d) for d in dirnames), chain))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            targets.append(Target(path=path, display=_display(path, root)))
    return targets


def published(root: Path) -> list[Target]:
    """Everything that would be published: the docs directory and the MkDocs configuration."""
    content = docs_dir(root)
    if not content.is_dir():
        raise UsageError(
            f"no {content.name}/ directory under {root}: run baomi in the portal's root, "
            "or name the files to screen"
        )
    targets = _walk(content, root)
    overrides = theme_dir(root)
    if overrides is not None:
        if not overrides.is_dir():
            raise UsageError(f"theme.custom_dir {overrides.name}/ in {CONFIG_NAME} does not exist")
        targets += [replace(t, config=False, theme=True) for t in _walk(overrides, root)]
    if (root / CONFIG_NAME).is_file():
        targets.append(Target(path=root / CONFIG_NAME, display=CONFIG_NAME, config=True))
    return targets


def resolve(paths: list[str], root: Path) -> list[Target]:
    """Targets for the command line's paths (default: everything published)."""
    if not paths:
        return published(root)
    targets: list[Target] = []
    for raw in paths:
        if raw == STDIN:
            targets.append(Target(path=Path(STDIN), display="<stdin>"))
            continue
        path = Path(raw)
        if path.is_dir():
            targets.extend(_walk(path, root))
        elif path.exists() or path.is_symlink():
            display = _display(path, root)
            targets.append(Target(path=path, display=display, config=path.name == CONFIG_NAME))
        else:
            raise UsageError(f"{raw}: no such file or directory")
    return targets


def _read(target: Target, stdin: bytes | None) -> bytes:
    if target.data is not None:
        return target.data
    if str(target.path) == STDIN:
        return stdin or b""
    try:
        with target.path.open("rb") as handle:
            # never more than the limit in memory: a 10 GB file is refused after reading 32 MB
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputError(
            target.display,
            f"cannot read ({error.strerror}); check the path and its permissions",
        ) from None
    if len(data) > MAX_BYTES:
        size = target.path.stat().st_size if target.path.is_file() else len(data)
        raise InputError(
            target.display,
            f"file is {size / 1048576:.1f} MB, above the {MAX_BYTES // 1048576} MB limit; "
            "split it, or publish large files from outside the portal",
        )
    return data


def _document(target: Target, stdin: bytes | None) -> Document:
    if str(target.path) != STDIN:
        _utf8_name(target)
        return read_document(target.display, _read(target, stdin), config=target.config)
    # Read by its format, not as plain text: `&#x9752;松计划` or a percent-encoded link target on
    # stdin must block exactly as it does in a file.
    try:
        document = read_document(_STDIN_AS, stdin or b"")
    except InputError as error:
        raise InputError(target.display, error.reason) from None
    return replace(document, path=target.display)


def screen_targets(
    engine: Engine, targets: list[Target], key: bytes, stdin: bytes | None = None
) -> tuple[list[Finding], list[FileError]]:
    findings: list[Finding] = []
    errors: list[FileError] = []
    for target in targets:
        try:
            findings.extend(engine.screen(_document(target, stdin), key))
        except InputError as error:
            errors.append(FileError(path=error.path or target.display, message=error.reason))
    return findings, errors


_WORKER: dict[str, object] = {}  # the engine a forked worker inherited from its parent


def _work(targets: list[Target], key: bytes) -> tuple[list[Finding], list[FileError]]:
    engine = _WORKER["engine"]
    assert isinstance(engine, Engine)
    return screen_targets(engine, targets, key)


def _size(target: Target) -> int:
    if target.data is not None:
        return len(target.data)
    return target.path.stat().st_size if str(target.path) != STDIN and target.path.is_file() else 0


def _batches(targets: list[Target], count: int) -> list[list[Target]]:
    """Split targets into `count` batches of similar total size (largest first)."""
    batches: list[list[Target]] = [[] for _ in range(count)]
    loads = [0] * count
    for size, target in sorted(((_size(t), t) for t in targets), key=lambda pair: pair[0], reverse=True):
        index = loads.index(min(loads))
        batches[index].append(target)
        loads[index] += size
    return [b for b in batches if b]


def _total_size(targets: list[Target]) -> int:
    return sum(_size(t) for t in targets)


def is_published(display: str, root: Path) -> bool:
    """Whether a root-relative path is something the portal publishes."""
    if display == CONFIG_NAME:
        return True
    folders = [docs_dir(root)] + [d for d in (theme_dir(root),) if d is not None]
    path = (root / display).absolute()
    return any(path.is_relative_to(folder.absolute()) for folder in folders)


def check(paths: list[str], settings: Settings, stdin: bytes | None = None) -> CheckResult:
    """Screen `paths` (default: everything published) with the rules in `settings`."""
    targets = resolve(paths, settings.root)
    if not targets:
        raise UsageError("no files to screen: the paths given hold no files")
    return check_targets(targets, settings, stdin)


def _remembered(
    cache: FindingsCache, targets: list[Target]
) -> tuple[list[Finding], list[Target], dict[str, str]]:
    """Findings the cache holds for `targets`; the targets still to screen; their cache keys."""
    keys: dict[str, str] = {}
    for target in targets:
        if str(target.path) == STDIN:
            continue
        try:
            keys[target.display] = cache.key(target.display, target.config, _read(target, None))
        except InputError:
            continue  # screened below, where the error is reported
    found = cache.get(list(keys.values()))
    hits = [f for t in targets if keys.get(t.display) in found for f in found[keys[t.display]]]
    pending = [t for t in targets if keys.get(t.display) not in found]
    return hits, pending, keys


def check_targets(targets: list[Target], settings: Settings, stdin: bytes | None = None) -> CheckResult:
    """Screen `targets` (files, or bytes such as the git index's) with the rules in `settings`;
    with a cache directory, files screened before with the same bytes and rules are not read
    again by the detectors."""
    engine = load_engine(settings.rules_dir, settings.cache_dir)
    findings, errors = screen_remembered(engine, targets, settings, stdin)
    return CheckResult(
        findings=tuple(findings),
        errors=tuple(errors),
        files_scanned=len(targets),
        rules_fingerprint=engine.fingerprint,
        rules=engine.ruleset.rules,
    )


def screen_remembered(
    engine: Engine, targets: list[Target], settings: Settings, stdin: bytes | None = None
) -> tuple[list[Finding], list[FileError]]:
    """Findings and errors of `targets` (whose `display` names must differ), in target order,
    from the findings cache where it has them and screened on all cores otherwise."""
    cache = (
        FindingsCache(settings.cache_dir, engine, settings.fingerprint_key) if settings.cache_dir else None
    )
    try:
        hits, pending, keys = _remembered(cache, targets) if cache else ([], targets, {})
        findings, errors = _screen_all(engine, pending, settings, stdin)
        if cache:
            failed = {e.path for e in errors}
            cache.put(
                {
                    keys[t.display]: tuple(f for f in findings if f.path == t.display)
                    for t in pending
                    if t.display in keys and t.display not in failed
                }
            )
    finally:
        if cache:
            cache.close()
    findings += hits
    order = {t.display: i for i, t in enumerate(targets)}
    findings.sort(key=lambda f: (order.get(f.path, 0), f.line, f.column, f.rule))
    errors.sort(key=lambda e: order.get(e.path, 0))
    return findings, errors


def _screen_all(
    engine: Engine, targets: list[Target], settings: Settings, stdin: bytes | None
) -> tuple[list[Finding], list[FileError]]:
    """Screen `targets`, on several cores when there is enough to share."""
    jobs = min(settings.jobs, len(targets))
    no_stdin = all(str(t.path) != STDIN for t in targets)
    if jobs > 1 and no_stdin and _total_size(targets) >= _PARALLEL_BYTES:
        _WORKER["engine"] = engine
        context = get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            parts = list(
                pool.map(
                    _work,
                    _batches(targets, jobs * 4),
                    [settings.fingerprint_key] * (jobs * 4),
                )
            )
        _WORKER.clear()
        return [f for part in parts for f in part[0]], [e for part in parts for e in part[1]]
    return screen_targets(engine, targets, settings.fingerprint_key, stdin)


def recognize(lines: list[str], rules_dir: Path, cache_dir: Path | None) -> list[tuple[Entity, ...]]:
    """The PERSON, PLACE and ORG entities of each line (offsets into that line), recognized with
    the entity patterns of `rules_dir` (what `baomi entities` prints)."""
    from screen.detectors.recognizer import Recognizer

    engine = load_engine(rules_dir, cache_dir)
    if not engine.ruleset.recognizer:
        raise UsageError(f"{rules_dir}: no entity patterns ('recognizer:' in rules/patterns/*.yml)")
    recognizer = Recognizer(engine.ruleset.recognizer)
    return [recognizer.entities(fold(line)) for line in lines]
