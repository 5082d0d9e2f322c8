"""`baomi rules list`: every rule in effect, where it comes from and what the portal changed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from screen.i18n import N_, _, ngettext
from screen.model import Rule
from screen.report.view import display_width, level_label


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesView:
    rules: tuple[Rule, ...]
    packaged: frozenset[str]  # ids of the rules that ship with Baomi
    overrides: dict[str, str]  # rule id → what rules/overrides.yml does to it, and why
    fingerprint: str


# Where a rule comes from and a disabled rule's level, as people read them (translated where shown).
_PACKAGED, _LOCAL, _DISABLED = N_("packaged"), N_("local"), N_("disabled")


def _padded(text: str, width: int) -> str:
    """`text` filled with spaces to `width` terminal columns (Chinese takes two a character)."""
    return text + " " * (width - display_width(text))


def format_rules_text(view: RulesView) -> str:
    total = len(view.rules)
    packaged = sum(1 for r in view.rules if r.id in view.packaged)
    lines = [
        ngettext(
            "{total} rule: {packaged} packaged, {local} local; {changed} changed (rules {fingerprint})",
            "{total} rules: {packaged} packaged, {local} local; {changed} changed (rules {fingerprint})",
            total,
        ).format(
            total=total,
            packaged=packaged,
            local=total - packaged,
            changed=len(view.overrides),
            fingerprint=f"{view.fingerprint[:19]}…",
        )
    ]
    width = max((len(r.id) for r in view.rules), default=0)
    sources = {True: _(_PACKAGED), False: _(_LOCAL)}
    levels = [_(_DISABLED) if not r.enabled else level_label(r.level) for r in view.rules]
    source_width = max(map(display_width, sources.values()))
    level_width = max(map(display_width, levels), default=0)
    for rule, level in zip(view.rules, levels, strict=True):
        source = _padded(sources[rule.id in view.packaged], source_width)
        lines.append(f"{rule.id:<{width}}  {source}  {_padded(level, level_width)}  {rule.message}")
        if rule.id in view.overrides:
            change = _("↳ rules/overrides.yml: {change}").format(change=view.overrides[rule.id])
            lines.append(f"{'':<{width}}  {change}")
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
