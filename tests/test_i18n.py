"""Baomi speaks Chinese by default and English when the locale names English (screen/i18n.py);
the Chinese catalog is complete for every marked message, and its compiled form is current."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from screen import i18n
from screen.i18n import CHINESE, ENGLISH, choose

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "screen" / "locale" / "zh_CN" / "LC_MESSAGES" / "baomi"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, CHINESE),
        ({"LANG": "C"}, CHINESE),
        ({"LANG": "POSIX"}, CHINESE),
        ({"LANG": "C.UTF-8"}, CHINESE),
        ({"LANG": "zh_CN.UTF-8"}, CHINESE),
        ({"LANG": "en_US.UTF-8"}, ENGLISH),
        ({"LANG": "en_GB"}, ENGLISH),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, ENGLISH),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, CHINESE),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, ENGLISH),
        ({"LANGUAGE": "en", "LC_ALL": "zh_CN.UTF-8"}, ENGLISH),
        ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, CHINESE),
        ({"LANGUAGE": "fr:en_US", "LANG": "zh_CN.UTF-8"}, ENGLISH),
        ({"LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, ENGLISH),
        ({"LANGUAGE": "", "LC_ALL": "", "LANG": "en_US"}, ENGLISH),
        ({"LANG": "fr_FR.UTF-8"}, CHINESE),
    ],
)
def test_the_locale_decides_and_an_unset_or_c_locale_reads_chinese(
    environ: dict[str, str], expected: str
) -> None:
    assert choose(environ) == expected


def _extracted() -> set[str]:
    messages: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "screen"),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def _catalog() -> object:
    with (CATALOG.with_suffix(".po")).open("rb") as handle:
        return read_po(handle, locale="zh_CN")


def test_every_marked_message_has_a_chinese_translation() -> None:
    catalog = _catalog()
    missing = []
    for message in sorted(_extracted()):
        entry = catalog.get(message)  # type: ignore[attr-defined]
        translated = (
            entry is not None
            and not entry.fuzzy
            and all(part for part in (entry.string if isinstance(entry.string, tuple) else (entry.string,)))
        )
        if not translated:
            missing.append(message)
    assert not missing, "run `make catalogs` and translate:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    import re

    field = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sr]|%[sr]")
    wrong = []
    for entry in _catalog():  # type: ignore[attr-defined]
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = sorted(field.findall(ids[-1]))
        for string in strings:
            if string and sorted(field.findall(string)) != wanted:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalog_is_current() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())  # type: ignore[arg-type]
    assert CATALOG.with_suffix(".mo").read_bytes() == compiled.getvalue(), "run `make catalogs`"


def test_chinese_is_the_default_and_english_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGUAGE")
    assert i18n._("options") == "选项"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert i18n._("options") == "options"
