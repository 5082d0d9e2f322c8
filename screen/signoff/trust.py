"""The chain of trust: which signers and policy are in force at the trust ref, and which sign-off
commits count.

Trust starts at a pinned root (the first commit that added `rules/signers.yml`, or one named by
`--trust-root` / `git config baomi.trustRoot`). Every later change to `rules/signers.yml` or
`rules/policy.yml` comes into force only when signers in force *before* it, holding the roles
`require.rules` names, signed its exact bytes. A change nobody entitled signed is not in force,
and is reported."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from screen import sshsig
from screen.i18n import N_, _
from screen.signoff.message import (
    CLEARED,
    Cleared,
    SignOffMessage,
    cleared_for,
    parse_message,
    parse_quoted,
    payload,
)
from screen.signoff.records import VerifiedSignOff, wrote
from screen.signoff.signers import (
    POLICY_PATH,
    RULES_FOLDER,
    SIGNERS_PATH,
    TRUST_PATHS,
    Policy,
    Signer,
    Signers,
    TrustError,
    enough_people,
    names_principal,
    parse_policy,
    parse_signers,
)
from screen.vcs import Commit, Repository

_SQUASH_HINT = N_(
    "if it came from a squash or rebase merge, that rewrote the leader's signed commit: merge pull "
    "requests with a merge commit, and ask the leader to sign again"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Trust:
    sha: str  # the trust ref's commit
    root: str
    signers: Signers
    policy: Policy
    allowed: str  # allowed-signers text with every key the chain ever named
    problems: tuple[str, ...] = ()  # changes that are not in force, and why
    rejected: tuple[tuple[str, str, str], ...] = ()  # (path, blob, why) of versions not in force

    def not_in_force(self, path: str, blob: str) -> str:
        """Why the chain did not bring this version of a rules file into force ("" if it did not
        refuse it)."""
        return next((why for p, b, why in self.rejected if (p, b) == (path, blob)), "")


def _root(repo: Repository, trust_sha: str, pinned: str | None) -> str:
    if pinned:
        root = repo.require(pinned, N_("trust root"))
        if not repo.is_ancestor(root, trust_sha):
            raise TrustError(
                _("trust root {root} is not in the history of the trust ref").format(root=pinned)
            )
        return root
    roots = repo.roots(trust_sha)
    if len(roots) > 1:
        # Merging an unrelated history brings another "first" rules/signers.yml, with keys of its
        # author's choosing: which one is the root must be pinned, never guessed.
        raise TrustError(
            _(
                "the trust ref's history has {count} root commits (an unrelated history was merged), "
                "so the first {path} is ambiguous: pin the root of trust with --trust-root COMMIT "
                "or `git config baomi.trustRoot COMMIT`"
            ).format(count=len(roots), path=SIGNERS_PATH)
        )
    # The root is the first version that names a principal: a portal starts from an empty list
    # (`baomi init`), and every clone finds the same commit, whatever its local git config.
    history = repo.log(trust_sha, "", SIGNERS_PATH)
    if not history:
        raise TrustError(
            _(
                "{path} does not exist in the trust ref's history: nobody can sign; commit it "
                "(the first version that names a principal is the root of trust)"
            ).format(path=SIGNERS_PATH)
        )
    for commit in reversed(history):
        data = repo.show(commit.sha, SIGNERS_PATH)
        if data is not None and names_principal(data):
            return commit.sha
    raise TrustError(
        _(
            "{path} names no principal in the trust ref's history: nobody can sign; add the "
            "principal (`baomi signer add … --role principal`) and commit it (the first version that "
            "names a principal is the root of trust)"
        ).format(path=SIGNERS_PATH)
    )


def _version(repo: Repository, sha: str, path: str) -> bytes:
    data = repo.show(sha, path)
    if data is None:
        raise TrustError(
            _("{path} is missing at {commit}; the trust chain needs it from the root on").format(
                path=path, commit=sha[:10]
            )
        )
    return data


def _every_key(repo: Repository, trust_sha: str) -> str:
    """Allowed-signers text for every version of the signers file: git then verifies any key the
    chain ever named, and Baomi decides per version whether that key counted."""
    lines: dict[str, None] = {}
    for commit in repo.log(trust_sha, "", SIGNERS_PATH):
        data = repo.show(commit.sha, SIGNERS_PATH)
        if data is None:
            continue
        try:
            lines.update(dict.fromkeys(parse_signers(data).allowed_signers().splitlines()))
        except TrustError:
            continue  # an unparsable old version names no keys; the chain check reports it
    return "".join(f"{line}\n" for line in lines)


def not_before(commit: Commit, dates: dict[str, datetime.datetime]) -> datetime.datetime:
    """When a commit was made at the earliest we believe: its date is its committer's own claim,
    but it cannot be older than the commits it builds on (a backdated sign-off by a signer whose
    time ran out gains nothing)."""
    return max([commit.committed, *(dates[p] for p in commit.parents if p in dates)])


def _judge(
    commit: Commit, signers: Signers, made: datetime.datetime | None
) -> tuple[Signer | None, str, str]:
    """(trusted signer, state, problem) of a commit's signature against `signers`."""
    if commit.signature == "N":
        return None, "bad-signature", _("not signed; {hint}").format(hint=_(_SQUASH_HINT))
    if commit.signature in ("B", "E"):
        return None, "bad-signature", _("its signature does not verify")
    signer = signers.by_fingerprint(commit.key) if commit.key else None
    if commit.signature != "G" or signer is None:
        key = commit.key or _("unknown")
        why = _("signed by a key ({key}) that is not in {path} as in force").format(
            key=key, path=SIGNERS_PATH
        )
        return None, "untrusted-signer", why
    if not signer.valid_at(made or commit.committed):
        if signer.revoked:
            return None, "untrusted-signer", _("signer {name} is revoked").format(name=signer.name)
        why = _("signer {name} is valid only until {date}").format(name=signer.name, date=signer.valid_until)
        return None, "untrusted-signer", why
    return signer, "", ""


def judge_signature(
    commit: Commit, signers: Signers, made: datetime.datetime | None = None
) -> tuple[Signer | None, str]:
    """The trusted signer of a commit's signature (None and why not, if it has none)."""
    signer, _, problem = _judge(commit, signers, made)
    return signer, problem


_ASK_AGAIN = N_("ask the leader to make it again with baomi (`baomi sign`, `declassify`, `revoke`)")

# What `sealed_here` says of each kind of record: a merge commit, no seal, a copy (whole sentences,
# so that each reads well in Chinese).
_NOT_HERE = {
    "sign-off": (
        N_("a merge commit is no sign-off; make it in a commit of its own with baomi"),
        N_(
            "not made by baomi (no Baomi-Parent or Baomi-Seal): a commit signature alone is no "
            "sign-off, since git signs every commit a leader rebases or copies; {ask}"
        ),
        N_(
            "a copied sign-off: made on {parent}, found on {found} (a rebase, cherry-pick or amend "
            "copies a commit and git signs the copy); {ask}"
        ),
    ),
    "declassification": (
        N_("a merge commit is no declassification; make it in a commit of its own with baomi"),
        N_(
            "not made by baomi (no Baomi-Parent or Baomi-Seal): a commit signature alone is no "
            "declassification, since git signs every commit a leader rebases or copies; {ask}"
        ),
        N_(
            "a copied declassification: made on {parent}, found on {found} (a rebase, cherry-pick or "
            "amend copies a commit and git signs the copy); {ask}"
        ),
    ),
    "revocation": (
        N_("a merge commit is no revocation; make it in a commit of its own with baomi"),
        N_(
            "not made by baomi (no Baomi-Parent or Baomi-Seal): a commit signature alone is no "
            "revocation, since git signs every commit a leader rebases or copies; {ask}"
        ),
        N_(
            "a copied revocation: made on {parent}, found on {found} (a rebase, cherry-pick or amend "
            "copies a commit and git signs the copy); {ask}"
        ),
    ),
}


def verify_seals(commits: list[Commit], store: sshsig.SealStore | None) -> None:
    """Check the seals of many sign-off commits at once, on every core (see `sshsig.verify_all`)."""
    messages = (parse_message(c.message) for c in commits)
    sshsig.verify_all([(payload(m), m.seal) for m in messages if m is not None and m.seal], store)


def sealed_here(commit: Commit, parent: str, seal: str, data: bytes, what: str = "sign-off") -> str:
    """Why a record a signer in force signed was not made deliberately, here ("" when it was):
    `baomi` must have sealed it with the key that signed the commit, naming the commit's parent.
    Git signs every commit it writes when `commit.gpgsign` is on, so a rebased, cherry-picked or
    amended copy of someone's message carries the leader's commit signature, but never their
    seal of this place. `what`: sign-off, declassification or revocation."""
    merge, unsealed, copied = _NOT_HERE[what]
    if len(commit.parents) != 1:
        return _(merge)
    if not parent or not seal:
        return _(unsealed).format(ask=_(_ASK_AGAIN))
    if parent != commit.parents[0]:
        return _(copied).format(parent=parent[:10], found=commit.parents[0][:10], ask=_(_ASK_AGAIN))
    if sshsig.sealer(seal) != commit.key or not sshsig.verifies(data, seal):
        return _("its Baomi-Seal does not verify with the key that signed the commit; {ask}").format(
            ask=_(_ASK_AGAIN)
        )
    return ""


def _made_here(commit: Commit, message: SignOffMessage, touches: tuple[str, ...]) -> str:
    """Why a commit signed by a signer in force is still no sign-off ("" when it is one): it
    must be sealed where it stands (`sealed_here`) and change nothing that is published."""
    if problem := sealed_here(commit, message.parent, message.seal, payload(message)):
        return problem
    if touches:
        return _(
            "the sign-off commit changes published files ({paths}): a sign-off "
            "changes nothing that is published; sign in an empty commit"
        ).format(paths=", ".join(touches[:3]))
    return ""


def verify(
    commit: Commit,
    signers: Signers,
    published: frozenset[str] = frozenset(),
    made: datetime.datetime | None = None,
) -> VerifiedSignOff | None:
    """The sign-off a commit carries, judged against `signers` as made at `made` (see
    `not_before`; default its own date); None if it carries none."""
    message = parse_message(commit.message)
    if message is None:
        return _quoted(commit, published)
    touches = tuple(p for p in commit.paths if p in published or p.startswith(RULES_FOLDER))
    signer, state, problem = _judge(commit, signers, made)
    if signer is not None and (problem := _made_here(commit, message, touches)):
        signer, state = None, "bad-signature"
    return VerifiedSignOff(
        sha=commit.sha,
        message=message,
        committed=commit.committed,
        signer=signer,
        state=state,
        problem=problem,
        touches=touches,
    )


def _quoted(commit: Commit, published: frozenset[str]) -> VerifiedSignOff | None:
    """A commit that only quotes a sign-off (a squash merge): it never counts, and says why."""
    message = parse_quoted(commit.message)
    if message is None:
        return None
    return VerifiedSignOff(
        sha=commit.sha,
        message=message,
        committed=commit.committed,
        signer=None,
        state="unsigned",
        problem=_("only quotes a sign-off (a squash merge does that); {hint}").format(hint=_(_SQUASH_HINT)),
        touches=tuple(p for p in commit.paths if p in published or p in TRUST_PATHS),
    )


def _approved(
    change: Commit,
    version: Cleared,
    signoffs: list[Commit],
    signers: Signers,
    policy: Policy,
    dates: dict[str, datetime.datetime],
) -> bool:
    people = []
    # Who wrote the change, as the policy in force says: under `authors: signed` the owner of the
    # listed key that signed it (a change no such key signed needs two leaders), else its e-mail
    # and key.
    unproven = False
    author = frozenset({change.author_email}), frozenset({change.key} - {""})
    if policy.signed_authors:
        proven = change.signature in ("G", "U") and signers.by_fingerprint(change.key) is not None
        author = frozenset(), frozenset({change.key}) if proven else frozenset()
        unproven = not proven
    acting = signers.under(policy)
    for commit in signoffs:
        signoff = verify(commit, acting, made=not_before(commit, dates))
        signer = signoff.signer if signoff and not signoff.problem else None
        named = signoff and signoff.names(version.path, version.blob, version.sha256)
        if named and signer and not wrote(signer, *author):
            people.append(signer)
    return enough_people(policy.rules, people, unproven)


def _apply(
    repo: Repository,
    change: Commit,
    signers: Signers,
    policy: Policy,
    signoffs: list[Commit],
    dates: dict[str, datetime.datetime],
) -> tuple[Signers, Policy, list[tuple[str, str, str]]]:
    """One commit's changes to the trust files, each judged under the signers and policy in force
    before that commit (a commit changing both files cannot approve its policy with its own new
    signers); returns what is in force after it, and (path, blob, why) of each version that is
    not."""
    after_signers, after_policy = signers, policy
    rejected: list[tuple[str, str, str]] = []
    for path in (p for p in TRUST_PATHS if p in change.paths):
        data = repo.show(change.sha, path)
        if data is None:
            why = _("{path} was deleted in {commit}; the previous version stays in force").format(
                path=path, commit=change.sha[:10]
            )
            rejected.append((path, "", why))
            continue
        version = cleared_for(path, data)
        if not _approved(change, version, signoffs, signers, policy, dates):
            why = _(
                "{path} changed in {commit} without a sign-off by {roles} "
                "under the signers in force before it; that change is not in force"
            ).format(path=path, commit=change.sha[:10], roles=policy.names(policy.rules))
            rejected.append((path, version.blob, why))
            continue
        try:
            if path == SIGNERS_PATH:
                after_signers = parse_signers(data)
            else:
                after_policy = parse_policy(data)
        except TrustError as error:
            why = _("{error} (in {commit}; the previous version stays in force)").format(
                error=error, commit=change.sha[:10]
            )
            rejected.append((path, version.blob, why))
    return after_signers, after_policy, rejected


def load_trust(repo: Repository, trust_ref: str, pinned_root: str | None) -> Trust:
    trust_sha = repo.require(trust_ref, N_("trust ref"))
    root = _root(repo, trust_sha, pinned_root)
    signers = parse_signers(_version(repo, root, SIGNERS_PATH))
    policy = parse_policy(_version(repo, root, POLICY_PATH))
    allowed = _every_key(repo, trust_sha)
    signoffs = repo.log(trust_sha, allowed, grep=f"{CLEARED}:")
    dates = repo.dates(trust_sha)
    rejected: list[tuple[str, str, str]] = []
    for change in reversed(repo.log(f"{root}..{trust_sha}", allowed, *TRUST_PATHS)):
        signers, policy, out = _apply(repo, change, signers, policy, signoffs, dates)
        rejected += out
    return Trust(
        sha=trust_sha,
        root=root,
        signers=signers.under(policy),
        policy=policy,
        allowed=allowed,
        problems=tuple(why for _, _, why in rejected),
        rejected=tuple(r for r in rejected if r[1]),
    )
