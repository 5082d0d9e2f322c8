"""Rules as data: load `rules/terms/*.yml` and `rules/patterns/*.yml`, validate everything up
front (every problem with file and line), and fingerprint the effective rules. The fields every
rule has are read here; each kind's own fields by its module in `screen/detectors/`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from screen.detectors import entities, kind_of
from screen.errors import InputError, RuleError
from screen.model import EntityPattern, Rule
from screen.rulefields import RULE_ID, Problems, located, read_level, read_strings
from screen.source.reading import read_file

RULE_DIRS = ("terms", "patterns")
SHARED_FIELDS = frozenset({"id", "level", "message", "basis", "hits", "misses", "enabled"})


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


def is_rule_file(name: str) -> bool:
    """Whether `name` (relative to the rules directory) is read as rules: YAML directly under
    one of `RULE_DIRS`, or a terms file one folder down."""
    path = PurePosixPath(name)
    if len(path.parts) != 2:
        return False
    return (path.parts[0] in RULE_DIRS and path.match("*.y*ml")) or path.suffix == ".txt"


def rule_source(root: Path, files: Mapping[str, bytes]) -> RuleSource:
    """The rules among `files` (relative path → bytes), such as a git tree's rules directory."""
    return RuleSource(root=root, files=tuple(sorted((n, d) for n, d in files.items() if is_rule_file(n))))


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
            files[name] = read_file(path, f"rules/{name}")
        except InputError as error:
            unreadable.append(f"rules/{name}:1: {error.reason}")
    if unreadable:
        raise RuleError(tuple(unreadable))
    return RuleSource(root=root, files=tuple(sorted(files.items())))


def _rule(name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems) -> Rule | None:
    kind = kind_of(raw)
    known = SHARED_FIELDS | kind.FIELDS
    for key in sorted(k for k in raw if not k.startswith("__") and k not in known):
        problems.add(located(name, raw, key), f"unknown field '{key}' in a {kind.KIND} rule")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
        problems.add(
            located(name, raw, "id"),
            f"'id' must look like 'family.name' (got {rule_id!r})",
        )
        return None
    message = raw.get("message")
    if not isinstance(message, str) or not message.strip():
        problems.add(located(name, raw), f"{rule_id}: 'message' is required")
    level = read_level(raw, "level", located(name, raw, "level"), problems)
    hits = read_strings(raw, "hits", located(name, raw, "hits"), problems)
    misses = read_strings(raw, "misses", located(name, raw, "misses"), problems)
    if not hits or not misses:
        problems.add(
            located(name, raw),
            f"{rule_id}: every rule needs 'hits' and 'misses' examples",
        )
    extra = kind.read_fields(name, raw, files, problems)
    if level is None or not isinstance(message, str):
        return None
    return Rule(
        id=rule_id,
        kind=kind.KIND,
        level=level,
        message=message.strip(),
        basis=str(raw.get("basis", "")),
        origin=located(name, raw),
        hits=hits,
        misses=misses,
        enabled=raw.get("enabled", True) is not False,
        **extra,
    )


def _documents(name: str, data: bytes, problems: Problems) -> list[dict[str, Any]]:
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
    problems = Problems()
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
            (replace(r, patterns=shared) if r.kind == entities.KIND else r for r in rules),
            key=lambda r: r.id,
        )
    )
    return Ruleset(rules=ordered, fingerprint=fingerprint(ordered), recognizer=shared)


def _recognizer(name: str, raw: dict[str, Any], problems: Problems) -> tuple[EntityPattern, ...]:
    """A `recognizer:` document: entity patterns shared by every entity rule."""
    for key in sorted(k for k in raw if not k.startswith("__") and k != "recognizer"):
        problems.add(located(name, raw, key), f"unknown field '{key}' next to 'recognizer'")
    return entities.entity_patterns(name, raw["recognizer"], located(name, raw, "recognizer"), problems)


def _shared_patterns(
    recognizer: list[EntityPattern], rules: list[Rule], problems: Problems
) -> tuple[EntityPattern, ...]:
    """The recognizer's patterns and those entity rules bring along, each id once."""
    shared: dict[str, EntityPattern] = {}
    for pattern in recognizer + [p for r in rules if r.kind == entities.KIND for p in r.patterns]:
        if pattern.id in shared:
            problems.add(
                pattern.origin, f"duplicate pattern id '{pattern.id}' (first in {shared[pattern.id].origin})"
            )
        shared[pattern.id] = pattern
    if any(r.kind == entities.KIND and r.enabled for r in rules) and not shared:
        problems.add("rules/patterns", "entity rules need entity patterns ('recognizer:' in rules/patterns/)")
    return tuple(shared[k] for k in sorted(shared))


def fingerprint(rules: tuple[Rule, ...]) -> str:
    """sha256 of the effective rules (what they match and how), not of their file layout."""
    payload = [_effective(r) for r in rules]
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


_LATER_FIELDS = ("gaps", "characters", "refuse")


def _effective(rule: Rule) -> dict[str, Any]:
    fields = {k: v for k, v in asdict(rule).items() if k not in ("origin", "hits", "misses")}
    # Term and allow lists are sets to the matcher: sorting a list or repeating a term in it
    # matches nothing differently, so it must not read as a rule change.
    fields["terms"], fields["allow"] = sorted(set(rule.terms)), sorted(set(rule.allow))
    for later in _LATER_FIELDS:  # added later: rules that do not use them keep their fingerprint
        if not fields[later]:
            del fields[later]
    return fields
