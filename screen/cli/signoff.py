"""Doors of the sign-off commands: `status`, `sign`, `review`, `declassify`, `revoke`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from screen import api
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, UsageError
from screen.report import render
from screen.settings import Settings, load_settings


def trusted_settings(args: argparse.Namespace) -> Settings:
    """Settings of a command that reads the chain of trust (`--trust-ref`, `--trust-root`)."""
    return load_settings(Path.cwd(), rules=args.rules, trust_ref=args.trust_ref, trust_root=args.trust_root)


def run_status(args: argparse.Namespace) -> int:
    result = api.status(trusted_settings(args), list(args.paths), args.since)
    if result is None:
        print(f"no published file changed since {args.since}; nothing to clear", file=sys.stderr)
        return EXIT_CLEAN
    sys.stdout.write(render("status", args.format, result))
    return EXIT_CLEAN if result.publishable else EXIT_BLOCKED


def run_sign(args: argparse.Namespace) -> int:
    if len(args.waive) != len(args.reason):
        raise UsageError("every --waive needs its own --reason")
    waivers = list(zip(args.waive, args.reason, strict=True))
    signed = api.sign(trusted_settings(args), list(args.paths), waivers, args.comment, args.dry_run)
    if args.dry_run:
        sys.stdout.write(signed.message)
        return EXIT_CLEAN
    plan = signed.plan
    print(f"signed {len(plan.message.cleared)} file(s) as {plan.signer.name} in {signed.commit[:10]}")
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
        f"declassified {done.plan.path} (was {done.plan.record.was}) in {done.commit[:10]}; "
        "from now on it is screened and signed off like any page"
    )
    return EXIT_CLEAN


def run_revoke(args: argparse.Namespace) -> int:
    done = api.revoke(trusted_settings(args), args.path, args.reason, args.dry_run)
    if args.dry_run:
        sys.stdout.write(done.message)
        return EXIT_CLEAN
    print(
        f"revoked {done.plan.record.path} as {done.plan.signer.name} in {done.commit[:10]}: it is taken "
        "down at the next publish (撤稿); a new sign-off publishes it again"
    )
    return EXIT_CLEAN


def run_signer(args: argparse.Namespace) -> int:
    if args.action == "list":
        listed = api.signers_in_force(trusted_settings(args))
        for identifier, name, roles, email, keys, valid in listed.signers:
            print(f"{name}（{identifier}）  {roles}  {email}  {valid}\n    {keys}")
        print("\n须签发 must be signed by:")
        for kind, roles in listed.requires:
            print(f"  {kind}: {roles}")
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
    print(f"added {added.name} ({added.id}, {added.role}) to rules/signers.yml with key {added.fingerprint}")
    if added.configured:
        print(f"this repository's git now signs with {added.new_key}.pub (gpg.format ssh, user.signingkey)")
    print(
        "next: commit rules/signers.yml (git add rules/signers.yml && git commit); the change counts once "
        "the principal in force signs it (baomi sign rules/signers.yml). The first version that names "
        "a principal is the root of trust."
    )
    return EXIT_CLEAN
