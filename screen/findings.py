"""From detector hits to findings: source positions, scope, redaction and keyed fingerprints."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from screen.model import Finding, Hit
from screen.source import Document

_NEWLINE = re.compile("\n")
CONTEXT_CHARS = 24  # characters of context shown on each side of a match


def redact(text: str) -> str:
    """Keep the first and last letter or digit (only the first for two, none for one: a lone
    letter shown would be the match itself), star the others; keep punctuation and symbols, so
    `机密★5年` shows as `机*★*年`. By character, never by byte."""
    if text.isalnum():  # a word or a number, the common case: no punctuation to keep
        size = len(text)
        return "*" if size == 1 else text[0] + "*" if size == 2 else text[0] + "*" * (size - 2) + text[-1]
    significant = [i for i, c in enumerate(text) if c.isalnum()]
    keep = set(significant[:1]) if len(significant) > 1 else set()
    keep |= set(significant[-1:]) if len(significant) > 2 else set()
    return "".join(c if i in keep or not c.isalnum() else "*" for i, c in enumerate(text))


def printable(text: str) -> str:
    """Make control and format characters visible, so a report cannot drive the terminal."""
    if text.isprintable():  # no tab, control or format character (nor any other unusual one)
        return text
    return "".join(" " if c == "\t" else "·" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def fingerprint(key: bytes, rule: str, path: str, matched: str, ordinal: int) -> str:
    """Keyed, position-independent identity of a finding (HMAC-SHA256, 128 bits shown)."""
    message = "\0".join((rule, path, matched, str(ordinal))).encode()
    keyed = _keyed(key).copy()  # the key's pads are hashed once, not once per finding
    keyed.update(message)
    return keyed.hexdigest()[:32]


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def bounds(self, line: int) -> tuple[int, int]:
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return start, end


def _redacted(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with every finding's span redacted, made once per file (a file with tens of
    thousands of findings must not cost quadratic time). Where spans overlap, each character
    comes from the first span, in (start, end) order, that covers it. Each span is redacted
    whole, then cut where the next takes over: redacting only a visible part would keep that
    part's own first and last characters, revealing digits the excerpt hides. Redaction keeps
    lengths: offsets are the source's."""
    pieces = []
    cursor = 0
    for start, end in sorted(spans):
        if end <= cursor:
            continue
        at = max(start, cursor)
        pieces.append(text[cursor:at])
        pieces.append(redact(text[start:end])[at - start :])
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _contexts(lines: _Lines, line: int, redacted: str, start: int, end: int) -> tuple[str, str, int]:
    """The match's line trimmed around the match, redacted and as written (for --show-matches),
    and where the match starts in them (redaction keeps lengths, so both agree)."""
    line_start, line_end = lines.bounds(line)
    left = max(line_start, start - CONTEXT_CHARS)
    right = min(line_end, max(end, start + 1) + CONTEXT_CHARS)
    prefix = "…" if left > line_start else ""
    suffix = "…" if right < line_end else ""
    return (
        prefix + printable(redacted[left:right].rstrip("\r")) + suffix,
        prefix + printable(lines.text[left:right].rstrip("\r")) + suffix,
        len(prefix) + start - left,
    )


def make_findings(document: Document, hits: Iterable[Hit], key: bytes, salt: str = "") -> tuple[Finding, ...]:
    """Findings for one document, sorted by position, duplicates merged. `salt` keeps the
    fingerprints of a second document of the same file (its name) apart from the content's."""
    unique: dict[tuple[str, int, int], Hit] = {}
    for hit in sorted(hits, key=lambda h: (h.start, h.end, h.rule.id, -h.level.rank)):
        unique.setdefault((hit.rule.id, hit.start, hit.end), hit)
    if not unique:
        return ()
    lines = _Lines(document.text)
    redacted = _redacted(document.text, [(h.start, h.end) for h in unique.values()])
    ordinals: dict[tuple[str, str], int] = {}
    findings = []
    for hit in unique.values():
        line, column = lines.position(hit.start)
        matched = document.text[hit.start : hit.end]
        if "\n" in matched:
            end_line, end_column = lines.position(hit.end)
        else:
            end_line, end_column = line, column + hit.end - hit.start
        ordinal = ordinals.get((hit.rule.id, hit.key), 0)
        ordinals[(hit.rule.id, hit.key)] = ordinal + 1
        context, context_shown, column_in_context = _contexts(lines, line, redacted, hit.start, hit.end)
        findings.append(
            Finding(
                rule=hit.rule.id,
                level=hit.level,
                path=document.path,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                scope=document.layers[hit.layer].scope_at(hit.start),
                message=hit.message or hit.rule.message,
                basis=hit.basis or hit.rule.basis,
                excerpt=printable(redact(matched)),
                context=context,
                context_shown=context_shown,
                context_column=column_in_context,
                match=matched,
                fingerprint=fingerprint(key, hit.rule.id, document.path + salt, hit.key, ordinal),
                context_words=hit.context_words,
                location=document.locations[line - 1] if line <= len(document.locations) else "",
                suggestion=hit.suggestion,
            )
        )
    return tuple(findings)


_RENDERED_SALT = "\x00rendered"  # a rendered-only finding's fingerprint is its own
_WHERE = re.compile(r"<([a-z][a-z0-9-]*)>#(\d+)")
_SAME = re.compile(r"[\s\x00\x01]+")


def _same(hit: Hit) -> tuple[str, str]:
    return hit.rule.id, _SAME.sub("", hit.key)


class _Anchors:
    """Where in the source a rendered element (`<p>#3 @title`) most likely starts.

    The element's start tag is found by its ordinal in the HTML the view was parsed from (`<p>#3`:
    the third `<p`); in a copied HTML file that is the source itself. In a rendered Markdown page
    the tag is looked for in the source as it was written (raw HTML passes through unchanged),
    else its first words are; an attribute is looked for by its name. Failing all, the run's own
    opening words."""

    def __init__(self, source: str, markup: str) -> None:
        self.source = source
        self.markup = markup
        self._tags: dict[str, list[int]] = {}

    def at(self, where: str, shown: str = "") -> int | None:
        named = _WHERE.match(where)
        tag = self._tag(named[1], int(named[2])) if named else None
        if tag is not None and self.markup is self.source:
            return tag
        attribute = where.rpartition(" @")[2].split(" ")[0] if " @" in where else ""
        if attribute:
            found = re.search(rf"[\s\"'/]{re.escape(attribute)}\b", self.source, re.IGNORECASE)
            if found:
                return found.start() + 1
        if tag is not None:
            close = self.markup.find(">", tag)
            following = self.markup.find("<", close + 1)
            content = self.markup[close + 1 : min(close + 13, following if following > 0 else close + 13)]
            for probe in (self.markup[tag : tag + 40], content.strip()):
                # Python-Markdown writes `&#38738` back as `&#38738;`: a semicolon may be missing
                pattern = re.escape(probe).replace(";", ";?")
                found = re.search(pattern, self.source) if probe else None
                if found:
                    return found.start()
        words = "".join(shown.split())[:12]
        index = self.source.find(words) if words else -1
        return index if index >= 0 else None

    def _tag(self, tag: str, ordinal: int) -> int | None:
        if tag not in self._tags:
            pattern = re.compile(rf"<{re.escape(tag)}(?=[\s/>])", re.IGNORECASE)
            self._tags[tag] = [m.start() for m in pattern.finditer(self.markup)]
        found = self._tags[tag]
        return found[ordinal - 1] if ordinal <= len(found) else None


def _element(view: Document, offset: int, row: str) -> str:
    """The element a view's text at `offset` is in: its table cell's (`<td>#7`), else the row's
    or the run's (`row`)."""
    index = bisect_right(view.cells, (offset, len(view.text) + 1, "")) - 1
    if index >= 0 and view.cells[index][0] <= offset < view.cells[index][1]:
        return view.cells[index][2]
    return row


def unshared(document: Document, hits: list[Hit]) -> list[Hit]:
    """The hits outside the pieces of `document` its view repeats (those the view dropped)."""
    shared = document.shared
    if not shared:
        return hits
    starts = [(layer, start) for layer, start, _ in shared]
    kept = []
    for hit in hits:
        index = bisect_right(starts, (hit.layer, hit.start)) - 1
        inside = index >= 0 and shared[index][0] == hit.layer and hit.start < shared[index][2]
        if not inside:
            kept.append(hit)
    return kept


def rendered_only(
    document: Document, source: Iterable[Hit], view: Document, rendered: Iterable[Hit]
) -> tuple[list[Hit], dict[int, Hit]]:
    """The hits of the rendered view that the source's hits do not already account for: the same
    rule and matched text seen in both is one finding, at its source line. Each source hit takes
    the rendered hit of its kind whose element starts last before it (the element it is in).

    Also the source hits the view reads more strongly (by `id`): the hit at the view's level,
    with its cues. The parsed page knows what the source scanner does not (the header of an HTML
    table's column: a card number under 银行卡号 has its card cue)."""
    anchors = _Anchors(document.text, view.markup or document.text)
    lines = _Lines(view.text)
    pending: dict[tuple[str, str], list[tuple[int, Hit]]] = {}
    for hit in rendered:
        line, _ = lines.position(hit.start)
        where = _element(view, hit.start, view.locations[line - 1] if line <= len(view.locations) else "")
        anchor = anchors.at(where, view.text[slice(*lines.bounds(line))])
        pending.setdefault(_same(hit), []).append((-1 if anchor is None else anchor, hit))
    stronger: dict[int, Hit] = {}
    for hit in source:
        candidates = pending.get(_same(hit))
        if not candidates:
            continue
        before = [i for i, (anchor, _) in enumerate(candidates) if anchor <= hit.start]
        index = max(before, key=lambda i: candidates[i][0]) if before else 0
        _, seen = candidates.pop(index)
        if seen.level.rank > hit.level.rank:
            stronger[id(hit)] = replace(hit, level=seen.level, context_words=seen.context_words)
    extra = sorted(
        (hit for group in pending.values() for _, hit in group), key=lambda h: (h.start, h.rule.id)
    )
    return extra, stronger


def place_rendered(document: Document, view: Document, hits: list[Hit], key: bytes) -> tuple[Finding, ...]:
    """Findings of rendered-only `hits` of `view`, reported in `document`: at the start tag of
    the element they were found in when the source has it, else at the top of the file."""
    placed = []
    lines = _Lines(document.text)
    shown = _Lines(view.text)
    anchors = _Anchors(document.text, view.markup or document.text)
    for finding in make_findings(view, hits, key, salt=_RENDERED_SALT):
        where = _element(view, shown.bounds(finding.line)[0] + finding.column - 1, finding.location)
        offset = anchors.at(where, view.text[slice(*shown.bounds(finding.line))]) or 0
        line, column = lines.position(offset)
        end_line, end_column = lines.position(offset + 1)  # the first character of the element
        placed.append(
            replace(
                finding,
                path=document.path,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                location=f"rendered {where}",
                rendered=where,
                rendered_offset=finding.column - 1,
            )
        )
    return tuple(placed)
