"""The sign-off commit message of docs/contracts.md: what a leader cleared, under which rules, with which
waivers. Pure text in, records out; git and signatures are checked elsewhere (`screen.vcs`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from screen.errors import InputError
from screen.i18n import _
from screen.model import blob_id

CLEARED = "Baomi-Cleared"
RULES = "Baomi-Rules"
WAIVE = "Baomi-Waive"
PARENT = "Baomi-Parent"
SEAL = "Baomi-Seal"
_CLEARED_LINE = re.compile(
    rf"^{CLEARED}: (?P<path>[^\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+) "
    rf"blob=(?P<blob>[0-9a-f]{{40}}) sha256=(?P<sha>[0-9a-f]{{64}})$"
)
_RULES_LINE = re.compile(rf"^{RULES}: (?P<fp>sha256:[0-9a-f]{{64}})$")
_WAIVE_LINE = re.compile(rf"^{WAIVE}: (?P<fp>[0-9a-f]{{32}}) (?P<reason>\S.*)$")
_PARENT_LINE = re.compile(rf"^{PARENT}: (?P<sha>[0-9a-f]{{40}}|[0-9a-f]{{64}})$")
_SEAL_LINE = re.compile(rf"^{SEAL}: (?P<seal>[A-Za-z0-9+/=]{{40,}})$")
DECLASSIFIED = "Baomi-Declassified"
REASON = "Baomi-Reason"
_PATH = r"(?P<path>[^\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+)"  # no line break, no control
_DECLASSIFIED_LINE = re.compile(rf"^{DECLASSIFIED}: {_PATH} blob=(?P<blob>[0-9a-f]{{40}}) was=(?P<was>\S+)$")
_REASON_LINE = re.compile(rf"^{REASON}: (?P<reason>\S.*)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Cleared:
    path: str
    blob: str  # git blob id of the exact bytes
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Waiver:
    fingerprint: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SignOffMessage:
    cleared: tuple[Cleared, ...]
    rules_fingerprint: str
    waivers: tuple[Waiver, ...]
    comment: str = ""
    parent: str = ""  # the commit it was made on: a copy elsewhere (rebase, cherry-pick) is no sign-off
    seal: str = ""  # the signer's `baomi`-namespace signature of `payload(...)` (screen.sshsig)


def _canonical(text: str) -> str:
    """A comment as git keeps it whatever its cleanup mode: lines without trailing blanks, no
    empty lines."""
    return "\n".join(line.rstrip() for line in text.split("\n") if line.strip())


def payload(message: SignOffMessage) -> bytes:
    """What a sign-off's seal signs: every fact it records, one per line, where it was made
    first. Trailers are single lines (paths with line breaks are refused), so the lines are
    unambiguous."""
    lines = ["baomi-signoff 1", f"parent {message.parent}"]
    lines += [f"cleared {c.blob} {c.sha256} {c.path}" for c in message.cleared]
    lines.append(f"rules {message.rules_fingerprint}")
    lines += [f"waive {w.fingerprint} {w.reason}" for w in message.waivers]
    lines.append("comment")
    return ("\n".join(lines) + "\n" + _canonical(message.comment) + "\n").encode("utf-8")


def cleared_for(path: str, data: bytes) -> Cleared:
    return Cleared(path=path, blob=blob_id(data), sha256=hashlib.sha256(data).hexdigest())


# Characters that end a line somewhere: git keeps only `\n` as the line end, but Python's
# `splitlines`, mail tools and editors also break at these, and a path holding one could carry
# a forged trailer onto a line of its own (a tab breaks no line, and stays allowed).
_TRAILER_KEY = re.compile(r"^Baomi-[A-Za-z]+:", re.IGNORECASE)
_LINE_BREAKS = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def unsafe_path(path: str) -> bool:
    """Whether a path holds a control character or a line break, which no trailer may carry."""
    return bool(_LINE_BREAKS.search(path))


def format_message(message: SignOffMessage) -> str:
    """The message of docs/contracts.md. A path with a line break or a control character is refused: in
    a trailer it could start a line that clears another file."""
    for cleared in message.cleared:
        if unsafe_path(cleared.path):
            raise InputError(
                repr(cleared.path),
                _(
                    "the file name holds a line break or a control character, which a sign-off cannot "
                    "record safely; rename it (git mv) without them"
                ),
            )
    if any(_TRAILER_KEY.match(line.strip()) for line in message.comment.split("\n")):
        raise InputError(_("the review comment"), _("a line of it starts like a Baomi- trailer; reword it"))
    count = len(message.cleared)
    # The subject is part of the record's format (docs/contracts.md), the same in every locale.
    lines = [f"baomi: 审核签发 {count} 个文件", ""]
    if message.comment.strip():
        lines += [message.comment.strip(), ""]
    lines += [f"{CLEARED}: {c.path} blob={c.blob} sha256={c.sha256}" for c in message.cleared]
    lines.append(f"{RULES}: {message.rules_fingerprint}")
    lines += [f"{WAIVE}: {w.fingerprint} {w.reason}" for w in message.waivers]
    if message.parent:
        lines.append(f"{PARENT}: {message.parent}")
    if message.seal:
        lines.append(f"{SEAL}: {message.seal}")
    return "\n".join(lines) + "\n"


def parse_message(text: str) -> SignOffMessage | None:
    """The sign-off in a commit message, or None if it carries no `Baomi-Cleared` trailer."""
    cleared: list[Cleared] = []
    waivers: list[Waiver] = []
    comment: list[str] = []
    rules = parent = seal = ""
    # Lines as git ends them (`\n` only): a U+2028 or a control character inside a trailer keeps
    # it one line, and the whole line must match, so an injected trailer is never its own.
    for number, raw in enumerate(text.split("\n")):
        line = raw.rstrip(" \t\r")
        if number and not (cleared or rules or waivers or parent or seal) and not _trailer(line):
            comment.append(line)  # the review opinion (审核意见): after the subject, before the trailers
        if match := _CLEARED_LINE.match(line):
            cleared.append(Cleared(path=match["path"], blob=match["blob"], sha256=match["sha"]))
        elif match := _RULES_LINE.match(line):
            rules = match["fp"]
        elif match := _WAIVE_LINE.match(line):
            waivers.append(Waiver(fingerprint=match["fp"], reason=match["reason"]))
        elif match := _PARENT_LINE.match(line):
            parent = parent or match["sha"]
        elif match := _SEAL_LINE.match(line):
            seal = seal or match["seal"]
    if not cleared:
        return None
    return SignOffMessage(
        cleared=tuple(cleared),
        rules_fingerprint=rules,
        waivers=tuple(waivers),
        comment="\n".join(comment).strip(),
        parent=parent,
        seal=seal,
    )


def _trailer(line: str) -> bool:
    return any(p.match(line) for p in (_CLEARED_LINE, _RULES_LINE, _PARENT_LINE, _SEAL_LINE))


def mentions_signoff(text: str) -> bool:
    """A message that quotes sign-off trailers anywhere (a squash merge indents or bullets them)."""
    return f"{CLEARED}:" in text


_QUOTING = re.compile(r"^[\s>*+-]+")  # indentation, bullets or mail quoting before a trailer


def parse_quoted(text: str) -> SignOffMessage | None:
    """The sign-off a message quotes (`git merge --squash` indents the squashed messages), so the
    gate can say why it does not count; None if it quotes none."""
    if not mentions_signoff(text):
        return None
    return parse_message("\n".join(_QUOTING.sub("", line) for line in text.split("\n")))


@dataclass(frozen=True, slots=True, kw_only=True)
class Declassification:
    """The principal's record that a page is no longer classified (解密): the path, the bytes of
    its first public version, what it was, and why."""

    path: str
    blob: str
    was: str  # the classification it had: 机密★5年
    reason: str
    parent: str = ""  # the commit it was made on
    seal: str = ""  # the principal's `baomi` signature of `declassification_payload(...)`


def _one_line(text: str) -> str:
    return " ".join(text.split())


def declassification_payload(record: Declassification) -> bytes:
    lines = ["baomi-declassify 1", f"parent {record.parent}", f"declassified {record.blob} {record.path}"]
    lines += [f"was {record.was}", f"reason {_one_line(record.reason)}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sealing(parent: str, seal: str) -> str:
    return (f"{PARENT}: {parent}\n" if parent else "") + (f"{SEAL}: {seal}\n" if seal else "")


def format_declassification(record: Declassification) -> str:
    if unsafe_path(record.path):
        raise InputError(repr(record.path), _("the file name holds a line break or a control character"))
    # a record's text, as the sign-off's subject, is the same in every locale (docs/contracts.md)
    return (
        f"baomi: 解密 {record.path}\n\n{record.reason}\n\n"
        f"{DECLASSIFIED}: {record.path} blob={record.blob} was={record.was}\n"
        f"{REASON}: {_one_line(record.reason)}\n" + _sealing(record.parent, record.seal)
    )


def _sealed_trailers(text: str) -> tuple[str, str, str, list[str]]:
    """(parent, seal, reason, the other lines) of a record's message, lines as git ends them."""
    parent = seal = reason = ""
    rest: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip(" \t\r")
        if match := _PARENT_LINE.match(line):
            parent = parent or match["sha"]
        elif match := _SEAL_LINE.match(line):
            seal = seal or match["seal"]
        elif match := _REASON_LINE.match(line):
            reason = reason or match["reason"]
        else:
            rest.append(line)
    return parent, seal, reason, rest


def parse_declassification(text: str) -> Declassification | None:
    """The declassification a commit message records, or None."""
    parent, seal, reason, rest = _sealed_trailers(text)
    found = next((m for line in rest if (m := _DECLASSIFIED_LINE.match(line))), None)
    if found is None or not reason:
        return None
    return Declassification(
        path=found["path"], blob=found["blob"], was=found["was"], reason=reason, parent=parent, seal=seal
    )


REVOKED = "Baomi-Revoked"
_REVOKED_LINE = re.compile(rf"^{REVOKED}: {_PATH}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Revocation:
    """A leader's record that a page is taken down (撤稿): every clearance of it made before this
    record ends; the file stays in the repository, and a new sign-off publishes it again."""

    path: str
    reason: str
    parent: str = ""
    seal: str = ""


def revocation_payload(record: Revocation) -> bytes:
    lines = ["baomi-revoke 1", f"parent {record.parent}", f"revoked {record.path}"]
    lines.append(f"reason {_one_line(record.reason)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def format_revocation(record: Revocation) -> str:
    if unsafe_path(record.path):
        raise InputError(repr(record.path), _("the file name holds a line break or a control character"))
    return (
        f"baomi: 撤稿 {record.path}\n\n{record.reason}\n\n"
        f"{REVOKED}: {record.path}\n{REASON}: {_one_line(record.reason)}\n"
        + _sealing(record.parent, record.seal)
    )


def parse_revocation(text: str) -> Revocation | None:
    """The revocation a commit message records, or None."""
    parent, seal, reason, rest = _sealed_trailers(text)
    found = next((m for line in rest if (m := _REVOKED_LINE.match(line))), None)
    if found is None or not reason:
        return None
    return Revocation(path=found["path"], reason=reason, parent=parent, seal=seal)
