"""Which sign-offs count for a version of a file, and so which of their waivers do: the one rule
that `status`, `history`, `report` and `log` all apply.

A sign-off counts for a version when it names its exact path and bytes, verified (good signature
by a signer in force), and does not itself change the file. It is fair when its signer did not
change the file since its last fair clearance (a reviewer never clears their own writing). A
waiver is a reviewer's decision: it counts only from a fair sign-off by a signer who holds a role
the file requires (a listed drafter's signed waiver is not one)."""

from __future__ import annotations

from collections.abc import Iterable

from screen.i18n import _
from screen.signoff.records import FileFacts, VerifiedSignOff, wrote
from screen.signoff.signers import role_names


def counts(signoff: VerifiedSignOff, facts: FileFacts) -> bool:
    """Whether `signoff` is a valid sign-off of exactly these bytes."""
    named = signoff.names(facts.path, facts.blob, facts.sha256)
    valid = not signoff.problem and facts.path not in signoff.touches
    return named and valid and not facts.ending(signoff.sha)


def fair(signoff: VerifiedSignOff, facts: FileFacts) -> bool:
    """Whether `signoff` counts and its signer did not write what it clears."""
    own = signoff.signer is not None and wrote(signoff.signer, facts.authors, facts.author_keys)
    return counts(signoff, facts) and not own


def decides(signoff: VerifiedSignOff, facts: FileFacts) -> bool:
    """Whether `signoff` is a fair decision by a signer holding a role the file requires."""
    signer = signoff.signer
    return fair(signoff, facts) and signer is not None and bool(signer.roles & set(facts.roles))


def waived(facts: FileFacts, signoffs: Iterable[VerifiedSignOff]) -> dict[str, str]:
    """The waivers that count for this version: finding fingerprint → reason."""
    return {
        waiver.fingerprint: waiver.reason
        for signoff in signoffs
        if decides(signoff, facts)
        for waiver in signoff.message.waivers
    }


def _invalid(signoff: VerifiedSignOff, facts: FileFacts) -> str:
    """Why `signoff` is no valid sign-off of these bytes ("" when it is)."""
    if not signoff.names(facts.path, facts.blob, facts.sha256):
        return _("it names other bytes")
    if signoff.problem:
        return signoff.problem
    if facts.path in signoff.touches:
        return _("the sign-off commit changes the file it clears; sign in an empty commit")
    if ended := facts.ending(signoff.sha):
        return ended
    return "" if signoff.signer is not None else _("no trusted signer")


def not_counted(signoff: VerifiedSignOff, facts: FileFacts) -> str:
    """Why `signoff` does not clear this version, or its waivers do not count ("" when they do)."""
    invalid = _invalid(signoff, facts)
    if invalid or signoff.signer is None:
        return invalid
    if not fair(signoff, facts):
        return _("{name} also changed the file: a reviewer never clears their own writing").format(
            name=signoff.signer.name
        )
    if not decides(signoff, facts):
        return _("{name} holds no role the file requires ({roles})").format(
            name=signoff.signer.name, roles=role_names(facts.roles, facts.titles)
        )
    return ""
