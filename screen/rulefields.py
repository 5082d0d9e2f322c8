"""Per-field validation of one rule's raw YAML mapping: each helper reads a field, records
every problem with its file and line in `Problems`, and returns the typed value (the ruleset
assembles rules from them, `screen/ruleset.py`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from screen.model import ENTITY_LABELS, FILE_TYPES, Context, EntityPattern, Level

RULE_ID = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)+")
VALIDATOR_NAMES = ("gb11643", "luhn", "gb32100", "cn_person")
_SIDES = ("before", "after", "both")
_CUE_FIELDS = {"words", "regex", "validate", "window", "level", "side", "name"}


class Problems:
    """Every problem found so far, each as "rules/FILE:LINE: message": all are reported at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def located(name: str, raw: dict[str, Any], key: str | None = None) -> str:
    """Where the field `key` of `raw` stands ("rules/FILE:LINE"; the mapping itself without a key)."""
    line = raw.get("__lines__", {}).get(key) if key else None
    return f"rules/{name}:{line or raw.get('__line__', 1)}"


def read_strings(raw: dict[str, Any], key: str, where: str, problems: Problems) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, f"'{key}' must be a list of strings (quote numbers such as '4111…')")
        return ()
    return tuple(value)


def read_level(raw: dict[str, Any], key: str, where: str, problems: Problems) -> Level | None:
    value = raw.get(key)
    try:
        return Level(str(value))
    except ValueError:
        problems.add(where, f"'{key}' must be one of block, review, info (got {value!r})")
        return None


def read_terms(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> tuple[str, ...]:
    terms = read_strings(raw, "terms", located(name, raw, "terms"), problems)
    terms_file = raw.get("terms_file")
    if terms_file is not None:
        where = located(name, raw, "terms_file")
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
            located(name, raw),
            "a term rule needs 'terms' or 'terms_file' with at least one term",
        )
    return terms


def _context(name: str, raw: dict[str, Any], problems: Problems, kind: str) -> tuple[Context, ...]:
    value = raw.get("context", [])
    entries = value if isinstance(value, list) else [value]
    contexts = []
    where = located(name, raw, "context")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("window"), int):
            problems.add(where, "each context entry needs 'words' (list), 'window' (int) and 'level'")
            continue
        level = read_level(entry, "level", where, problems)
        if kind == "entity":
            contexts.append(_cue(entry, located(name, entry), problems, level))
            continue
        words = read_strings(entry, "words", where, problems)
        if level and words:
            contexts.append(Context(words=words, window=entry["window"], level=level))
    return tuple(contexts)


def _cue(entry: dict[str, Any], where: str, problems: Problems, level: Level | None) -> Context:
    """A context entry of an entity rule: words, or a regex (optionally validated) with a name."""
    for key in sorted(k for k in entry if not k.startswith("__") and k not in _CUE_FIELDS):
        problems.add(where, f"unknown context field '{key}'; one of {', '.join(sorted(_CUE_FIELDS))}")
    words = read_strings(entry, "words", where, problems)
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


def entity_fields(name: str, raw: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """An entity rule: which label it reports, and the cues that must stand near it."""
    label = raw.get("entity")
    if label not in ENTITY_LABELS:
        problems.add(
            located(name, raw, "entity" if "entity" in raw else None),
            f"'entity' must be one of {', '.join(ENTITY_LABELS)} (got {label!r})",
        )
    context = _context(name, raw, problems, "entity")
    if not context:
        # A name alone is not a finding: only the combinations that leak are.
        problems.add(located(name, raw), "an entity rule needs at least one 'context' entry")
    own = entity_patterns(name, raw.get("patterns", []), located(name, raw, "patterns"), problems)
    return {"entity": str(label), "context": context, "patterns": own}


def entity_patterns(name: str, value: object, where: str, problems: Problems) -> tuple[EntityPattern, ...]:
    """Recognizer patterns in EntityRuler form: {id, label, pattern: [token dicts], weight}."""
    if not isinstance(value, list):
        problems.add(where, "'patterns' must be a list of {id, label, pattern, weight}")
        return ()
    found = []
    for entry in value:
        spot = located(name, entry, None) if isinstance(entry, dict) else where
        tokens = entry.get("pattern") if isinstance(entry, dict) else None
        if (
            not isinstance(tokens, list)
            or not tokens
            or not all(isinstance(t, dict) and _plain(t) for t in tokens)
        ):
            problems.add(spot, "a pattern needs 'pattern': a non-empty list of token mappings")
            continue
        pattern_id, label, weight = entry.get("id"), entry.get("label"), entry.get("weight", 1.0)
        if not isinstance(pattern_id, str) or not RULE_ID.fullmatch(pattern_id):
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


def pattern_fields(name: str, raw: dict[str, Any], problems: Problems) -> dict[str, Any]:
    fields: dict[str, Any] = {"context": _context(name, raw, problems, "pattern")}
    regex = raw.get("regex")
    if not isinstance(regex, str) or not regex:
        problems.add(located(name, raw), "a pattern rule needs a 'regex'")
    else:
        try:
            re.compile(regex)
            fields["regex"] = regex
        except re.error as error:
            problems.add(located(name, raw, "regex"), f"invalid regex: {error}")
    validate = raw.get("validate", "")
    if validate and validate not in VALIDATOR_NAMES:
        problems.add(
            located(name, raw, "validate"),
            f"unknown validator {validate!r}; one of {', '.join(VALIDATOR_NAMES)}",
        )
    fields["validate"] = validate or ""
    if "plausible_level" in raw:
        fields["plausible_level"] = read_level(
            raw, "plausible_level", located(name, raw, "plausible_level"), problems
        )
    return fields


def file_fields(name: str, raw: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """`file_types` a file rule blocks and the `allow_extensions` it lets through."""
    types = read_strings(raw, "file_types", located(name, raw, "file_types"), problems)
    for value in types:
        if value not in FILE_TYPES:
            problems.add(
                located(name, raw, "file_types"),
                f"unknown file type {value!r}; one of {', '.join(FILE_TYPES)}",
            )
    if not types:
        problems.add(located(name, raw), "a file rule needs 'file_types'")
    allowed = read_strings(raw, "allow_extensions", located(name, raw, "allow_extensions"), problems)
    for value in allowed:
        if not value.startswith(".") or value != value.lower() or len(value) < 2:
            problems.add(
                located(name, raw, "allow_extensions"),
                f"an extension is written lowercase with its dot, like '.woff2' (got {value!r})",
            )
    return {"file_types": types, "allow_extensions": allowed}
