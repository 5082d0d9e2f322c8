"""Validators of numbers and names found by pattern rules: table-driven, plus a property test of
the GB 11643 check digit against an independent implementation of the standard."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from screen.detectors.validators import (
    VALIDATORS,
    Verdict,
    cn_person,
    gb11643,
    gb32100,
    luhn,
    minor_birth,
    weak_mask,
)
from tests.conftest import same_day_as

VALID, PLAUSIBLE, INVALID = Verdict.VALID, Verdict.PLAUSIBLE, Verdict.INVALID


def id_check(first17: str) -> str:
    """GB 11643-1999 MOD 11-2 check character, computed from the standard's definition
    (weights 2^(17-i) mod 11), not from the module under test."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(region: str, born: str, sequence: str) -> str:
    """A resident ID number with a correct check character."""
    first17 = region + born + sequence
    assert len(first17) == 17 and first17.isdigit()
    return first17 + id_check(first17)


def wrong_check(number: str) -> str:
    """`number` with a check character that is not the right one."""
    right = number[17]
    return number[:17] + ("1" if right != "1" else "2")


TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)
NEXT_YEAR = TODAY.replace(year=TODAY.year + 1) if (TODAY.month, TODAY.day) != (2, 29) else TOMORROW


def test_helper_agrees_with_a_published_number() -> None:
    # The helper reproduces the well-known sample number's X check digit.
    assert make_id("110105", "19491231", "002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The standard's sample number: check character X.
        ("11010519491231002X", VALID),
        # Folded text arrives lowercase: x is the same check character.
        ("11010519491231002x", VALID),
        # Spaces and hyphens between the groups are ignored.
        ("110105 19491231 002X", VALID),
        ("110105-19491231-002X", VALID),
        # Generated numbers from several provinces, decades and check digits.
        (make_id("440304", "19900307", "123"), VALID),
        (make_id("530102", "20010615", "456"), VALID),
        (make_id("650104", "19751120", "001"), VALID),
        (make_id("320581", "19680229", "789"), VALID),  # 1968 is a leap year
        (make_id("110101", "20000229", "010"), VALID),  # 2000 is a leap year (divisible by 400)
        # The earliest accepted birth date, and someone born today.
        (make_id("110101", "19000101", "000"), VALID),
        (make_id("110101", TODAY.strftime("%Y%m%d"), "000"), VALID),
        # Right shape and date, wrong check digit: a typo or a made-up number.
        ("110105194912310021", PLAUSIBLE),
        (wrong_check(make_id("440304", "19900307", "123")), PLAUSIBLE),
        # A check character that is neither a digit nor X is not a resident ID at all.
        ("11010519491231002A", INVALID),
        # Grouped as people write a number: region, birth date and the rest; groups of four;
        # one length throughout; single digits; pairs. A wrong check digit in such a grouping
        # is still a typo, except in pairs or single digits, which a list of numbers also is.
        ("110105 19491231 002X", VALID),
        ("110105 1949 1231 002X", VALID),
        ("1101 0519 4912 3100 2X", VALID),
        ("1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 X", VALID),
        ("11 01 05 19 49 12 31 00 2X", VALID),
        ("1101 0519 4912 3100 21", PLAUSIBLE),
        ("11 01 05 19 49 12 31 00 21", INVALID),
        # One break anywhere (a wrapped line, a <br>): the number, but a wrong check digit
        # there is no typo.
        ("1101051949 1231002X", VALID),
        ("110105\n19491231002X", VALID),
        ("1101051949 12310021", INVALID),
        # A list of numbers is grouped irregularly: no reading of it is a number.
        ("11 0105 1949 12 31 002 X", INVALID),
        ("1101 05 19491231 002X", INVALID),
        # Impossible dates, even with a correct check digit.
        (make_id("110105", "19490230", "002"), INVALID),  # 30 February
        (make_id("110105", "19491331", "002"), INVALID),  # month 13
        (make_id("110105", "19490001", "002"), INVALID),  # month 00
        (make_id("110105", "19491200", "002"), INVALID),  # day 00
        (make_id("110105", "20230229", "002"), INVALID),  # 2023 is not a leap year
        (make_id("110105", "19000229", "002"), INVALID),  # 1900 is not a leap year
        # Born in the future.
        (make_id("110105", TOMORROW.strftime("%Y%m%d"), "002"), INVALID),
        (make_id("110105", NEXT_YEAR.strftime("%Y%m%d"), "002"), INVALID),
        # Born before 1900.
        (make_id("110105", "18991231", "002"), INVALID),
        (make_id("110105", "18500101", "002"), INVALID),
        # Province codes that do not exist (GB/T 2260).
        (make_id("000105", "19491231", "002"), INVALID),
        (make_id("990105", "19491231", "002"), INVALID),
        (make_id("100105", "19491231", "002"), INVALID),
        (make_id("600105", "19491231", "002"), INVALID),
        # Wrong lengths: 17, 19, and the old 15-digit format.
        ("11010519491231002", INVALID),
        ("11010519491231002X0", INVALID),
        ("110105491231002", INVALID),
        # Letters inside the number.
        ("1101051949123100AX", INVALID),
        # Nothing at all.
        ("", INVALID),
    ],
)
def test_gb11643(text: str, expected: Verdict) -> None:
    same_day_as(TODAY)
    assert gb11643(text) is expected


def luhn_complete(body: str) -> str:
    """`body` plus the Luhn check digit that makes it valid."""
    for digit in "0123456789":
        candidate = body + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one digit always completes a Luhn number")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The classic Visa test number, and a one-digit change of it.
        ("4111111111111111", VALID),
        ("4111111111111112", INVALID),
        # A 19-digit UnionPay-shaped number, and a wrong last digit.
        ("6222020200112233446", VALID),
        ("6222020200112233445", INVALID),
        # A 15-digit American Express test number.
        ("378282246310005", VALID),
        # Two transposed digits are caught.
        ("4111111111111121", INVALID),
        # Grouped with spaces or hyphens, as printed on cards, or one digit at a time.
        ("4111 1111 1111 1111", VALID),
        ("4111-1111-1111-1111", VALID),
        ("4.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1", VALID),
        # Pairs and irregular groups are a list of numbers, not a card.
        ("41 11 11 11 11 11 11 11", INVALID),
        ("4 111 11 1111 1 111 11", INVALID),
        # Length bounds: 13 and 19 digits are card lengths, 12 and 20 are not.
        ("4222222222222", VALID),
        (luhn_complete("4" * 12), VALID),
        (luhn_complete("6" * 18), VALID),
        (luhn_complete("4" * 11), INVALID),
        (luhn_complete("6" * 19), INVALID),
        # Letters are not card numbers.
        ("411111111111111a", INVALID),
        # Nothing at all.
        ("", INVALID),
    ],
)
def test_luhn(text: str, expected: Verdict) -> None:
    assert luhn(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A valid unified social credit code, as printed and as folded (lowercase).
        ("91350100M000100Y43", VALID),
        ("91350100m000100y43", VALID),
        # Another valid code.
        ("91110000600037341L", VALID),
        # Wrong check character.
        ("91350100M000100Y42", INVALID),
        ("91350100M000100Y4A", INVALID),
        # I, O, Z, S and V are never used (they look like 1, 0, 2, 5 and U).
        ("91350100I000100Y43", INVALID),
        ("91350100O000100Y43", INVALID),
        ("91350100Z000100Y43", INVALID),
        ("91350100S000100Y43", INVALID),
        ("91350100V000100Y43", INVALID),
        ("91350100M000100Y4O", INVALID),
        # Wrong lengths.
        ("91350100M000100Y4", INVALID),
        ("91350100M000100Y430", INVALID),
        # Nothing at all.
        ("", INVALID),
    ],
)
def test_gb32100(text: str, expected: Verdict) -> None:
    assert gb32100(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Common two- and three-character names.
        ("陈红", VALID),
        ("李秀杰", VALID),
        ("王建国", VALID),
        ("何志军", VALID),
        # Surrounding whitespace does not matter.
        (" 陈红 ", VALID),
        # Compound surnames with one or two given-name characters.
        ("欧阳修", VALID),
        ("欧阳明", VALID),
        ("司马相如", VALID),
        ("司马光", VALID),
        ("上官婉儿", VALID),
        # A compound surname alone is not a full name.
        ("欧阳", INVALID),
        ("司马", INVALID),
        # Role words that look like surname + given name.
        ("专人", INVALID),
        ("负责", INVALID),
        ("不同", INVALID),
        ("专人保管", INVALID),
        ("负责人", INVALID),
        ("不同人员", INVALID),
        ("管理员", INVALID),
        ("保管员", INVALID),
        ("双人", INVALID),
        ("其他人", INVALID),
        # A single character, four characters after a single surname, or five characters.
        ("王", INVALID),
        ("王建国同", INVALID),
        ("欧阳明明同", INVALID),
        # Not a known surname.
        ("犇犇", INVALID),
        ("Wang", INVALID),
        ("", INVALID),
    ],
)
def test_cn_person(text: str, expected: Verdict) -> None:
    assert cn_person(text) is expected


def test_registry_names_every_validator() -> None:
    # Rule files name validators by these keys; each maps to the function it names.
    expected = {
        "gb11643": gb11643,
        "luhn": luhn,
        "gb32100": gb32100,
        "cn_person": cn_person,
        "weak_mask": weak_mask,
        "minor_birth": minor_birth,
    }
    assert expected == VALIDATORS


# Province-level codes of GB/T 2260, independent of the module's own list.
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36"]
PROVINCES += ["37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62"]
PROVINCES += ["63", "64", "65"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """Random region, sequence and birth date (1900-01-01 .. today) with the right check digit."""
    province = draw(st.sampled_from(PROVINCES))
    region = province + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today()))
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return make_id(region, born.strftime("%Y%m%d"), sequence)


@given(resident_ids())
def test_any_well_formed_number_with_its_check_digit_is_valid(number: str) -> None:
    assert gb11643(number) is VALID
    assert gb11643(number.lower()) is VALID


@given(resident_ids(), st.sampled_from("0123456789X"))
def test_any_other_check_digit_is_not_valid(number: str, check: str) -> None:
    assume(check != number[17])  # the right digit is covered above
    changed = number[:17] + check
    assert gb11643(changed) is not VALID
    assert gb11643(changed) is PLAUSIBLE  # shape and date are still right


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        # Under fourteen: nine years old, fourteen tomorrow, born today.
        (TODAY.replace(year=TODAY.year - 9) if TODAY.month != 2 or TODAY.day != 29 else TODAY, VALID),
        (TODAY - datetime.timedelta(days=14 * 365), VALID),
        (TODAY, VALID),
        # Fourteen or older, and not born yet.
        (TODAY - datetime.timedelta(days=14 * 366), INVALID),
        (datetime.date(1965, 3, 1), INVALID),
        (TOMORROW, INVALID),
    ],
)
def test_minor_birth_on_a_full_date(born: datetime.date, expected: Verdict) -> None:
    same_day_as(TODAY)
    for written in (
        f"{born:%Y年%m月%d日}",
        f"{born:%Y.%m.%d}",
        f"{born:%Y-%m-%d}",
        f"出生日期：{born:%Y/%m/%d}",
    ):
        assert minor_birth(written) is expected, written


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # A year or a month alone is read at its last day: the youngest the person may be.
        (f"{TODAY.year - 14}年", VALID),
        (f"{TODAY.year - 15}年", INVALID),
        (f"{TODAY.year}年{TODAY.month}月出生", VALID),
        # Impossible dates, and none.
        ("2015年13月", INVALID),
        ("2015年2月30日", INVALID),
        ("出生", INVALID),
    ],
)
def test_minor_birth_on_a_partial_date(written: str, expected: Verdict) -> None:
    same_day_as(TODAY)
    assert minor_birth(written) is expected
