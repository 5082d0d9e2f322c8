"""SSH signatures over Baomi's own records (`ssh-keygen -Y sign`/`check-novalidate`, namespace
`baomi`), kept apart from git's commit signatures (namespace `git`).

Why a second signature: git signs whatever commit it writes when `commit.gpgsign` is on, so a
leader who rebases or cherry-picks a drafter's branch signs the drafter's messages too. A record
sealed in the `baomi` namespace was made by `baomi sign` (or `declassify`, `revoke`) with the
leader's key, deliberately: no git command produces one. OpenSSH does the cryptography; this
module only reads the public key out of the SSHSIG envelope (PROTOCOL.sshsig) to say whose it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from screen.errors import ScreenError
from screen.i18n import _

NAMESPACE = "baomi"
_ARMOR = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
_TIMEOUT = 60  # an agent that prompts (a hardware key's touch) gets a minute


class SealError(ScreenError):
    """A record cannot be sealed: no ssh-keygen, or the key cannot sign (exit 2)."""

    exit_code = 2


def _program(configured: str | None) -> str:
    program = configured or "ssh-keygen"
    found = shutil.which(program)
    if found is None:
        raise SealError(
            _("{program} is not installed: signing needs OpenSSH's ssh-keygen").format(program=program)
        )
    return found


def seal(payload: bytes, signing_key: str, program: str | None = None) -> str:
    """The signature of `payload` by git's signing key (`user.signingkey`: a key file, or a
    `key::`/`ssh-…` public key whose private half is in ssh-agent), armor and line breaks removed."""
    with tempfile.TemporaryDirectory(prefix="baomi-seal-") as directory:
        key = signing_key.removeprefix("key::")
        if key.startswith(("ssh-", "ecdsa-", "sk-")):
            path = Path(directory) / "key.pub"
            path.write_text(key + "\n", encoding="utf-8")
            args = ["-U", "-f", str(path)]  # the private half is the agent's
        else:
            args = ["-f", str(Path(key).expanduser())]
        command = [_program(program), "-Y", "sign", "-n", NAMESPACE, *args]
        try:
            done = subprocess.run(command, input=payload, capture_output=True, timeout=_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SealError(
                _("ssh-keygen did not sign within a minute (is the key's agent waiting?)")
            ) from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SealError(
                _("ssh-keygen could not sign with {key}: {error}").format(
                    key=signing_key, error=why[-1] if why else _("failed")
                )
            )
    lines = done.stdout.decode("ascii").splitlines()
    return "".join(line.strip() for line in lines if not line.startswith("-----"))


def fingerprint(public_key: str) -> str:
    """OpenSSH fingerprint (`SHA256:…`, as git's %GF prints it) of `ssh-… AAAA…`, or "" when
    it is not a public key."""
    parts = public_key.split()
    if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
        return ""
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return ""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def sealer(signature: str) -> str | None:
    """The fingerprint (`SHA256:…`) of the key a seal names, if it is a well-formed SSHSIG in
    the `baomi` namespace; None otherwise. Says nothing of whether the signature verifies."""
    try:
        blob = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not blob.startswith(b"SSHSIG") or len(blob) < 10:
        return None
    fields: list[bytes] = []
    at = 10  # magic and version
    try:
        for _ in range(2):  # public key, namespace
            (size,) = struct.unpack_from(">I", blob, at)
            fields.append(blob[at + 4 : at + 4 + size])
            at += 4 + size
    except struct.error:
        return None
    key, namespace = fields
    if namespace != NAMESPACE.encode() or not key:
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(key).digest()).decode().rstrip("=")


class SealStore(Protocol):
    """Where verified seals are remembered between runs (`screen.commit_cache`)."""

    def seals(self, keys: list[str]) -> set[str]: ...

    def put_seals(self, keys: list[str]) -> None: ...


_VERIFIED: dict[str, bool] = {}  # seal key → verifies, in this process


def _key(payload: bytes, signature: str) -> str:
    return hashlib.sha256(payload + b"\0" + signature.encode()).hexdigest()


def verify_all(pairs: list[tuple[bytes, str]], store: SealStore | None = None) -> None:
    """Verify many seals at once, on every core, remembering which verify (here and in
    `store`): later `verifies` calls on them are answered from memory."""
    wanted = {_key(p, s): (p, s) for p, s in pairs if _key(p, s) not in _VERIFIED}
    if store is not None and wanted:
        for key in store.seals(list(wanted)):
            _VERIFIED[key] = True
            wanted.pop(key)
    if not wanted:
        return
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = dict(zip(wanted, pool.map(lambda pair: _check(*pair), wanted.values()), strict=True))
    _VERIFIED.update(results)
    if store is not None:
        store.put_seals([key for key, good in results.items() if good])


def verifies(payload: bytes, signature: str, program: str | None = None) -> bool:
    """Whether `signature` is a valid `baomi` signature of `payload` by the key it names."""
    key = _key(payload, signature)
    if key not in _VERIFIED:
        _VERIFIED[key] = _check(payload, signature, program)
    return _VERIFIED[key]


def _check(payload: bytes, signature: str, program: str | None = None) -> bool:
    if sealer(signature) is None:
        return False
    body = "\n".join(signature[i : i + 70] for i in range(0, len(signature), 70))
    armored = f"{_ARMOR[0]}\n{body}\n{_ARMOR[1]}\n"
    with tempfile.TemporaryDirectory(prefix="baomi-seal-") as directory:
        path = Path(directory) / "seal.sig"
        path.write_text(armored, encoding="ascii")
        command = [_program(program), "-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(path)]
        try:
            done = subprocess.run(command, input=payload, capture_output=True, timeout=_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return False
    return done.returncode == 0
