"""Classification (定密) in front matter: the record, markings that contradict it, and the gate
that never publishes a classified page and asks the principal for its first public version."""

from __future__ import annotations

import datetime

import pytest

from screen.classification import classification_of, withheld
from screen.engine import Engine
from screen.source import read_document

KEY = b"classification-test-key-0123"
D = datetime.date


@pytest.mark.parametrize(
    ("values", "level", "term", "expires", "problem"),
    [
        ({}, "公开", "", None, ""),  # no record: public
        ({"classification": "公开"}, "公开", "", None, ""),
        ({"classification": "机密", "classified_on": D(2026, 3, 1), "secrecy_term": "5年"},
         "机密", "5年", D(2031, 3, 1), ""),
        ({"classification": "秘密", "classified_on": "2024-02-29", "secrecy_term": 2},
         "秘密", "2年", D(2026, 2, 28), ""),
        ({"classification": "绝密", "classified_on": D(2026, 3, 1), "secrecy_term": "长期"},
         "绝密", "长期", None, ""),
        ({"classification": "内部", "classified_on": D(2026, 3, 1), "declassify_on": D(2027, 1, 1)},
         "内部", "至2027-01-01", D(2027, 1, 1), ""),
        ({"classification": "机密"}, "机密", "", None, "needs classified_on"),
        ({"classification": "机密", "classified_on": D(2026, 3, 1)}, "机密", "", None, "needs secrecy_term"),
        ({"classification": "机蜜"}, "机蜜", "", None, "is not one of 公开、内部、秘密、机密、绝密"),
        ({"classification": "秘密", "classified_on": "三月", "secrecy_term": "5年"}, "秘密", "5年", None,
         "is not a date"),
        ({"classification": "秘密", "classified_on": D(2026, 3, 1), "secrecy_term": "五年"}, "秘密", "", None,
         "neither a number of years"),
    ],
)  # fmt: skip
def test_the_record(
    values: dict[str, object], level: str, term: str, expires: D | None, problem: str
) -> None:
    record = classification_of(values)
    assert (record.level, record.term(), record.expires()) == (level, term, expires)
    assert problem in "; ".join(record.problems)
    assert bool(record.problems) == bool(problem)
    reason = withheld(record)
    assert (reason == "") == (level == "公开" and not problem)
    if problem:
        assert "cannot be read" in reason
    elif level != "公开":
        assert "classified information is not made public" in reason and record.describe() in reason


def test_why_a_classified_page_is_withheld_reads_chinese(chinese: None) -> None:
    record = classification_of(
        {"classification": "机密", "classified_on": D(2026, 3, 1), "secrecy_term": "5年"}
    )
    assert withheld(record).startswith("已定密（机密★5年（2026-03-01 定密））：涉密信息不公开")
    problems = classification_of({"classification": "机密"}).problems
    assert "机密网页须填写 classified_on:（定密日期）" in problems


def page(level: str, body: str, term: str = "5年") -> str:
    record = f"classification: {level}\nclassified_on: 2026-03-01\nsecrecy_term: {term}"
    return f"---\ntitle: 通知\n{record}\n---\n\n{body}\n"


@pytest.mark.parametrize(
    ("text", "mismatch"),
    [
        (page("秘密", "机密★5年"), True),  # another level
        (page("机密", "机密★10年"), True),  # another term
        (page("机密", "机密★长期"), True),
        (page("绝密", "绝密★5年", term="长期"), True),
        ("---\nclassification: 公开\n---\n\n机密★5年\n", True),  # says public, is marked
        (page("机密", "机密★5年"), False),  # agrees
        (page("机密", "机 密 ★ 5 年"), False),  # agrees, spaced
        (page("机密", "机密★"), False),  # a marking without a term agrees with any term
        (page("绝密", "绝密★长期", term="长期"), False),
        (page("机密", "国家秘密的密级分为绝密、机密、秘密三级。"), False),  # prose, not a marking
        ("# 通知\n\n机密★5年\n", False),  # no record to compare with (marking.classified blocks it)
    ],
)
def test_a_marking_that_contradicts_the_record_is_a_finding(
    engine: Engine, text: str, mismatch: bool
) -> None:
    found = engine.screen(read_document("a.md", text.encode()), KEY)
    rules = {f.rule for f in found}
    assert ("classification.marking_mismatch" in rules) is mismatch
    for finding in found:
        if finding.rule == "classification.marking_mismatch":
            assert finding.level.value == "block" and finding.scope.value == "body"
