"""The lock of the packaged rules (`rules/packaged.lock`): which version of the rules that ship
with Baomi a portal's principal accepted. The lock is a rule file like any other (a change needs
the principal's sign-off); the gate also compares it with the packaged rules installed, so that
upgrading (or downgrading) Baomi never changes a portal's rules until the principal signs the new
lock. `baomi init` writes it; `baomi rules lock` writes it again and says what changed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from screen import __version__
from screen.errors import RuleError
from screen.i18n import _
from screen.ruleset import RuleSource, fingerprint, packaged_files, parse

LOCK_FILE = "packaged.lock"
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")
_HEADER = """\
# 内置规则锁定：本站接受的 Baomi 内置规则（由 baomi init / baomi rules lock 写入，请勿手改）。
# 升级 Baomi 后内置规则若有变化，发布会停止，直到运行 baomi rules lock、
# 并由主要领导签发本文件（baomi sign rules/packaged.lock）。
# The packaged rules this portal accepted; a change needs the principal's sign-off.
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Lock:
    baomi: str  # the Baomi version that wrote it
    fingerprint: str  # of the packaged rules as they ship (before rules/overrides.yml)
    rules: dict[str, str]  # rule id → its own fingerprint (the first 16 hex digits)


@dataclass(frozen=True, slots=True, kw_only=True)
class LockChange:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@cache
def installed() -> Lock:
    """The lock of the packaged rules this Baomi ships (parsed once per process)."""
    ruleset = parse(RuleSource(root=Path("baomi:"), files=(), packs=packaged_files()))
    return Lock(
        baomi=__version__,
        fingerprint=ruleset.fingerprint,
        rules={r.id: fingerprint((r,)).removeprefix("sha256:")[:16] for r in ruleset.rules},
    )


def lock_text(lock: Lock) -> str:
    listed = "".join(f"  {rule}: {digest}\n" for rule, digest in sorted(lock.rules.items()))
    return f"{_HEADER}baomi: {lock.baomi}\npackaged: {lock.fingerprint}\nrules:\n{listed}"


def read_lock(data: bytes) -> Lock:
    """The lock in `data`, or a `RuleError` saying why it is none."""
    try:
        loaded = yaml.safe_load(data.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise RuleError(
            (_("{file}: cannot parse ({error})").format(file=f"rules/{LOCK_FILE}", error=error),)
        ) from None
    if not isinstance(loaded, dict):
        raise RuleError((_("{file}: not a lock baomi wrote").format(file=f"rules/{LOCK_FILE}"),))
    found, rules = loaded.get("packaged"), loaded.get("rules") or {}
    if not isinstance(found, str) or not _FINGERPRINT.fullmatch(found) or not isinstance(rules, dict):
        raise RuleError((_("{file}: no 'packaged: sha256:…' fingerprint").format(file=f"rules/{LOCK_FILE}"),))
    return Lock(
        baomi=str(loaded.get("baomi", "?")),
        fingerprint=found,
        rules={str(k): str(v) for k, v in rules.items()},
    )


def compare(old: Lock, new: Lock) -> LockChange:
    return LockChange(
        added=tuple(sorted(set(new.rules) - set(old.rules))),
        removed=tuple(sorted(set(old.rules) - set(new.rules))),
        changed=tuple(sorted(r for r in set(old.rules) & set(new.rules) if old.rules[r] != new.rules[r])),
    )


def lock_problem(data: bytes | None, folder: str = "rules") -> str:
    """Why the lock `data` (None: no lock file) does not let this Baomi's packaged rules publish
    ("" when it does)."""
    path = f"{folder}/{LOCK_FILE}"
    fix = _("run `baomi rules lock` and have the principal sign {file}").format(file=path)
    if data is None:
        return _("{file} is missing: it records which packaged rules this portal accepted; {fix}").format(
            file=path, fix=fix
        )
    try:
        lock = read_lock(data)
    except RuleError as error:
        return _("{problem}; {fix}").format(problem=error.problems[0], fix=fix)
    ours = installed()
    if lock.fingerprint == ours.fingerprint:
        return ""
    change = compare(lock, ours)
    counts = _("{added} added, {changed} changed, {removed} removed").format(
        added=len(change.added), changed=len(change.changed), removed=len(change.removed)
    )
    return _(
        "the packaged rules of this Baomi ({version}) are not the ones {file} accepted (Baomi "
        "{accepted}): {counts}; {fix}"
    ).format(version=ours.baomi, file=path, accepted=lock.baomi, counts=counts, fix=fix)
