"""The entity detector (issue 4): each recognizer pattern family, each context rule, the fail-closed
path, one analysis per document, pickling, rule validation and the `baomi entities` door.
Table-driven, one comment per case."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screen.detectors import names
from screen.detectors.entities import EntityDetector
from screen.detectors.recognizer import THRESHOLD, Recognizer, _name_model, best
from screen.engine import Engine, build_engine
from screen.errors import RuleError
from screen.model import Level
from screen.normalize import fold
from screen.ruleset import parse, read_sources
from screen.source import read_document
from tests.conftest import ROOT, RULES, hits_of

BLOCK, REVIEW = Level.BLOCK, Level.REVIEW
ID = "11010519491231002X"  # valid GB 11643 check digit
BAD_ID = "110105194912310021"  # wrong check digit


def detector(engine: Engine) -> EntityDetector:
    (found,) = [d for d in engine.detectors if isinstance(d, EntityDetector)]
    return found


@pytest.fixture(scope="module")
def recognizer(engine: Engine) -> Recognizer:
    return detector(engine).recognizer


def entities(recognizer: Recognizer, text: str) -> list[tuple[str, str]]:
    return [(e.label, text[e.start : e.end]) for e in recognizer.entities(fold(text))]


# --- pattern families ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "text", "label", "span"),
    [
        # A three-character name jieba tags nr, after a common surname.
        ("person.tagged_full_name", "王建明出席会议", "PERSON", "王建明"),
        # A two-character name jieba had to guess (not in its dictionary).
        ("person.guessed_short_name", "孙丽掌管密码", "PERSON", "孙丽"),
        # A two-character name in jieba's dictionary, backed by a verb of speech.
        ("person.known_short_name", "李鹏说", "PERSON", "李鹏"),
        # A transliterated foreign name.
        ("person.transliterated_name", "美国总统克林顿访华", "PERSON", "克林顿"),
        # A title right before the name.
        ("person.title_before", "副县长刘志强主持会议", "PERSON", "刘志强"),
        # A title right after the name.
        ("person.title_after", "王建国同志负责", "PERSON", "王建国"),
        # A verb of speech right after the name.
        ("person.verb_after", "范继宏说", "PERSON", "范继宏"),
        # The agent of a duty: 由 + name.
        ("person.agent_before", "由陈红掌管", "PERSON", "陈红"),
        # A name after a label and a colon.
        ("person.after_label", "联系人：何志军", "PERSON", "何志军"),
        # Names in a list back each other.
        ("person.listed_with_name", "张昌海、田密值班", "PERSON", "张昌海"),
        ("person.listed_after_name", "张昌海、田密值班", "PERSON", "田密"),
        # A lone surname before a title: the surname is the name given.
        ("person.surname_title", "江主席来到", "PERSON", "江"),
        # Transliterated parts joined by a dot.
        ("person.foreign_joined", "胡安·拉莫斯说", "PERSON", "胡安·拉莫斯"),
        # A Tibetan name of two parts, and a Mongolian one (one part) after a title.
        ("person.minority_name", "县长达瓦次仁主持会议", "PERSON", "达瓦次仁"),
        ("person.minority_part", "副旗长其其格汇报", "PERSON", "其其格"),
        # An everyday word that begins with a surname, between a title and a verb.
        ("person.title_before_word", "宣传部部长方圆出席活动", "PERSON", "方圆"),
        ("person.word_verb_after", "宣传部部长方圆出席活动", "PERSON", "方圆"),
        # The sex after a name, as résumés write it; the name cut by jieba.
        ("person.sex_after", "李秀英，女，汉族", "PERSON", "李秀英"),
        ("person.split_sex_after", "倪为民，男，汉族", "PERSON", "倪为民"),
        # An everyday word as a name: its sex after it in a 公示 row or at a line's start,
        # 同志 after it, or the verb of an appointment before it.
        ("person.word_sex_after", "| 3 | 黄金 | 男 | 土家族 |", "PERSON", "黄金"),
        ("person.first_word_sex_after", "夏天，女，汉族，1990年6月生", "PERSON", "夏天"),
        ("person.word_comrade", "严明同志长期从事审计工作", "PERSON", "严明"),
        ("person.appointed_word", "免去甘露的溪口镇党委副书记职务", "PERSON", "甘露"),
        ("person.appointed_split", "任命刘红军为县交通运输局副局长", "PERSON", "刘红军"),
        ("person.appointed", "提名李秀英为副县长候选人", "PERSON", "李秀英"),
        # A two-character name of a rare surname (逯), weak alone, after a title.
        ("person.guessed_unlikely_short_name", "副局长逯军就此事接受采访", "PERSON", "逯军"),
        # A name in Latin letters, weak alone: after a title or role, before a verb of speech,
        # in brackets after a transliterated name.
        ("person.latin_name", "项目经理Erik表示同意", "PERSON", "Erik"),
        ("person.title_before_latin", "项目经理Erik表示同意", "PERSON", "Erik"),
        ("person.latin_verb_after", "Johnson说，这款游戏", "PERSON", "Johnson"),
        ("person.latin_full_name", "导演Chris Morris说", "PERSON", "Chris Morris"),
        ("person.title_before_latin_full", "导演Chris Morris说", "PERSON", "Chris Morris"),
        ("person.latin_full_verb_after", "导演Chris Morris说", "PERSON", "Chris Morris"),
        ("person.latin_in_brackets", "克里斯·莫瑞斯(Chris Morris)执导", "PERSON", "Chris Morris"),
        # A name jieba cut apart (孙/振兴), in a list next to a name.
        ("person.split_listed_before_name", "孙振兴、胡晓燕参加会议", "PERSON", "孙振兴"),
        ("person.split_listed_after_name", "胡晓燕、孙振兴等参加会议", "PERSON", "孙振兴"),
        # Minus: a guessed two-character "name" next to a piece of transliteration is a piece of
        # a foreign word jieba cut up (费耶/诺德, 奈/梅亨).
        ("person.not_beside_transliteration", "费耶诺德在港口城的地位逐年下降", "PERSON", "费耶"),
        ("person.not_after_transliteration", "何况对手奈梅亨出线希望渺茫", "PERSON", "梅亨"),
        # A speaker's name opening a line before a colon, whole or cut apart by jieba.
        ("person.speaker", "王建明：我们要抓好落实", "PERSON", "王建明"),
        ("person.split_speaker", "金石开：建议关注一下", "PERSON", "金石开"),
        # A two-character name padded to three in a list of names (石　磊).
        ("person.padded_first", "石　磊　杨　帆", "PERSON", "石　磊"),
        ("person.padded_after_space", "王建明　石　磊　杨　帆　李秀英", "PERSON", "杨　帆"),
        ("person.padded_before_space", "王建明　石　磊　杨　帆　李秀英", "PERSON", "石　磊"),
        # A guessed two-character name that reads less surely as one (米帅): weak alone.
        ("person.guessed_possible_short_name", "米帅实在肥得太让人", "PERSON", "米帅"),
        # Whose family or work follows the name.
        ("person.kin_after", "伯南克的妻子说", "PERSON", "伯南克"),
        # A transliteration of four characters or more (with jieba's nrt, a name alone).
        ("person.long_transliteration", "克林斯曼今天抵达", "PERSON", "克林斯曼"),
        # A surname, a word, then 先生.
        ("person.split_name_honorific", "张长安先生，汉族", "PERSON", "张长安"),
        # Minus: a "name" that ends like a banner, a palace or a card (乌审旗, 白金卡).
        ("person.not_a_place_or_office", "乌审旗", "PERSON", "乌审旗"),
        # Minus: a name followed by a word of a company's name.
        ("person.not_before_org_word", "利亚德有限公司", "PERSON", "利亚德"),
        # A word jieba tags nrt, backed by a verb of speech.
        ("person.foreign_tagged", "布什说", "PERSON", "布什"),
        # A three-character nr word that reads as ordinary words: weak alone.
        ("person.tagged_unlikely_name", "宣传品", "PERSON", "宣传品"),
        # A surname and a given name that is also a word, then a verb of speech.
        ("person.split_name_verb_after", "吴高峰表示", "PERSON", "吴高峰"),
        # A transliterated word after a verb of being somewhere is a place.
        # (CLDR's names of countries and cities are places whatever jieba says: 莫斯科 is one.)
        ("place.foreign_after_locative", "五国元首在巴勒莫签署", "PLACE", "巴勒莫"),
        # A transliterated word before 人 is a place.
        ("place.foreign_before_part", "巴勒莫人", "PLACE", "巴勒莫"),
        # An nr word ending in a division suffix is a place.
        ("place.tagged_name_with_division", "白沙镇梨园", "PLACE", "白沙镇"),
        # jieba's place tag.
        ("place.tagged", "来到北京", "PLACE", "北京"),
        # A name and an administrative-division suffix.
        ("place.division", "青溪县城关镇", "PLACE", "青溪县"),
        # jieba's organization tag.
        ("org.tagged", "云台乡人民政府", "ORG", "人民政府"),
        # A place, nouns, then an organization suffix: the whole body.
        ("org.suffix", "青溪县教育体育局", "ORG", "青溪县教育体育局"),
    ],
)
def test_pattern_family_marks_its_span(
    recognizer: Recognizer, family: str, text: str, label: str, span: str
) -> None:
    folded = fold(text)
    marked = recognizer.pipeline.spans(folded)
    start = folded.index(fold(span))
    assert family in marked.get((label, start, start + len(span)), {}), marked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Leaders' names with their titles are recognized (and are no finding by themselves).
        ("县长王建明在青溪县教育体育局调研。", [("PERSON", "王建明"), ("ORG", "青溪县教育体育局")]),
        # Traditional characters are folded first.
        ("由陳紅掌管保密櫃鑰匙", [("PERSON", "陳紅")]),
        # A compound surname.
        ("由欧阳明掌管保密柜钥匙", [("PERSON", "欧阳明")]),
        # Frequent words jieba's dictionary tags nr are not names on their own.
        ("卫星发射成功，大家都明白了。", []),
        # A name followed by a road suffix is part of a place name: no PERSON.
        ("人民路两侧", []),
        # A role is no name, though it starts with a surname (申).
        ("申请人：李秀杰", [("PERSON", "李秀杰")]),
        # Countries and a foreign leader.
        (
            "美国总统克林顿和俄罗斯总统叶利钦会谈",
            [("PLACE", "美国"), ("PERSON", "克林顿"), ("PLACE", "俄罗斯"), ("PERSON", "叶利钦")],
        ),
        # The township government is one organization, not a place plus a word.
        ("云台乡人民政府有关负责人参加", [("ORG", "云台乡人民政府")]),
        # A word jieba's dictionary tags nr and also holds as a place with a place ending
        # (张家口 nr, 张家口市 ns) is a place.
        ("张家口的冬天", [("PLACE", "张家口")]),
        # A word in Latin letters alone is no name; with a title and a verb it is one.
        ("我们用Python编程", []),
        ("项目经理Erik表示同意", [("PERSON", "Erik")]),
        # Names of a list: one jieba cut apart is backed by its neighbour.
        ("孙振兴、胡晓燕参加会议", [("PERSON", "孙振兴"), ("PERSON", "胡晓燕")]),
        # Roles of sport, film and business before a name count as titles.
        ("球队前锋卡瓦略破门", [("PERSON", "卡瓦略")]),
        ("影星汤唯出席", [("PERSON", "汤唯")]),
        # A long transliteration is a name.
        ("克林斯曼今天抵达", [("PERSON", "克林斯曼")]),
        # A name alone in a title's brackets is still a name: a drafter cannot hide one next to
        # an address or an ID number by bracketing it (《张建国》身份证号…).
        ("《张建国》家住城关镇", [("PERSON", "张建国"), ("PLACE", "城关镇")]),
        # A club cut up by jieba (奈/梅亨) is no name.
        ("何况对手奈梅亨出线希望渺茫", []),
        # Padded two-character names in a list of names.
        (
            "王建明　石　磊　杨　帆　李秀英",
            [("PERSON", "王建明"), ("PERSON", "石　磊"), ("PERSON", "杨　帆"), ("PERSON", "李秀英")],
        ),
        # A surname the patterns once missed (傅), before a colon and the sex.
        ("傅祖平：男，汉族", [("PERSON", "傅祖平")]),
        # Empty and blank text.
        ("", []),
        ("   ", []),
    ],
)
def test_recognized_entities(recognizer: Recognizer, text: str, expected: list[tuple[str, str]]) -> None:
    assert entities(recognizer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Glued: jieba's dictionary holds 张平的 as one word; the name is cut from the particle.
        ("张平的书", [("PERSON", "张平")]),
        # Glued: a known name inside a word named after the person (毛泽东思想, 马克思主义).
        ("坚持毛泽东思想", [("PERSON", "毛泽东")]),
        ("马克思主义", [("PERSON", "马克思")]),
        # Split: jieba cuts 周/海燕 (海燕 is a word); the character model joins them, and the
        # office before the title (宣传部, tagged nr by jieba) is no name.
        ("宣传部部长周海燕主持", [("PERSON", "周海燕")]),
        ("由周海燕保管", [("PERSON", "周海燕")]),
        # A surname alone before a title, glued in jieba's dictionary (江主席, 朱总理).
        ("江主席来到", [("PERSON", "江")]),
        ("朱总理说", [("PERSON", "朱")]),
        # A preposition before a title is no surname.
        ("由局长任组长", []),
        # Compound surnames, of three and four characters.
        ("由司马光掌管", [("PERSON", "司马光")]),
        ("上官云珠出席", [("PERSON", "上官云珠")]),
        # Foreign names: the parts and the dots between them are one name.
        ("胡安·拉莫斯说", [("PERSON", "胡安·拉莫斯")]),
        ("亚历山大·克瓦希涅夫斯基访华", [("PERSON", "亚历山大·克瓦希涅夫斯基")]),
        # Names run together in a list keep apart, however near a dot.
        (
            "王光英程思远卢嘉锡布赫铁木尔·达瓦买提",
            [
                ("PERSON", "王光英"),
                ("PERSON", "程思远"),
                ("PERSON", "卢嘉锡"),
                ("PERSON", "布赫铁木尔·达瓦买提"),
            ],
        ),
        # Places joined by a dot are no name.
        ("中国·北京", [("PLACE", "中国"), ("PLACE", "北京")]),
        # Transliterated places: after 在, before 人.
        ("五国元首在莫斯科签署", [("PLACE", "五国"), ("PLACE", "莫斯科")]),
        ("马拉维人", [("PLACE", "马拉维")]),
        # Common words jieba's dictionary tags nr, rejected by the character model.
        ("高水平发展", []),
        ("宣传品", []),
        ("平稳过渡", []),
        # A division name jieba tags nr is a place, not a person.
        ("白沙镇梨园", [("PLACE", "白沙镇")]),
    ],
)
def test_names_beyond_jiebas_words(
    recognizer: Recognizer, text: str, expected: list[tuple[str, str]]
) -> None:
    assert entities(recognizer, text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # A split name is joined (周/海燕 → 周海燕).
        ("周海燕说", ["周海燕", "说"]),
        # A glued name is cut from its particle (张平的 → 张平/的).
        ("张平的书", ["张平", "的", "书"]),
        # A surname is cut from its title (江主席 → 江/主席).
        ("江主席来到", ["江", "主席", "来到"]),
        # A dictionary word reads on as one (江苏省 is never cut).
        ("江苏省", ["江苏省"]),
    ],
)
def test_words_are_recut_around_names(recognizer: Recognizer, text: str, words: list[str]) -> None:
    assert [token.text for token in recognizer.pipeline.nlp.make_doc(text)] == words


def test_dictionary_places_are_names_jieba_also_holds_as_places() -> None:
    tags = {"张家口": "nr", "张家口市": "ns", "王建明": "nr", "建明": "nr", "秦岭": "nr", "秦岭山": "n"}
    assert names.dictionary_places(tags) == frozenset({"张家口"})


@pytest.mark.parametrize(
    ("word", "tag", "expected"),
    [
        # Not in jieba's dictionary, read as a name: whatever tag the HMM gave it, nr.
        ("贝晓丽", "ns", "nr"),
        ("卜兴华", "n", "nr"),
        # Too little of a name (钱文彬 scores below Likely): the HMM's tag stands.
        ("钱文彬", "ns", "ns"),
        # A dictionary word keeps its tag.
        ("北京", "ns", "ns"),
        # Not Chinese characters, or too long.
        ("abc", "eng", "eng"),
        ("贝晓丽丽", "ns", "ns"),
    ],
)
def test_a_guessed_word_that_reads_as_a_name_is_tagged_nr(
    recognizer: Recognizer, word: str, tag: str, expected: str
) -> None:
    pipeline = recognizer.pipeline
    assert names._guessed_tag(word, tag, pipeline.names, pipeline.tagger.tokenizer.FREQ) == expected


@pytest.mark.parametrize(
    ("word", "grade"),
    [
        # Surname and given-name characters: a name.
        ("李秀杰", "Likely"),
        # Read as 宣传/品, two ordinary words.
        ("宣传品", "Unlikely"),
        # 明 begins names now and then, 白 seldom stands in one.
        ("明白", "Possible"),
    ],
)
def test_name_grades(recognizer: Recognizer, word: str, grade: str) -> None:
    pipeline = recognizer.pipeline
    assert names.refine([(word, "nr")], pipeline.names, pipeline.tagger.tokenizer.FREQ, {}) == [
        (word, "nr", grade)
    ]


def test_the_name_model_is_cached_and_a_damaged_cache_rebuilt(tmp_path: Path) -> None:
    freq = {"王小明": 3, "王": 10, "小": 8, "明": 9, "克林顿": 5}
    tags = {"王小明": "nr", "王": "nr", "小": "a", "明": "a", "克林顿": "nrt"}
    tokenizer = SimpleNamespace(tmp_dir=str(tmp_path), FREQ=freq)
    built = _name_model(tokenizer, tags, "test")
    (cached,) = tmp_path.glob("baomi-names-test-*.json")
    assert _name_model(tokenizer, tags, "test") == built == names.NameModel.from_dictionary(freq, tags)
    cached.write_text("{not json", encoding="utf-8")
    assert _name_model(tokenizer, tags, "test") == built
    assert names.NameModel.from_json(cached.read_text(encoding="utf-8")) == built


def test_role_family_vetoes_a_role_read_as_a_name(recognizer: Recognizer) -> None:
    # person.not_a_role: 申请人 may be tagged nr, but it names a role.
    marked = recognizer.pipeline.spans(fold("申请人李秀杰"))
    assert all("person.not_a_role" in w for (label, s, e), w in marked.items() if (s, e) == (0, 3))


def test_negative_family_vetoes_a_place_read_as_a_name(recognizer: Recognizer) -> None:
    # person.not_before_place_suffix: a "name" right before 路/村/县 … loses its PERSON reading.
    folded = fold("王家村")
    marked = recognizer.pipeline.spans(folded)
    assert all(sum(w.values()) < 1.0 for (label, _, _), w in marked.items() if label == "PERSON")


# --- context rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text", "expected", "level"),
    [
        # pii.named_id_number: a name and a valid ID number on one line.
        ("pii.named_id_number", f"联系人：何志军，手机13912345678，身份证号{ID}。", ["何志军"], BLOCK),
        # In a Markdown table row.
        (
            "pii.named_id_number",
            f"| 姓名 | 身份证号 |\n| --- | --- |\n| 何志军 | {ID} |\n",
            ["何志军"],
            BLOCK,
        ),
        # The name after the number.
        ("pii.named_id_number", f"身份证号{ID}（持证人：陈红）", ["陈红"], BLOCK),
        # A wrong check digit: left to pii.resident_id (review), not this rule.
        ("pii.named_id_number", f"何志军，身份证号{BAD_ID}", [], BLOCK),
        # The number in another paragraph.
        ("pii.named_id_number", f"何志军同志参加会议。\n\n身份证号{ID}", [], BLOCK),
        # No name at all.
        ("pii.named_id_number", f"身份证号码{ID}的持有人应于三日内办理。", [], BLOCK),
        # custody.named_holder: the name, then who holds what.
        (
            "custody.named_holder",
            "由陈红掌管保密柜钥匙，李秀杰掌管保密柜密码及防盗门钥匙。",
            ["陈红", "李秀杰"],
            REVIEW,
        ),
        # Passive: the key, then 由 + name.
        ("custody.named_holder", "保密柜钥匙由陈红保管", ["陈红"], REVIEW),
        # A custodian label.
        ("custody.named_holder", "保密柜钥匙保管人：孙丽", ["孙丽"], REVIEW),
        # A leader who talks about keys is no custodian.
        ("custody.named_holder", "县长王建明强调要管好保密柜钥匙", [], REVIEW),
        # Duties by role.
        ("custody.named_holder", "由专人掌管保密柜钥匙", [], REVIEW),
        # Names next to a patrol duty, not to keys.
        ("custody.named_holder", "由张昌海、田密及两名公安人员24小时昼夜值班与巡逻", [], REVIEW),
        # pii.named_home_address: a name and a home address with a house number.
        ("pii.named_home_address", "张三，家住青溪县城关镇人民路18号。", ["张三"], REVIEW),
        # The label form of an application.
        ("pii.named_home_address", "申请人：李秀杰，住址：青溪县城关镇新华街12号", ["李秀杰"], REVIEW),
        # An office address next to a leader's name is public.
        ("pii.named_home_address", "县行政中心位于人民路18号，县长王建明主持会议。", [], REVIEW),
        # A home address without a house number.
        ("pii.named_home_address", "张三家住城关镇，务农为生。", [], REVIEW),
        # geo.place_coordinates: a place and degrees, minutes, seconds.
        ("geo.place_coordinates", "青溪县水库位于东经100°12′35″、北纬25°3′12″。", ["青溪县"], REVIEW),
        # A decimal pair with five decimals.
        ("geo.place_coordinates", "云台乡的坐标为25.05321，100.20987", ["云台乡"], REVIEW),
        # Whole degrees describe an area, not a point.
        ("geo.place_coordinates", "青溪县位于东经99°至100°之间。", [], REVIEW),
        # Coordinates without a place.
        ("geo.place_coordinates", "坐标为东经100°12′35″的测量点。", [], REVIEW),
    ],
)
def test_context_rule(engine: Engine, rule: str, text: str, expected: list[str], level: Level) -> None:
    hits = [hit for hit in hits_of(engine, text) if hit.rule.id == rule]
    assert [text[hit.start : hit.end] for hit in hits] == expected
    assert all(hit.level is level for hit in hits)


def test_context_words_name_the_cue_never_the_number(engine: Engine) -> None:
    # Reports print context words: an ID number must not reach them.
    (hit,) = [h for h in hits_of(engine, f"何志军，身份证号{ID}") if h.rule.id == "pii.named_id_number"]
    assert hit.context_words == ("有效身份证号",)


def test_a_name_alone_is_no_finding_in_the_sample_articles(cli: Callable[..., Any]) -> None:
    # The regular articles name leaders with their titles: no entity rule may fire there.
    paths = ["content/news", "content/notices", "content/policy", "content/open", "content/secrecy"]
    run = cli(["check", "--format", "json", *paths])
    assert run.code == 0
    assert json.loads(run.out)["findings"] == []


# --- one analysis per document, and none without a cue ----------------------------------------


def test_a_document_is_analysed_once_for_all_rules(engine: Engine) -> None:
    # Cues for three entity rules in one paragraph: one merged region, segmented once.
    text = f"张三，家住人民路18号，身份证号{ID}，由张三掌管保密柜钥匙。"
    recognizer = detector(engine).recognizer
    before = recognizer.pipeline.segmentations
    ids = {hit.rule.id for hit in hits_of(engine, text)}
    assert {"pii.named_id_number", "pii.named_home_address", "custody.named_holder"} <= ids
    assert recognizer.pipeline.segmentations - before == 1


def test_text_far_from_any_cue_is_not_segmented(engine: Engine) -> None:
    recognizer = detector(engine).recognizer
    before = recognizer.pipeline.segmentations
    assert hits_of(engine, "县长王建明出席会议。" * 50) == []
    assert recognizer.pipeline.segmentations == before


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, str(RULES), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


LOAD = """
import sys
from pathlib import Path
{prelude}
from screen.engine import load_engine
from screen.source import read_document
engine = load_engine(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_without_cues_spacy_and_jieba_are_never_imported(tmp_path: Path) -> None:
    run_python(LOAD.format(prelude=""), tmp_path)  # warm the rules cache
    code = LOAD.format(prelude="") + (
        "document = read_document('a.md', '县长王建明出席会议。'.encode())\n"
        "assert list(engine.hits(document)) == []\n"
        "print(sorted(m for m in ('spacy', 'jieba') if m in sys.modules))\n"
    )
    run = run_python(code, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("blocked", ["jieba", "spacy"])
@pytest.mark.parametrize("cached", [False, True], ids=["cold", "cached"])
def test_missing_spacy_or_jieba_fails_closed(tmp_path: Path, blocked: str, cached: bool) -> None:
    # With the module unimportable, loading the rules fails with a clear message, whether the
    # engine is built afresh or comes from a cache written while the module was there.
    if cached:
        run_python(LOAD.format(prelude=""), tmp_path)
    code = LOAD.format(prelude=f"sys.modules[{blocked!r}] = None")
    code = "from screen.errors import RuleError\ntry:\n" + "\n".join(
        "    " + line for line in code.strip().splitlines()
    )
    code += "\nexcept RuleError as error:\n    print('\\n'.join(error.problems))\n    raise SystemExit(2)\n"
    run = run_python(code, tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"{blocked} cannot be imported" in run.stdout
    assert "custody.named_holder" in run.stdout and "enabled: false" in run.stdout


def test_the_engine_pickles_without_the_pipeline(engine: Engine) -> None:
    recognizer = detector(engine).recognizer
    recognizer.entities("王建明")  # the pipeline is built in this process
    data = pickle.dumps(engine)
    assert b"spacy" not in data and b"jieba" not in data
    restored = pickle.loads(data)
    assert detector(restored).recognizer._pipeline is None
    assert {h.rule.id for h in restored.hits(read_document("a.md", f"何志军{ID}".encode()))} >= {
        "pii.named_id_number"
    }


# --- rule validation ------------------------------------------------------------------------------

ENTITY_RULE = """\
rules:
  - id: test.named
    level: review
    message: 测试
    entity: PERSON
    context:
      - words: [钥匙]
        window: 4
        level: review
    hits: [陈红掌管钥匙]
    misses: [专人掌管钥匙]
"""


def write(tmp_path: Path, rule: str) -> Path:
    rules = tmp_path / "rules"
    (rules / "patterns").mkdir(parents=True)
    (rules / "terms").mkdir()
    (rules / "patterns" / "named.yml").write_text(rule, encoding="utf-8")
    return rules


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # An unknown label (line 5).
        ("entity: PERSON", "entity: PEOPLE", "rules/patterns/named.yml:5: 'entity' must be one of"),
        # No context: a name alone is never a finding (line 2).
        (
            "    context:\n      - words: [钥匙]\n        window: 4\n        level: review\n",
            "",
            "named.yml:2: an entity rule needs at least one 'context'",
        ),
        # A regex cue without a name to print (line 7).
        ("- words: [钥匙]", "- regex: '\\d{18}'", "named.yml:7: a regex context entry needs a 'name'"),
        # A bad side.
        (
            "        window: 4\n",
            "        window: 4\n        side: left\n",
            "'side' must be one of before, after, both",
        ),
        # An unknown validator.
        ("        window: 4\n", "        window: 4\n        validate: crc\n", "unknown validator 'crc'"),
    ],
)
def test_entity_rule_problems_name_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in ENTITY_RULE
    with pytest.raises(RuleError) as raised:
        parse(read_sources(write(tmp_path, ENTITY_RULE.replace(old, new))))
    assert any(message in problem for problem in raised.value.problems), raised.value.problems


def test_an_invalid_token_pattern_is_a_rule_error(tmp_path: Path) -> None:
    rules = write(tmp_path, ENTITY_RULE)
    (rules / "patterns" / "extra.yml").write_text(
        "recognizer:\n  - id: person.bad\n    label: PERSON\n    weight: 1\n"
        "    pattern: [{NO_SUCH_ATTR: x}]\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as raised:
        build_engine(parse(read_sources(rules)))
    assert "rules/patterns/extra.yml:2: person.bad: invalid token pattern" in raised.value.problems[0]


def test_a_custom_entity_rule_runs_its_examples(tmp_path: Path) -> None:
    engine = build_engine(parse(read_sources(write(tmp_path, ENTITY_RULE))))
    assert "test.named" in [h.rule.id for h in hits_of(engine, "孙丽保管钥匙")]
    assert "test.named" not in [h.rule.id for h in hits_of(engine, "专人保管钥匙")]


# --- baomi entities ---------------------------------------------------------------------------


def test_entities_jsonl_gives_one_line_per_input_line(cli: Callable[..., Any]) -> None:
    lines = ["由陈红掌管保密柜钥匙。", "", "县长王建明在北京。\r", "没有实体"]
    run = cli(["entities", "-", "--format", "jsonl"], stdin=("\n".join(lines) + "\n").encode())
    assert run.code == 0, run.err
    out = [json.loads(line) for line in run.out.splitlines()]
    assert out == [
        {"entities": [{"type": "PERSON", "start": 1, "end": 3}]},
        {"entities": []},
        {"entities": [{"type": "PERSON", "start": 2, "end": 5}, {"type": "PLACE", "start": 6, "end": 8}]},
        {"entities": []},
    ]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        # JSON names the line and the text.
        ("json", '"text": "王建明"'),
        # Text: line:column, label, text.
        ("text", "1:3: PERSON 王建明"),
    ],
)
def test_entities_formats(cli: Callable[..., Any], tmp_path: Path, fmt: str, expected: str) -> None:
    page = tmp_path / "page.txt"
    page.write_text("县长王建明出席。\n", encoding="utf-8")
    run = cli(["entities", str(page), "--format", fmt])
    assert run.code == 0, run.err
    assert expected in run.out


_SPANS = st.dictionaries(
    st.tuples(st.sampled_from(["PERSON", "PLACE"]), st.integers(0, 40), st.integers(0, 40)),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from([-1.0, 0.3, 0.5, 0.6, 1.0])),
    max_size=30,
)


@given(_SPANS)
def test_best_spans_are_the_greedy_choice(marked: dict[tuple[str, int, int], dict[str, float]]) -> None:
    """`best` (bisect over the spans taken, linear in a long text) chooses exactly what the plain
    greedy choice does: highest score first, then longest, then leftmost, none overlapping."""
    scored = sorted(
        ((sum(w.values()), span) for span, w in marked.items()),
        key=lambda item: (-item[0], item[1][1] - item[1][2], item[1][1]),
    )
    taken: list[tuple[str, int, int]] = []
    for score, (label, start, end) in scored:
        if score >= THRESHOLD and end > start and all(end <= s or start >= e for _, s, e in taken):
            taken.append((label, start, end))
    assert [(e.label, e.start, e.end) for e in best(marked)] == sorted(taken, key=lambda t: t[1])
