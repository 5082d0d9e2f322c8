"""Rules as data: the packs that ship with Baomi (`screen/packs/`, package data) and a portal's
own `rules/terms/*.yml` and `rules/patterns/*.yml`, with `rules/overrides.yml` switching a packaged
rule off or changing its level. Everything is validated up front (every problem with file and
line) and the effective rules are fingerprinted. The fields every rule has are read here; each
kind's own fields by its module in `screen/detectors/`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from functools import cache
from importlib.resources import files as package_files
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from screen.detectors import entities, kind_of, roster
from screen.errors import InputError, RuleError
from screen.i18n import _
from screen.model import EntityPattern, Person, Rule
from screen.overrides import OVERRIDES_FILE, Override, apply, read_overrides
from screen.rulefields import PACKAGED, RULE_ID, Problems, at, located, read_level, read_strings
from screen.source.reading import read_file

RULE_DIRS = ("terms", "patterns")
SHARED_FIELDS = frozenset({"id", "level", "message", "basis", "hits", "misses", "enabled"})
Files = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSource:
    """The raw inputs of a ruleset: the packaged rule files and the portal's, each with its bytes."""

    root: Path
    files: Files  # (path relative to root, content), sorted
    packs: Files = ()  # ("baomi:patterns/marking.yml", content): the rules that ship with Baomi
    # The rules in force (last cleared versions): there a portal's rule of a packaged rule's id,
    # cleared before the rules shipped with Baomi, stands in for it instead of being an error.
    in_force: bool = False

    @property
    def digest(self) -> str:
        """Hash of the raw bytes: the cache key (the fingerprint is of the effective rules)."""
        digest = hashlib.sha256(b"in-force" if self.in_force else b"")
        for name, data in self.packs + self.files:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Ruleset:
    rules: tuple[Rule, ...]
    fingerprint: str  # "sha256:…" of the effective rules
    recognizer: tuple[EntityPattern, ...] = ()  # every entity pattern, for `baomi entities`
    overrides: tuple[Override, ...] = ()  # what rules/overrides.yml changes of the packaged rules

    def by_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind and r.enabled)

    def packaged(self, rule: Rule) -> bool:
        return rule.origin.startswith(PACKAGED)


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
        return _("{key} is not a field name such as 'terms' (quote it if it is meant as text)").format(
            key=repr(key)
        )
    if key in lines:
        return _("duplicate field '{key}' (first on line {line}); only one would be kept").format(
            key=key, line=lines[key]
        )
    return None


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> object:
    """A date as YAML reads it, or its text when it is no real day (2018-13-01): the field that
    wanted a date then says so with its line, instead of the loader failing without one."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def is_rule_file(name: str) -> bool:
    """Whether `name` (relative to the rules directory) is read as rules: YAML directly under
    one of `RULE_DIRS`, a terms file one folder down, or `overrides.yml`."""
    path = PurePosixPath(name)
    if name in (OVERRIDES_FILE, roster.PEOPLE_FILE):
        return True
    if len(path.parts) != 2:
        return False
    return (path.parts[0] in RULE_DIRS and path.match("*.y*ml")) or path.suffix == ".txt"


@cache
def packaged_files() -> Files:
    """The rule files that ship with Baomi (package data under `screen/packs/`), read once."""
    root = package_files("screen").joinpath("packs")
    found: list[tuple[str, bytes]] = []
    for sub in RULE_DIRS:
        folder = root.joinpath(sub)
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.is_file() and is_rule_file(f"{sub}/{entry.name}"):
                found.append((f"{PACKAGED}{sub}/{entry.name}", entry.read_bytes()))
    if not found:  # a broken install must not screen with nothing
        raise RuleError((_("{root}: the packaged rules are missing; reinstall baomi").format(root=root),))
    return tuple(sorted(found))


def rule_source(root: Path, files: Mapping[str, bytes], *, in_force: bool = False) -> RuleSource:
    """The rules among `files` (relative path → bytes), such as a git tree's rules directory,
    with the packaged rules."""
    return RuleSource(
        root=root,
        files=tuple(sorted((n, d) for n, d in files.items() if is_rule_file(n))),
        packs=packaged_files(),
        in_force=in_force,
    )


def read_sources(root: Path) -> RuleSource:
    """Read the packaged rules and every rule file of the portal's rules directory `root` (none
    when it does not exist: outside a portal the packaged rules screen alone). The I/O edge."""
    paths = [path for sub in RULE_DIRS for path in sorted((root / sub).glob("*.y*ml"))]
    paths += sorted(root.glob("*/*.txt"))
    paths += [root / name for name in (OVERRIDES_FILE, roster.PEOPLE_FILE) if (root / name).exists()]
    files: dict[str, bytes] = {}
    unreadable: list[str] = []
    for path in paths:
        name = path.relative_to(root).as_posix()
        try:
            files[name] = read_file(path, f"rules/{name}")
        except InputError as error:
            unreadable.append(_("{where}: {message}").format(where=f"rules/{name}:1", message=error.reason))
    if unreadable:
        raise RuleError(tuple(unreadable))
    return RuleSource(root=root, files=tuple(sorted(files.items())), packs=packaged_files())


def _rule(name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems) -> Rule | None:
    kind = kind_of(raw)
    known = SHARED_FIELDS | kind.FIELDS
    for key in sorted(k for k in raw if not k.startswith("__") and k not in known):
        problems.add(
            located(name, raw, key),
            _("unknown field '{key}' in {kind}").format(key=key, kind=_(kind.NAME)),
        )
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
        problems.add(
            located(name, raw, "id"),
            _("'id' must look like 'family.name' (got {got})").format(got=repr(rule_id)),
        )
        return None
    message = raw.get("message")
    if not isinstance(message, str) or not message.strip():
        problems.add(located(name, raw), _("{rule}: 'message' is required").format(rule=rule_id))
    level = read_level(raw, "level", located(name, raw, "level"), problems)
    hits = read_strings(raw, "hits", located(name, raw, "hits"), problems)
    misses = read_strings(raw, "misses", located(name, raw, "misses"), problems)
    if not hits or not misses:
        problems.add(
            located(name, raw),
            _("{rule}: every rule needs 'hits' and 'misses' examples").format(rule=rule_id),
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
        problems.add(
            at(name, line), _("cannot parse: {problem}").format(problem=getattr(error, "problem", error))
        )
        return []
    if loaded is None:  # empty, or comments only: no rules (how a retired rule file is cleared)
        return []
    if isinstance(loaded, dict) and "id" not in loaded and "rules" in loaded and "recognizer" not in loaded:
        loaded = loaded["rules"]
    items = loaded if isinstance(loaded, list) else [loaded]
    if not all(isinstance(item, dict) for item in items):
        problems.add(
            at(name, 1),
            _("a rule file holds one rule (a mapping) or 'rules:' with a list of them"),
        )
        return []
    return items


@dataclass(slots=True)
class _Read:
    """The rules and entity patterns of one set of files (packaged, or the portal's)."""

    rules: dict[str, Rule]
    patterns: list[EntityPattern]


def _read(files: Files, problems: Problems) -> _Read:
    contents = dict(files)
    found = _Read(rules={}, patterns=[])
    for name, data in files:
        if not name.endswith((".yml", ".yaml")) or name in (OVERRIDES_FILE, roster.PEOPLE_FILE):
            continue
        for raw in _documents(name, data, problems):
            if "recognizer" in raw and "id" not in raw:
                found.patterns += _recognizer(name, raw, problems)
                continue
            rule = _rule(name, raw, contents, problems)
            if rule is None:
                continue
            if rule.id in found.rules:
                first = found.rules[rule.id].origin
                problems.add(
                    rule.origin,
                    _("duplicate rule id '{rule}' (first in {first})").format(rule=rule.id, first=first),
                )
                continue
            found.rules[rule.id] = rule
            found.patterns += rule.patterns
    return found


def _overrides(
    source: RuleSource, packaged: dict[str, Rule], local: set[str], problems: Problems
) -> tuple[Override, ...]:
    data = dict(source.files).get(OVERRIDES_FILE)
    if data is None:
        return ()
    documents = _documents(OVERRIDES_FILE, data, problems)
    if not documents:
        return ()
    if len(documents) != 1:
        problems.add(
            at(OVERRIDES_FILE, 1), _("overrides.yml holds one mapping with 'disable:' and 'levels:'")
        )
        return ()
    return read_overrides(OVERRIDES_FILE, documents[0], packaged, local, problems)


def _merge(packs: _Read, local: _Read, in_force: bool, problems: Problems) -> None:
    """Drop what a portal's rule file redefines: in the rules in force the portal's (older,
    cleared) rule stands in for the packaged one; anywhere else it is a mistake to name."""
    for rule_id in sorted(set(local.rules) & set(packs.rules)):
        if in_force:
            del packs.rules[rule_id]
            continue
        problems.add(
            local.rules[rule_id].origin,
            _(
                "rule id '{rule}' is a packaged rule ({origin}): give yours another "
                "id, or switch the packaged one off in rules/overrides.yml"
            ).format(rule=rule_id, origin=packs.rules[rule_id].origin),
        )
    own = {p.id for p in local.patterns}
    if in_force:
        packs.patterns = [p for p in packs.patterns if p.id not in own]
        for rule_id, rule in list(packs.rules.items()):
            packs.rules[rule_id] = replace(rule, patterns=tuple(p for p in rule.patterns if p.id not in own))


def parse(source: RuleSource) -> Ruleset:
    """Validate and build the ruleset; raise `RuleError` listing every problem found."""
    problems = Problems()
    packs, local = _read(source.packs, problems), _read(source.files, problems)
    _merge(packs, local, source.in_force, problems)
    overrides = _overrides(source, packs.rules, set(local.rules), problems)
    chosen = {o.rule: o for o in overrides}
    rules = [apply(r, chosen.get(r.id)) for r in packs.rules.values()] + list(local.rules.values())
    if not rules and not problems.items:
        problems.add(f"{source.root}", _("no rules found under terms/ or patterns/"))
    shared = _shared_patterns(packs.patterns + local.patterns, rules, problems)
    people = _people(source, problems)
    if problems.items:
        raise RuleError(tuple(problems.items))
    # Every entity rule carries the whole recognizer: one analysis per document serves them all,
    # and a changed pattern changes the fingerprint of every rule it can affect. Every roster
    # rule carries the portal's roster the same way.
    ordered = tuple(
        sorted(
            (
                replace(r, patterns=shared)
                if r.kind == entities.KIND
                else replace(r, people=people)
                if r.kind == roster.KIND
                else r
                for r in rules
            ),
            key=lambda r: r.id,
        )
    )
    return Ruleset(rules=ordered, fingerprint=fingerprint(ordered), recognizer=shared, overrides=overrides)


def _people(source: RuleSource, problems: Problems) -> tuple[Person, ...]:
    """The portal's roster (`rules/people.yml`), or nobody when it has none."""
    data = dict(source.files).get(roster.PEOPLE_FILE)
    if data is None:
        return ()
    documents = _documents(roster.PEOPLE_FILE, data, problems)
    if not documents:
        return ()
    if len(documents) != 1:
        problems.add(
            at(roster.PEOPLE_FILE, 1), _("people.yml holds one mapping with 'schema_version' and 'people'")
        )
        return ()
    return roster.read_roster(roster.PEOPLE_FILE, documents[0], problems)


def _recognizer(name: str, raw: dict[str, Any], problems: Problems) -> tuple[EntityPattern, ...]:
    """A `recognizer:` document: entity patterns shared by every entity rule."""
    for key in sorted(k for k in raw if not k.startswith("__") and k != "recognizer"):
        problems.add(located(name, raw, key), _("unknown field '{key}' next to 'recognizer'").format(key=key))
    return entities.entity_patterns(name, raw["recognizer"], located(name, raw, "recognizer"), problems)


def _shared_patterns(
    patterns: list[EntityPattern], rules: list[Rule], problems: Problems
) -> tuple[EntityPattern, ...]:
    """The recognizer's patterns and those entity rules bring along, each id once."""
    shared: dict[str, EntityPattern] = {}
    for pattern in patterns:
        if pattern.id in shared:
            problems.add(
                pattern.origin,
                _("duplicate pattern id '{pattern}' (first in {first})").format(
                    pattern=pattern.id, first=shared[pattern.id].origin
                ),
            )
        shared[pattern.id] = pattern
    if any(r.kind == entities.KIND and r.enabled for r in rules) and not shared:
        problems.add(
            "rules/patterns", _("entity rules need entity patterns ('recognizer:' in rules/patterns/)")
        )
    return tuple(shared[k] for k in sorted(shared))


def fingerprint(rules: tuple[Rule, ...]) -> str:
    """sha256 of the effective rules (what they match and how), not of their file layout."""
    payload = [_effective(r) for r in rules]
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


_LATER_FIELDS = (
    "gaps",
    "characters",
    "refuse",
    "replace",
    "historical",
    "cited",
    "protected",
    "roster",
    "people",
    "example_people",
    "mask",
)


def _effective(rule: Rule) -> dict[str, Any]:
    fields = {k: v for k, v in asdict(rule).items() if k not in ("origin", "hits", "misses")}
    # Term and allow lists are sets to the matcher: sorting a list or repeating a term in it
    # matches nothing differently, so it must not read as a rule change.
    fields["terms"], fields["allow"] = sorted(set(rule.terms)), sorted(set(rule.allow))
    # where an entity pattern is written (a packaged pack, or rules/) matches nothing differently
    fields["patterns"] = [{k: v for k, v in p.items() if k != "origin"} for p in fields["patterns"]]
    for listed_people in ("people", "example_people"):
        fields[listed_people] = [{k: v for k, v in p.items() if k != "origin"} for p in fields[listed_people]]
    for later in _LATER_FIELDS:  # added later: rules that do not use them keep their fingerprint
        if not fields[later]:
            del fields[later]
    return fields
