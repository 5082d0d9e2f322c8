"""`baomi signer add` and `baomi signer list`: a leader (or a listed drafter) enters
`rules/signers.yml` with an SSH public key, made here with `ssh-keygen` when they have none.

The entry is appended to the file as text (comments and order kept) and the result is parsed
before anything is written: an unknown role, a key that is not an SSH public key, a duplicate id
or key exits 2 and leaves the file as it was. Nothing is in force until committed and, like every
rules change, signed by the principal in force before it; the first version that names a
principal is the root of trust (`screen.signoff.trust`)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from screen.errors import UsageError
from screen.i18n import N_, _, listed
from screen.signoff.signers import (
    SIGNER_ROLES,
    SIGNERS_PATH,
    TrustError,
    key_fingerprint,
    parse_signers,
    role_title,
)

# The comment a new rules/signers.yml starts with, in the language of whoever makes it.
_HEADER = N_("Signers: a change to this file takes effect only once the principal in force signs it off.")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSigner:
    id: str
    name: str
    email: str
    role: str
    key: str  # the OpenSSH public key line
    fingerprint: str
    new_key: Path | None  # the private key made here, if any


def _public_key(given: str) -> str:
    path = Path(given).expanduser()
    text = path.read_text(encoding="utf-8").strip() if path.is_file() else given.strip()
    try:
        key_fingerprint(text)
    except ValueError:
        raise UsageError(
            _("--key {key}: not an SSH public key (a line such as `ssh-ed25519 AAAA… name`)").format(
                key=given
            )
        ) from None
    return " ".join(text.split()[:3])


def _entry(signer: NewSigner) -> str:
    return (
        f"  - id: {signer.id}\n"
        f"    name: {signer.name}\n"
        f"    email: {signer.email}\n"
        f"    roles: [{signer.role}]{' ' * 8}# {role_title(signer.role)}\n"
        f'    keys: ["{signer.key}"]\n'
    )


def _check_fields(identifier: str, name: str, email: str, role: str) -> None:
    if role not in SIGNER_ROLES:
        # the ids to type, each with what people call it where that differs (deputy（分管领导）)
        choices = (r if role_title(r) == r else f"{r}（{role_title(r)}）" for r in sorted(SIGNER_ROLES))
        raise UsageError(_("--role {role}: one of {roles}").format(role=role, roles=listed(choices)))
    for label, value in (("--id", identifier), ("--name", name), ("--email", email)):
        if not value.strip() or any(c in value for c in "\n\r\"'#:[]{}"):
            raise UsageError(
                _("{option} {value}: give a plain value (no quotes, colons, brackets or line breaks)").format(
                    option=label, value=repr(value)
                )
            )
    if "@" not in email:
        raise UsageError(_("--email {email}: the address this person commits with").format(email=email))


def _existing(path: Path) -> str:
    if not path.exists():
        return f"# {_(_HEADER)}\nschema_version: 1\nsigners:\n"
    text = path.read_text(encoding="utf-8")
    text = text.replace("signers: []", "signers:")
    return text if text.endswith("\n") else text + "\n"


def add_signer(
    root: Path,
    *,
    identifier: str,
    name: str,
    email: str,
    role: str,
    key: str | None,
    new_key: Path | None,
    passphrase: bool = True,
) -> NewSigner:
    """Append a signer to `rules/signers.yml` (a key given, or one made at `new_key`)."""
    _check_fields(identifier, name, email, role)
    if (key is None) == (new_key is None):
        raise UsageError(_("give the person's public key with --key PUB, or make one with --new-key PATH"))
    path = root / SIGNERS_PATH
    text = _existing(path)
    loaded = yaml.safe_load(text) or {}
    entries = (loaded.get("signers") or []) if isinstance(loaded, dict) else []
    if any(isinstance(e, dict) and e.get("id") == identifier for e in entries):
        raise UsageError(
            _("--id {id}: already in {path}; choose another id").format(id=identifier, path=SIGNERS_PATH)
        )
    public = _public_key(key) if key is not None else _make_key(new_key, email, passphrase)
    signer = NewSigner(
        id=identifier,
        name=name,
        email=email.lower(),
        role=role,
        key=public,
        fingerprint=key_fingerprint(public),
        new_key=new_key,
    )
    changed = text + _entry(signer)
    try:
        parsed = parse_signers(changed.encode("utf-8"))
    except TrustError as error:
        raise UsageError(
            _("{error}; {path} is left as it was").format(error=error, path=SIGNERS_PATH)
        ) from None
    if [s.id for s in parsed.signers][-1:] != [identifier]:
        raise UsageError(
            _("{path} does not end with its signers list; add the entry by hand").format(path=SIGNERS_PATH)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(changed, encoding="utf-8")
    return signer


def _make_key(path: Path | None, email: str, passphrase: bool) -> str:
    assert path is not None
    path = path.expanduser()
    public = path.with_name(path.name + ".pub")
    if path.exists() or public.exists():
        raise UsageError(
            _("--new-key {path}: a key is there already; give another path (nothing was overwritten)").format(
                path=path
            )
        )
    program = shutil.which("ssh-keygen")
    if program is None:
        raise UsageError(
            _("ssh-keygen is not installed: install OpenSSH, or give an existing key with --key")
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [program, "-q", "-t", "ed25519", "-C", email, "-f", str(path)]
    if not passphrase:
        command += ["-N", ""]
    done = subprocess.run(command, check=False)  # asks for the passphrase on the terminal
    if done.returncode != 0 or not public.is_file():
        raise UsageError(_("ssh-keygen could not make the key at {path}").format(path=path))
    return public.read_text(encoding="utf-8").strip()
