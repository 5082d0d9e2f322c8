"""Characters a writer puts in place of the right one: homophones and look-alikes.

Homophones are characters that share a reading (tones ignored, every reading of a heteronym
counted) among the 8,105 characters of 《通用规范汉字表》 (2013): the character set and the
table's own readings come from `pypinyin-dict` (its `ktghz2013` data), the readings of each
character from `pypinyin` as well, so a reading either source knows counts. Look-alikes (形近字)
come from `lookalikes.txt` next to this module, kept as data with its source.

Both libraries load only when rules are compiled (about 0.15 s); a compiled detector carries
the small tables it needs, so a cached engine never imports them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

LOOKALIKES = "lookalikes.txt"


@dataclass(frozen=True, slots=True)
class Similar:
    readings: dict[str, frozenset[str]]  # character → its toneless readings
    by_reading: dict[str, frozenset[str]]  # toneless reading → the characters that have it
    lookalikes: dict[str, frozenset[str]]  # character → its look-alikes

    def homophones(self, char: str) -> frozenset[str]:
        """The characters sharing a reading with `char` (itself excluded)."""
        found: set[str] = set()
        for reading in self.readings.get(char, ()):
            found |= self.by_reading[reading]
        found.discard(char)
        return frozenset(found)


def confusable(
    readings: dict[str, frozenset[str]], lookalikes: dict[str, frozenset[str]], right: str, written: str
) -> bool:
    """Whether `written` shares a reading with `right` or looks like it: what a one-character
    slip puts in its place. Detectors keep the two tables (not the whole `Similar`) in the
    compiled rules, and ask this."""
    if readings.get(right, frozenset()) & readings.get(written, frozenset()):
        return True
    return written in lookalikes.get(right, frozenset())


def read_lookalikes(text: str) -> dict[str, frozenset[str]]:
    """Groups of look-alike characters, one group a line, separated by spaces; `#` comments."""
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        group = line.split("#", 1)[0].split()
        for char in group:
            found.setdefault(char, set()).update(c for c in group if c != char)
    return {char: frozenset(others) for char, others in found.items() if others}


@cache
def similar() -> Similar:
    """The tables, built once per process (only while rules are compiled)."""
    from pypinyin import Style, pinyin
    from pypinyin_dict.pinyin_data import ktghz2013

    readings: dict[str, frozenset[str]] = {}
    for point, marked in ktghz2013.pinyin_dict.items():
        char = chr(point)
        own = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
        table = [_toneless(r) for r in marked.split(",")]
        readings[char] = frozenset(r for r in own + table if r.isalpha())
    by_reading: dict[str, set[str]] = {}
    for char, its in readings.items():
        for reading in its:
            by_reading.setdefault(reading, set()).add(char)
    text = files("screen.detectors").joinpath(LOOKALIKES).read_text(encoding="utf-8")
    return Similar(
        readings=readings,
        by_reading={r: frozenset(c) for r, c in by_reading.items()},
        lookalikes=read_lookalikes(text),
    )


def _toneless(reading: str) -> str:
    """`lǚ` → `lv`, `zhòng` → `zhong`: the form `pypinyin`'s NORMAL style writes."""
    from pypinyin.contrib.tone_convert import to_normal

    return str(to_normal(reading.strip()))
