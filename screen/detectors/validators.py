"""Checksums and plausibility tests for numbers and names found by pattern rules.

A validator returns VALID (the rule's level applies), PLAUSIBLE (the rule's `plausible_level`
applies, if any) or INVALID (no finding)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from enum import Enum

from screen.normalize import MASK_CHARACTERS


class Verdict(Enum):
    VALID = "valid"
    PLAUSIBLE = "plausible"
    INVALID = "invalid"


_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10x98765432"
# First two digits of real province-level division codes (GB/T 2260).
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    ]
)


def _digits(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


_GROUP = re.compile(f"[0-9a-z{re.escape(MASK_CHARACTERS)}]+")
# How resident ID numbers are grouped besides in equal groups: region, birth date, the rest
# (110105 19491231 002X), or region then groups of four (110105 1949 1231 002X).
_ID_GROUPS = frozenset({(6, 8, 4), (6, 4, 4, 4), (6, 8, 3, 1)})


def _sizes(text: str) -> tuple[int, ...]:
    """The lengths of the groups of digits (and masks) that separators split `text` into."""
    return tuple(len(group) for group in _GROUP.findall(text.lower()))


def _grouped(
    sizes: tuple[int, ...], standard: frozenset[tuple[int, ...]] = frozenset(), pairs: bool = True
) -> bool:
    """Whether a number's groups are those people write: unbroken, in groups of one length (the
    last may be shorter: 6222 0202 0011 2233 446, 1 1 0 1 0 5 …), or one of the `standard`
    groupings; with `pairs` false, not in pairs. A list of numbers (7 40 32 12 …) is grouped
    irregularly, and no reading of it is a number."""
    if len(sizes) <= 1 or sizes in standard:
        return True
    size = sizes[0]
    return all(s == size for s in sizes[:-1]) and sizes[-1] <= size and (pairs or size != 2)


def gb11643(text: str) -> Verdict:
    """Resident ID number (GB 11643-1999): region, plausible birth date, MOD 11-2 check digit."""
    number, sizes = _digits(text), _sizes(text)
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or number[:2] not in _PROVINCES
        or number[17] not in _GB11643_CHECK  # the check character is a digit or X, nothing else
        or not (len(sizes) == 2 or _grouped(sizes, _ID_GROUPS))  # one break anywhere: a wrap, a <br>
    ):
        return Verdict.INVALID
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return Verdict.INVALID
    if not datetime.date(1900, 1, 1) <= born <= datetime.date.today():
        return Verdict.INVALID
    total = sum(int(d) * w for d, w in zip(number[:17], _GB11643_WEIGHTS, strict=True))
    if _GB11643_CHECK[total % 11] == number[17]:
        return Verdict.VALID
    # A wrong check digit is taken for a typo only in a number written as people write one, not
    # in a list of small numbers that happens to hold a date (53 01 25 19 65 03 12 …).
    typo = len(sizes) == 1 or sizes in _ID_GROUPS or (len(sizes) > 2 and min(sizes[:-1]) >= 3)
    return Verdict.PLAUSIBLE if typo else Verdict.INVALID


def luhn(text: str) -> Verdict:
    """Bank card number: Luhn (ISO/IEC 7812) check digit over 13–19 digits."""
    number = _digits(text)
    if not number.isdigit() or not 13 <= len(number) <= 19 or not _grouped(_sizes(text), pairs=False):
        return Verdict.INVALID
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return Verdict.VALID if total % 10 == 0 else Verdict.INVALID


_GB32100_CHARS = "0123456789abcdefghjklmnpqrtuwxy"
_GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def gb32100(text: str) -> Verdict:
    """Unified social credit code (GB 32100-2015): 18 characters, MOD 31 check character."""
    code = _digits(text)
    if len(code) != 18 or any(c not in _GB32100_CHARS for c in code):
        return Verdict.INVALID
    total = sum(_GB32100_CHARS.index(c) * w for c, w in zip(code[:17], _GB32100_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return Verdict.VALID if _GB32100_CHARS[check] == code[17] else Verdict.INVALID


# Common single-character surnames (百家姓, by frequency), in simplified form: the text is folded.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈"
    "饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵"
    "苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南"
    "班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿"
    "国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯"
    "隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
    ]
)
# Words that look like "surname + given name" but name a role, not a person.
_NOT_NAMES = frozenset(
    [
        "不同",
        "专人",
        "两人",
        "单位",
        "主任",
        "任何",
        "负责",
        "同时",
        "各自",
        "全体",
        "考点",
        "管理",
        "保管",
        "保密",
        "分别",
        "本人",
        "他人",
        "双人",
        "其他",
        "相关",
        "指定",
        "有关",
        "专门",
        "值班",
        "工作",
        "人员",
        "成员",
        "领导",
        "干部",
        "教师",
        "公安",
        "门卫",
        "安保",
        "监考",
        "机要",
        "司机",
    ]
)


def cn_person(text: str) -> Verdict:
    """A plausible personal name: a known surname and one or two given-name characters."""
    name = text.strip()
    if not 2 <= len(name) <= 4 or name[:2] in _NOT_NAMES or name in _NOT_NAMES:
        return Verdict.INVALID
    if name[:2] in _COMPOUND_SURNAMES:
        return Verdict.VALID if len(name) in (3, 4) else Verdict.INVALID
    if name[0] in _SURNAMES and len(name) <= 3:
        return Verdict.VALID
    return Verdict.INVALID


_MOBILE = 11
_RESIDENT_ID = 18


def weak_mask(text: str) -> Verdict:
    """A masked personal number that shows more than publication allows (VALID: report it): a
    mobile number more than its first 3 and last 4 digits, a resident ID number its birth date
    (digits 7–14) or more than its first 6 and last 3 characters, a bank card more than its last
    4 digits. INVALID for a number masked as required, or not masked at all (other rules read
    those), or one that shows fewer than 2 digits."""
    # x (X, Ｘ) masks too, except as an ID's check letter
    chars = [c for c in text.lower() if c.isdigit() or c in MASK_CHARACTERS or c == "x"]
    if len(chars) == _MOBILE + 2 and chars[:3] == ["8", "6", "1"]:
        chars = chars[2:]  # +86 before a mobile number
    size = len(chars)
    hidden = [c in MASK_CHARACTERS or (c == "x" and not (size == _RESIDENT_ID and i == size - 1))
              for i, c in enumerate(chars)]  # fmt: skip
    if not any(hidden) or size - sum(hidden) < 2:
        return Verdict.INVALID
    if size == _MOBILE and chars[0] == "1":
        shown = not all(hidden[3:7])
    elif size == _RESIDENT_ID:
        shown = not all(hidden[6:15])
    elif 13 <= size <= 19:
        shown = not all(hidden[: size - 4])
    else:
        return Verdict.INVALID
    return Verdict.VALID if shown else Verdict.INVALID


_MINOR_YEARS = 14  # 个人信息保护法第28条: a child under fourteen
_DATE_NUMBERS = re.compile(r"\d+")


def minor_birth(text: str) -> Verdict:
    """A birth date (2015年9月, 2015.09.12, 2016年出生) of someone under fourteen today: VALID.
    A date given only to the year or the month is read at its last day (the youngest it may
    be, today at the latest); a date in the future, or no date, is INVALID."""
    numbers = [int(n) for n in _DATE_NUMBERS.findall(text)]
    years = [i for i, n in enumerate(numbers) if 1900 <= n <= 2100]
    if not years:
        return Verdict.INVALID
    year, rest = numbers[years[0]], numbers[years[0] + 1 :]
    month = rest[0] if rest else 12
    if not 1 <= month <= 12:
        return Verdict.INVALID
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    day = rest[1] if len(rest) > 1 else last
    if not 1 <= day <= last:
        return Verdict.INVALID
    born, today = datetime.date(year, month, day), datetime.date.today()
    if born > today and len(rest) < 2 and datetime.date(year, rest[0] if rest else 1, 1) <= today:
        born = today  # born this month (or year): not in the future
    try:
        fourteenth = born.replace(year=born.year + _MINOR_YEARS)
    except ValueError:  # born on 29 February: the birthday is 1 March in a common year
        fourteenth = datetime.date(born.year + _MINOR_YEARS, 3, 1)
    return Verdict.VALID if born <= today < fourteenth else Verdict.INVALID


VALIDATORS: dict[str, Callable[[str], Verdict]] = {
    "minor_birth": minor_birth,
    "weak_mask": weak_mask,
    "gb11643": gb11643,
    "luhn": luhn,
    "gb32100": gb32100,
    "cn_person": cn_person,
}
