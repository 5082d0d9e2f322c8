"""The records of the sign-off contract that the gate, the waiver rule, the ledger and the trust
chain share: a verified sign-off, what is known of one file, and its clearance state."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from screen.i18n import N_, _
from screen.model import Finding
from screen.signoff.message import SignOffMessage
from screen.signoff.signers import Signer

STATES = (
    "cleared",
    "unsigned",
    "stale",
    "bad-signature",
    "untrusted-signer",
    "self-approved",
    "missing-role",
    "blocked",
    "error",
)

# What people read for each state (the ids above stay in JSON and every machine output).
STATE_LABELS = {
    "cleared": N_("cleared"),
    "unsigned": N_("unsigned"),
    "stale": N_("stale"),
    "bad-signature": N_("bad-signature"),
    "untrusted-signer": N_("untrusted-signer"),
    "self-approved": N_("self-approved"),
    "missing-role": N_("missing-role"),
    "blocked": N_("blocked"),
    "error": N_("error"),
}


def state_label(state: str) -> str:
    """A state as people read it (签发后已改动 for stale), in the reader's language."""
    return _(STATE_LABELS[state]) if state in STATE_LABELS else state


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedSignOff:
    sha: str
    message: SignOffMessage
    committed: datetime.datetime
    signer: Signer | None  # the trusted signer, when the signature verified
    problem: str = ""  # why it does not count ("" when it does)
    state: str = ""  # bad-signature | untrusted-signer, when it does not count
    touches: tuple[str, ...] = ()  # files the sign-off commit itself changed
    # (path, blob) → sha256 of what it clears: one sign-off may name thousands of files
    named: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        named = {(c.path, c.blob): c.sha256 for c in reversed(self.message.cleared)}
        object.__setattr__(self, "named", named)

    def names(self, path: str, blob: str, sha256: str = "") -> bool:
        found = self.named.get((path, blob))
        if found is None:
            return False
        return (
            not sha256
            or found == sha256
            or any(c.path == path and c.blob == blob and c.sha256 == sha256 for c in self.message.cleared)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFacts:
    path: str
    blob: str
    sha256: str
    roles: tuple[str, ...]  # every role the policy requires for this file
    blocking: tuple[Finding, ...] = ()  # blocking findings under the current rules
    authors: frozenset[str] = frozenset()  # emails of who changed it since its last clearance
    author_keys: frozenset[str] = frozenset()  # fingerprints of keys that signed those changes
    unproven: tuple[str, ...] = ()  # of those changes, the ones no listed key signed (authors: signed)
    ended: tuple[tuple[str, str], ...] = ()  # (sign-off, why) of clearances a deletion or 撤稿 ended

    def ending(self, signoff: str) -> str:
        """Why the clearance by `signoff` ended ("" when it did not)."""
        return next((why for sha, why in self.ended if sha == signoff), "")

    # why nobody in force can clear this version ("" when someone can): every signer who may
    # sign for a required role changed it
    stuck: str = ""
    deleted: bool = False  # a rule file deleted and still in force (its deletion is what to clear)
    not_in_force: str = ""  # a rules file whose version the chain of trust did not accept: why
    error: str = ""
    classification: str = ""  # a page's recorded level, described (公开, 机密★5年（… 定密）)
    withheld: str = ""  # why its classification keeps it from publication ("" when public)
    titles: tuple[tuple[str, str], ...] = ()  # the policy's `titles:`, to name the roles in reasons


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStatus:
    path: str
    state: str
    reasons: tuple[str, ...] = ()
    signoffs: tuple[VerifiedSignOff, ...] = ()  # the ones that clear it
    classification: str = ""  # a page's level as its front matter records it (公开, 机密★5年 …)

    @property
    def publishable(self) -> bool:
        return self.state == "cleared"


def wrote(signer: Signer, emails: frozenset[str], keys: frozenset[str]) -> bool:
    """Whether `signer` made a change whose author `emails` and signing `keys` are given. An
    email is anyone's to claim; a key that signed the change ties it to its holder."""
    return bool(set(signer.emails) & emails or signer.fingerprints & keys)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusResult:
    files: tuple[FileStatus, ...]
    trust_problems: tuple[str, ...]
    rules_fingerprint: str

    @property
    def publishable(self) -> bool:
        return all(f.publishable for f in self.files)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewItem:
    status: FileStatus
    since: str  # the sign-off commit of the version last fairly cleared ("" when never cleared)
    diff: str  # the changes since that version
    findings: tuple[Finding, ...]  # unredacted when shown: the reviewer's terminal only


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    items: tuple[ReviewItem, ...]
    signable: tuple[str, ...]
    signoff: str  # the sign-off message `baomi sign` would record now ("" when it refuses)
    refusal: str  # why it would refuse now
    publishable: bool
    rules_fingerprint: str
