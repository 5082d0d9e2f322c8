"""`baomi fix`: wording suggestions and masks applied in place, at the source map's positions (a
table cell, a link text, front matter), never on a classified page or a file that is not
Markdown or text, refused when the file changed since it was screened, and screened again."""

from __future__ import annotations

from pathlib import Path

import pytest

from screen import api
from screen.errors import EXIT_BLOCKED, EXIT_CLEAN, EXIT_INPUT, InputError
from screen.fixing import aligned
from screen.settings import load_settings
from tests.conftest import write_portal

PEOPLE = """\
schema_version: 1
people:
  - {name: 林志远, titles: [市委书记], order: 1, status: current}
  - {name: 苏明哲, titles: [市长], order: 2, status: current}
"""
RULES = """\
rules:
  - id: local.phrase
    level: block
    message: 固定提法有误
    protected: [乡村振兴战略, 优化营商环境]
    hits: [实施乡村震兴战略]
    misses: [实施乡村振兴战略]
  - id: local.agency
    level: block
    message: 机构已更名
    historical: true
    replace:
      - wrong: [青溪县环境保护局, 青溪县环保局]
        right: 青溪县生态环境局
        since: 2019-03-31
        source: 青溪县机构改革方案（虚构）
    hits: [青溪县环境保护局发布通知]
    misses: [原青溪县环境保护局]
"""


def portal(tmp_path: Path, pages: dict[str, str]) -> Path:
    root = write_portal(tmp_path / "portal", pages)
    (root / "rules" / "people.yml").write_text(PEOPLE, encoding="utf-8")
    (root / "rules" / "patterns").mkdir(exist_ok=True)
    (root / "rules" / "patterns" / "local.yml").write_text(RULES, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("page", "fixed"),
    [
        # A near miss of a phrase in running text: only the wrong character changes.
        ("全面实施乡村震兴战略。\n", "全面实施乡村振兴战略。\n"),
        # Emphasis inside the phrase stays where it is.
        ("全面实施**乡村**震兴战略。\n", "全面实施**乡村**振兴战略。\n"),
        # A table cell: the name beside its title (one cell apart) is corrected in its cell.
        (
            "| 职务 | 姓名 |\n|---|---|\n| 市长 | 苏铭哲 |\n",
            "| 职务 | 姓名 |\n|---|---|\n| 市长 | 苏明哲 |\n",
        ),
        # A link text: the agency's new name, the link target untouched.
        (
            "详见[青溪县环保局](https://www.qingxi.gov.cn/hb/)通知。\n",
            "详见[青溪县生态环境局](https://www.qingxi.gov.cn/hb/)通知。\n",
        ),
        # Front matter: the title's value is corrected, the key and the date stay.
        (
            "---\ntitle: 优化营商环竟工作方案\ndate: 2026-03-01\n---\n\n正文。\n",
            "---\ntitle: 优化营商环境工作方案\ndate: 2026-03-01\n---\n\n正文。\n",
        ),
        # A mobile number as inspections require it: the first 3 and the last 4 digits.
        ("联系电话：139 1234 5678。\n", "联系电话：139 **** 5678。\n"),
        # A resident ID: the first 2 and the last 3 characters.
        ("身份证号11010519491231002X。\n", "身份证号11*************02X。\n"),
        # A bank card: the last 4 digits.
        ("银行卡号：6222020200112233446\n", "银行卡号：***************3446\n"),
        # Weakly masked numbers (pii.weak_mask) are masked again in the official format of
        # their kind, their own stars counted as the characters they hide: an ID that showed 4
        # trailing characters, one that showed its birth date, a mobile number that showed its
        # middle digits, in a table row and with full-width stars.
        ("身份证号：110105********002X\n", "身份证号：11*************02X\n"),
        ("身份证号：11010519491231****\n", "身份证号：11****************\n"),
        ("| 李四 | 13812****78 |\n", "| 李四 | 138******78 |\n"),
        ("手机：138＊＊＊56789\n", "手机：138****6789\n"),
        # Other masks than the star are written as the official star.
        ("身份证号：11010519491231○○2X\n", "身份证号：11**************2X\n"),
        # A number written in numerals or with letters for digits is written in digits, masked.
        ("手机：一三八一二三四五六七八\n", "手机：138****5678\n"),
        ("身份证号：11O1O519491231OO2X\n", "身份证号：11*************02X\n"),
        # A number masked as required is left as it is.
        ("手机：138****1234\n", "手机：138****1234\n"),
        # A historical mention is no finding, so nothing changes.
        ("原青溪县环境保护局于2018年撤销。\n", "原青溪县环境保护局于2018年撤销。\n"),
    ],
)
def test_fix_writes_the_right_form_in_place(tmp_path: Path, cli: object, page: str, fixed: str) -> None:
    root = portal(tmp_path, {"content/a.md": page})
    run = cli(["fix", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.md").read_text(encoding="utf-8") == fixed, run.out
    assert run.code == EXIT_CLEAN, run.out + run.err


def test_dry_run_prints_the_diff_and_changes_nothing(tmp_path: Path, cli: object) -> None:
    page = "全面实施乡村震兴战略，市长苏铭哲出席。\n"
    root = portal(tmp_path, {"content/a.md": page})
    run = cli(["fix", "--dry-run", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.md").read_text(encoding="utf-8") == page
    assert "--- a/content/a.md" in run.out and "+++ b/content/a.md" in run.out
    assert "+全面实施乡村振兴战略，市长苏明哲出席。" in run.out
    assert "would make 2 fixes in 1 file" in run.out
    assert run.code == EXIT_CLEAN  # once fixed, nothing blocks


def test_the_diff_redacts_personal_numbers_unless_shown(tmp_path: Path, cli: object) -> None:
    root = portal(tmp_path, {"content/a.md": "联系电话：13912345678。\n"})
    run = cli(["fix", "--dry-run", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert "13912345678" not in run.out
    assert "-联系电话：1*********8。" in run.out and "+联系电话：139****5678。" in run.out
    shown = cli(["fix", "--dry-run", "--show-matches", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert "-联系电话：13912345678。" in shown.out


def test_a_classified_page_is_left_to_a_person(tmp_path: Path, cli: object) -> None:
    page = "机密★5年\n\n全面实施乡村震兴战略，联系电话13912345678。\n"
    root = portal(tmp_path, {"content/a.md": page})
    run = cli(["fix", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.md").read_text(encoding="utf-8") == page
    assert "content/a.md: left alone" in run.out
    assert run.code == EXIT_BLOCKED  # the marking still blocks


def test_a_secrecy_term_is_never_touched_and_still_blocks(tmp_path: Path, cli: object) -> None:
    page = "青松计划进展顺利，全面实施乡村震兴战略。\n"
    root = portal(tmp_path, {"content/a.md": page})
    (root / "rules" / "terms").mkdir(exist_ok=True)
    (root / "rules" / "terms" / "codes.yml").write_text(
        "id: codename.local\nlevel: block\nmessage: 内部代号\nterms: [青松计划]\n"
        "hits: [青松计划]\nmisses: [青松翠柏]\n",
        encoding="utf-8",
    )
    run = cli(["fix", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.md").read_text(
        encoding="utf-8"
    ) == "青松计划进展顺利，全面实施乡村振兴战略。\n"
    assert run.code == EXIT_BLOCKED and "codename.local" in run.out


def test_a_file_that_is_not_markdown_or_text_is_not_changed(tmp_path: Path, cli: object) -> None:
    page = "<p>全面实施乡村震兴战略</p>\n"
    root = portal(tmp_path, {"content/a.html": page})
    run = cli(["fix", "content/a.html"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.html").read_text(encoding="utf-8") == page
    assert "content/a.html: not Markdown or text" in run.out
    assert run.code == EXIT_BLOCKED  # the near miss is still there


def test_markup_inside_a_longer_replacement_is_left_to_a_person(tmp_path: Path, cli: object) -> None:
    page = "---\ndate: 2026-03-01\n---\n\n青溪县**环保**局发布通知。\n"
    root = portal(tmp_path, {"content/a.md": page})
    run = cli(["fix", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.md").read_text(encoding="utf-8") == page
    assert "local.agency not fixed: markup" in run.out
    assert run.code == EXIT_BLOCKED


def test_a_file_changed_since_it_was_screened_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = portal(
        tmp_path, {"content/a.md": "全面实施乡村震兴战略。\n", "content/b.md": "市长苏铭哲出席。\n"}
    )
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    settings = load_settings(root, run_key=True)
    planned = api.fix_plan(settings, ["content"])
    (root / "content" / "a.md").write_text("另一个人的修改。\n", encoding="utf-8")  # another process
    with pytest.raises(InputError) as refused:
        api.fix_apply(planned)
    assert refused.value.exit_code == EXIT_INPUT and refused.value.path == "content/a.md"
    assert (root / "content" / "a.md").read_text(encoding="utf-8") == "另一个人的修改。\n"
    assert (root / "content" / "b.md").read_text(encoding="utf-8") == "市长苏铭哲出席。\n"  # nothing written


def test_a_byte_order_mark_and_crlf_line_ends_survive(tmp_path: Path, cli: object) -> None:
    data = "\ufeff第一行\r\n全面实施乡村震兴战略。\r\n".encode()
    root = portal(tmp_path, {"content/a.md": data})
    cli(["fix", "content/a.md"], cwd=root)  # type: ignore[operator]
    assert (root / "content" / "a.md").read_bytes() == "\ufeff第一行\r\n全面实施乡村振兴战略。\r\n".encode()


@pytest.mark.parametrize(
    ("written", "right", "result"),
    [
        # Same count of letters: character for character, markup kept.
        ("**扫黑**除饿", "扫黑除恶", "**扫黑**除恶"),
        # Plain text of another length: replaced whole.
        ("环保局", "生态环境局", "生态环境局"),
        # Markup inside and another length: a person fixes it.
        ("环**保**局", "生态环境局", None),
        # A masked number keeps its separators.
        ("139-1234-5678", "139-****-5678", "139-****-5678"),
        # A weakly masked number: its stars are the number's characters, not markup.
        ("110105********002X", "11*************02X", "11*************02X"),
        ("138＊＊＊56789", "138****6789", "138****6789"),
        # An escape in front matter (\\u4e00 is six characters for one): a person fixes it.
        ("\\u4e00代一路", "一带一路", None),
    ],
)
def test_aligned(written: str, right: str, result: str | None) -> None:
    assert aligned(written, right) == result
