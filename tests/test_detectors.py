"""Term and pattern detectors over the default rules, and over small rulesets written for one
behaviour each: table-driven, one comment per case."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

from screen.engine import Engine, build_engine
from screen.model import Hit, Level
from screen.ruleset import parse, read_sources
from tests.conftest import hits_of, rule_ids

SEEDS = Path("/work/shared/data/seeds")
BLOCK, REVIEW, INFO = Level.BLOCK, Level.REVIEW, Level.INFO


def of_rule(engine: Engine, text: str, rule: str) -> list[Hit]:
    return [hit for hit in hits_of(engine, text) if hit.rule.id == rule]


def matched(text: str, hits: list[Hit]) -> list[str]:
    """The source text of each hit (hit offsets are source offsets)."""
    return [text[hit.start : hit.end] for hit in hits]


def custom_engine(tmp_path: Path, kind: str, rule_yaml: str) -> Engine:
    """An engine from one rule file written to tmp_path/rules/<kind>/rule.yml."""
    directory = tmp_path / "rules" / kind
    directory.mkdir(parents=True)
    (directory / "rule.yml").write_text(rule_yaml, encoding="utf-8")
    return build_engine(parse(dataclasses.replace(read_sources(tmp_path / "rules"), packs=())))


# --- secrecy markings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # Level ★ years: the standard marking form (GB/T 7156).
        ("机密★5年", "marking.classified"),
        # Level ★ 长期 (no fixed term).
        ("绝密★长期", "marking.classified"),
        # Level ★ until a date.
        ("秘密★2027年12月31日", "marking.classified"),
        # Level ★ months.
        ("秘密★10个月", "marking.classified"),
        # Traditional characters and full-width digits fold to 机密★5年.
        ("機密★５年", "marking.classified"),
        # Spaced out to dodge a naive search.
        ("机 密 ★ 5 年", "marking.classified"),
        # Full-width asterisk in place of the star.
        ("机密＊5年", "marking.classified"),
        # Emoji star.
        ("绝密⭐长期", "marking.classified"),
        # Outline star.
        ("秘密☆1年", "marking.classified"),
        # The star alone, term left blank.
        ("机密★", "marking.classified"),
        # Markdown emphasis around the level does not hide it.
        ("**机密**★5年", "marking.classified"),
        # In a heading.
        ("# 绝密★长期\n\n正文", "marking.classified"),
        # In an HTML comment: published bytes, though the reader does not see them.
        ("正文<!-- 机密★5年 -->", "marking.classified"),
        # Inside a sentence.
        ("本文件为秘密★1年，请妥善保管。", "marking.classified"),
        # A 密级 field, as in a document header.
        ("密级：机密", "marking.level_field"),
        # ASCII colon, spaces.
        ("密级: 秘密", "marking.level_field"),
        # Traditional characters in the field.
        ("密級：絕密", "marking.level_field"),
    ],
)
def test_markings_block(engine: Engine, text: str, rule: str) -> None:
    hits = of_rule(engine, text, rule)
    assert hits, f"{text!r} should give {rule}"
    assert all(hit.level is BLOCK for hit in hits)


@pytest.mark.parametrize(
    "text",
    [
        # Secrecy-law prose names the three levels without marking anything.
        "国家秘密的密级分为绝密、机密、秘密三级",
        # The publicity slogan.
        "涉密信息不上网、上网信息不涉密",
        # A document number.
        "国办发〔2017〕47号",
        # A 密级 field that says 公开.
        "密级：公开",
        # Metadata lists mention 密级 as a field name.
        "语种、密级、多媒体信息等基本信息",
        # The name of a regulation about classified files.
        "机密文件管理制度",
        # A star used as a form's required-field mark.
        "标注★号的项目为必填项",
        # A star between a slogan and an unrelated number of years.
        "保守国家秘密，人人有责 ★ 5年来成绩显著",
        # Legal citations.
        "依据保密法（2024）第35条和实施条例（2024）第42条，先审查、后公开，一事一审。",
        # Review stages.
        "信息公开保密审查实行初审、复审、批准三级审核，谁公开谁审查。",
    ],
)
def test_public_prose_about_secrecy_does_not_block(engine: Engine, text: str) -> None:
    blocking = [hit.rule.id for hit in hits_of(engine, text) if hit.level is BLOCK]
    assert blocking == []


# --- personal information -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "level"),
    [
        # A resident ID number with a valid check digit.
        ("身份证号：11010519491231002X", "pii.resident_id", BLOCK),
        # Another valid number (check digit 8).
        ("身份证号码530102200106154568", "pii.resident_id", BLOCK),
        # Full-width digits and Ｘ fold to the same number.
        ("身份证号１１０１０５１９４９１２３１００２Ｘ", "pii.resident_id", BLOCK),
        # Grouped with spaces.
        ("110105 19491231 002X", "pii.resident_id", BLOCK),
        # Right shape and date, wrong check digit: plausible_level (review).
        ("号码110105194912310021", "pii.resident_id", REVIEW),
        # Impossible date (30 February) with a correct check digit: not an ID number.
        ("编号110105194902300020", "pii.resident_id", None),
        # Month 13.
        ("11010519491331002X", "pii.resident_id", None),
        # Part of a longer number.
        ("11010519491231002X0", "pii.resident_id", None),
        # An arbitrary 18-digit reference number.
        ("编号123456789012345678", "pii.resident_id", None),
        # A card number passing Luhn, next to 卡号: the context raises info to block.
        ("卡号：6222020200112233446", "pii.bank_card", BLOCK),
        # Next to 银行卡, grouped.
        ("银行卡号：6222 0202 0011 2233 446", "pii.bank_card", BLOCK),
        # The context word after the number.
        ("6222020200112233446（工资卡）", "pii.bank_card", BLOCK),
        # Without any card word: info only.
        ("编号6222020200112233446", "pii.bank_card", INFO),
        ("4111111111111111", "pii.bank_card", INFO),
        # A card word far outside the 20-character window does not count.
        (
            "卡号见附件。" + "这是一段很长的与之无关的说明文字，" * 3 + "6222020200112233446",
            "pii.bank_card",
            INFO,
        ),
        # Failing Luhn: not a card number, whatever the words around it.
        ("卡号：6222020200112233445", "pii.bank_card", None),
        ("银行卡号：4111111111111112", "pii.bank_card", None),
        # A mobile number: review (may be a published work phone).
        ("联系人：何志军 13912345678", "pii.mobile", REVIEW),
        # With hyphens.
        ("手机：139-1234-5678", "pii.mobile", REVIEW),
        # With the country code.
        ("+86 139 1234 5678", "pii.mobile", REVIEW),
        # A landline with area code is the office's public number.
        ("咨询电话：0871-63212056", "pii.mobile", None),
        # Digits inside a longer number.
        ("编号201391234567890", "pii.mobile", None),
        # A document number.
        ("国办发〔2017〕47号", "pii.mobile", None),
    ],
)
def test_personal_information(engine: Engine, text: str, rule: str, level: Level | None) -> None:
    hits = of_rule(engine, text, rule)
    if level is None:
        assert hits == []
    else:
        assert [hit.level for hit in hits] == [level]


def test_landline_gives_no_finding_at_all(engine: Engine) -> None:
    # Not a mobile, and not a card number either.
    assert hits_of(engine, "联系电话：0871-63212056") == []


def test_id_number_hit_covers_exactly_the_number(engine: Engine) -> None:
    # Positions map back to the source, full-width characters included.
    text = "身份证号：１１０１０５１９４９１２３１００２Ｘ。"
    assert matched(text, of_rule(engine, text, "pii.resident_id")) == ["１１０１０５１９４９１２３１００２Ｘ"]


def test_context_words_are_reported(engine: Engine) -> None:
    # A context rule explains itself: the words that raised the level.
    text = "开户行：工商银行，账号 6222 0202 0011 2233 446"
    (hit,) = of_rule(engine, text, "pii.bank_card")
    assert hit.level is BLOCK
    assert set(hit.context_words) == {"账号", "开户行"}
    (plain,) = of_rule(engine, "编号6222020200112233446", "pii.bank_card")
    assert plain.context_words == ()


# --- internal-use notices -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The classic header of an internal document.
        ("内部资料", ["内部资料"]),
        # A distribution restriction.
        ("本通知不得外传", ["不得外传"]),
        # Two terms, two hits.
        ("内部资料 注意保存", ["内部资料", "注意保存"]),
        # Traditional characters.
        ("內部資料", ["內部資料"]),
        # Spaced and emphasised.
        ("内 部 资 料", ["内 部 资 料"]),
        ("**不得外传**", ["不得外传"]),
        # Overlapping terms in one rule (仅供内部, 内部参考): one hit, the leftmost.
        ("本材料仅供内部参考", ["仅供内部"]),
        # The allow phrase suppresses the term inside it.
        ("内部资料室开放时间为每周一至周五", []),
        ("内部文件管理制度", []),
        # ...but not another occurrence outside it.
        ("内部资料室开放时间，内部资料不得借出", ["内部资料"]),
        # Words that share characters but are not restrictions.
        ("加强内部控制和内部审计", []),
    ],
)
def test_internal_notices_review(engine: Engine, text: str, expected: list[str]) -> None:
    hits = of_rule(engine, text, "internal.restricted")
    assert matched(text, hits) == expected
    assert all(hit.level is REVIEW for hit in hits)


# --- custody of keys and passwords ----------------------------------------------------------

CUSTODY = "由陈红掌管保密柜钥匙，李秀杰掌管保密柜密码及防盗门钥匙。"


def test_named_custodians_are_found(engine: Engine) -> None:
    # The published passage names who holds the keys and the combination: review both names.
    hits = of_rule(engine, CUSTODY, "custody.named_holder")
    assert matched(CUSTODY, hits) == ["陈红", "李秀杰"]
    assert all(hit.level is REVIEW for hit in hits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Traditional characters, as in the seed document.
        ("由陳紅掌管保密柜鑰匙", ["陳紅"]),
        # Passive form: the key is held by a named person.
        ("保密柜钥匙由陈红保管", ["陈红"]),
        # With 同志 and 负责.
        ("保密室密码由王建国同志负责掌管", ["王建国"]),
        # A compound surname.
        ("由欧阳明掌管保密柜钥匙", ["欧阳明"]),
        # Duties by role, not by name.
        ("由专人保管", []),
        ("由专人掌管保密柜钥匙", []),
        ("保密柜钥匙由专人保管", []),
        ("保密室铁柜钥匙须由考点负责人和保密室负责人分别保管", []),
        ("试卷保密室钥匙、密码应交给由不同保卷人员保管", []),
        ("保密室门和防盗门钥匙要做到两人分开保管", []),
    ],
)
def test_custody(engine: Engine, text: str, expected: list[str]) -> None:
    hits = [hit for hit in hits_of(engine, text) if hit.rule.id.startswith("custody.")]
    assert matched(text, hits) == expected
    assert all(hit.level is REVIEW for hit in hits)


# --- codename terms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Plain, in a sentence.
        ("关于青松计划的通知", ["青松计划"]),
        # Spaces between the characters.
        ("青 松 计 划", ["青 松 计 划"]),
        # Zero-width space, joiner and BOM between the characters.
        ("青\u200b松\u200d计\ufeff划", ["青\u200b松\u200d计\ufeff划"]),
        # A soft hyphen.
        ("青\u00ad松计划", ["青\u00ad松计划"]),
        # Traditional characters.
        ("青松計劃", ["青松計劃"]),
        ("東嶺基地建設", ["東嶺基地"]),
        # Traditional and spaced.
        ("青 松 計 劃", ["青 松 計 劃"]),
        # Markdown emphasis and an HTML comment splitting the term.
        ("青**松**计划", ["青**松**计划"]),
        ("青<!-- x -->松计划", ["青<!-- x -->松计划"]),
        # Punctuation used as filler, up to three characters.
        ("青、松、计、划", ["青、松、计、划"]),
        ("青松——计划", ["青松——计划"]),
        # A line break inside a paragraph.
        ("青松\n计划", ["青松\n计划"]),
        # In a link text and in inline code.
        ("[青松计划](https://example.gov.cn/)", ["青松计划"]),
        ("`青松计划`", ["青松计划"]),
        # Two terms.
        ("青松计划、东岭基地", ["青松计划", "东岭基地"]),
        # A full stop ends a sentence: the halves are not the term.
        ("青松。计划", []),
        # A paragraph break.
        ("青松\n\n计划", []),
        # More than three filler characters.
        ("青松————计划", []),
        # Shares characters only.
        ("青松翠柏", []),
        # The allow phrase.
        ("青松计划生育服务站", []),
    ],
)
def test_codenames(engine: Engine, text: str, expected: list[str]) -> None:
    hits = of_rule(engine, text, "codename.project")
    assert matched(text, hits) == expected
    assert all(hit.level is BLOCK for hit in hits)


OVERLAP_RULE = """\
id: codename.overlap
level: block
message: 测试：重叠的词条
terms: [青松, 青松计划, 计划书, 松计]
allow: [青松计划生育服务站]
hits: [青松计划]
misses: [青山]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 青松 ⊂ 青松计划 and 松计 overlaps: one finding for the longer term.
        ("青松计划", ["青松计划"]),
        # 青松计划 and 计划书 overlap: the leftmost wins.
        ("青松计划书", ["青松计划"]),
        # Alone, the shorter term is reported.
        ("青松翠柏", ["青松"]),
        ("计划书", ["计划书"]),
        # Two separate occurrences are two findings.
        ("青松计划和青松计划", ["青松计划", "青松计划"]),
        # Every term inside the allow phrase is suppressed.
        ("青松计划生育服务站", []),
        # A term partly outside the allow phrase is not.
        ("青松计划生育服务站计划书", ["计划书"]),
    ],
)
def test_longest_leftmost(tmp_path: Path, text: str, expected: list[str]) -> None:
    engine = custom_engine(tmp_path, "terms", OVERLAP_RULE)
    assert matched(text, hits_of(engine, text)) == expected


LATIN_RULE = """\
id: codename.latin
level: block
message: 测试：拉丁字母与数字代号
terms: [ABC, X-9, "2718"]
allow: [ABC Bank]
hits: [the ABC plan]
misses: [ABCD]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A whole word in English text.
        ("the ABC plan", ["ABC"]),
        # Next to Chinese characters (no spaces in Chinese).
        ("ABC计划", ["ABC"]),
        ("启动ABC计划", ["ABC"]),
        # Case and width fold.
        ("abc", ["abc"]),
        ("Ａ Ｂ Ｃ", ["Ａ Ｂ Ｃ"]),
        # Punctuation after the word.
        ("ABC-D", ["ABC"]),
        ("ABC。D", ["ABC"]),
        # Inside a longer word: not the term.
        ("ABCD", []),
        ("XABC", []),
        ("1ABC", []),
        ("ABC1", []),
        # Markup does not make a boundary: the reader sees ABCD.
        ("**ABC**D", []),
        # A term with a hyphen matches with or without it.
        ("X-9型", ["X-9"]),
        ("X9型", ["X9"]),
        # ...but not inside a longer code.
        ("AX-9", []),
        ("X-90", []),
        # A digit term, as a whole number only.
        ("编号2718号", ["2718"]),
        ("27182818", []),
        ("02718", []),
        # The allow phrase.
        ("the ABC Bank", []),
        # An allow phrase inside a longer word does not count, so the term is reported.
        ("the ABC Banking plan", ["ABC"]),
    ],
)
def test_word_boundaries_for_latin_and_digit_terms(tmp_path: Path, text: str, expected: list[str]) -> None:
    engine = custom_engine(tmp_path, "terms", LATIN_RULE)
    assert matched(text, hits_of(engine, text)) == expected


# --- context words and plausible levels in custom rules -------------------------------------

CONTEXT_RULE = """\
id: test.context
level: review
message: 测试：上下文词调整级别
regex: 'qx-\\d{4}'
context:
  - words: [绝密, 核心]
    window: 6
    level: block
  - words: [样例, 示例]
    window: 6
    level: info
hits: [qx-1234]
misses: [qx-12]
"""


@pytest.mark.parametrize(
    ("text", "level", "words"),
    [
        # No context word: the rule's level.
        ("编号QX-1234", REVIEW, ()),
        # A raising word before the match.
        ("核心编号QX-1234", BLOCK, ("核心",)),
        # ...or after it.
        ("QX-1234是绝密的", BLOCK, ("绝密",)),
        # Both raising words, both reported.
        ("绝密核心QX-1234", BLOCK, ("绝密", "核心")),
        # A lowering word.
        ("示例：QX-1234", INFO, ("示例",)),
        # Both kinds: the first context entry wins.
        ("核心示例QX-1234", BLOCK, ("核心",)),
        # Outside the 6-character window.
        ("核心。这里是一段话。QX-1234", REVIEW, ()),
        # Context words are folded like the text.
        ("核心編號QX-1234", BLOCK, ("核心",)),
    ],
)
def test_context_words_set_the_level(tmp_path: Path, text: str, level: Level, words: tuple[str, ...]) -> None:
    engine = custom_engine(tmp_path, "patterns", CONTEXT_RULE)
    (hit,) = hits_of(engine, text)
    assert hit.level is level
    assert hit.context_words == words


ID_RULE = """\
id: test.id
level: block
message: 测试：身份证号
regex: '\\d{17}[0-9x]'
validate: gb11643
%s
hits: ['11010519491231002X']
misses: ['11010519491331002X']
"""


@pytest.mark.parametrize(
    ("plausible", "text", "level"),
    [
        # A valid number gets the rule's level.
        ("", "11010519491231002X", BLOCK),
        # Without plausible_level, a wrong check digit gives nothing.
        ("", "110105194912310021", None),
        # With it, the wrong check digit gets that level.
        ("plausible_level: info", "110105194912310021", INFO),
        ("plausible_level: review", "110105194912310021", REVIEW),
        # An invalid date gives nothing either way.
        ("plausible_level: review", "11010519491331002X", None),
    ],
)
def test_plausible_level(tmp_path: Path, plausible: str, text: str, level: Level | None) -> None:
    engine = custom_engine(tmp_path, "patterns", ID_RULE % plausible)
    assert [hit.level for hit in hits_of(engine, text)] == ([level] if level else [])


def test_default_id_rule_uses_plausible_level(engine: Engine) -> None:
    # pii.resident_id declares plausible_level: review for a wrong check digit.
    (rule,) = [r for r in engine.ruleset.rules if r.id == "pii.resident_id"]
    assert rule.plausible_level is REVIEW
    assert [hit.level for hit in of_rule(engine, "110105194912310021", rule.id)] == [REVIEW]


# --- real published documents ---------------------------------------------------------------

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def test_seed_documents_exist() -> None:
    assert SEED_FILES, f"no seed documents in {SEEDS}"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_published_documents_do_not_block(engine: Engine, path: Path, suffix: str) -> None:
    # Real published documents about secrecy work: nothing in them is classified, as text or
    # as Markdown.
    text = path.read_text(encoding="utf-8")
    blocking = [
        (hit.rule.id, text[hit.start : hit.end])
        for hit in hits_of(engine, text, path.stem + suffix)
        if hit.level is BLOCK
    ]
    assert blocking == []


def test_seed_naming_key_holders_is_flagged(engine: Engine) -> None:
    # The exam plan names who holds the secrecy room's keys and combination (published as-is).
    (path,) = SEEDS.glob("000_*.txt")
    text = path.read_text(encoding="utf-8")
    hits = [hit for hit in hits_of(engine, text, path.name) if hit.rule.id == "custody.named_holder"]
    assert hits
    assert all(hit.level is REVIEW for hit in hits)
    assert {text[hit.start : hit.end] for hit in hits} == {"陳紅", "李秀杰"}


# --- markings read the folded text terms read: any star, any gap a reader skips -------------------

_STAR_NAME = re.compile(r"\b(STAR|ASTERISK|ASTERISM)\b")
STARS = [
    chr(point)
    for point in range(0x20, 0x20000)
    if _STAR_NAME.search(unicodedata.name(chr(point), "")) and unicodedata.category(chr(point))[0] in "PS"
]


def test_unicode_knows_many_stars() -> None:
    assert len(STARS) > 80 and "⭑" in STARS and "✶" in STARS and "⋆" in STARS


@pytest.mark.parametrize("star", STARS, ids=lambda s: f"U+{ord(s):04X}")
def test_every_star_unicode_names_makes_a_marking(engine: Engine, star: str) -> None:
    assert "marking.classified" in rule_ids(engine, f"本文件定为机密{star}5年。")


@pytest.mark.parametrize(
    "text",
    [
        "机·密★5年",  # a middle dot between the characters
        "机\n密★5年",  # a soft line break inside the paragraph
        "机 密 ★ 5 年",  # spaces everywhere
        "机\u3164密★5年",  # HANGUL FILLER: a letter that draws nothing
        "机\uffa0密★5年",  # HALFWIDTH HANGUL FILLER
        "机\u2800密★5年",  # BRAILLE PATTERN BLANK
        "机\u115f密★5年",  # HANGUL CHOSEONG FILLER
        "机**密**★5年",  # emphasis markup around one character
        "机、密★长期",  # list punctuation
        "密 级 ： 机 · 密",  # the level field, spread out
    ],
)
def test_a_marking_with_gaps_a_reader_skips_is_found(engine: Engine, text: str) -> None:
    assert rule_ids(engine, text) & {"marking.classified", "marking.level_field"}


@pytest.mark.parametrize(
    "text",
    [
        "事关机密。★5年来的工作回顾",  # a sentence end between level and star
        "机密\n\n★5年规划",  # a paragraph break
        "机密文件管理制度★5年修订一次",  # words between the level and the star
        "保守国家秘密，人人有责 ★ 5年来成绩显著",
    ],
)
def test_a_marking_never_spans_a_sentence_or_a_block(engine: Engine, text: str) -> None:
    assert "marking.classified" not in rule_ids(engine, text)


# --- characters a browser draws differently from how they are stored ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "通知\u202e划计松青",  # RIGHT-TO-LEFT OVERRIDE: shown as 青松计划
        "第\u2067二\u2069段",  # RIGHT-TO-LEFT ISOLATE … POP DIRECTIONAL ISOLATE
        "<span>\u202d正文</span>",  # inside inline HTML
        "```\n代码\u202e\n```",  # inside a code block: still drawn by the browser
    ],
)
def test_bidi_controls_are_refused_wherever_they_stand(engine: Engine, text: str) -> None:
    assert "text.bidi_control" in rule_ids(engine, text)


def test_a_bidi_control_is_never_printed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import write_portal

    write_portal(tmp_path, {"content/a\u202e.md": "通知\u202e划计松青\n"})
    run = cli(["check"], cwd=tmp_path)
    assert run.code == 1
    assert "\u202e" not in run.out and "\u202e" not in run.err
    assert run.out.count("text.bidi_control") == 2  # the text and the file's name
