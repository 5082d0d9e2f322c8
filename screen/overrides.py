"""A portal's changes to the rules that ship with Baomi (`rules/overrides.yml`): a packaged rule
switched off, or given another level, each with the reason a reviewer reads. Pure: the mapping
comes parsed (with its lines) from `screen/ruleset.py`, which applies the result.

    disable:
      - id: internal.restricted
        reason: 本站只转载已公开文件，此项由人工复核
    levels:
      - id: pii.phone
        level: review
        reason: 本站公布办事电话，逐条复核即可

A level set here is the rule's level; no context or plausibility level of the rule may stand above
it (so `review` never blocks), while raising a level raises the rule's own level only."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from screen.i18n import _
from screen.model import Level, Rule
from screen.rulefields import Problems, located, read_level

OVERRIDES_FILE = "overrides.yml"
_ACTIONS = ("disable", "levels")
_FIELDS = {"disable": frozenset({"id", "reason"}), "levels": frozenset({"id", "level", "reason"})}


@dataclass(frozen=True, slots=True, kw_only=True)
class Override:
    rule: str
    action: str  # "disable" | "levels"
    reason: str
    origin: str  # "rules/overrides.yml:LINE"
    level: Level | None = None

    def describe(self) -> str:
        # The level as people read it: its label is in the catalog (screen/report/view.py marks it).
        what = (
            _("disabled")
            if self.action == "disable"
            else _("level set to {level}").format(level=_(str(self.level)))
        )
        return _("{what} ({reason})").format(what=what, reason=self.reason)


def read_overrides(
    name: str, raw: dict[str, Any], packaged: dict[str, Rule], local: set[str], problems: Problems
) -> tuple[Override, ...]:
    """The overrides of one `overrides.yml` mapping; every problem with its line."""
    for key in sorted(k for k in raw if not k.startswith("__") and k not in _ACTIONS):
        problems.add(
            located(name, raw, key),
            _("unknown field '{field}'; an override is 'disable:' or 'levels:'").format(field=key),
        )
    found: list[Override] = []
    seen: dict[str, str] = {}
    for action in _ACTIONS:
        entries = raw.get(action) or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.add(
                located(name, raw, action),
                _("'{field}' is a list of entries with 'id' and 'reason'").format(field=action),
            )
            continue
        for entry in entries:
            override = _entry(name, action, entry, packaged, local, problems)
            if override is None:
                continue
            if override.rule in seen:
                problems.add(
                    override.origin,
                    _("rule '{rule}' is overridden twice (first {where})").format(
                        rule=override.rule, where=seen[override.rule]
                    ),
                )
                continue
            seen[override.rule] = override.origin
            found.append(override)
    return tuple(found)


def _entry(
    name: str,
    action: str,
    entry: dict[str, Any],
    packaged: dict[str, Rule],
    local: set[str],
    problems: Problems,
) -> Override | None:
    where = located(name, entry)
    for key in sorted(k for k in entry if not k.startswith("__") and k not in _FIELDS[action]):
        problems.add(
            located(name, entry, key),
            _("unknown field '{field}' in a '{action}' entry").format(field=key, action=action),
        )
    rule_id, reason = entry.get("id"), entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.add(
            where,
            _("{rule}: 'reason' is required: say why this portal changes a packaged rule").format(
                rule=rule_id
            ),
        )
    level = (
        read_level(entry, "level", located(name, entry, "level"), problems) if action == "levels" else None
    )
    if not isinstance(rule_id, str) or rule_id not in packaged:
        why = (
            _("'{rule}' is this portal's own rule: change it in its own file")
            if rule_id in local
            else _("'{rule}' is no packaged rule (`baomi rules list` shows them)")
        )
        problems.add(located(name, entry, "id"), why.format(rule=rule_id))
        return None
    if not isinstance(reason, str) or not reason.strip() or (action == "levels" and level is None):
        return None
    return Override(rule=rule_id, action=action, reason=reason.strip(), origin=where, level=level)


def apply(rule: Rule, override: Override | None) -> Rule:
    """`rule` as the portal overrides it."""
    if override is None:
        return rule
    if override.action == "disable":
        return replace(rule, enabled=False)
    level = override.level
    assert level is not None

    def capped(value: Level) -> Level:
        return level if value.rank > level.rank else value

    return replace(
        rule,
        level=level,
        plausible_level=capped(rule.plausible_level) if rule.plausible_level else None,
        context=tuple(replace(c, level=capped(c.level)) for c in rule.context),
        replace=tuple(replace(e, level=capped(e.level)) if e.level else e for e in rule.replace),
    )
