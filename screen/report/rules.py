"""`baomi rules list`: every rule in effect, where it comes from and what the portal changed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from screen.model import Rule


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesView:
    rules: tuple[Rule, ...]
    packaged: frozenset[str]  # ids of the rules that ship with Baomi
    overrides: dict[str, str]  # rule id → what rules/overrides.yml does to it, and why
    fingerprint: str


_LEVELS = {"block": "拦截", "review": "复核", "info": "提示"}


def format_rules_text(view: RulesView) -> str:
    packaged = sum(1 for r in view.rules if r.id in view.packaged)
    lines = [
        f"共 {len(view.rules)} 条规则：内置 {packaged} 条，本站 {len(view.rules) - packaged} 条；"
        f"调整 {len(view.overrides)} 条 (rules {view.fingerprint[:19]}…)"
    ]
    width = max((len(r.id) for r in view.rules), default=0)
    for rule in view.rules:
        source = "内置" if rule.id in view.packaged else "本站"
        level = "停用" if not rule.enabled else _LEVELS.get(rule.level, rule.level)
        lines.append(f"{rule.id:<{width}}  {source}  {level}  {rule.message}")
        if rule.id in view.overrides:
            lines.append(f"{'':<{width}}  ↳ rules/overrides.yml：{view.overrides[rule.id]}")
    return "\n".join(lines) + "\n"


def format_rules_json(view: RulesView) -> str:
    rows = [
        {
            "id": r.id,
            "kind": r.kind,
            "level": str(r.level),
            "enabled": r.enabled,
            "packaged": r.id in view.packaged,
            "origin": r.origin,
            "message": r.message,
            "basis": r.basis,
            "override": view.overrides.get(r.id, ""),
        }
        for r in view.rules
    ]
    document = {"schema_version": 1, "fingerprint": view.fingerprint, "rules": rows}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
