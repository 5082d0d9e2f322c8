"""Personal numbers the way inspections find them (issue 20, first part): a table row is the
scope of a name, a masked number is read for what it still shows, and one number has one
reading. Table-driven, one comment per case."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screen.detectors.validators import Verdict, weak_mask
from screen.engine import Engine
from screen.model import Finding
from screen.source import read_document

ID = "11010519491231002X"  # valid check digit
ID_LUHN = "350102198001011129"  # valid check digit, and passes Luhn by chance
BAD_ID_LUHN = "350102198001011004"  # right shape and birth date, wrong check digit, passes Luhn
KEY = b"tables-test-key-0123456789"


def findings(engine: Engine, text: str) -> list[Finding]:
    return list(engine.screen(read_document("page.md", text.encode("utf-8")), KEY))


def by_line(engine: Engine, text: str) -> set[tuple[int, str]]:
    """(line, rule) of every personal-information finding."""
    return {(f.line, f.rule) for f in findings(engine, text) if f.rule.startswith(("pii.", "codename."))}


# The 公示 table: one unmasked row, one weakly masked, one masked as required.
GONGSHI = (
    "| 姓名 | 身份证号 | 电话 |\n"
    "|---|---|---|\n"
    f"| 张三丰 | {ID} | 13812345678 |\n"
    "| 李四 | 110105********002X | 138****5678 |\n"
    "| 王五 | 35*************123 | 138****1234 |\n"
)


def test_the_gongshi_table_is_read_row_by_row(engine: Engine) -> None:
    assert by_line(engine, GONGSHI) == {
        # The unmasked row: the name with its valid ID, the ID, the mobile number.
        (3, "pii.named_id_number"),
        (3, "pii.resident_id"),
        (3, "pii.mobile"),
        # 110105********002X shows four trailing characters: weakly masked. 138****5678 is fine.
        (4, "pii.weak_mask"),
        # 王五's numbers are masked as required: nothing, though a valid ID stands two rows up.
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A cue in the row above never reaches the name below (window 60, rows of 30 characters):
        # the number is reported, the name is not.
        (f"| 姓名 | 号码 |\n|---|---|\n| 甲 | {ID} |\n| 陈红 | 无 |\n", {(3, "pii.resident_id")}),
        # The same pair in one row is a named ID number.
        (
            f"| 姓名 | 号码 |\n|---|---|\n| 陈红 | {ID} |\n",
            {(3, "pii.named_id_number"), (3, "pii.resident_id")},
        ),
        # A table with a leading indent and no outer bars is still read by rows.
        (
            f"姓名 | 号码\n--- | ---\n何志军 | {ID}\n王五 | 无\n",
            {(3, "pii.named_id_number"), (3, "pii.resident_id")},
        ),
        # A blank line ends the table: the paragraph after it is prose again.
        (
            f"| 姓名 | 号码 |\n|---|---|\n| 甲 | 乙 |\n\n联系人陈红，身份证号{ID}。\n",
            {(5, "pii.named_id_number"), (5, "pii.resident_id")},
        ),
    ],
)
def test_a_name_belongs_to_its_own_row(engine: Engine, text: str, expected: set[tuple[int, str]]) -> None:
    assert by_line(engine, text) == expected


@pytest.mark.parametrize(
    ("number", "verdict"),
    [
        # The official formats: compliant.
        ("35*************123", Verdict.INVALID),
        ("138****1234", Verdict.INVALID),
        # At most the first 6 and the last 3 of an ID: compliant.
        ("110105*********02X", Verdict.INVALID),
        # Four trailing ID characters show: weak.
        ("110105********002X", Verdict.VALID),
        # The birth date shows: weak.
        ("11010519491231****", Verdict.VALID),
        # A mobile number showing a middle digit: weak.
        ("13812****78", Verdict.VALID),
        # A mobile number with +86 before it, masked as required.
        ("+86 138****1234", Verdict.INVALID),
        # A card showing more than its last 4 digits: weak; only the last 4: compliant.
        ("6222 0202 **** 2233 446", Verdict.VALID),
        ("***************3446", Verdict.INVALID),
        # Full-width stars and × count as masks (the text is folded before: ＊ is *).
        ("1381×××5678", Verdict.VALID),
        ("138××××1234", Verdict.INVALID),
        # Not masked at all: other rules read it.
        (ID.lower(), Verdict.INVALID),
        # Stars only: nothing shows.
        ("*" * 18, Verdict.INVALID),
        # No personal number's length.
        ("2024****0001", Verdict.INVALID),
    ],
)
def test_what_a_masked_number_still_shows(number: str, verdict: Verdict) -> None:
    assert weak_mask(number) is verdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A masked number in prose: an unpaired run of stars is literal.
        ("身份证号110105********002X，请核实。", {(1, "pii.weak_mask")}),
        ("号35*************123", set()),
        # Two runs of stars on one line may pair as emphasis (Python-Markdown renders
        # 青松****计划，另见甲****乙 as 青松<strong><strong>计划…), so they stay emphasis: the
        # codename they would split is read, as the page shows it.
        ("青松****计划，另见甲****乙。", {(1, "codename.project")}),
        # Emphasis still hides its delimiters: the ID inside it is read.
        (f"**{ID}**", {(1, "pii.resident_id")}),
    ],
)
def test_masks_in_prose(engine: Engine, text: str, expected: set[tuple[int, str]]) -> None:
    assert by_line(engine, text) == expected


@pytest.mark.parametrize(
    ("text", "rule", "message"),
    [
        # A valid ID that passes Luhn too is an ID number, never also a card number.
        (f"身份证号{ID_LUHN}。", "pii.resident_id", "校验位有效"),
        # A wrong check digit is said to be wrong (the message used to say the opposite), and the
        # Luhn pass of the same digits is not a second finding.
        (f"号码{BAD_ID_LUHN}（填报有误）", "pii.resident_id", "校验位不符"),
        # Next to a card's cue, the same digits are a card number.
        (f"工资卡号：{BAD_ID_LUHN}", "pii.bank_card", "Luhn"),
    ],
)
def test_one_number_one_reading(engine: Engine, text: str, rule: str, message: str) -> None:
    numbers = [f for f in findings(engine, text) if f.rule in ("pii.resident_id", "pii.bank_card")]
    assert [(f.rule, message in f.message) for f in numbers] == [(rule, True)]


def test_a_card_cue_stops_at_the_paragraph(engine: Engine) -> None:
    text = f"号码{BAD_ID_LUHN}（填报有误）\n\n工资卡号待补。\n"
    assert [(f.rule, f.level.value) for f in findings(engine, text) if f.rule.startswith("pii.")] == [
        ("pii.resident_id", "review")
    ]


NAMES = ["陈红", "何志军", "王建明", "李秀杰", "赵丽"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.booleans()), min_size=2, max_size=6))
def test_a_cue_never_pairs_across_rows(engine: Engine, rows: list[tuple[str, bool]]) -> None:
    lines = ["| 姓名 | 号码 |", "|---|---|"]
    lines += [f"| {name} | {ID if numbered else '已脱敏'} |" for name, numbered in rows]
    found = {f.line for f in findings(engine, "\n".join(lines) + "\n") if f.rule == "pii.named_id_number"}
    assert found == {index + 3 for index, (_, numbered) in enumerate(rows) if numbered}


HEADER = "| 姓名 | 住址 | 情况 |\n|---|---|---|\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The 公示 case: a disease in a named person's row (个人信息保护法第28条, health).
        (HEADER + "| 张三丰 | 城关镇 | 因病致贫（尿毒症） |\n", {(3, "pii.named_health")}),
        # In prose, a named patient and a diagnosis.
        ("患者李秀杰确诊为白血病，家庭困难。", {(1, "pii.named_health")}),
        # A public health article names no one.
        ("全县艾滋病防治工作会议召开。", set()),
        # An official at work is not the patient (office title before the name).
        ("县长王建明调研尿毒症患者救助工作。", set()),
        ("全县艾滋病防治工作会议召开，副县长何志军出席。", set()),
        # A cue in another sentence is about someone else.
        ("做好艾滋病防治工作。李秀杰介绍了经验。", set()),
        # A child under 14 by name; an adult's age is not.
        ("学生李小红（12岁）获救助。", {(1, "pii.named_minor")}),
        ("县长王建明慰问了80岁老人。", set()),
        # Religion, biometrics, finances and whereabouts tied to a named person.
        ("村民何志军信仰基督教，每周参加聚会。", {(1, "pii.named_religion")}),
        ("已采集陈红的指纹和人脸信息。", {(1, "pii.named_biometric")}),
        ("申请人何志军家庭存款3.2万元。", {(1, "pii.named_financial")}),
        ("公布了陈红近14天的活动轨迹。", {(1, "pii.named_whereabouts")}),
        # The same vocabulary about no one.
        ("依法管理宗教事务，尊重群众宗教信仰自由。", set()),
        ("全县金融机构存款余额稳步增长。", set()),
        # An address below the township next to a name (a village group, a building and room).
        (HEADER + "| 张三丰 | 新华村3组 | 低保 |\n", {(3, "pii.named_home_address")}),
        ("李秀杰，城关镇幸福小区5栋2单元301室", {(1, "pii.named_home_address")}),
        # The same places about no one, and a village's service team (not a group number).
        ("新华村3组召开村民大会。", set()),
        ("缺额由村服务队从收取的喜钱中补足。毕加索在这所旧居中生活了近40年。", set()),
    ],
)
def test_the_sensitive_categories_next_to_a_name(
    engine: Engine, text: str, expected: set[tuple[int, str]]
) -> None:
    assert by_line(engine, text) == expected


HTML_TABLE = (
    "<table><tr><th>姓名</th><th>身份证号</th></tr>"
    f"<tr><td>张三丰</td><td>{ID}</td></tr>"
    "<tr><td>王五</td><td>110105********002X</td></tr></table>"
)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # An HTML page: its cells are one row's, its rows apart.
        ("page.html", f"<html><body>{HTML_TABLE}</body></html>"),
        # The same table written as raw HTML in a Markdown page (rendered and read as a browser does).
        ("page.md", f"# 公示\n\n{HTML_TABLE}\n"),
    ],
)
def test_an_html_table_is_read_row_by_row(engine: Engine, path: str, text: str) -> None:
    found = [
        f for f in engine.screen(read_document(path, text.encode("utf-8")), KEY) if f.rule.startswith("pii.")
    ]
    # 张三丰 with his ID; 王五's weakly masked number is reviewed, and his name is not paired
    # with the valid ID in the row above.
    assert sorted(f.rule for f in found) == ["pii.named_id_number", "pii.resident_id", "pii.weak_mask"]
    (named,) = [f for f in found if f.rule == "pii.named_id_number"]
    assert named.excerpt == "张*丰"


def test_a_cell_tags_attributes_are_read() -> None:
    # A cell boundary reads as a space, and a title on the cell (shown on hover) is still read.
    layers = read_document(
        "page.html", '<table><tr><td title="青松计划">甲</td></tr></table>'.encode()
    ).layers
    assert any("青松计划" in layer.text for layer in layers)
