"""The records the audit computes and the report formatters read: pure values, so no formatter
imports a use case (or git)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from screen.i18n import N_
from screen.signoff.records import FileStatus

# The rule an `Inspection` counts a version that could not be screened under (level "error");
# the report shows it translated.
UNSCREENED = N_("(cannot be screened)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    when: datetime.datetime
    commit: str
    # draft | deleted | signoff | signoff-not-counted | declassified | revoked | revocation-not-counted
    kind: str
    who: str
    blob: str = ""
    detail: str = ""  # findings of a version, roles and waivers of a sign-off, a reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Trail:
    path: str
    status: FileStatus
    events: tuple[Event, ...]  # oldest first


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    since: datetime.date | None = None
    until: datetime.date | None = None

    def holds(self, when: datetime.datetime) -> bool:
        day = when.date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspection:
    period: Period
    items_reviewed: int  # file versions cleared by a sign-off that counts, in the period
    pages_reviewed: int  # distinct files among them
    versions_drafted: int  # file versions committed in the period (each screened)
    published: int  # at HEAD: cleared files
    held_back: int  # at HEAD: files not cleared
    stale_now: int  # at HEAD: changed after their sign-off
    findings: tuple[tuple[str, str, int], ...]  # (rule, level, count) in the versions drafted
    waivers: tuple[tuple[str, str, str, str], ...]  # (date, path, signer, reason)
    reviewers: tuple[tuple[str, str, int], ...]  # (name, roles, files cleared)
    median_hours: float | None  # from a version's commit to the sign-off that cleared it
    broken: tuple[tuple[str, str, str], ...]  # (date, commit, why a sign-off did not count)
    classification: tuple[tuple[str, str, str], ...]  # (date, path, what changed)
    revoked: tuple[tuple[str, str, str, str], ...] = ()  # (date, path, leader, reason) of 撤稿 records
    # pages (网页: the Markdown pages) apart from configuration and rule files, which are no pages
    others_reviewed: int = 0  # configuration and rule files among the files reviewed
    pages_published: int = 0  # at HEAD: cleared pages
    others_published: int = 0  # at HEAD: cleared configuration and rule files
    ref: str = ""  # the commit whose history was read
    titles: tuple[tuple[str, str], ...] = ()  # role id → what people call it, for the written report

    def titled(self, roles: str) -> str:
        """ "deputy/principal" as people say it (分管领导、主要领导)."""
        names = dict(self.titles)
        return "、".join(names.get(r, r) for r in roles.split("/") if r)
