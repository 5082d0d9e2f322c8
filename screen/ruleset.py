"""Rules as data: load `rules/terms/*.yml` and `rules/patterns/*.yml`, validate everything up
front (every problem with file and line), and fingerprint the effective rules."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from screen.errors import RuleError
from screen.model import ENTITY_LABELS, Context, EntityPattern, Level, Rule

RULE_DIRS = ("terms", "patterns")
_ID = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)+")
_SHARED = {"id", "level", "message", "basis", "hits", "misses", "enabled"}
_FIELDS = {
    "term": _SHARED | {"terms", "terms_file", "allow"},
    "pattern": _SHARED | {"regex", "validate", "plausible_level", "context"},
    "entity": _SHARED | {"patterns", "context", "entity"},
}
VALIDATOR_NAMES = ("gb11643", "luhn", "gb32100", "cn_person")
_SIDES = ("before", "after", "both")
_CUE_FIELDS = {"words", "regex", "validate", "window", "level", "side", "name"}


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSource:
    """The raw inputs of a ruleset: every rule file and terms file with its bytes."""

    root: Path
    files: tuple[tuple[str, bytes], ...]  # (path relative to root, content), sorted

    @property
    def digest(self) -> str:
        """Hash of the raw bytes: the cache key (the fingerprint is of the effective rules)."""
        digest = hashlib.sha256()
        for name, data in self.files:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Ruleset:
    rules: tuple[Rule, ...]
    fingerprint: str  # "sha256:…" of the effective rules
    recognizer: tuple[EntityPattern, ...] = ()  # every entity pattern, for `baomi entities`

    def by_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind and r.enabled)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        problem = _key_problem(key, lines)
        if problem:
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        lines[key] = key_node.start_mark.line + 1
    mapping["__lines__"] = lines
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _key_problem(key: object, lines: dict[str, int]) -> str | None:
    """Why `key` cannot be a field name here: plain YAML would crash on a list key, read `2718:`
    as a number, and silently keep only the last of two `terms:` (dropping the first list)."""
    if not isinstance(key, str) or key.startswith("__"):
        return f"{key!r} is not a field name such as 'terms' (quote it if it is meant as text)"
    if key in lines:
        return f"duplicate field '{key}' (first on line {lines[key]}); only one would be kept"
    return None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_sources(root: Path) -> RuleSource:
    """Read every rule file and the terms files they name (I/O edge of this module)."""
    if not root.is_dir():
        raise RuleError((f"{root}: rules directory not found; pass --rules DIR or create rules/",))
    paths = [path for sub in RULE_DIRS for path in sorted((root / sub).glob("*.y*ml"))]
    paths += sorted(root.glob("*/*.txt"))
    files: dict[str, bytes] = {}
    unreadable: list[str] = []
    for path in paths:
        name = path.relative_to(root).as_posix()
        try:
            files[name] = path.read_bytes()
        except OSError as error:
            unreadable.append(f"rules/{name}:1: cannot read ({error.strerror}); check its permissions")
    if unreadable:
        raise RuleError(tuple(unreadable))
    return RuleSource(root=root, files=tuple(sorted(files.items())))


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _where(name: str, raw: dict[str, Any], key: str | None = None) -> str:
    line = raw.get("__lines__", {}).get(key) if key else None
    return f"rules/{name}:{line or raw.get('__line__', 1)}"


def _strings(raw: dict[str, Any], key: str, where: str, problems: _Problems) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, f"'{key}' must be a list of strings (quote numbers such as '4111…')")
        return ()
    return tuple(value)


def _level(raw: dict[str, Any], key: str, where: str, problems: _Problems) -> Level | None:
    value = raw.get(key)
    try:
        return Level(str(value))
    except ValueError:
        problems.add(where, f"'{key}' must be one of block, review, info (got {value!r})")
        return None


def _kind(raw: dict[str, Any]) -> str:
    if "terms" in raw or "terms_file" in raw:
        return "term"
    if "patterns" in raw or "entity" in raw:
        return "entity"
    return "pattern"


def _terms(name: str, raw: dict[str, Any], files: dict[str, bytes], problems: _Problems) -> tuple[str, ...]:
    terms = _strings(raw, "terms", _where(name, raw, "terms"), problems)
    terms_file = raw.get("terms_file")
    if terms_file is not None:
        where = _where(name, raw, "terms_file")
        key = (Path(name).parent / str(terms_file)).as_posix()
        if key not in files:
            problems.add(where, f"terms_file '{terms_file}' not found next to the rule file")
        else:
            try:
                lines = files[key].decode("utf-8-sig").splitlines()
            except UnicodeDecodeError:
                problems.add(where, f"terms_file '{terms_file}' is not UTF-8")
                lines = []
            terms += tuple(t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#"))
    if not terms:
        problems.add(
            _where(name, raw),
            "a term rule needs 'terms' or 'terms_file' with at least one term",
        )
    return terms


def _context(name: str, raw: dict[str, Any], problems: _Problems, kind: str) -> tuple[Context, ...]:
    value = raw.get("context", [])
    entries = value if isinstance(value, list) else [value]
    contexts = []
    where = _where(name, raw, "context")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("window"), int):
            problems.add(where, "each context entry needs 'words' (list), 'window' (int) and 'level'")
            continue
        level = _level(entry, "level", where, problems)
        if kind == "entity":
            contexts.append(_cue(entry, _where(name, entry), problems, level))
            continue
        words = _strings(entry, "words", where, problems)
        if level and words:
            contexts.append(Context(words=words, window=entry["window"], level=level))
    return tuple(contexts)


def _cue(entry: dict[str, Any], where: str, problems: _Problems, level: Level | None) -> Context:
    """A context entry of an entity rule: words, or a regex (optionally validated) with a name."""
    for key in sorted(k for k in entry if not k.startswith("__") and k not in _CUE_FIELDS):
        problems.add(where, f"unknown context field '{key}'; one of {', '.join(sorted(_CUE_FIELDS))}")
    words = _strings(entry, "words", where, problems)
    regex, validate = entry.get("regex", ""), entry.get("validate", "")
    if bool(words) == bool(regex):
        problems.add(where, "a context entry of an entity rule needs either 'words' or 'regex'")
    if regex:
        try:
            re.compile(str(regex))
        except re.error as error:
            problems.add(where, f"invalid context regex: {error}")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            # The matched cue may be an ID number: reports name it, never print it.
            problems.add(where, "a regex context entry needs a 'name' to show in reports")
    if validate and validate not in VALIDATOR_NAMES:
        problems.add(where, f"unknown validator {validate!r}; one of {', '.join(VALIDATOR_NAMES)}")
    side = entry.get("side", "both")
    if side not in _SIDES:
        problems.add(where, f"'side' must be one of {', '.join(_SIDES)} (got {side!r})")
    return Context(
        words=words,
        window=max(0, entry["window"]),
        level=level or Level.REVIEW,
        regex=str(regex),
        validate=str(validate),
        side=str(side),
        name=str(entry.get("name", "")).strip(),
    )


def _entity_fields(name: str, raw: dict[str, Any], problems: _Problems) -> dict[str, Any]:
    """An entity rule: which label it reports, and the cues that must stand near it."""
    label = raw.get("entity")
    if label not in ENTITY_LABELS:
        problems.add(
            _where(name, raw, "entity" if "entity" in raw else None),
            f"'entity' must be one of {', '.join(ENTITY_LABELS)} (got {label!r})",
        )
    context = _context(name, raw, problems, "entity")
    if not context:
        # A name alone is not a finding: only the combinations that leak are.
        problems.add(_where(name, raw), "an entity rule needs at least one 'context' entry")
    own = _patterns(name, raw.get("patterns", []), _where(name, raw, "patterns"), problems)
    return {"entity": str(label), "context": context, "patterns": own}


def _patterns(name: str, value: object, where: str, problems: _Problems) -> tuple[EntityPattern, ...]:
    """Recognizer patterns in EntityRuler form: {id, label, pattern: [token dicts], weight}."""
    if not isinstance(value, list):
        problems.add(where, "'patterns' must be a list of {id, label, pattern, weight}")
        return ()
    found = []
    for entry in value:
        spot = _where(name, entry, None) if isinstance(entry, dict) else where
        tokens = entry.get("pattern") if isinstance(entry, dict) else None
        if (
            not isinstance(tokens, list)
            or not tokens
            or not all(isinstance(t, dict) and _plain(t) for t in tokens)
        ):
            problems.add(spot, "a pattern needs 'pattern': a non-empty list of token mappings")
            continue
        pattern_id, label, weight = entry.get("id"), entry.get("label"), entry.get("weight", 1.0)
        if not isinstance(pattern_id, str) or not _ID.fullmatch(pattern_id):
            problems.add(spot, f"a pattern needs an 'id' like 'person.title_before' (got {pattern_id!r})")
        elif label not in ENTITY_LABELS:
            problems.add(spot, f"{pattern_id}: 'label' must be one of {', '.join(ENTITY_LABELS)}")
        elif isinstance(weight, bool) or not isinstance(weight, int | float):
            problems.add(spot, f"{pattern_id}: 'weight' must be a number")
        else:
            text = json.dumps([_clean(t) for t in tokens], ensure_ascii=False, sort_keys=True)
            found.append(EntityPattern(id=pattern_id, label=label, pattern=text, weight=weight, origin=spot))
    return tuple(found)


def _plain(token: dict[str, Any]) -> bool:
    return any(not k.startswith("__") for k in token)


def _clean(value: Any) -> Any:
    """A token pattern without the loader's line bookkeeping."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _pattern_fields(name: str, raw: dict[str, Any], problems: _Problems) -> dict[str, Any]:
    fields: dict[str, Any] = {"context": _context(name, raw, problems, "pattern")}
    regex = raw.get("regex")
    if not isinstance(regex, str) or not regex:
        problems.add(_where(name, raw), "a pattern rule needs a 'regex'")
    else:
        try:
            re.compile(regex)
            fields["regex"] = regex
        except re.error as error:
            problems.add(_where(name, raw, "regex"), f"invalid regex: {error}")
    validate = raw.get("validate", "")
    if validate and validate not in VALIDATOR_NAMES:
        problems.add(
            _where(name, raw, "validate"),
            f"unknown validator {validate!r}; one of {', '.join(VALIDATOR_NAMES)}",
        )
    fields["validate"] = validate or ""
    if "plausible_level" in raw:
        fields["plausible_level"] = _level(
            raw, "plausible_level", _where(name, raw, "plausible_level"), problems
        )
    return fields


def _rule(name: str, raw: dict[str, Any], files: dict[str, bytes], problems: _Problems) -> Rule | None:
    kind = _kind(raw)
    unknown = sorted(k for k in raw if not k.startswith("__") and k not in _FIELDS[kind])
    for key in unknown:
        problems.add(_where(name, raw, key), f"unknown field '{key}' in a {kind} rule")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        problems.add(
            _where(name, raw, "id"),
            f"'id' must look like 'family.name' (got {rule_id!r})",
        )
        return None
    message = raw.get("message")
    if not isinstance(message, str) or not message.strip():
        problems.add(_where(name, raw), f"{rule_id}: 'message' is required")
    level = _level(raw, "level", _where(name, raw, "level"), problems)
    hits = _strings(raw, "hits", _where(name, raw, "hits"), problems)
    misses = _strings(raw, "misses", _where(name, raw, "misses"), problems)
    if not hits or not misses:
        problems.add(
            _where(name, raw),
            f"{rule_id}: every rule needs 'hits' and 'misses' examples",
        )
    extra: dict[str, Any] = {}
    if kind == "term":
        extra["terms"] = _terms(name, raw, files, problems)
        extra["allow"] = _strings(raw, "allow", _where(name, raw, "allow"), problems)
    elif kind == "entity":
        extra = _entity_fields(name, raw, problems)
    else:
        extra = _pattern_fields(name, raw, problems)
    if level is None or not isinstance(message, str):
        return None
    return Rule(
        id=rule_id,
        kind=kind,
        level=level,
        message=message.strip(),
        basis=str(raw.get("basis", "")),
        origin=_where(name, raw),
        hits=hits,
        misses=misses,
        enabled=raw.get("enabled", True) is not False,
        **extra,
    )


def _documents(name: str, data: bytes, problems: _Problems) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
        loaded = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.add(f"rules/{name}:{line}", f"cannot parse: {getattr(error, 'problem', error)}")
        return []
    if isinstance(loaded, dict) and "id" not in loaded and "rules" in loaded and "recognizer" not in loaded:
        loaded = loaded["rules"]
    items = loaded if isinstance(loaded, list) else [loaded]
    if not all(isinstance(item, dict) for item in items):
        problems.add(
            f"rules/{name}:1",
            "a rule file holds one rule (a mapping) or 'rules:' with a list of them",
        )
        return []
    return items


def parse(source: RuleSource) -> Ruleset:
    """Validate and build the ruleset; raise `RuleError` listing every problem found."""
    problems = _Problems()
    files = dict(source.files)
    rules: list[Rule] = []
    recognizer: list[EntityPattern] = []
    seen: dict[str, str] = {}
    for name, data in source.files:
        if not name.endswith((".yml", ".yaml")):
            continue
        for raw in _documents(name, data, problems):
            if "recognizer" in raw and "id" not in raw:
                recognizer += _recognizer(name, raw, problems)
                continue
            rule = _rule(name, raw, files, problems)
            if rule is None:
                continue
            if rule.id in seen:
                problems.add(
                    rule.origin,
                    f"duplicate rule id '{rule.id}' (first in {seen[rule.id]})",
                )
                continue
            seen[rule.id] = rule.origin
            rules.append(rule)
    if not rules and not problems.items:
        problems.add(f"{source.root}", "no rules found under terms/ or patterns/")
    shared = _shared_patterns(recognizer, rules, problems)
    if problems.items:
        raise RuleError(tuple(problems.items))
    # Every entity rule carries the whole recognizer: one analysis per document serves them all,
    # and a changed pattern changes the fingerprint of every rule it can affect.
    ordered = tuple(
        sorted(
            (replace(r, patterns=shared) if r.kind == "entity" else r for r in rules),
            key=lambda r: r.id,
        )
    )
    return Ruleset(rules=ordered, fingerprint=fingerprint(ordered), recognizer=shared)


def _recognizer(name: str, raw: dict[str, Any], problems: _Problems) -> tuple[EntityPattern, ...]:
    """A `recognizer:` document: entity patterns shared by every entity rule."""
    for key in sorted(k for k in raw if not k.startswith("__") and k != "recognizer"):
        problems.add(_where(name, raw, key), f"unknown field '{key}' next to 'recognizer'")
    return _patterns(name, raw["recognizer"], _where(name, raw, "recognizer"), problems)


def _shared_patterns(
    recognizer: list[EntityPattern], rules: list[Rule], problems: _Problems
) -> tuple[EntityPattern, ...]:
    """The recognizer's patterns and those entity rules bring along, each id once."""
    shared: dict[str, EntityPattern] = {}
    for pattern in recognizer + [p for r in rules if r.kind == "entity" for p in r.patterns]:
        if pattern.id in shared:
            problems.add(
                pattern.origin, f"duplicate pattern id '{pattern.id}' (first in {shared[pattern.id].origin})"
            )
        shared[pattern.id] = pattern
    if any(r.kind == "entity" and r.enabled for r in rules) and not shared:
        problems.add("rules/patterns", "entity rules need entity patterns ('recognizer:' in rules/patterns/)")
    return tuple(shared[k] for k in sorted(shared))


def fingerprint(rules: tuple[Rule, ...]) -> str:
    """sha256 of the effective rules (what they match and how), not of their file layout."""
    payload = [_effective(r) for r in rules]
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def _effective(rule: Rule) -> dict[str, Any]:
    fields = {k: v for k, v in asdict(rule).items() if k not in ("origin", "hits", "misses")}
    # Term and allow lists are sets to the matcher: sorting a list or repeating a term in it
    # matches nothing differently, so it must not read as a rule change.
    fields["terms"], fields["allow"] = sorted(set(rule.terms)), sorted(set(rule.allow))
    return fields
