"""`baomi fix`, planned as pure edits of a file's text: the wording findings' right forms and
personal numbers masked as inspections require. Never a secrecy term or a marking (they have no
right form; a person decides), never anything on a classified page, and never an edit whose
place is not plain text: a finding's region is in the source file (the source map), so a fix in
a table cell, a link text or front matter lands in the right characters, and where markup or an
escape stands inside the wrong form the edit is left to a person."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from screen.detectors.patterns import NUMBER_CHARACTERS
from screen.findings import redact
from screen.i18n import N_
from screen.model import CheckResult, Finding, Rule, Scope

# The rule kinds whose suggestions are safe to apply: wording, where the right form is known.
WORDING_KINDS = frozenset({"replace", "protected", "roster"})
# Findings that make a page a person's decision: nothing on it is changed by a tool.
PERSON_ONLY = ("marking.", "classification.")
FIXABLE_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".txt"})

HELD_CLASSIFIED = N_("holds a secrecy marking or classification finding: a person must decide")
SKIP_MARKUP = N_("markup, an escape or spacing stands inside the text: fix it by hand")
SKIP_OVERLAP = N_("overlaps another fix")
SKIP_PLACE = N_("found only in the rendered page or an attachment: fix it in the source by hand")


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    start: int  # offsets in the file's text
    end: int
    new: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    finding: Finding
    reason: str  # a marked message (`N_`), translated where it is shown


@dataclass(frozen=True, slots=True, kw_only=True)
class FilePlan:
    path: str
    edits: tuple[Edit, ...] = ()  # sorted and disjoint
    fixed: tuple[Finding, ...] = ()  # the findings the edits fix
    skipped: tuple[Skipped, ...] = ()
    held: str = ""  # why nothing in the file is changed (a marked message), "" when it is not held


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFix:
    """One file `baomi fix` looked at: its bytes as screened, as fixed, and the plan between."""

    path: str
    file: Path
    before: bytes
    after: bytes
    plan: FilePlan
    diff: str  # unified, matches other than wording redacted unless shown

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass(frozen=True, slots=True, kw_only=True)
class FixPlan:
    files: tuple[FileFix, ...]
    not_text: tuple[str, ...]  # files a fix never changes (not Markdown or text)
    result: CheckResult  # the findings left once the fixes are made (every file given)


def fixable_file(path: str) -> bool:
    """Whether `fix` may change the file: Markdown or plain text only."""
    return PurePosixPath(path).suffix.lower() in FIXABLE_SUFFIXES


def fixable_rule(rule: Rule) -> bool:
    """Whether a rule's suggestions are applied: wording rules, and masks of personal numbers."""
    return rule.kind in WORDING_KINDS or bool(rule.mask)


def plan(path: str, text: str, findings: Iterable[Finding], rules: Mapping[str, Rule]) -> FilePlan:
    """The edits that fix `findings` of the file `path` whose text is `text`."""
    found = [f for f in findings if f.path == path]
    if any(f.rule.startswith(PERSON_ONLY) or _kind(rules, f.rule) == "classification" for f in found):
        return FilePlan(path=path, held=HELD_CLASSIFIED)
    starts = line_starts(text)
    characters: dict[int, str] = {}  # one character for another: fixes of the same length
    spans: list[Edit] = []  # a span for a text of another length
    fixed: list[Finding] = []
    skipped: list[Skipped] = []
    for finding in sorted(found, key=lambda f: (f.line, f.column)):
        rule = rules.get(finding.rule)
        if not finding.suggestion or rule is None or not fixable_rule(rule):
            continue
        if finding.rendered or finding.location or finding.scope in (Scope.PATH, Scope.ATTACHMENT):
            skipped.append(Skipped(finding=finding, reason=SKIP_PLACE))
            continue
        start = offset(starts, finding.line, finding.column)
        end = offset(starts, finding.end_line, finding.end_column)
        old = text[start:end]
        new = aligned(old, finding.suggestion)
        if new is None:
            skipped.append(Skipped(finding=finding, reason=SKIP_MARKUP))
            continue
        if new == old:
            continue
        # Two rules may ask for the same fix (a phrase and a longer phrase holding it): the same
        # characters agree, and only a fix that would undo or cut across another is left out.
        wanted = (
            {start + i: c for i, (a, c) in enumerate(zip(old, new, strict=True)) if a != c}
            if len(new) == len(old)
            else {}
        )
        crossed = any(s.start < end and start < s.end for s in spans)
        if wanted and not crossed and all(characters.get(k, c) == c for k, c in wanted.items()):
            if not all(characters.get(k) == c for k, c in wanted.items()):
                fixed.append(finding)
            characters.update(wanted)
        elif not wanted and not crossed and not any(start <= k < end for k in characters):
            spans.append(Edit(start=start, end=end, new=new))
            fixed.append(finding)
        elif Edit(start=start, end=end, new=new) not in spans:
            skipped.append(Skipped(finding=finding, reason=SKIP_OVERLAP))
    edits = [Edit(start=k, end=k + 1, new=c) for k, c in characters.items()] + spans
    return FilePlan(
        path=path,
        edits=tuple(sorted(edits, key=lambda e: e.start)),
        fixed=tuple(fixed),
        skipped=tuple(skipped),
    )


def _kind(rules: Mapping[str, Rule], rule_id: str) -> str:
    rule = rules.get(rule_id)
    return rule.kind if rule else ""


def line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def offset(starts: list[int], line: int, column: int) -> int:
    """The text offset of a 1-based line and column (columns in code points)."""
    return starts[line - 1] + column - 1


_NUMBER_MARKS = frozenset(NUMBER_CHARACTERS + " -+")  # a masked number's, digits aside


def _significant(char: str) -> bool:
    return char.isalnum() or char == "*"


def aligned(written: str, right: str) -> str | None:
    """`written` (the source characters of a finding) rewritten to `right`: character for
    character over its letters and digits when both have as many (markup between them stays where
    it is: `**扫黑**除饿` → `**扫黑**除恶`), whole when `written` is nothing but letters and digits,
    else None (markup, an escape or spacing inside: a person fixes it)."""
    wanted = [c for c in right if _significant(c)]
    whole = len(wanted) == len(right.replace(" ", "").replace("-", ""))
    letters = [i for i, c in enumerate(written) if c.isalnum()]
    tries = [letters]
    if all(c.isdigit() or c in _NUMBER_MARKS for c in written):
        # a weakly masked number and nothing else: its stars are the number's, not markup
        tries.append([i for i, c in enumerate(written) if c.isdigit() or c in NUMBER_CHARACTERS])
    for places in tries:
        if whole and len(places) == len(wanted):
            out = list(written)
            for place, char in zip(places, wanted, strict=True):
                out[place] = char
            return "".join(out)
    if len(letters) == len(written):
        return right
    return None


def apply(text: str, edits: Iterable[Edit]) -> str:
    """`text` with the (sorted, disjoint) edits made."""
    pieces, cursor = [], 0
    for edit in edits:
        pieces += [text[cursor : edit.start], edit.new]
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def shown(text: str, findings: Iterable[Finding], keep: frozenset[str]) -> str:
    """`text` with the findings' matches redacted (by character, as reports do), but those of
    the rules in `keep` (wording: a wrong word is not a secret)."""
    starts = line_starts(text)
    out = list(text)
    for finding in findings:
        if finding.rule in keep or finding.rendered or finding.location:
            continue
        start = offset(starts, finding.line, finding.column)
        end = offset(starts, finding.end_line, finding.end_column)
        if 0 <= start <= end <= len(text) and text[start:end] == finding.match:
            out[start:end] = list(redact(finding.match))
    return "".join(out)


def unified_diff(path: str, old: str, new: str) -> str:
    """The change as `git diff` shows it (a/ and b/ prefixes)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
