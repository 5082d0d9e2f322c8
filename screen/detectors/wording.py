"""What the wording kinds (replace, protected, roster) read around a match: the sentence it
stands in, the character before it, a 《…》 title around it, years written in its sentence, and
the page's own date. Pure functions over a layer's text (source offsets; hidden markup is
`HIDDEN`) and the document."""

from __future__ import annotations

import datetime
import re

from screen.detectors.analysis import Analysis
from screen.normalize import BREAK, HIDDEN

# What ends a sentence for the wording checks (a table row or list item ends at its line end).
_SENTENCE_END = "。！？；!?;\n" + BREAK
_SPACE = " \t\u3000" + HIDDEN
# A year (2016年, 2016年5月, 2016年5月3日), or a whole date in figures (2016-05-03, 2016.5.3): an
# amount such as 2015.5万元 is no date.
_DATE = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})\s*(?:年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?)?"
    r"|([-/.])(\d{1,2})\4(\d{1,2})(?![\d.]))"
)
# A year in Chinese numerals, as 落款 and old documents write it (二〇一七年).
_CHINESE_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
# A date the page gives itself a label for (发布时间：2016-05-03, 成文日期：2016年5月3日).
_LABELED_DATE = re.compile(
    r"(?:发布|成文|印发|公开|发文)(?:时间|日期)\s*[:：]?\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
# 原 or 前 before a place's name (原青溪县环境保护局): the agency the place had.
_FORMER_PLACE = re.compile(
    r"(.)?[原前][\u3400-\u9fff]{1,10}?(?:自治区|自治州|自治县|省|市|县|区|州|盟|旗|镇|乡)$"
)
# A parenthesis right after a name says what the name is (《合同法》（1999年3月15日通过）): its year
# does not date the sentence.
_AFTER_NOTE = re.compile(r"》?\s*[（(][^（()）]{0,40}[)）]")
# A document number (发文字号) such as 国办发〔2017〕47号: the page is of that year. Only a number
# on a line of its own (a label such as 文号： and markup aside) is the page's own: one cited in
# the body (根据……（国办发〔2017〕47号）要求) is another document's, and would date a new page
# back to that year.
_DOCUMENT_NUMBER = re.compile(
    r"^[\s>#*_|]*(?:(?:发文字号|发文号|文号)\s*[:：|]?[\s*_|]*)?[\u3400-\u9fff]{0,16}"
    r"[〔\[［(（]\s*((?:19|20)\d{2})\s*[〕\]］)）]\s*\d+\s*号[\s*_|]*$",
    re.MULTILINE,
)
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL
)
_FRONT_DATE = re.compile(r"^date:\s*['\"]?((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})", re.MULTILINE)
# Words before a name or title that make a mention historical (a former office).
HISTORICAL_PREFIXES = ("原", "前", "时任", "曾任", "历任")
# Words ending in 前 or 原 in which that character is no "former": 日前国家工商总局印发 is news
# of the day (日前 = recently), 目前环境保护部 the present.
_NOT_PREFIXES = (
    "目前", "当前", "日前", "眼前", "提前", "空前", "面前", "跟前", "向前", "事前", "会前",
    "草原", "高原", "平原", "中原", "还原", "复原", "抗原", "病原",
)  # fmt: skip


def sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around [start, end) in a layer's text."""
    left = max((text.rfind(stop, 0, start) for stop in _SENTENCE_END), default=-1) + 1
    ends = [found for stop in _SENTENCE_END if (found := text.find(stop, end)) >= 0]
    return left, min(ends, default=len(text))


def before(text: str, position: int, count: int = 1) -> str:
    """The `count` visible characters just before `position` (spaces and markup skipped)."""
    found: list[str] = []
    while position > 0 and len(found) < count:
        position -= 1
        if text[position] not in _SPACE:
            found.append(text[position])
        elif found:
            break
    return "".join(reversed(found))


def after(text: str, position: int, count: int = 1) -> str:
    """The `count` visible characters from `position` on (spaces and markup skipped first)."""
    while position < len(text) and text[position] in _SPACE:
        position += 1
    return text[position : position + count].replace(HIDDEN, "")


def prefixed(text: str, position: int, prefixes: tuple[str, ...] = HISTORICAL_PREFIXES) -> bool:
    """Whether one of `prefixes` stands right before `position` (原国家工商行政管理总局)."""
    longest = max(len(p) for p in prefixes)
    written = before(text, position, max(longest, 2))
    return written.endswith(prefixes) and not written.endswith(_NOT_PREFIXES)


def former_place(text: str, position: int) -> bool:
    """Whether 原 or 前 and a place's name stand before `position` (原青溪县环境保护局)."""
    found = _FORMER_PLACE.search(before(text, position, 14))
    if found is None:
        return False
    word = (found[1] or "") + found[0][len(found[1] or "")]
    return word not in _NOT_PREFIXES


def in_title(text: str, start: int, end: int) -> bool:
    """Whether [start, end) stands inside a 《…》 title of the same line."""
    line_start = text.rfind("\n", 0, start) + 1
    opened = text.rfind("《", line_start, start)
    if opened < 0 or text.rfind("》", opened, start) >= 0:
        return False
    closed = text.find("》", end)
    line_end = text.find("\n", end)
    return closed >= 0 and (line_end < 0 or closed < line_end) and text.find("《", end, closed) < 0


def _parts(match: re.Match[str]) -> tuple[int, str | None, str | None]:
    return int(match[1]), match[2] or match[5], match[3] or match[6]


def dates_in(text: str) -> list[datetime.date]:
    """Every year or date written in `text`, as the earliest day it can mean."""
    found = []
    for match in _DATE.finditer(arabic_years(text)):
        year, month, day = _parts(match)
        try:
            found.append(datetime.date(year, int(month or 1), int(day or 1)))
        except ValueError:
            found.append(datetime.date(year, 1, 1))
    return found


def arabic_years(text: str) -> str:
    """`text` with years in Chinese numerals written in figures (二〇一七年 → 2017年)."""
    return _CHINESE_YEAR.sub(lambda m: m[0].translate(_CHINESE_DIGITS), text)


def dated_before(text: str, since: datetime.date) -> bool:
    """Whether `text` names a year or date before `since`: an earlier year, or in the year of
    `since` an earlier month (or day, when the day is written)."""
    for match in _DATE.finditer(arabic_years(text)):
        year, month, day = _parts(match)
        if year < since.year:
            return True
        if year > since.year or not month:
            continue
        if int(month) < since.month or (int(month) == since.month and day and int(day) < since.day):
            return True
    return False


def page_date(analysis: Analysis) -> datetime.date | None:
    """The page's own date: front matter `date:`, else the year of its own document number
    (发文字号, on a line of its own), else the date in its last lines (落款). Computed once per
    document."""
    if "page_date" not in analysis.memo:
        analysis.memo["page_date"] = _page_date(analysis.document.text)
    found: datetime.date | None = analysis.memo["page_date"]
    return found


def _page_date(text: str) -> datetime.date | None:
    front = _FRONT_MATTER.match(text)
    if front:
        dated = _FRONT_DATE.search(front[1])
        if dated:
            try:
                return datetime.date(int(dated[1]), int(dated[2]), int(dated[3]))
            except ValueError:
                pass
    labeled = _LABELED_DATE.search(text)
    if labeled:
        try:
            return datetime.date(int(labeled[1]), int(labeled[2]), int(labeled[3]))
        except ValueError:
            pass
    number = _DOCUMENT_NUMBER.search(text)
    if number:
        return datetime.date(int(number[1]), 12, 31)
    tail = text.rstrip().rsplit("\n", 6)[1:]
    for line in reversed(tail):
        stripped = arabic_years(line.strip())
        if 6 <= len(stripped) <= 16 and stripped.endswith("日"):
            days = dates_in(stripped)
            if days:
                return days[-1]
    return None


def historical(
    analysis: Analysis, layer: int, start: int, end: int, since: datetime.date | None, *, titles: bool = True
) -> bool:
    """Whether the mention at [start, end) is of its time, not a mistake: preceded by 原 or 前,
    inside a 《…》 title (with `titles`: the title of an old document keeps its names), in a
    sentence dated before `since`, or on a page dated before it."""
    text = analysis.document.layers[layer].text
    if (
        prefixed(text, start, ("原", "前"))
        or former_place(text, start)
        or (titles and in_title(text, start, end))
    ):
        return True
    if since is None:
        return False
    left, right = sentence(text, start, end)
    note = _AFTER_NOTE.match(text, end)
    written = text[left:start] + text[note.end() if note else end : right]
    if dated_before(written.replace(HIDDEN, ""), since):
        return True
    dated = page_date(analysis)
    return dated is not None and dated < since


def dated_now(analysis: Analysis, layer: int, start: int, end: int, since: datetime.date | None) -> bool:
    """Whether the text around [start, end) is known to be written after `since`: the page's own
    date, or a year (or date) in its sentence, is on or after it. An old name on an undated page
    may be an old document's: it asks a person rather than blocking."""
    if since is None:
        return True
    dated = page_date(analysis)
    if dated is not None:
        return dated >= since
    text = analysis.document.layers[layer].text
    left, right = sentence(text, start, end)
    return any(day.year >= since.year for day in dates_in(text[left:right].replace(HIDDEN, "")))
