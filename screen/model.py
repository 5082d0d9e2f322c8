"""Frozen records shared by every layer: levels, scopes, rules and findings."""

from __future__ import annotations

import datetime
import hashlib
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    BLOCK = "block"
    REVIEW = "review"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.BLOCK: 3, Level.REVIEW: 2, Level.INFO: 1}


class Scope(StrEnum):
    TITLE = "title"
    FRONT_MATTER = "front_matter"
    BODY = "body"
    HEADING = "heading"
    CODE = "code"
    HTML_COMMENT = "html_comment"
    LINK = "link"
    IMAGE_ALT = "image_alt"
    CONFIG = "config"
    ATTACHMENT = "attachment"
    PATH = "path"  # the file's own name and folders: MkDocs makes URLs, titles and menus of them


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """Words that, found within `window` characters of a match, set its level (first entry wins).

    Entity rules may name a cue by `regex` (with an optional `validate`) instead of words, and say
    on which `side` of the entity it must stand; `name` then stands for it in reports, since the
    matched cue (an ID number, coordinates) must never be printed."""

    words: tuple[str, ...] = ()
    window: int
    level: Level
    regex: str = ""
    validate: str = ""
    side: str = "both"  # before | after | both: where the cue stands, seen from the entity
    name: str = ""


ENTITY_LABELS = ("PERSON", "PLACE", "ORG")
# What a file that is not text nor a readable attachment is (a file rule names which it blocks).
FILE_TYPES = ("archive", "legacy_office", "binary")


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityPattern:
    """One pattern of the entity recognizer: a spaCy Matcher token pattern (kept as JSON text, so
    the record stays hashable) and the weight its match adds to a span's score for `label`."""

    id: str
    label: str
    pattern: str
    weight: float
    origin: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """A recognized PERSON, PLACE or ORG: character offsets into the text it was found in."""

    label: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Replacement:
    """One entry of a replace rule: wrong forms, the right one, since when, and where from."""

    wrong: tuple[str, ...]
    right: str
    since: datetime.date | None = None  # when the wrong forms stopped being right
    source: str = ""
    allow: tuple[str, ...] = ()  # longer phrases holding a wrong form that are fine
    level: Level | None = None  # the entry's own level (the list says 禁用), else the rule's


PERSON_STATUSES = ("current", "former", "fallen")


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """One person of a portal's roster (`rules/people.yml`)."""

    name: str
    titles: tuple[str, ...] = ()
    order: int | None = None  # precedence when listed together: smaller first
    status: str = "current"  # current | former | fallen
    origin: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule as loaded from `rules/`; kind-specific fields stay empty for other kinds."""

    id: str
    kind: str
    level: Level
    message: str
    basis: str = ""
    origin: str = ""  # "rules/terms/x.yml:3", for messages
    hits: tuple[str, ...] = ()
    misses: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    regex: str = ""
    gaps: bool = False  # pattern rules: read the text as terms do (noise between characters skipped)
    validate: str = ""
    plausible_level: Level | None = None
    plausible_message: str = ""  # pattern rules: the message of a merely plausible match
    context: tuple[Context, ...] = ()
    enabled: bool = True
    entity: str = ""  # entity rules: the label whose spans are reported (PERSON, PLACE, ORG)
    officials: bool = True  # entity rules: false leaves out a person named with an office title
    patterns: tuple[EntityPattern, ...] = ()  # entity rules: the whole recognizer, shared
    file_types: tuple[str, ...] = ()  # file rules: archive | legacy_office | binary
    allow_extensions: tuple[str, ...] = ()  # file rules: suffixes (".woff2") let through
    characters: str = ""  # characters rules: code points and ranges (U+202A-U+202E …)
    refuse: str = ""  # markup rules: the class of constructs refused (script, style, data, …)
    replace: tuple[Replacement, ...] = ()  # replace rules: wrong → right entries
    historical: bool = False  # replace rules: a mention dated before an entry's change is allowed
    cited: bool = False  # replace rules: only a citation counts (《…》, 中华人民共和国…, …第…条)
    protected: tuple[str, ...] = ()  # protected rules: phrases whose near misses are reported
    roster: str = ""  # roster rules: the check (name_variant, title_mismatch, order, fallen)
    people: tuple[Person, ...] = ()  # roster rules: the portal's roster (rules/people.yml)
    example_people: tuple[Person, ...] = ()  # roster rules: the fictional roster of its examples
    mask: str = ""  # pattern rules: how `baomi fix` masks the number (mobile, resident_id, bank_card)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """A detector's raw result: a span of the source text and the rule it matched."""

    rule: Rule
    start: int
    end: int
    level: Level
    key: str  # normalized matched text; feeds the keyed fingerprint, never printed
    layer: int = 0
    context_words: tuple[str, ...] = ()
    suggestion: str = ""  # the right form of the matched text, where the rule knows it
    basis: str = ""  # where this match's fact comes from, when more precise than the rule's basis
    message: str = ""  # what was found, when more precise than the rule's message


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A hit placed in its file: positions are 1-based, columns in code points, end exclusive."""

    rule: str
    level: Level
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    scope: Scope
    message: str
    basis: str
    excerpt: str  # redacted match
    context: str  # redacted source line around the match
    context_shown: str  # the same, unredacted: printed only with --show-matches
    context_column: int  # where the match starts in `context` (0-based, in characters)
    match: str  # the raw matched source text: printed only with --show-matches
    fingerprint: str
    context_words: tuple[str, ...] = ()
    location: str = ""  # inside an attachment: `page 3`, `Sheet1!B3`, `EXIF GPS` ("" elsewhere)
    # Found only in the page as a browser parses it: the rendered element (`<p>#3 @title`) and
    # where in that element's text the match starts; line and column are the element's start tag.
    rendered: str = ""
    rendered_offset: int = 0
    suggestion: str = ""  # the right form (wording rules) or the masked form (personal numbers)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickled as a tuple of its values: several times faster both ways than the dataclass's
        # generic state, for the findings cache and the cores' results (400,000 in a dense run).
        return _finding, _FINDING_VALUES(self)


def _finding(*values: object) -> Finding:
    finding = object.__new__(Finding)
    for name, value in zip(_FINDING_FIELDS, values, strict=True):
        object.__setattr__(finding, name, value)  # what a frozen dataclass's own state setter does
    return finding


_FINDING_FIELDS = tuple(Finding.__dataclass_fields__)
_FINDING_VALUES = operator.attrgetter(*_FINDING_FIELDS)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileError:
    path: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FileResult:
    """One screened file: its findings in report order (line, column, rule) and its errors."""

    path: str
    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """The outcome of one check: what every door turns into output."""

    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    files_scanned: int
    rules_fingerprint: str
    rules: tuple[Rule, ...]

    def blocked(self, fail_on: Level) -> bool:
        return any(f.level.rank >= fail_on.rank for f in self.findings)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckRun:
    """A check as it runs: `each(digest)` screens the files and gives, in file order as they are
    screened, what `digest` makes of each file's result, made where the file was screened (on a
    worker core when the check uses several); `files` gives the results themselves."""

    each: Callable[[Callable[[FileResult], Any]], Iterator[Any]]
    files_scanned: int
    rules_fingerprint: str
    rules: tuple[Rule, ...]

    @property
    def files(self) -> Iterator[FileResult]:
        return self.each(same_result)

    def gathered(self) -> CheckResult:
        """The run held whole, for the commands that need all of it at once."""
        findings: list[Finding] = []
        errors: list[FileError] = []
        for result in self.files:
            findings.extend(result.findings)
            errors.extend(result.errors)
        return CheckResult(
            findings=tuple(findings),
            errors=tuple(errors),
            files_scanned=self.files_scanned,
            rules_fingerprint=self.rules_fingerprint,
            rules=self.rules,
        )


def same_result(result: FileResult) -> FileResult:
    """A file's result as its own digest (`CheckRun.each`, `screening.digest_parts`)."""
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrence:
    """A version of a published file as it first entered the history: the commit that added
    these bytes at this path, and whether HEAD still has them there."""

    commit: str
    committed: datetime.datetime
    path: str
    blob: str
    in_head: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryFinding:
    finding: Finding
    occurrence: Occurrence
    waiver: str = ""  # the reason a verified sign-off of these exact bytes gave for waiving it


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryError:
    occurrence: Occurrence
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryResult:
    """The outcome of `baomi history`: every version of every published file in the history."""

    findings: tuple[HistoryFinding, ...]
    errors: tuple[HistoryError, ...]
    commits_scanned: int
    versions_scanned: int
    rules_fingerprint: str
    rules: tuple[Rule, ...]
    waivers_note: str = ""  # why sign-offs were not read (then no waiver counts), or ""

    def blocked(self, fail_on: Level) -> bool:
        return any(h.finding.level.rank >= fail_on.rank and not h.waiver for h in self.findings)


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryVersion:
    """One version of a published file screened: its findings (in report order) and errors."""

    occurrence: Occurrence
    findings: tuple[HistoryFinding, ...]
    errors: tuple[HistoryError, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRun:
    """`baomi history` as it runs: the versions' results come from `versions` (read once), in
    the order the history introduced them, as they are screened."""

    versions: Iterator[HistoryVersion]
    commits_scanned: int
    versions_scanned: int
    rules_fingerprint: str
    rules: tuple[Rule, ...]
    waivers_note: str = ""

    def gathered(self) -> HistoryResult:
        findings: list[HistoryFinding] = []
        errors: list[HistoryError] = []
        for version in self.versions:
            findings.extend(version.findings)
            errors.extend(version.errors)
        return HistoryResult(
            findings=tuple(findings),
            errors=tuple(errors),
            commits_scanned=self.commits_scanned,
            versions_scanned=self.versions_scanned,
            rules_fingerprint=self.rules_fingerprint,
            rules=self.rules,
            waivers_note=self.waivers_note,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingFile:
    """A published file whose new version waits: the site shows its last cleared version."""

    path: str  # docs-relative for a page, repository-relative for configuration
    shown: str  # the sign-off commit that cleared the bytes shown
    waiting: str  # why the new version is not published


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldBackFile:
    """A page never cleared (or taken down): not on the site."""

    path: str  # docs-relative
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishResult:
    """The outcome of `baomi publish`: the site put in place, and what it does not show as it
    stands in the working tree."""

    site: str
    pages: int
    pending: tuple[PendingFile, ...]
    held_back: tuple[HeldBackFile, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditedPage:
    """What the publish audit found in one built page, remembered by its bytes: the findings of
    the page without the blocks an earlier page had (`kept`: the digests of the blocks it screened
    itself; `dropped`: those it left to the page that had them first)."""

    findings: tuple[Finding, ...]
    kept: bytes  # 16-byte digests, one after another (a page of 2,000 leaves 32 KB, not a set)
    dropped: bytes

    @staticmethod
    def pack(digests: set[bytes]) -> bytes:
        return b"".join(sorted(digests))

    @staticmethod
    def unpack(packed: bytes) -> set[bytes]:
        return {packed[at : at + 16] for at in range(0, len(packed), 16)}


def blob_id(data: bytes) -> str:
    """Git's blob id for `data` (what `git hash-object` prints): the identity of exact bytes that
    sign-offs, the history audit and the findings cache all key on."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
