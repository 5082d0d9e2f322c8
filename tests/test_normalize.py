"""The normalizer's offset map: `fold` keeps every position, `Projection` maps back exactly."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screen.normalize import (
    BREAK,
    HARD_STOPS,
    HIDDEN,
    HIDDEN_RE,
    MAX_GAP,
    Projection,
    fold,
    fold_table,
    gap_ok,
    noise_re,
    numerals_as_digits,
)

# Characters that exercise every branch of the fold: ASCII, full width, traditional, variants,
# compatibility and Kangxi forms, hidden format characters, spaces, hard stops, astral letters.
_INTERESTING = (
    (
        "aZ09 \t\n\r.,;!?。，；！？…★*_~=`[]()<>#&%|\\\"'"
        "ＡＢＣ１２３機密東嶺計劃青松计划臺裏偽啟衹麼么⼀\uf900⑸①"
        "\u200b\u200d\ufeff\u00ad\ufe0f\u3000\u00a0\u2028"
        "\U0001d400\U0001f130\U0002f800\U0001f600\U000e0001"
    )
    + HIDDEN
    + BREAK
)
_MIXED = st.text(alphabet=st.sampled_from(_INTERESTING) | st.characters(), max_size=200)
_ASTRAL = st.text(alphabet=st.characters(min_codepoint=0x10000), max_size=100)
_REMOVED = [
    HIDDEN_RE,
    noise_re(),
    re.compile(r"[ab]+"),
    re.compile(r"\s"),  # single characters: many adjacent runs of length one
    re.compile(r"x*"),  # can match empty: empty runs must not shift anything
]


# --- fold: one character to one character -------------------------------------------------


@given(st.text())
def test_fold_keeps_length_of_any_text(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(_ASTRAL)
def test_fold_keeps_length_of_astral_text(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(_MIXED)
def test_fold_is_per_character(text: str) -> None:
    # Position i of the folded text depends on source character i alone.
    assert fold(text) == "".join(fold(c) for c in text)


@given(_MIXED)
def test_fold_is_idempotent(text: str) -> None:
    # Terms and text are each folded once: a character already in folded form must fold to
    # itself, or a term written that way never meets the text it should match.
    assert fold(fold(text)) == fold(text)


def test_fold_table_maps_every_character_to_exactly_one_that_is_final() -> None:
    table = fold_table()
    assert all(len(target) == 1 for target in table.values())
    assert not [chr(p) for p, target in table.items() if fold(target) != target]


@pytest.mark.parametrize(
    ("source", "folded"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width Latin letters and digits
        ("ABC Xyz", "abc xyz"),  # uppercase ASCII
        ("機密", "机密"),  # traditional → simplified
        ("東嶺", "东岭"),  # traditional place-name characters
        ("計劃", "计划"),  # traditional 計劃 → 计划
        ("偽啟", "伪启"),  # Taiwan variant forms (TWVariantsRev) → simplified
        ("衹", "只"),  # Hong Kong variant form (HKVariantsRev) → simplified
        ("臺裏", "台里"),  # traditional characters with a different simplified form
        ("\u2f00", "一"),  # Kangxi radical ⼀ → the unified ideograph 一
        ("\uf900", "岂"),  # CJK compatibility ideograph 豈 → 豈 → simplified 岂
        ("\U0002f800", "丽"),  # compatibility ideograph supplement (astral)
        ("\U0001d400", "a"),  # mathematical bold capital A, a look-alike trick
        ("\u200b", HIDDEN),  # zero-width space
        ("\u200d", HIDDEN),  # zero-width joiner
        ("\ufeff", HIDDEN),  # zero-width no-break space (BOM inside text)
        ("\u00ad", HIDDEN),  # soft hyphen
        ("\ufe0f", HIDDEN),  # variation selector 16 (emoji presentation)
        ("\U000e0001", HIDDEN),  # language tag (astral format character)
        ("\u3000", " "),  # ideographic space → ASCII space
        ("\u00a0", " "),  # no-break space → ASCII space
        ("⑸", "⑸"),  # NFKC would make it `(5)`, three characters: it stays one
        ("①", "1"),  # circled digit: NFKC gives one character, so it folds
        ("\t\n\r", "\t\n\r"),  # layout controls are kept, they are whitespace
        ("\x07", HIDDEN),  # other controls are hidden
        ("青松计划", "青松计划"),  # simplified text is left alone
        ("什麼", "什么"),  # traditional 麼 folds to the simplified spelling
        ("什么", "什么"),  # simplified 么 stays: the Taiwan variant 么 → 幺 leads to no simplified form
        ("抬", "抬"),  # likewise 抬 → 擡 (a variant table entry) is not applied to simplified text
        ("衹", "只"),  # a Hong Kong variant that does lead to a simplified form is applied
    ],
)
def test_fold_table(source: str, folded: str) -> None:
    assert fold(source) == folded
    assert len(fold(source)) == len(source)


# --- Projection: cut runs, map positions back ---------------------------------------------


def _removed_positions(text: str, removed: re.Pattern[str]) -> set[int]:
    return {i for m in removed.finditer(text) for i in range(m.start(), m.end())}


@settings(max_examples=300)
@given(_MIXED, st.sampled_from(_REMOVED))
def test_projection_text_is_origin_minus_removed_runs(text: str, removed: re.Pattern[str]) -> None:
    projection = Projection(text, removed)
    assert projection.text == removed.sub("", text)
    cut = _removed_positions(text, removed)
    assert projection.text == "".join(c for i, c in enumerate(text) if i not in cut)


@settings(max_examples=300)
@given(_MIXED, st.sampled_from(_REMOVED))
def test_projection_maps_each_character_to_an_equal_origin(text: str, removed: re.Pattern[str]) -> None:
    projection = Projection(text, removed)
    origins = [projection.to_origin(i) for i in range(len(projection.text))]
    for index, origin in enumerate(origins):
        assert text[origin] == projection.text[index]
    # Strictly increasing, and exactly the positions no removed run covers.
    assert all(a < b for a, b in pairwise(origins))
    assert set(origins) == set(range(len(text))) - _removed_positions(text, removed)


@settings(max_examples=300)
@given(_MIXED, st.sampled_from(_REMOVED))
def test_projection_maps_origin_positions_forward(text: str, removed: re.Pattern[str]) -> None:
    # The way back from a source span (a table cell) into the projected text: each position
    # goes to the number of kept characters before it, so a kept character comes home.
    projection = Projection(text, removed)
    cut = _removed_positions(text, removed)
    for position in range(len(text) + 1):
        kept = sum(1 for i in range(position) if i not in cut)
        assert projection.from_origin(position) == kept
    for index in range(len(projection.text)):
        assert projection.from_origin(projection.to_origin(index)) == index


@given(_MIXED)
def test_projection_of_folded_text_points_at_the_source_character(text: str) -> None:
    # The detectors' path: fold, cut hidden characters, map back into the source.
    folded = fold(text)
    projection = Projection(folded, HIDDEN_RE)
    for index in range(len(projection.text)):
        origin = projection.to_origin(index)
        assert fold(text[origin]) == projection.text[index] != HIDDEN


@pytest.mark.parametrize(
    ("origin", "projected", "origins"),
    [
        ("abc", "abc", [0, 1, 2]),  # nothing removed: identity
        ("\x00\x00ab", "ab", [2, 3]),  # a run at the start
        ("ab\x00\x00", "ab", [0, 1]),  # a run at the end
        ("a\x00b\x00\x00\x00c", "abc", [0, 2, 6]),  # runs of different lengths
        ("\x00\x00\x00", "", []),  # everything removed
        ("", "", []),  # empty text
    ],
)
def test_projection_table(origin: str, projected: str, origins: list[int]) -> None:
    projection = Projection(origin, HIDDEN_RE)
    assert projection.text == projected
    assert [projection.to_origin(i) for i in range(len(projected))] == origins


def test_projection_map_is_fast_on_many_runs() -> None:
    # Hits near the end of a long document with many runs must not cost a scan each.
    text = "a\x00" * 200_000
    projection = Projection(text, HIDDEN_RE)
    assert [projection.to_origin(i) for i in range(199_990, 200_000)] == list(range(399_980, 400_000, 2))


# --- gap_ok: what may stand between two characters of a term ------------------------------


@pytest.mark.parametrize(
    ("gap", "ok"),
    [
        ("", True),  # adjacent characters
        (" ", True),  # one space
        ("   ", True),  # a run of spaces counts as one
        ("\n    ", True),  # a soft line break and indentation count as one
        ("，", True),  # one punctuation mark
        ("，、·", True),  # MAX_GAP punctuation marks
        ("-_-_", False),  # one more than MAX_GAP
        ("， ， ，", False),  # spaces between marks count: five visible characters
        (HIDDEN * 50, True),  # hidden markup never counts, however long
        (HIDDEN + "，" + HIDDEN * 9 + "、" + HIDDEN, True),  # only the two visible marks count
        (HIDDEN * 3 + "-_-_" + HIDDEN, False),  # hidden characters do not dilute visible ones
        ("。", False),  # Chinese full stop ends a sentence
        ("！", False),  # Chinese exclamation mark
        ("？", False),  # Chinese question mark
        ("；", False),  # Chinese semicolon
        (";", False),  # ASCII semicolon
        ("!", False),  # ASCII exclamation mark
        ("?", False),  # ASCII question mark
        (".", False),  # ASCII full stop
        ("…", False),  # ellipsis
        (BREAK, False),  # a block boundary (paragraph break, heading end)
        (HIDDEN + BREAK + HIDDEN, False),  # a boundary inside hidden markup still stops
        (" 。 ", False),  # a hard stop within an otherwise short gap
    ],
)
def test_gap_ok_table(gap: str, ok: bool) -> None:
    assert gap_ok(gap) is ok


def test_gap_ok_limit_is_max_gap() -> None:
    assert gap_ok("★" * MAX_GAP)
    assert not gap_ok("★" * (MAX_GAP + 1))


@given(st.text(alphabet=st.sampled_from(HARD_STOPS), min_size=1), st.text(alphabet=" ，\x00", max_size=2))
def test_gap_ok_never_crosses_a_hard_stop(stops: str, filler: str) -> None:
    assert not gap_ok(filler + stops + filler)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # A number written in Chinese numerals, lower or upper case, with 〇 or ○ for zero.
        ("身份证号一一〇一〇五一九四九一二三一〇〇二x", "身份证号11010519491231002x"),
        ("手机壹叁捌壹贰叁肆伍陆柒捌", "手机13812345678"),
        ("电话一三八 一二三四 五六七八", "电话138 1234 5678"),
        ("一三八****五六七八", "138****5678"),
        ("138一二三四5678", "13812345678"),
        ("二○二六一二○六一二三", "20261206123"),
        # Among ASCII digits a circle is a mask, not a zero.
        ("138○○○○5678", "138○○○○5678"),
        # Dates, counts and names with numerals are shorter than any such number.
        ("二〇二六年十二月六日", "二〇二六年十二月六日"),
        ("一九四九年十月一日", "一九四九年十月一日"),
        ("三三两两，一五一十", "三三两两，一五一十"),
        ("编号一二三四五六", "编号一二三四五六"),
        # Latin letters (folded) typed for digits inside a number, or first in it.
        ("身份证号11o1o519491231oo2x", "身份证号11010519491231002x"),
        ("手机:l38l2345678", "手机:13812345678"),
        ("138-oooo-5678", "138-0000-5678"),
        # A letter in a word, after a number or in a short one stays a letter.
        ("hello1234567, 1000l, 13812345678o", "hello1234567, 1000l, 13812345678o"),
        ("iso9001:2015, 10.10.1o.1, v1.2.3l0", "iso9001:2015, 10.10.1o.1, v1.2.3l0"),
    ],
)
def test_numerals_as_digits_table(text: str, read: str) -> None:
    assert numerals_as_digits(text) == read


_NUMBER_ALPHABET = "〇○零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两0123456789 -.*年月日x号oliab"


@given(st.text(alphabet=_NUMBER_ALPHABET, max_size=60))
def test_numerals_as_digits_keeps_every_place(text: str) -> None:
    read = numerals_as_digits(text)
    assert len(read) == len(text)
    assert all(a == b or (b.isdigit() and not a.isdigit()) for a, b in zip(text, read, strict=True))
