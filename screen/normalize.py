"""Fold text one character to one character, so every position maps straight back to the source.

NFKC is not used on whole strings: it changes lengths (`⑸` becomes `(5)`). Instead a per-character
table is built once from Unicode data and OpenCC's character tables (traditional → simplified,
Taiwan/Hong Kong variants), keeping only mappings to exactly one character.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from importlib import resources

HIDDEN = "\x00"  # markup, zero-width and format characters: the reader does not see them
BREAK = "\x01"  # a block boundary (paragraph break, heading end): nothing matches across it

# Punctuation that ends a sentence or clause: a term never spans it.
HARD_STOPS = "。！？!?；;.…" + BREAK

MAX_GAP = 3  # visible noise characters allowed between two characters of a term

# Astral ranges worth folding: mathematical alphanumerics (a classic look-alike trick),
# CJK compatibility ideographs supplement, enclosed alphanumerics supplement.
_ASTRAL = ((0x1D400, 0x1D800), (0x2F800, 0x2FA20), (0x1F100, 0x1F200))
_HIDE_RANGES = ((0xFE00, 0xFE10), (0xE0000, 0xE0080), (0xE0100, 0xE01F0))
# Letters that draw nothing: the Hangul fillers (default-ignorable code points of category Lo)
# and the blank Braille pattern. A reader sees a gap, so screening does too.
_INVISIBLE_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
# Where the star and asterisk symbols outside the BMP live (pictographs, geometric shapes).
_STAR_RANGES = ((0x10AF0, 0x10AF1), (0x1F000, 0x1FC00))
_STAR_WORD = re.compile(r"\b(STAR|ASTERISK|ASTERISM)\b")
_KEEP_CONTROLS = "\t\n\r"


def _opencc_table(name: str) -> dict[str, str]:
    """Single-character entries of one OpenCC dictionary file; first candidate wins."""
    text = resources.files("opencc").joinpath("dictionary", name).read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1:
            table[source] = target
    return table


# Blocks whose characters NFKC, lowercasing and categories leave alone (unified ideographs,
# Hangul syllables): skipping them keeps the table build short at every start.
# Their traditional → simplified entries come from OpenCC's table, which is applied separately.
_PLAIN_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7A4))


def _plain_ideograph(point: int) -> bool:
    return any(low <= point < high for low, high in _PLAIN_BLOCKS)


def _bmp_outside_plain_blocks() -> list[int]:
    points: list[int] = []
    low = 0
    for start, end in _PLAIN_BLOCKS:
        points.extend(range(low, start))
        low = end
    points.extend(range(low, 0x10000))
    return points


def _star(char: str) -> str | None:
    """`★` for a symbol Unicode names a star, `*` for one it names an asterisk (a marking's
    star, 机密★5年, in whatever shape it is drawn), None for anything else."""
    found = _STAR_WORD.search(unicodedata.name(char, ""))
    if found is None or unicodedata.category(char)[0] not in "PS":
        return None
    return "★" if found[1] == "STAR" else "*"


def _fold_char(
    char: str, variants: dict[str, str], simplified: dict[str, str], targets: frozenset[str]
) -> str:
    if char in _INVISIBLE_LETTERS:
        return HIDDEN
    star = _star(char)
    if star is not None:
        return star
    category = unicodedata.category(char)
    if category in ("Cf", "Mn", "Me") or (category == "Cc" and char not in _KEEP_CONTROLS):
        return HIDDEN
    compat = unicodedata.normalize("NFKC", char)
    folded = compat if len(compat) == 1 else char
    lower = folded.lower()
    folded = lower if len(lower) == 1 else folded
    # A Taiwan/Hong Kong variant counts only when it leads to a simplified form (啟 → 啓 → 启,
    # 衹 → 只): the variant tables also map plain simplified characters to rarer forms (么 → 幺,
    # 抬 → 擡), which would fold away characters that patterns are written with.
    variant = variants.get(folded)
    if variant is not None and (variant in simplified or variant in targets):
        return simplified.get(variant, variant)
    return simplified.get(folded, folded)


@cache
def fold_table() -> dict[int, str]:
    """The character table behind `fold`, built once per process."""
    variants = _opencc_table("TWVariantsRev.txt") | _opencc_table("HKVariantsRev.txt")
    simplified = _opencc_table("TSCharacters.txt")
    targets = frozenset(simplified.values())
    points = _bmp_outside_plain_blocks()
    for low, high in _ASTRAL + _HIDE_RANGES + _STAR_RANGES:
        points.extend(range(low, high))
    points.extend(
        ord(c) for c in set(simplified) | set(variants) if _plain_ideograph(ord(c)) or ord(c) > 0xFFFF
    )
    table: dict[int, str] = {}
    for point in points:
        if 0xD800 <= point < 0xE000:  # surrogates are not characters
            continue
        char = chr(point)
        folded = _fold_char(char, variants, simplified, targets)
        if folded != char:
            table[point] = folded
    for low, high in _HIDE_RANGES:
        table.update((p, HIDDEN) for p in range(low, high))
    return _closed(table)


def _closed(table: dict[int, str]) -> dict[int, str]:
    """Follow each mapping to its end, so `fold(fold(x)) == fold(x)`. OpenCC folds 麼 to 么 and
    the Taiwan variants fold 么 to 幺: without this, the term 什么 (folded 什幺) never matched the
    text 什麼 (folded 什么)."""
    for point, first in table.items():
        seen, last = {point}, first
        while ord(last) in table and ord(last) not in seen:
            seen.add(ord(last))
            last = table[ord(last)]
        table[point] = last
    return table


def fold(text: str) -> str:
    """Width, case, compatibility and traditional → simplified folding; same length as `text`."""
    return text.translate(fold_table())


def _is_noise(char: str) -> bool:
    return unicodedata.category(char)[0] in "ZPSC" and char not in HARD_STOPS


@cache
def noise_class(keep: str = "") -> str:
    """A regex character class (without brackets) of folded characters skipped between term
    characters: spaces, punctuation and symbols, plus hidden markup. Hard stops are excluded, and
    so are the characters of `keep` (those a pattern names itself)."""
    ranges: list[tuple[int, int]] = []
    for point in _bmp_outside_plain_blocks():
        if 0xD800 <= point < 0xE000:
            continue
        if _is_noise(chr(point)) and chr(point) not in keep:
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    ranges.append((0x1F000, 0x1FAFF))  # emoji and pictographs
    parts = []
    for low, high in ranges:
        parts.append(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}")
    return "".join(parts)


def _escape(point: int) -> str:
    return f"\\U{point:08x}"


@cache
def noise_re(keep: str = "") -> re.Pattern[str]:
    return re.compile(f"[{noise_class(keep)}]+")


def is_noise(char: str) -> bool:
    """Whether a folded character is skipped between the characters of a term."""
    return bool(noise_re().fullmatch(char))


# What people hide a digit of a personal number with, folded (＊ is *, ＃ is #): the official
# star, and the crosses, hashes, dots, circles and squares used instead of it.
MASK_CHARACTERS = "*×#●○◯■□◆◇"

# What people put between the groups of a number, folded (a full-width tilde is a tilde): a
# space, and one of these dashes, dots, slashes and quotes. Never a comma, 、, a colon or a
# semicolon: they separate the numbers of a list (380 019 540，505 053 958), and read as one
# number they gave 173 mobile and 28 card readings on 3.2 MB of number-dense tables and lists.
# The pattern files name the same characters.
NUMBER_SEPARATORS = "-./_·~—–'\"+=‘’“”"
_SEPARATOR = rf"[ \t{re.escape(NUMBER_SEPARATORS)}]"

# Digits written as Chinese numerals one by one (一三八…, 壹叁捌…, 〇 or ○ for zero): a number so
# written is still the number. A run of seven or more digits and numerals (masks among them, and
# single separators between them) is read with ASCII digits; a date (二〇二六年) or a count is
# shorter, and prose never strings seven numerals together. A circle is a zero only in a run with
# another numeral: among ASCII digits it masks one (138○○○○5678).
_NUMERALS = "〇○零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两"
_AS_DIGITS = str.maketrans(_NUMERALS, "00012345678912345678912")
_RUN_CHARACTERS = re.escape(_NUMERALS + MASK_CHARACTERS)
_DIGIT_RUN = re.compile(rf"[{_RUN_CHARACTERS}0-9](?:{_SEPARATOR}?[{_RUN_CHARACTERS}0-9]){{6,}}")
_NUMERAL = re.compile("[零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两]")


# Letters typed for digits, folded (O or o for 0, l or I for 1, and their Greek and Cyrillic
# twins): inside a number they are the digit a reader reads (11O1O5…, l38…). A letter counts
# between two digits of a run that has seven ASCII digits or more, or first in the run when no
# letter comes before it; so words, units (1000l) and codes beside a number are left alone.
_LOOKALIKES = "oοоliıіι"
_LOOKALIKE_DIGITS = str.maketrans(_LOOKALIKES, "00011111")
_WORD_LETTER = "a-zα-ωа-яё"
# A letter after a digit, or a digit after a letter: one class first, so the scan is one pass.
_LOOKALIKE_HINT = re.compile(rf"[0-9{_LOOKALIKES}](?:(?<=[0-9]){_SEPARATOR}?[{_LOOKALIKES}]|(?<![0-9])[0-9])")
_LOOKALIKE_RUN = re.compile(
    rf"(?:(?<![{_WORD_LETTER}])[{_LOOKALIKES}](?=[0-9]))?"
    rf"[0-9](?:{_SEPARATOR}?[{_LOOKALIKES}{re.escape(MASK_CHARACTERS)}0-9])*[0-9]"
)


def digit_read(char: str) -> str | None:
    """The digit a character of a number written to slip past stands for (三 or 叁 3, O 0, l 1),
    itself for a digit; None for anything else (separators, masks, an ID's check letter)."""
    if char.isdigit():
        return char
    folded = fold(char)
    if folded in _LOOKALIKES:
        return folded.translate(_LOOKALIKE_DIGITS)
    read = folded.translate(_AS_DIGITS)
    return read if read != folded and folded not in MASK_CHARACTERS else None


def numerals_as_digits(text: str) -> str:
    """`text` with the Chinese numerals of every run of seven digits or more (ID, phone and card
    numbers) written as ASCII digits, and the Latin letters typed for digits inside such a run;
    same length as `text`."""
    if _NUMERAL.search(text):
        text = _runs_rewritten(text, _DIGIT_RUN, _numerals_run)
    if _LOOKALIKE_HINT.search(text):
        text = _runs_rewritten(text, _LOOKALIKE_RUN, _lookalike_run)
    return text


def _numerals_run(run: str) -> str | None:
    if _NUMERAL.search(run) and sum(c in _NUMERALS or c.isdigit() for c in run) >= 7:
        return run.translate(_AS_DIGITS)
    return None


def _lookalike_run(run: str) -> str | None:
    if sum(c.isdigit() for c in run) >= 7 and any(c in _LOOKALIKES for c in run):
        return run.translate(_LOOKALIKE_DIGITS)
    return None


def _runs_rewritten(text: str, runs: re.Pattern[str], rewrite: Callable[[str], str | None]) -> str:
    """`text` with each match of `runs` that `rewrite` rewrites (to the same length) replaced."""
    parts: list[str] = []
    last = 0
    for run in runs.finditer(text):
        written = rewrite(run[0])
        if written is not None:
            parts += [text[last : run.start()], written]
            last = run.end()
    return "".join([*parts, text[last:]]) if parts else text


HIDDEN_RE = re.compile(HIDDEN + "+")
_SPACE_RUN = re.compile(r"\s+")


def gap_ok(gap: str) -> bool:
    """Whether the folded text between two characters of a term is a skippable gap."""
    visible = _SPACE_RUN.sub(" ", gap.replace(HIDDEN, ""))
    return len(visible) <= MAX_GAP and not any(c in HARD_STOPS for c in visible)


class Projection:
    """`text` with every run matched by `removed` cut out, and a map back to `text` positions.

    The map is built on first use: most files have no hit, and then it is never needed."""

    __slots__ = ("_ends", "_marks", "_origin", "_removed", "_shifts", "text")

    def __init__(
        self, origin: str, removed: re.Pattern[str], rewrite: Callable[[str], str] | None = None
    ) -> None:
        self._origin = origin
        self._removed = removed
        kept = removed.sub("", origin)
        self.text = rewrite(kept) if rewrite else kept  # a rewrite keeps every character's place
        self._marks: list[int] | None = None
        self._shifts: list[int] = []
        self._ends: list[int] | None = None  # where each removed run ends in `origin`

    def _build(self) -> list[int]:
        marks: list[int] = []
        shifts: list[int] = []
        removed_total = 0
        for match in self._removed.finditer(self._origin):
            start, end = match.span()
            marks.append(start - removed_total)
            removed_total += end - start
            shifts.append(removed_total)
        self._marks, self._shifts = marks, shifts
        return marks

    def joined(self, start: int, end: int) -> bool:
        """Whether the projected characters [start, end) stand in the original text separated
        only by gaps a term may have (a few spaces or punctuation, no sentence end or block)."""
        previous = self.to_origin(start)
        for index in range(start + 1, end):
            here = self.to_origin(index)
            if here - previous > 1 and not gap_ok(self._origin[previous + 1 : here]):
                return False
            previous = here
        return True

    def to_origin(self, index: int) -> int:
        """Position in the original text of the projected character at `index`."""
        marks = self._marks if self._marks is not None else self._build()
        k = bisect_right(marks, index)
        return index + (self._shifts[k - 1] if k else 0)

    def from_origin(self, position: int) -> int:
        """Projected index of the first character kept at or after `position` of the original
        text (so [from_origin(start), from_origin(end)) is what is left of a span)."""
        marks = self._marks if self._marks is not None else self._build()
        if self._ends is None:
            self._ends = [mark + shift for mark, shift in zip(marks, self._shifts, strict=True)]
        k = bisect_right(self._ends, position)
        index = position - (self._shifts[k - 1] if k else 0)
        return min(index, marks[k]) if k < len(marks) else index
