"""A page's classification (定密) as its front matter records it: the level, when it was
classified, and its secrecy term (保密期限) or declassification date.

    classification: 机密          # 公开 (default) · 内部 · 秘密 · 机密 · 绝密
    classified_on: 2026-03-01    # required for anything but 公开
    secrecy_term: 5年             # years (5, 5年) or 长期; or instead:
    declassify_on: 2031-03-01

Anything but 公开 is never published, signed or not: 涉密信息不公开. A record that cannot be
read is treated the same way (fail closed)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from screen.i18n import _

PUBLIC = "公开"
LEVELS = (PUBLIC, "内部", "秘密", "机密", "绝密")
SECRET_LEVELS = ("秘密", "机密", "绝密")  # the levels of state secrets (国家秘密), which markings name
LONG_TERM = "长期"
_YEARS = re.compile(r"^\s*(\d{1,3})\s*年?\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Classification:
    level: str = PUBLIC
    classified_on: datetime.date | None = None
    term_years: int | None = None  # None with `long_term` false: no term given
    long_term: bool = False
    declassify_on: datetime.date | None = None
    problems: tuple[str, ...] = ()  # what is wrong with the record (it then counts as classified)

    @property
    def public(self) -> bool:
        return self.level == PUBLIC and not self.problems

    def term(self) -> str:
        """The secrecy term as written on a marking: `5年`, `长期`, `至2031-03-01`, or ''."""
        if self.long_term:
            return LONG_TERM
        if self.term_years is not None:
            return f"{self.term_years}年"
        return f"至{self.declassify_on.isoformat()}" if self.declassify_on else ""

    def expires(self) -> datetime.date | None:
        """When the term ends (None: long-term, or not recorded)."""
        if self.declassify_on:
            return self.declassify_on
        if self.term_years is not None and self.classified_on:
            try:
                return self.classified_on.replace(year=self.classified_on.year + self.term_years)
            except ValueError:  # 29 February
                return self.classified_on.replace(year=self.classified_on.year + self.term_years, day=28)
        return None

    def describe(self) -> str:
        """`机密★5年（2026-03-01 定密）`, or `公开`."""
        if self.level == PUBLIC:
            return PUBLIC
        text = f"{self.level}★{self.term()}" if self.term() else self.level
        return f"{text}（{self.classified_on.isoformat()} 定密）" if self.classified_on else text


def _date(value: object, key: str, problems: list[str]) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(_("{key}: {value} is not a date like 2026-03-01").format(key=key, value=repr(value)))
        return None


def _term(value: object, problems: list[str]) -> tuple[int | None, bool]:
    if value is None:
        return None, False
    if str(value).strip() == LONG_TERM:
        return None, True
    match = _YEARS.match(str(value))
    if not match or int(match[1]) < 1:
        problems.append(
            _("secrecy_term: {value} is neither a number of years (5, 5年) nor {long_term}").format(
                value=repr(value), long_term=LONG_TERM
            )
        )
        return None, False
    return int(match[1]), False


def classification_of(values: Mapping[str, object]) -> Classification:
    """The classification a page's front matter records (公开 when it records none)."""
    problems: list[str] = []
    raw = values.get("classification", PUBLIC)
    level = str(raw).strip() if raw is not None else PUBLIC
    if level not in LEVELS:
        problems.append(
            _("classification: {value} is not one of {levels}").format(
                value=repr(raw), levels="、".join(LEVELS)
            )
        )
    classified_on = _date(values.get("classified_on"), "classified_on", problems)
    declassify_on = _date(values.get("declassify_on"), "declassify_on", problems)
    years, long_term = _term(values.get("secrecy_term"), problems)
    if level != PUBLIC and level in LEVELS:
        if classified_on is None:
            problems.append(
                _("a {level} page needs classified_on: (the date it was classified)").format(level=level)
            )
        if years is None and not long_term and declassify_on is None:
            problems.append(
                _("a {level} page needs secrecy_term: (years or {long_term}) or declassify_on:").format(
                    level=level, long_term=LONG_TERM
                )
            )
    return Classification(
        level=level,
        classified_on=classified_on,
        term_years=years,
        long_term=long_term,
        declassify_on=declassify_on,
        problems=tuple(problems),
    )


def withheld(classification: Classification) -> str:
    """Why a page with this classification is not published ('' when it may be)."""
    if classification.problems:
        return _("the classification record cannot be read ({problems}): fix it").format(
            problems="; ".join(classification.problems)
        )
    if classification.public:
        return ""
    return _(
        "classified {classification}: classified information is not made public, so the page is never "
        "published whatever its sign-offs; once its term has passed or its declassification condition "
        "is met, the principal declassifies it (baomi declassify PATH --reason '…') and it is then "
        "screened and signed off like any page"
    ).format(classification=classification.describe())
