"""Who may sign and what must be signed: `rules/signers.yml` and `rules/policy.yml`, parsed from
bytes (the caller decides which version: always the trust ref's, never the change's)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import yaml

from screen import sshsig
from screen.errors import ScreenError
from screen.i18n import N_, _, listed
from screen.portal import CONFIG_NAME

RULES_FOLDER = "rules/"  # everything under it is in the chain of trust
SIGNERS_PATH = "rules/signers.yml"
POLICY_PATH = "rules/policy.yml"
TRUST_PATHS = (SIGNERS_PATH, POLICY_PATH)
ROLES = frozenset({"deputy", "principal"})  # the leaders' roles, which policy may require
SIGNER_ROLES = ROLES | {"drafter"}  # a listed drafter (撰稿人) signs commits, never clears anything
# What people call the roles (分管领导, 主要领导, 撰稿人) unless the policy says: names for the catalog,
# translated where they are shown (`role_title`).
TITLES = {"deputy": N_("deputy"), "principal": N_("principal"), "drafter": N_("drafter")}
AUTHORS = ("claimed", "signed")  # policy `authors:` who wrote a change: its author e-mail, or its key


class TrustError(ScreenError):
    """The signers or policy cannot be read: nothing can be verified (exit 2)."""

    exit_code = 2


def role_title(role: str, titles: tuple[tuple[str, str], ...] = ()) -> str:
    """What people call `role`: the policy's title for it (`titles:`), else its name in the
    reader's language (deputy: 分管领导)."""
    return dict(titles).get(role) or (_(TITLES[role]) if role in TITLES else role)


def role_names(roles: Iterable[str], titles: tuple[tuple[str, str], ...] = ()) -> str:
    """Roles as people call them, for a message (`role_title` of each)."""
    return listed(role_title(role, titles) for role in roles)


def key_fingerprint(public_key: str) -> str:
    """OpenSSH fingerprint (`SHA256:…`, as git's %GF prints it) of an `ssh-… AAAA…` line."""
    found = sshsig.fingerprint(public_key)
    if not found:
        raise ValueError(_("not an OpenSSH public key: {key}").format(key=repr(public_key[:40])))
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Signer:
    id: str
    name: str
    emails: tuple[str, ...]
    roles: frozenset[str]
    keys: tuple[str, ...]  # OpenSSH public key lines
    fingerprints: frozenset[str]
    valid_until: datetime.date | None = None
    revoked: bool = False
    covered: frozenset[str] = frozenset()  # roles the policy lets theirs cover (`covers:`)
    titles: tuple[tuple[str, str], ...] = ()  # the policy's `titles:` (role → what people call it)

    @property
    def title(self) -> str:
        """Their roles as people say them (分管领导、主要领导), for every human-facing output."""
        return role_names(sorted(self.roles), self.titles)

    @property
    def may(self) -> frozenset[str]:
        """The roles they may sign for: their own and those the policy says these cover."""
        return self.roles | self.covered

    def valid_at(self, when: datetime.datetime) -> bool:
        if self.revoked:
            return False
        return self.valid_until is None or when.date() <= self.valid_until


@dataclass(frozen=True, slots=True, kw_only=True)
class Signers:
    signers: tuple[Signer, ...]

    def by_fingerprint(self, fingerprint: str) -> Signer | None:
        return next((s for s in self.signers if fingerprint in s.fingerprints), None)

    def by_email(self, email: str) -> Signer | None:
        email = email.lower()
        return next((s for s in self.signers if email in s.emails), None)

    def under(self, policy: Policy) -> Signers:
        """The signers as `policy` lets them sign: each with the roles their roles cover."""
        return Signers(
            signers=tuple(
                replace(s, covered=policy.covering(s.roles), titles=policy.titles) for s in self.signers
            )
        )

    def allowed_signers(self) -> str:
        """An OpenSSH allowed-signers file naming every key (git verifies signatures with it)."""
        return "".join(f"{s.id} {key}\n" for s in self.signers for key in s.keys)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    default: tuple[str, ...]
    important: tuple[str, ...]
    config: tuple[str, ...]
    rules: tuple[str, ...]
    # "signed": a change is authored by the owner of the listed key that signed it, and a change
    # no listed key signed needs two leaders; "claimed": by its author e-mail (and its key, if any)
    authors: str = "claimed"
    # role → the roles it may also sign for (`covers: {principal: [deputy]}`: the principal of a
    # small office signs what a deputy may); two required roles still need two different people
    covers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    titles: tuple[tuple[str, str], ...] = ()  # role → what people call it (`titles:`)

    @property
    def signed_authors(self) -> bool:
        return self.authors == "signed"

    def title(self, role: str) -> str:
        return role_title(role, self.titles)

    def names(self, roles: Iterable[str]) -> str:
        """Roles as people call them under this policy, for a message."""
        return role_names(roles, self.titles)

    def covering(self, roles: frozenset[str]) -> frozenset[str]:
        """The roles `roles` cover besides themselves."""
        return frozenset(c for role, covered in self.covers if role in roles for c in covered) - roles


def _load(path: str, data: bytes) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise TrustError(
            _("{path}: cannot parse ({error}); fix it in a change the principal signs").format(
                path=path, error=error
            )
        ) from None
    if not isinstance(loaded, dict) or loaded.get("schema_version") != 1:
        raise TrustError(_("{path}: expected a mapping with schema_version: 1").format(path=path))
    return loaded


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(_("expected a string or a list of strings"))


def _signer(entry: object) -> Signer:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise ValueError(_("each signer needs an 'id'"))
    roles = frozenset(_strings(entry.get("roles", [])))
    if not roles <= SIGNER_ROLES:
        raise ValueError(
            _("signer {id}: unknown role(s) {roles}").format(
                id=entry["id"], roles=sorted(roles - SIGNER_ROLES)
            )
        )
    roles -= {"drafter"}  # a role that clears nothing
    keys = _strings(entry.get("keys", []))
    emails = tuple(e.lower() for e in _strings(entry.get("email", [])))
    if not emails:
        # separation of duties recognises a signer's own changes by these (and by their key)
        raise ValueError(_("signer {id}: needs an email (the one they commit with)").format(id=entry["id"]))
    valid_until = entry.get("valid_until")
    if valid_until is not None and not isinstance(valid_until, datetime.date):
        raise ValueError(_("signer {id}: valid_until must be a date (YYYY-MM-DD)").format(id=entry["id"]))
    return Signer(
        id=entry["id"],
        name=str(entry.get("name", entry["id"])),
        emails=emails,
        roles=roles,
        keys=keys,
        fingerprints=frozenset(key_fingerprint(k) for k in keys),
        valid_until=valid_until,
        revoked=entry.get("revoked", False) is True,
    )


def names_principal(data: bytes) -> bool:
    """Whether a version of the signers file lists a principal (an empty list, as `baomi init`
    writes it, lists none). A version that lists one must parse: its errors are reported."""
    try:
        loaded = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return True  # let parse_signers say what is wrong with it
    entries = loaded.get("signers") if isinstance(loaded, dict) else None
    if not isinstance(entries, list):
        return True
    return any(isinstance(e, dict) and "principal" in (e.get("roles") or []) for e in entries)


def parse_signers(data: bytes) -> Signers:
    loaded = _load(SIGNERS_PATH, data)
    entries = loaded.get("signers")
    if not isinstance(entries, list) or not entries:
        raise TrustError(_("{path}: 'signers' must be a non-empty list").format(path=SIGNERS_PATH))
    try:
        signers = tuple(_signer(entry) for entry in entries)
    except ValueError as error:
        raise TrustError(_("{path}: {reason}").format(path=SIGNERS_PATH, reason=error)) from None
    ids = [s.id for s in signers]
    if len(set(ids)) != len(ids):
        raise TrustError(_("{path}: signer ids must be unique").format(path=SIGNERS_PATH))
    # One key, one person: a key listed twice would let its holder count as two people (or be
    # taken for the wrong one).
    keys = [fp for s in signers for fp in s.fingerprints]
    if len(set(keys)) != len(keys) or sum(len(s.keys) for s in signers) != len(keys):
        raise TrustError(
            _("{path}: a key is listed more than once; each key belongs to one signer").format(
                path=SIGNERS_PATH
            )
        )
    return Signers(signers=signers)


def parse_policy(data: bytes) -> Policy:
    loaded = _load(POLICY_PATH, data)
    require = loaded.get("require")
    if not isinstance(require, dict):
        raise TrustError(_("{path}: 'require' must map file kinds to roles").format(path=POLICY_PATH))
    try:
        fields = {k: _strings(require.get(k, [])) for k in ("default", "important", "config", "rules")}
    except ValueError as error:
        raise TrustError(_("{path}: require: {reason}").format(path=POLICY_PATH, reason=error)) from None
    for kind, roles in fields.items():
        if not set(roles) <= ROLES:
            raise TrustError(
                _("{path}: require.{kind}: unknown role(s) {roles}").format(
                    path=POLICY_PATH, kind=kind, roles=sorted(set(roles) - ROLES)
                )
            )
    if not fields["default"] or not fields["rules"]:
        raise TrustError(
            _("{path}: require.default and require.rules must name at least one role").format(
                path=POLICY_PATH
            )
        )
    authors = loaded.get("authors", "claimed")
    if authors not in AUTHORS:
        raise TrustError(
            _("{path}: authors: must be one of {choices}").format(
                path=POLICY_PATH, choices=", ".join(AUTHORS)
            )
        )
    return Policy(
        **fields,
        authors=authors,
        covers=_covers(loaded.get("covers") or {}),
        titles=_titles(loaded.get("titles") or {}),
    )


def _titles(value: object) -> tuple[tuple[str, str], ...]:
    """`titles:` as (role, title): a known role, a title of one line."""
    if not isinstance(value, dict):
        raise TrustError(
            _("{path}: titles: maps a role to what people call it (deputy: 分管领导)").format(
                path=POLICY_PATH
            )
        )
    found = []
    for role, title in sorted(value.items(), key=lambda item: str(item[0])):
        if role not in ROLES:
            raise TrustError(
                _("{path}: titles: unknown role {role}").format(path=POLICY_PATH, role=repr(role))
            )
        if not isinstance(title, str) or not title.strip() or "\n" in title or len(title) > 20:
            raise TrustError(
                _("{path}: titles.{role}: a title of one line, up to 20 characters").format(
                    path=POLICY_PATH, role=role
                )
            )
        found.append((role, title.strip()))
    return tuple(found)


def _covers(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`covers:` as (role, roles it covers), each a known role."""
    if not isinstance(value, dict):
        raise TrustError(
            _("{path}: covers: maps a role to the roles it may also sign for").format(path=POLICY_PATH)
        )
    found = []
    for role, covered in sorted(value.items(), key=lambda item: str(item[0])):
        try:
            roles = _strings(covered)
        except ValueError as error:
            raise TrustError(
                _("{path}: covers.{role}: {reason}").format(path=POLICY_PATH, role=role, reason=error)
            ) from None
        unknown = sorted(({role} | set(roles)) - ROLES)
        if unknown:
            raise TrustError(
                _("{path}: covers: unknown role(s) {roles}").format(path=POLICY_PATH, roles=unknown)
            )
        found.append((str(role), tuple(r for r in roles if r != role)))
    return tuple(found)


def roles_covered(required: tuple[str, ...], people: list[Signer]) -> bool:
    """Whether distinct people can cover every required role, one role each: a small bipartite
    matching, so `[deputy, principal]` needs two different signers even if one holds both."""
    unique = {p.id: p for p in people}
    holding: dict[str, str] = {}  # signer id → the role they cover

    def cover(role: str, seen: set[str]) -> bool:
        for signer_id, person in unique.items():
            if role in person.may and signer_id not in seen:
                seen.add(signer_id)
                if signer_id not in holding or cover(holding[signer_id], seen):
                    holding[signer_id] = role
                    return True
        return False

    return all(cover(role, set()) for role in dict.fromkeys(required))


def enough_people(required: tuple[str, ...], people: list[Signer], unproven: bool = False) -> bool:
    """Whether `people` (fair signers of one version) clear it: they cover every required role,
    and, when a change to it has no proven author, they are two different leaders at least, so
    that whoever wrote it is not the only one who read it."""
    if not people or not roles_covered(required, people):
        return False
    return not unproven or len({p.id for p in people if p.roles}) >= 2


def required_roles(path: str, policy: Policy, important: bool, config: bool = False) -> tuple[str, ...]:
    """Every role the policy requires for `path` (repository-relative); `config` marks the MkDocs
    configuration and theme overrides."""
    if path in TRUST_PATHS or path.startswith(RULES_FOLDER):
        return policy.rules
    roles = list(policy.default)
    if config or path == CONFIG_NAME:
        roles += policy.config
    if important:
        roles += policy.important
    return tuple(dict.fromkeys(roles))
