"""Doors of the sign-off commands: `status`, `sign`, `review`, `declassify`, `revoke`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from screen import api
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, UsageError
from screen.i18n import _, ngettext
from screen.report import render
from screen.settings import Settings, load_settings


def trusted_settings(args: argparse.Namespace) -> Settings:
    """Settings of a command that reads the chain of trust (`--trust-ref`, `--trust-root`)."""
    return load_settings(Path.cwd(), rules=args.rules, trust_ref=args.trust_ref, trust_root=args.trust_root)


def run_status(args: argparse.Namespace) -> int:
    result = api.status(trusted_settings(args), list(args.paths), args.since)
    if result is None:
        print(
            _("no published file changed since {rev}; nothing to clear").format(rev=args.since),
            file=sys.stderr,
        )
        return EXIT_CLEAN
    sys.stdout.write(render("status", args.format, result))
    return EXIT_CLEAN if result.publishable else EXIT_BLOCKED


def run_sign(args: argparse.Namespace) -> int:
    if len(args.waive) != len(args.reason):
        raise UsageError(_("every --waive needs its own --reason"))
    waivers = list(zip(args.waive, args.reason, strict=True))
    signed = api.sign(trusted_settings(args), list(args.paths), waivers, args.comment, args.dry_run)
    if args.dry_run:
        sys.stdout.write(signed.message)
        return EXIT_CLEAN
    plan = signed.plan
    count = len(plan.message.cleared)
    print(
        ngettext(
            "signed {count} file as {signer} in {commit}",
            "signed {count} files as {signer} in {commit}",
            count,
        ).format(count=count, signer=plan.signer.name, commit=signed.commit[:10])
    )
    return EXIT_CLEAN


def run_review(args: argparse.Namespace) -> int:
    review = api.review(trusted_settings(args), list(args.paths))
    sys.stdout.write(render("review", "text", review))
    return EXIT_CLEAN if review.publishable else EXIT_BLOCKED


def run_declassify(args: argparse.Namespace) -> int:
    done = api.declassify(trusted_settings(args), args.path, args.reason, args.dry_run)
    if args.dry_run:
        sys.stdout.write(done.message)
        return EXIT_CLEAN
    print(
        _(
            "declassified {path} (was {was}) in {commit}; "
            "from now on it is screened and signed off like any page"
        ).format(path=done.plan.path, was=done.plan.record.was, commit=done.commit[:10])
    )
    return EXIT_CLEAN


def run_revoke(args: argparse.Namespace) -> int:
    done = api.revoke(trusted_settings(args), args.path, args.reason, args.dry_run)
    if args.dry_run:
        sys.stdout.write(done.message)
        return EXIT_CLEAN
    print(
        _(
            "revoked {path} as {signer} in {commit}: it is taken down at the next publish; "
            "a new sign-off publishes it again"
        ).format(path=done.plan.record.path, signer=done.plan.signer.name, commit=done.commit[:10])
    )
    return EXIT_CLEAN


def run_signer(args: argparse.Namespace) -> int:
    if args.action == "list":
        listed = api.signers_in_force(trusted_settings(args))
        for identifier, name, roles, email, keys, valid in listed.signers:
            who = _("{name} ({id})").format(name=name, id=identifier)
            print(f"{who}  {roles}  {email}  {valid}\n    {keys}")
        print("\n" + _("must be signed by:"))
        for kind, roles in listed.requires:
            print("  " + _("{what}: {roles}").format(what=kind, roles=roles))
        return EXIT_CLEAN
    added = api.signer_add(
        Path.cwd(),
        identifier=args.signer_id,
        name=args.name,
        email=args.email,
        role=args.role,
        key=args.key,
        new_key=Path(args.new_key) if args.new_key else None,
        passphrase=not args.no_passphrase,
    )
    print(
        _("added {name} ({id}, {role}) to rules/signers.yml with key {fingerprint}").format(
            name=added.name, id=added.id, role=added.role, fingerprint=added.fingerprint
        )
    )
    if added.configured:
        print(
            _("this repository's git now signs with {key}.pub (gpg.format ssh, user.signingkey)").format(
                key=added.new_key
            )
        )
    print(
        _(
            "next: commit rules/signers.yml (git add rules/signers.yml && git commit); the change counts "
            "once the principal in force signs it (baomi sign rules/signers.yml). The first version that "
            "names a principal is the root of trust."
        )
    )
    return EXIT_CLEAN
