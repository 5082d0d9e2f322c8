"""Personal numbers the way inspections find them (issue 20, first part): a table row is the
scope of a name, a masked number is read for what it still shows, and one number has one
reading. Table-driven, one comment per case."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screen.detectors.analysis import Analysis
from screen.detectors.recognizer import Recognizer
from screen.detectors.tables import Grid
from screen.detectors.validators import Verdict, weak_mask
from screen.engine import Engine
from screen.model import Finding
from screen.normalize import NUMBER_SEPARATORS
from screen.source import read_document
from screen.source.delimited import records
from tests.conftest import same_day_as
from tests.test_ooxml import INLINE, A, P, R, docx, p, pptx, sheet1, tbl

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
        # So do the hashes, dots, circles and squares people use instead of stars: a number
        # that hides two digits of its birth date with them shows too much.
        ("1101051949##31002x", Verdict.VALID),
        ("138●●●●1234", Verdict.INVALID),
        ("110105○○○○○○○○○02x", Verdict.INVALID),
        ("1381■■■5678", Verdict.VALID),
        ("6222 0202 ◆◆◆◆ 2233 446", Verdict.VALID),
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


RECOGNIZER = Recognizer(())  # its dictionary decides whether a cell that ends like an office is a name
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
        # An official at work is not the patient: the cue is what the work is about.
        ("县长王建明调研尿毒症患者救助工作。", set()),
        ("全县艾滋病防治工作会议召开，副县长何志军出席。", set()),
        ("王建明同志在会上指出，要做好尿毒症患者救助工作。", set()),
        # A title is not a pass: the official's own health, or a diagnosis after the visit.
        ("村长何志军确诊为白血病，无法履职。", {(1, "pii.named_health")}),
        ("人大代表李秀杰患有尿毒症。", {(1, "pii.named_health")}),
        ("县长王建明看望病友后，确诊为白血病。", {(1, "pii.named_health")}),
        ("患有尿毒症的副县长何志军出席了会议。", {(1, "pii.named_health")}),
        ("尿毒症患者、村长何志军获得救助。", {(1, "pii.named_health")}),
        # The cue names the office's own organisation: a public role, not a belief.
        ("市穆斯林联合会秘书长马建华致辞。", set()),
        ("全县艾滋病防治工作会议召开，县长王建明、副县长何志军出席。", set()),
        # A cue in another sentence is about someone else.
        ("做好艾滋病防治工作。李秀杰介绍了经验。", set()),
        # A doctor at work is not the patient either; what follows 治疗 may be their own.
        ("县医院医生王建明为群众义诊，讲解糖尿病防治知识。", set()),
        ("何志军因脑梗塞偏瘫在床，无劳动能力。", {(1, "pii.named_health")}),
        # The diseases a 因病致贫 row names, and a disability by kind and grade under its header.
        (HEADER + "| 张三丰 | 城关镇 | 因病致贫（肝癌） |\n", {(3, "pii.named_health")}),
        (
            "| 姓名 | 残疾类别 | 补贴金额 |\n|---|---|---|\n| 李秀杰 | 肢体 | 600 |\n",
            {(3, "pii.named_health")},
        ),
        # A child under 14 by name; an adult's age is not.
        ("学生李小红（12岁）获救助。", {(1, "pii.named_minor")}),
        ("县长王建明慰问了80岁老人。", set()),
        # The visitor is not the child; the child is named.
        ("王建明看望了12岁的留守儿童。", set()),
        ("王建明看望了12岁的留守儿童李小红。", {(1, "pii.named_minor")}),
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
        # An office's own building on a 联系我们 page, with the person to call: no home.
        ("联系地址：青溪县行政中心5栋301室，联系人：何志军，电话0871-63212056。", set()),
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


@pytest.mark.parametrize("path", ["page.html", "page.md"])
def test_a_finding_in_an_html_table_is_at_its_own_cell(engine: Engine, path: str) -> None:
    # One cell a line, the name in the second: the finding is at the name's cell (its line and
    # its <td>), not at the row's first cell.
    table = (
        "<table>\n<tr><th>序号</th><th>户主</th><th>病史</th></tr>\n"
        "<tr>\n  <td>1</td>\n  <td>王海洋</td>\n  <td>尿毒症</td>\n</tr>\n</table>\n"
    )
    text = f"<html><body>\n{table}</body></html>\n" if path.endswith(".html") else f"# 公示\n\n{table}"
    (found,) = [
        f for f in engine.screen(read_document(path, text.encode("utf-8")), KEY) if f.rule.startswith("pii.")
    ]
    line = text.splitlines().index("  <td>王海洋</td>") + 1
    assert (found.rule, found.location, found.line, found.column) == (
        "pii.named_health",
        "rendered <td>#2",
        line,
        3,
    )


def test_a_cell_tags_attributes_are_read() -> None:
    # A cell boundary reads as a space, and a title on the cell (shown on hover) is still read.
    layers = read_document(
        "page.html", '<table><tr><td title="青松计划">甲</td></tr></table>'.encode()
    ).layers
    assert any("青松计划" in layer.text for layer in layers)


# --- Row scope and the header as context (issue 20, "Row scope") --------------------------------
# The readers record each table's rows and cells (`screen.source.tables`); a row is one record
# and the header row is the context of the column below it (`screen.detectors.tables`).

CARD = "6222020200112233446"  # passes Luhn: a card number, info unless a card cue stands by it


def screened(engine: Engine, path: str, data: bytes) -> set[tuple[str, str, str]]:
    """(where, rule, level) of every personal-information finding: the line for a page, the
    cell for an attachment."""
    return {
        (f.location or str(f.line), f.rule, f.level.value)
        for f in engine.screen(read_document(path, data), KEY)
        if f.rule.startswith("pii.")
    }


def page(text: str) -> bytes:
    return text.encode("utf-8")


def cells(row: int, *values: str | int) -> str:
    """One spreadsheet row: a text cell per string, a number cell per int, none for ''."""
    out = []
    for column, value in enumerate(values):
        reference = f"{chr(65 + column)}{row}"
        if isinstance(value, int):
            out.append(f'<c r="{reference}"><v>{value}</v></c>')
        elif value:
            out.append(INLINE.format(reference, value))
    return f'<row r="{row}">{"".join(out)}</row>'


def workbook(*rows: str) -> bytes:
    return sheet1("<sheetData>" + "".join(rows) + "</sheetData>")


TWO = "|---|---|\n"
THREE = "|---|---|---|\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The case: 王五 under 姓名 with a valid ID in his row is a named ID number, the
        # header making him a person whether the recognizer knows the name or not.
        (
            f"| 姓名 | 身份证号 |\n{TWO}| 王五 | {ID_LUHN} |\n",
            {("3", "pii.named_id_number", "block"), ("3", "pii.resident_id", "block")},
        ),
        # Names a recognizer may miss: a compound surname, a transliterated name with a dot.
        (
            f"| 姓名 | 身份证号 |\n{TWO}| 欧阳娜 | {ID} |\n| 买买提·艾力 | {ID_LUHN} |\n",
            {
                ("3", "pii.named_id_number", "block"),
                ("3", "pii.resident_id", "block"),
                ("4", "pii.named_id_number", "block"),
                ("4", "pii.resident_id", "block"),
            },
        ),
        # A row is one record however wide: the name and the ID are 80 characters apart (the
        # rule's window is 60), in two cells of one row.
        (
            f"| 姓名 | 备注 | 身份证号 |\n{THREE}| 欧阳娜 | {'家庭困难' * 20} | {ID} |\n",
            {("3", "pii.named_id_number", "block"), ("3", "pii.resident_id", "block")},
        ),
        # A dash under 姓名 is no one: the ID alone is reported.
        (f"| 姓名 | 身份证号 |\n{TWO}| — | {ID} |\n", {("3", "pii.resident_id", "block")}),
        # A header without a name word makes no names (道路硬化 has a name's length).
        (f"| 项目 | 号码 |\n{TWO}| 道路硬化 | {ID} |\n", {("3", "pii.resident_id", "block")}),
        # A card number under 银行卡号 has its card cue from the header: block, not info.
        (f"| 户名 | 银行卡号 |\n{TWO}| 欧阳娜 | {CARD} |\n", {("3", "pii.bank_card", "block")}),
        # Under a header with no card cue it stays a bare Luhn pass.
        (f"| 户名 | 编号 |\n{TWO}| 欧阳娜 | {CARD} |\n", {("3", "pii.bank_card", "info")}),
        # A cue word in a header (病史, of pii.named_health) counts in each row whose cell under
        # it holds something: 有 does, 无 does not.
        (
            f"| 户主 | 病史 |\n{TWO}| 王海洋 | 有 |\n| 欧阳娜 | 无 |\n",
            {("3", "pii.named_health", "review")},
        ),
        # The header's cue reaches the rows below only, never the prose after the table.
        (
            f"| 户主 | 病史 |\n{TWO}| 王海洋 | 有 |\n\n李秀杰参加了会议。\n",
            {("3", "pii.named_health", "review")},
        ),
        # A personal address below the township in a named person's row.
        (
            f"| 联系人 | 联系电话 | 住址 |\n{THREE}| 王海洋 | 0871-63212056 | 幸福小区5栋2单元301室 |\n",
            {("3", "pii.named_home_address", "review")},
        ),
        # 联系我们: the office's own phone and address under 联系人; an office is no person.
        (
            f"## 联系我们\n\n| 联系人 | 联系电话 | 办公地址 |\n{THREE}"
            "| 办公室 | 0871-63212056 | 县行政中心5栋301室 |\n"
            "| 信访科 | 0871-63212057 | 县行政中心5栋302室 |\n",
            set(),
        ),
        # A person whose name ends like an office is a person (李振科 is no 科).
        (
            f"| 户主 | 病史 |\n{TWO}| 李振科 | 尿毒症 |\n",
            {("3", "pii.named_health", "review")},
        ),
    ],
)
def test_a_markdown_tables_header_is_the_context_of_its_column(
    engine: Engine, text: str, expected: set[tuple[str, str, str]]
) -> None:
    assert screened(engine, "page.md", page(text)) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # <th> header; the cells hold paragraphs (as Word and most editors write them), which
        # stay in the row: 欧阳娜 and her ID pair, reported at her cell.
        (
            f"<table><tr><th>姓名</th><th>身份证号</th></tr><tr><td><p>欧阳娜</p></td><td><p>{ID}</p></td></tr></table>",
            {("1", "pii.resident_id", "block"), ("rendered <td>#1", "pii.named_id_number", "block")},
        ),
        # No <th>: the first row is the header; a title across the columns above it (colspan)
        # is skipped. The card under 银行卡号 has its cue.
        (
            '<table><tr><td colspan="3">2024年补贴发放公示</td></tr><tr><td>序号</td><td>户名</td>'
            f"<td>银行卡号</td></tr><tr><td>1</td><td>欧阳娜</td><td>{CARD}</td></tr></table>",
            {("1", "pii.bank_card", "block")},
        ),
        # A table whose header names no card: the same number stays info.
        (
            f"<table><tr><th>项目</th><th>编号</th></tr><tr><td>道路硬化</td><td>{CARD}</td></tr></table>",
            {("1", "pii.bank_card", "info")},
        ),
        # A name in one row never pairs with the ID in the next.
        (
            f"<table><tr><th>姓名</th><th>号码</th></tr><tr><td>甲</td><td>{ID}</td></tr>"
            "<tr><td>欧阳娜</td><td>无</td></tr></table>",
            {("1", "pii.resident_id", "block")},
        ),
    ],
)
def test_an_html_tables_header_is_the_context_of_its_column(
    engine: Engine, html: str, expected: set[tuple[str, str, str]]
) -> None:
    assert screened(engine, "page.html", page(f"<html><body>{html}</body></html>")) == expected


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # A name and an ID in two cells of one row pair; the finding is at the name's cell, the
        # ID's at its own. The title row of one cell above the header is skipped.
        (
            [cells(1, "2024年低保公示"), cells(2, "姓名", "身份证号"), cells(3, "王海洋", ID)],
            {("Sheet1!A3", "pii.named_id_number", "block"), ("Sheet1!B3", "pii.resident_id", "block")},
        ),
        # A cue in the row above never reaches the name below (each cell is a line, each row a
        # block): 欧阳娜's row has no number.
        (
            [cells(1, "姓名", "身份证号"), cells(2, "甲", ID), cells(3, "欧阳娜", "无")],
            {("Sheet1!B2", "pii.resident_id", "block")},
        ),
        # The header's card cue, for the card under it (a number in the row is no header's).
        (
            [cells(1, "序号", "姓名", "银行卡号"), cells(2, 1, "欧阳娜", CARD)],
            {("Sheet1!C2", "pii.bank_card", "block")},
        ),
        # The same, but the first row holds a number: it is data, the sheet has no header, and
        # the card below 银行卡号 has no cue.
        (
            [cells(1, 1, "欧阳娜", "银行卡号"), cells(2, 2, "欧阳娜", CARD)],
            {("Sheet1!C2", "pii.bank_card", "info")},
        ),
    ],
)
def test_a_spreadsheet_row_is_read_as_a_row(
    engine: Engine, rows: list[str], expected: set[tuple[str, str, str]]
) -> None:
    assert screened(engine, "a.xlsx", workbook(*rows)) == expected


def slide_table(*rows: tuple[str, ...], merged: bool = False) -> bytes:
    """A presentation of one slide holding one table (DrawingML); each cell's text may hold
    several paragraphs, split at "|". With `merged`, each row's first cell spans two columns,
    the second continuing the merge."""

    def cell(text: str, attributes: str = "") -> str:
        body = "".join(f"<a:p><a:r><a:t>{part}</a:t></a:r></a:p>" for part in text.split("|"))
        return f"<a:tc{attributes}><a:txBody><a:bodyPr/>{body}</a:txBody></a:tc>"

    def row(cells: tuple[str, ...]) -> str:
        if merged:
            first, *rest = cells
            return (
                "<a:tr>"
                + cell(first, ' gridSpan="2"')
                + cell("", ' hMerge="1"')
                + "".join(map(cell, rest))
                + "</a:tr>"
            )
        return "<a:tr>" + "".join(map(cell, cells)) + "</a:tr>"

    table = "<a:tbl>" + "".join(map(row, rows)) + "</a:tbl>"
    frame = f"<p:graphicFrame><a:graphic><a:graphicData>{table}</a:graphicData></a:graphic></p:graphicFrame>"
    return pptx([f"<p:sld {P} {A} {R}><p:cSld><p:spTree>{frame}</p:spTree></p:cSld></p:sld>"])


@pytest.mark.parametrize("merged", [False, True])
def test_a_slide_table_row_is_read_as_a_row(engine: Engine, merged: bool) -> None:
    # A 公示 table pasted into a slide: the name and the ID of row 2 pair, row 3's name has no
    # number of its own; a cell of two paragraphs is one cell. A merged first column shifts
    # nothing: the header still names the column below it.
    deck = slide_table(("姓名", "身份证号"), ("欧阳娜", ID), ("王海洋", "已脱敏|（见附件）"), merged=merged)
    second = "cell 3" if merged else "cell 2"
    assert screened(engine, "a.pptx", deck) == {
        ("slide 1 table 1 row 2 cell 1", "pii.named_id_number", "block"),
        (f"slide 1 table 1 row 2 {second}", "pii.resident_id", "block"),
    }


def test_a_slide_tables_header_is_the_context_of_its_column(engine: Engine) -> None:
    # 病史 in the header reaches each row's cell below it, and only that row's name.
    deck = slide_table(("户主", "病史"), ("王海洋", "尿毒症"), ("陈红", "无"))
    assert screened(engine, "a.pptx", deck) == {
        ("slide 1 table 1 row 2 cell 1", "pii.named_health", "review")
    }


def test_a_word_table_row_is_read_as_a_row(engine: Engine) -> None:
    table = tbl((p("姓名"), p("身份证号")), (p("欧阳娜"), p(ID)), (p("王海洋"), p("无")))
    assert screened(engine, "a.docx", docx(table)) == {
        # The name and the ID of row 2 pair; 王海洋 in row 3 has no number of his own.
        ("table 1 row 2 cell 1", "pii.named_id_number", "block"),
        ("table 1 row 2 cell 2", "pii.resident_id", "block"),
    }


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([*NAMES, "欧阳娜", "王海洋"]), st.booleans()), min_size=2, max_size=6)
)
def test_a_cue_never_pairs_across_spreadsheet_rows(engine: Engine, rows: list[tuple[str, bool]]) -> None:
    sheet = [cells(1, "姓名", "身份证号")]
    sheet += [cells(n, name, ID if numbered else "已脱敏") for n, (name, numbered) in enumerate(rows, 2)]
    found = {f.location for f in engine.screen(read_document("a.xlsx", workbook(*sheet)), KEY)}
    named = {f"Sheet1!A{n}" for n, (_, numbered) in enumerate(rows, 2) if numbered}
    unnamed = {f"Sheet1!A{n}" for n, (_, numbered) in enumerate(rows, 2) if not numbered}
    assert named <= found and not unnamed & found


@pytest.mark.parametrize(
    ("path", "data", "header", "rows"),
    [
        # Markdown: the header is the row before the delimiter row; the border bars are no cells,
        # and an empty cell keeps its column.
        (
            "page.md",
            page("| 姓名 | | 号码 |\n|---|---|---|\n| 甲 | | 乙 |\n"),
            0,
            [[("姓名", 0), ("号码", 2)], [("甲", 0), ("乙", 2)]],
        ),
        # HTML, in the parsed view: a colspan takes its columns; a title of one cell is skipped
        # and the first row of two or more cells is the header.
        (
            "page.html",
            page(
                '<table><tr><td colspan="2">标题</td></tr><tr><th>姓名</th><th>号码</th></tr>'
                '<tr><td colspan="2">甲</td><td>乙</td></tr></table>'
            ),
            1,
            [[("标题", 0)], [("姓名", 0), ("号码", 1)], [("甲", 0), ("乙", 2)]],
        ),
        # A spreadsheet whose first row holds a number has no header.
        (
            "a.xlsx",
            workbook(cells(1, 1, "甲"), cells(2, 2, "", "乙")),
            -1,
            [[("1", 0), ("甲", 1)], [("2", 0), ("乙", 2)]],
        ),
        # A Word table: its first row; a merged cell (gridSpan) takes its columns.
        (
            "a.docx",
            docx(
                tbl((p("姓名"), p("号码"), p("备注")), (p("甲"), p("乙"))).replace(
                    "<w:tc><w:p><w:r><w:t>甲",
                    '<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>甲',
                )
            ),
            0,
            [[("姓名", 0), ("号码", 1), ("备注", 2)], [("甲", 0), ("乙", 2)]],
        ),
    ],
)
def test_the_readers_record_the_tables(
    path: str, data: bytes, header: int, rows: list[list[tuple[str, int]]]
) -> None:
    document = read_document(path, data)
    reading = document.view if path.endswith(".html") else document
    assert reading is not None
    (table,) = reading.layers[0].tables
    assert table.header == header
    assert [[(reading.text[c.start : c.end], c.column) for c in row] for row in table.rows] == rows


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        # Two to four Han characters, a compound surname, a name joined by a dot: names.
        ("王五", True),
        ("欧阳娜", True),
        ("买买提·艾力", True),
        # One character, five, a name left out, an office, a header word, a masked name: not.
        ("甲", False),
        ("王海洋洋洋", False),
        ("张某某", False),
        ("办公室", False),
        ("信访科", False),
        ("内科", False),
        ("便民服务中心", False),
        ("姓名", False),
        ("张*", False),
        # A name that ends like an office is still a name: jieba's dictionary knows neither it
        # nor what comes before the ending, and it reads as a name.
        ("李振科", True),
        ("郭宝科", True),
        ("王科", True),
    ],
)
def test_which_cells_under_a_name_header_are_names(cell: str, named: bool) -> None:
    document = read_document("page.md", page(f"| 姓名 | 备注 |\n{TWO}| {cell} | 无 |\n"))
    projection = Analysis(document).visible(0)
    names = Grid(document.layers[0], projection).names(RECOGNIZER.person_not_office)
    assert [projection.text[e.start : e.end] for e in names] == ([cell] if named else [])


# A form (登记表, 报名表: a label cell and its value beside it, on two rows or more) is about one
# person: the whole table is one record, and a label is the context of its value. A list table
# keeps its rows apart.
@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        # A Word registration form: the name on the first row, the ID on the second pair; the
        # label 姓名 makes 王海洋 a person, though he is an everyday word.
        (
            "a.docx",
            docx(
                tbl((p("姓名"), p("王海洋"), p("性别"), p("男")), (p("身份证号"), p(ID), p("民族"), p("汉")))
            ),
            {
                ("table 1 row 1 cell 2", "pii.named_id_number", "block"),
                ("table 1 row 2 cell 2", "pii.resident_id", "block"),
            },
        ),
        # The same form as a spreadsheet, one field a row; 银行卡号 is the cue of its value.
        (
            "a.xlsx",
            workbook(cells(1, "姓名：", "王海洋"), cells(2, "身份证号", ID), cells(3, "银行卡号", CARD)),
            {
                ("Sheet1!B1", "pii.named_id_number", "block"),
                ("Sheet1!B2", "pii.resident_id", "block"),
                ("Sheet1!B3", "pii.bank_card", "block"),
            },
        ),
        # In Markdown, the form's first row is no header: 身份证号 under 姓名 is no name.
        (
            "a.md",
            page(f"| 姓名 | 王海洋 |\n{TWO}| 身份证号 | {ID} |\n"),
            {("1", "pii.named_id_number", "block"), ("3", "pii.resident_id", "block")},
        ),
        # One label and its value is no form: a list's header row 姓名 | 身份证号 is not one, and
        # its rows stay apart (陈红 has no number).
        (
            "a.md",
            page(f"| 姓名 | 身份证号 |\n{TWO}| 甲 | {ID} |\n| 陈红 | 无 |\n"),
            {("3", "pii.resident_id", "block")},
        ),
    ],
)
def test_a_form_is_one_record(
    engine: Engine, path: str, data: bytes, expected: set[tuple[str, str, str]]
) -> None:
    assert screened(engine, path, data) == expected


# A number written to slip past a reader of digits: other separators, other groupings, Chinese
# numerals. Each is still the number (one finding of its kind).
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("身份证号：1101 0519 4912 3100 2X", "pii.resident_id"),
        ("身份证号：110105.19491231.002X", "pii.resident_id"),
        ("身份证号：110105/19491231/002X", "pii.resident_id"),
        ("身份证号：110105 - 19491231 - 002X", "pii.resident_id"),
        ("身份证号：1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 X", "pii.resident_id"),
        ("身份证号：一一〇一〇五一九四九一二三一〇〇二X", "pii.resident_id"),
        ("身份证号：11010519491231&#48;02X", "pii.resident_id"),
        # A line break inside an ID number (the page shows one line, or a wrapped one).
        ("身份证号：110105\n19491231002X", "pii.resident_id"),
        ("手机：一三八一二三四五六七八", "pii.mobile"),
        ("手机：壹叁捌壹贰叁肆伍陆柒捌", "pii.mobile"),
        ("手机：138.1234.5678", "pii.mobile"),
        ("手机：1 3 8 1 2 3 4 5 6 7 8", "pii.mobile"),
        ("银行卡号：6222.0202.0011.2233.446", "pii.bank_card"),
        ("手机：一三八一＊＊＊五六七八", "pii.weak_mask"),
        # A mask other than the star that hides too little is a weak mask, not a masked number.
        ("身份证号：11010519491231○○2X", "pii.weak_mask"),
        ("手机：1381●●●5678", "pii.weak_mask"),
        # Dashes, tildes, quotes and equals signs between the groups (full-width ones folded).
        ("身份证号：110105—19491231—002X", "pii.resident_id"),
        ("身份证号：110105'19491231'002X", "pii.resident_id"),
        ("手机：138～1234～5678", "pii.mobile"),
        ("银行卡号：6222＝0202＝0011＝2233＝446", "pii.bank_card"),
        # Latin letters typed for digits: O or o for 0, l or I for 1.
        ("身份证号：11O1O519491231OO2X", "pii.resident_id"),
        ("手机：l38l2345678", "pii.mobile"),
        ("手机：I38-I234-5678", "pii.mobile"),
        ("身份证号：11\u041e1\u041e519491231\u039f\u039f2X", "pii.resident_id"),  # Cyrillic, Greek O
        ("银行卡号：6222 O2O2 OO11 2233 446", "pii.bank_card"),
    ],
)
def test_a_number_written_to_hide_is_read(engine: Engine, text: str, rule: str) -> None:
    assert [f.rule for f in findings(engine, text) if f.rule.startswith("pii.")] == [rule]


# Lists of numbers, dates, versions and addresses are no personal number, however they run on.
@pytest.mark.parametrize(
    "text",
    [
        "中奖号码：7 40 32 40 12 15 32 27 4，37 22 19 18 4 40 39 22 39。",
        "| 11 | 01 | 05 | 19 | 49 | 12 | 31 | 00 | 21 |",
        "53 01 25 19 65 03 12 12 31",
        "时间：2026.12.06 14:30，2026/12/7，地址192.168.112.145，版本1.2.3.4。",
        "ISBN 978-7-5097-1234-5，电话0871-63212056，邮编650000。",
        "二〇二六年十二月六日，一九四九年十月一日。",
        # Numbers one a line: no card, no mobile number.
        "44\n12345678\n650981\n0871-64984218\n138\n1234\n5678",
        # Masked as required with other characters than stars.
        "手机：138●●●●5678，身份证号：110105■■■■■■■■■02X，卡号：◆◆◆◆ ◆◆◆◆ ◆◆◆◆ 3446。",
        # A comma, 、, colon or semicolon separates the numbers of a list: never one number.
        "第138项：380 019 540，505 053 958；编号138、1234、5678；时间10:44:12:34:56。",
        # Letters beside numbers are words and units, not digits.
        "O2O平台1381234567家，login 13812345，ISO9001:2015，1000L水，Room101 1234567。",
    ],
)
def test_a_list_of_numbers_is_no_personal_number(engine: Engine, text: str) -> None:
    assert [f.rule for f in findings(engine, text) if f.rule.startswith("pii.")] == []


COLLECTED = datetime.date.today()  # the cases' dates are relative to it


def _years_ago(years: int, days: int = 0) -> datetime.date:
    try:
        return COLLECTED.replace(year=COLLECTED.year - years) - datetime.timedelta(days=days)
    except ValueError:  # today is 29 February
        return datetime.date(COLLECTED.year - years, 2, 28) - datetime.timedelta(days=days)


CHILD = _years_ago(9)  # nine years old today
ALMOST = _years_ago(14, -1)  # fourteen tomorrow
JUST = _years_ago(14)  # fourteen today
ADULT = _years_ago(40)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A birth date after 出生 or before 出生/生, of a child under fourteen today.
        (f"学生李小红，{CHILD.year}年{CHILD.month}月出生，家住城关镇。", {(1, "pii.named_minor")}),
        (f"儿童何小军（出生日期：{CHILD:%Y年%m月%d日}）获救助。", {(1, "pii.named_minor")}),
        (f"学生李小红，{ALMOST:%Y.%m.%d}生，家住城关镇。", {(1, "pii.named_minor")}),
        # Fourteen today, or an adult: no longer a child's information.
        (f"学生李小红，{JUST:%Y.%m.%d}生，家住城关镇。", set()),
        (f"王建国，{ADULT.year}年{ADULT.month}月出生。", set()),
        # A date that is no birth date, and a year followed by 生产.
        (f"{CHILD.year}年，王建国调任城关镇镇长。", set()),
        (f"{CHILD.year}年生产总值增长5%，县长王建明作报告。", set()),
        # Under a 出生年月 column, the cell's date makes the row's name a child's; an adult's
        # row is left alone.
        (
            f"| 姓名 | 出生年月 | 学校 |\n|---|---|---|\n| 李小红 | {CHILD:%Y.%m} | 城关小学 |\n"
            f"| 张建国 | {ADULT:%Y.%m} | 城关小学 |\n",
            {(3, "pii.named_minor")},
        ),
        # A form's label does the same for the value beside it.
        (
            f"| 姓名 | 何小军 | 性别 | 男 |\n|---|---|---|---|\n"
            f"| 出生日期 | {CHILD:%Y-%m-%d} | 民族 | 汉 |\n",
            {(1, "pii.named_minor")},
        ),
    ],
)
def test_a_childs_birth_date_next_to_a_name(
    engine: Engine, text: str, expected: set[tuple[int, str]]
) -> None:
    same_day_as(COLLECTED)
    assert by_line(engine, text) == expected


# A 公示 list exported as text (.csv, .tsv): one record a line, the first line its header.
@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        # The issue's table as a CSV: the unmasked row is read with its own name; 王五's
        # numbers are masked as required and his name pairs with nothing two lines up.
        (
            "list.csv",
            f"姓名,身份证号,电话\n张三丰,{ID},13812345678\n李四,110105********002X,138****5678\n"
            "王五,35*************123,138****1234\n",
            {
                ("2", "pii.named_id_number"),
                ("2", "pii.resident_id"),
                ("2", "pii.mobile"),
                ("3", "pii.weak_mask"),
            },
        ),
        # The header is the context of its column: 病史 over 有 ties that row's name to it.
        ("h.csv", "户主,病史\n王海洋,有\n陈红,无\n", {("2", "pii.named_health")}),
        # Quoted fields, a comma and a line break inside one, doubled quotes, Windows line ends:
        # the record ends where its quotes close.
        (
            "q.csv",
            f'姓名,备注,身份证号\r\n"欧阳娜","住址：城关镇,""幸福小区""\r\n5栋",{ID}\r\n陈红,无,无\r\n',
            {("2", "pii.named_id_number"), ("3", "pii.resident_id")},
        ),
        # Tabs in a .tsv, semicolons in a .csv.
        ("t.tsv", f"姓名\t身份证号\n甲\t{ID}\n陈红\t无\n", {("2", "pii.resident_id")}),
        (
            "s.csv",
            f"姓名;身份证号\n陈红;{ID}\n王五;无\n",
            {("2", "pii.named_id_number"), ("2", "pii.resident_id")},
        ),
    ],
)
def test_a_delimited_file_is_read_row_by_row(
    engine: Engine, path: str, text: str, expected: set[tuple[str, str]]
) -> None:
    found = engine.screen(read_document(path, text.encode("utf-8")), KEY)
    assert {(str(f.line), f.rule) for f in found if f.rule.startswith("pii.")} == expected


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.booleans()), min_size=2, max_size=6))
def test_a_cue_never_pairs_across_csv_records(engine: Engine, rows: list[tuple[str, bool]]) -> None:
    lines = ["姓名,号码"] + [f"{name},{ID if numbered else '已脱敏'}" for name, numbered in rows]
    document = read_document("list.csv", ("\n".join(lines) + "\n").encode("utf-8"))
    found = {f.line for f in engine.screen(document, KEY) if f.rule == "pii.named_id_number"}
    assert found == {index + 2 for index, (_, numbered) in enumerate(rows) if numbered}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet='ab张,"\n\r\t ;', max_size=6), min_size=1, max_size=4),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([",", "\t", ";"]),
)
def test_delimited_records_read_what_the_csv_module_reads(rows: list[list[str]], delimiter: str) -> None:
    # Every field our scanner places in the file, quotes collapsed, is the field the csv module
    # reads there: the same records, the same fields, at offsets that point into the file.
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    read = [
        [text[start:end].replace('""', '"') for start, end in fields]
        for fields, _quotes, _end in records(text, delimiter)
    ]
    assert read == expected


def test_the_pattern_files_and_the_code_name_the_same_number_separators() -> None:
    # A number's separators are written in the pattern files and in screen.normalize (the text
    # the patterns read rewrites numerals between them): each class must list all of them.
    packs = Path(__file__).parent.parent / "screen" / "packs" / "patterns"
    text = "".join((packs / name).read_text(encoding="utf-8") for name in ("personal.yml", "named.yml"))
    classes = {c.replace("''", "'") for c in re.findall(r"\[(?: \\t)?\\-([^\]]*)\]", text)}
    assert classes == {NUMBER_SEPARATORS[1:]}
