"""The wording rule kinds of issue 18 (严重表述错误): protected phrases and their near misses, the
portal's roster (name variants, titles, order, fallen officials), replace lists (renamed agencies,
repealed laws, banned words) with their historical exceptions, their bad input, the suggestions
in JSON, SARIF and text, and the recall of homophone near misses. Table-driven, one comment per
case. Every rule and roster is written under tmp_path for the test (the packaged rules left out
where a test is about its own rules); every person is fictional."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

from screen.detectors.similar import similar
from screen.detectors.terms import compact_key
from screen.engine import Engine, build_engine
from screen.errors import RuleError
from screen.model import Hit, Level, Rule
from screen.ruleset import parse, read_sources
from tests.conftest import Run, hits_of, write_portal

Cli = Callable[..., Run]
BLOCK, REVIEW = Level.BLOCK, Level.REVIEW


def rules_dir(root: Path, rules: dict[str, str], people: str | None = None) -> Path:
    """`rules` (file name → YAML) under root/rules/patterns/, and `people` as rules/people.yml."""
    directory = root / "rules"
    (directory / "patterns").mkdir(parents=True, exist_ok=True)
    for name, text in rules.items():
        (directory / "patterns" / name).write_text(text, encoding="utf-8")
    if people is not None:
        (directory / "people.yml").write_text(people, encoding="utf-8")
    return directory


def own_engine(root: Path, rules: dict[str, str], people: str | None = None) -> Engine:
    """An engine of these rules alone (the packaged rules left out), their self-tests run."""
    source = read_sources(rules_dir(root, rules, people))
    return build_engine(parse(dataclasses.replace(source, packs=())))


def found(engine: Engine, text: str) -> list[tuple[str, str, str]]:
    """(rule, the source text matched, the suggestion) of every hit, in the order of the text."""
    hits = sorted(hits_of(engine, text), key=lambda h: (h.start, h.rule.id))
    return [(hit.rule.id, text[hit.start : hit.end], hit.suggestion) for hit in hits]


# --- protected phrases ----------------------------------------------------------------------

PHRASES = """\
id: wording.fixed_phrase
level: block
message: 固定提法书写有误（同音字或形近字），应按规范表述改正
basis: 规范表述
protected:
  - 扫黑除恶
  - 扫黑除恶专项斗争
  - 一带一路
  - 长三角一体化
  - 未成年人保护
  - 知法犯法
  - 不忘初心、牢记使命
allow: [执法犯法]
hits: [深入开展扫黑除饿专项斗争]
misses: [深入开展扫黑除恶专项斗争]
"""


@pytest.fixture(scope="module")
def phrases(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return own_engine(tmp_path_factory.mktemp("phrases"), {"phrases.yml": PHRASES})


P = "wording.fixed_phrase"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A homophone (饿 è for 恶 è): the near miss, with the phrase as the suggestion.
        ("全市扫黑除饿工作取得阶段性成效。", [(P, "扫黑除饿", "扫黑除恶")]),
        # Another homophone (代 for 带, both dài).
        ("积极参与一代一路建设，推动高水平对外开放。", [(P, "一代一路", "一带一路")]),
        # A heteronym: 长 reads cháng here, but its other reading zhǎng makes 涨 a homophone too.
        ("推动涨三角一体化发展取得新突破。", [(P, "涨三角一体化", "长三角一体化")]),
        # ...and its own reading cháng makes 常 one.
        ("推动常三角一体化发展取得新突破。", [(P, "常三角一体化", "长三角一体化")]),
        # A look-alike (末 for 未, lookalikes.txt), which shares no reading with it.
        ("切实做好末成年人保护工作。", [(P, "末成年人保护", "未成年人保护")]),
        # The phrase written right: nothing.
        ("全市扫黑除恶工作取得阶段性成效。", []),
        # In traditional characters it folds to the phrase: nothing.
        ("全市掃黑除惡工作取得階段性成效。", []),
        # Two characters changed (代 and 亿): no longer a one-character slip.
        ("积极参与一代亿路建设。", []),
        # A character that is neither a homophone nor a look-alike (the five-stroke typo 险):
        # outside what this kind finds.
        ("全市扫黑险恶工作取得阶段性成效。", []),
        # Emphasis markup and a space inside the near miss do not hide it; the finding covers
        # the source text, markup included.
        ("积极参与一代 **一**路建设。", [(P, "一代 **一**路", "一带一路")]),
        # An HTML comment inside it.
        ("积极参与一代<!-- 注 -->一路建设。", [(P, "一代<!-- 注 -->一路", "一带一路")]),
        # A soft line break inside the paragraph.
        ("积极参与一代\n一路建设。", [(P, "一代\n一路", "一带一路")]),
        # In a link text.
        ("详见[一代一路专题](https://www.example.gov.cn/ydyl/)。", [(P, "一代一路", "一带一路")]),
        # In a table cell.
        ("| 专题 | 链接 |\n|---|---|\n| 一代一路 | 详见 |\n", [(P, "一代一路", "一带一路")]),
        # A sentence end between the halves: no phrase.
        ("我们这一代。一路走来。", []),
        # `allow`: 执法犯法 (law enforcers breaking the law) is a word of its own, not 知法犯法.
        ("坚决查处执法犯法、以权谋私等问题。", []),
        # ...but another near miss of the same phrase is still found.
        ("坚决查处执法犯法问题，个别干部只法犯法。", [(P, "只法犯法", "知法犯法")]),
        # A near miss of 扫黑除恶 inside one of 扫黑除恶专项斗争 is reported once, for the longer
        # phrase.
        ("深入开展扫黑除饿专项斗争。", [(P, "扫黑除饿专项斗争", "扫黑除恶专项斗争")]),
        # A near miss of the longer phrase outside the shorter one (斗筝): once, for the longer.
        ("深入开展扫黑除恶专项斗筝。", [(P, "扫黑除恶专项斗筝", "扫黑除恶专项斗争")]),
        # The longer phrase written right, then a near miss of the shorter: one finding.
        ("扫黑除恶专项斗争深入推进，扫黑除饿成果丰硕。", [(P, "扫黑除饿", "扫黑除恶")]),
        # The suggestion is the phrase as the rule writes it, punctuation included.
        ("教育引导党员干部不忘初心、牢记使名。", [(P, "不忘初心、牢记使名", "不忘初心、牢记使命")]),
        # Two near misses, two findings.
        ("扫黑除饿和一代一路", [(P, "扫黑除饿", "扫黑除恶"), (P, "一代一路", "一带一路")]),
    ],
)
def test_protected_near_misses(phrases: Engine, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(phrases, text) == expected
    assert all(hit.level is BLOCK for hit in hits_of(phrases, text))


def test_the_look_alike_and_heteronym_cases_are_what_they_claim() -> None:
    # The look-alike case above is data (lookalikes.txt), not sound; the heteronym case needs 长's
    # second reading.
    tables = similar()
    assert "末" in tables.lookalikes.get("未", frozenset()), "the pair 未/末 left lookalikes.txt"
    assert "末" not in tables.homophones("未")
    assert {"chang", "zhang"} <= tables.readings["长"]
    assert "涨" in tables.homophones("长") and "常" in tables.homophones("长")
    # The character set is the 8,105 of 《通用规范汉字表》.
    assert len(tables.readings) == 8105


# --- the roster -----------------------------------------------------------------------------

# The portal's roster: fictional people.
PEOPLE = """\
schema_version: 1
people:
  - name: 秦望舒
    titles: [市委书记]
    order: 1
    status: current
  - name: 许文澜
    titles: [市长, 市委副书记]
    order: 2
  - name: 韩启明
    titles: [常务副市长]
    order: 3
  - name: 石磊
    titles: [秘书长]
    order: 4
  - name: 邵德林
    titles: [市长]
    order: 8
    status: former
  - name: 顾长庚
    titles: [副市长]
    status: fallen
"""

# The four checks, whose own examples are about other fictional people (`example_people`).
ROSTER_RULES = """\
rules:
  - id: portal.name_variant
    level: block
    message: 领导姓名书写有误
    roster: name_variant
    example_people: &people
      - {name: 白若水, titles: [县长], order: 1}
      - {name: 石清泉, titles: [副县长], order: 2}
      - {name: 田有福, titles: [副县长], status: fallen}
    hits: [县长白弱水主持会议]
    misses: [县长白若水主持会议, 白弱水同学获奖]
  - id: portal.title_mismatch
    level: review
    message: 领导姓名与职务不对应
    roster: title_mismatch
    example_people: *people
    hits: [县长石清泉出席]
    misses: [副县长石清泉出席]
  - id: portal.order
    level: review
    message: 领导同志排序有误
    roster: order
    example_people: *people
    hits: [石清泉、白若水出席]
    misses: [白若水、石清泉出席]
  - id: portal.fallen
    level: review
    message: 提及已落马人员
    roster: fallen
    example_people: *people
    hits: [田有福同志讲话]
    misses: [田有富同志讲话]
"""


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return own_engine(tmp_path_factory.mktemp("roster"), {"roster.yml": ROSTER_RULES}, PEOPLE)


NAME, TITLE, ORDER, FALLEN = "portal.name_variant", "portal.title_mismatch", "portal.order", "portal.fallen"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # name_variant: the title before the name, adjacent (舒 → 书, both shū).
        ("市委书记秦望书主持召开市委常委会会议。", [(NAME, "秦望书", "秦望舒")]),
        # The title after the name (旺 for 望, both wàng); a tail of the title (书记) is enough.
        ("秦旺舒书记强调，要压实工作责任。", [(NAME, "秦旺舒", "秦望舒")]),
        # 同志 after the name.
        ("市委书记秦旺舒同志出席会议。", [(NAME, "秦旺舒", "秦望舒")]),
        # 同志 and one punctuation mark between the name and the title after it.
        ("秦旺舒同志（市委书记）出席会议。", [(NAME, "秦旺舒", "秦望舒")]),
        # A space between.
        ("市长 许文兰出席会议并讲话。", [(NAME, "许文兰", "许文澜")]),
        # One punctuation mark between.
        ("市长，许文兰出席会议并讲话。", [(NAME, "许文兰", "许文澜")]),
        # Markup around the name.
        ("常务副市长**韩起明**出席。", [(NAME, "韩起明", "韩启明")]),
        # A near miss with no title: an ordinary name or word, nothing.
        ("许文兰同学获得作文比赛一等奖。", []),
        # A near miss next to another person's title (市长 is 许文澜's): nothing.
        ("市长秦旺舒出席会议。", []),
        # Two punctuation marks between: not joined.
        ("市长：“许文兰”", []),
        # The names written right, each with one of its own titles: nothing.
        ("市委书记秦望舒、市长许文澜出席会议。", []),
        ("市委副书记、市长许文澜主持会议。", []),
        # title_mismatch: a current person with another current person's title.
        ("市委书记许文澜主持会议。", [(TITLE, "市委书记许文澜", "")]),
        ("韩启明市长出席会议。", [(TITLE, "韩启明市长", "")]),
        # ...across 同志 and a mark.
        ("许文澜同志（市委书记）出席会议。", [(TITLE, "许文澜同志（市委书记", "")]),
        # A former person with a current title.
        ("市长邵德林讲话。", [(TITLE, "市长邵德林", "")]),
        # 原, 时任, 前 before it make it history: nothing.
        ("原市长邵德林出席。", []),
        ("时任市长邵德林主持会议。", []),
        ("前市长邵德林出席。", []),
        # 日前 (recently) is no 前 (former).
        ("日前市长邵德林出席活动。", [(TITLE, "市长邵德林", "")]),
        # In "name title、name title" each title is its adjacent name's, not the next one's
        # (市长、韩启明 is no mismatch).
        ("许文澜市长、韩启明常务副市长出席会议。", []),
        # order: a 顿号 list against the roster's order (2, 1, 3): found at the first name out
        # of order.
        ("出席会议的有许文澜、秦望舒、韩启明同志。", [(ORDER, "秦望舒", "")]),
        # A 和 list, and a 及 list.
        ("韩启明和许文澜出席会议。", [(ORDER, "许文澜", "")]),
        ("韩启明及许文澜出席会议。", [(ORDER, "许文澜", "")]),
        # A 同志 list.
        ("许文澜同志、秦望舒同志出席会议。", [(ORDER, "秦望舒", "")]),
        # Titles between the names.
        ("市长许文澜、市委书记秦望舒出席会议。", [(ORDER, "秦望舒", "")]),
        # The rows of a Markdown table.
        ("| 姓名 | 职务 |\n|---|---|\n| 许文澜 | 市长 |\n| 秦望舒 | 市委书记 |\n", [(ORDER, "秦望舒", "")]),
        # The right order: nothing.
        ("出席会议的有秦望舒、许文澜、韩启明同志。", []),
        ("| 姓名 | 职务 |\n|---|---|\n| 秦望舒 | 市委书记 |\n| 许文澜 | 市长 |\n", []),
        # Separate sentences, or clauses with words between: no enumeration.
        ("许文澜出席。秦望舒讲话。", []),
        ("许文澜主持会议，秦望舒讲话。", []),
        # fallen: named with a title, or alone.
        ("副市长顾长庚出席。", [(FALLEN, "顾长庚", "")]),
        ("顾长庚同志讲话。", [(FALLEN, "顾长庚", "")]),
        # A near miss of a fallen person's name without a title: nothing.
        ("顾长耕同志讲话。", []),
        # A two-character name: its near miss beside its title (垒 for 磊, both lěi)...
        ("秘书长石垒出席会议。", [(NAME, "石垒", "石磊")]),
        ("石垒秘书长出席会议。", [(NAME, "石垒", "石磊")]),
        # ...but not the first two characters of a longer name (石蕾红), nor the last two of
        # one (王石垒), which are other people.
        ("秘书长石蕾红出席会议。", []),
        ("王石垒秘书长出席会议。", []),
        # A sentence end is no mark that joins a name to a title.
        ("会议由市长主持。许文兰出席。", []),
        # The rules' own example people are not the portal's: nothing about them.
        ("县长白弱水主持会议。田有福同志讲话。", []),
    ],
)
def test_roster(roster: Engine, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(roster, text) == expected
    levels = {hit.rule.id: hit.level for hit in hits_of(roster, text)}
    assert all(level is (BLOCK if rule == NAME else REVIEW) for rule, level in levels.items())


def test_every_roster_rule_carries_the_portals_people(roster: Engine) -> None:
    # ruleset.py gives each roster rule the portal's people; the examples keep their own.
    rules = [rule for rule in roster.ruleset.rules if rule.kind == "roster"]
    assert len(rules) == 4
    assert all(
        [p.name for p in rule.people] == ["秦望舒", "许文澜", "韩启明", "石磊", "邵德林", "顾长庚"]
        for rule in rules
    )
    assert all([p.name for p in rule.example_people] == ["白若水", "石清泉", "田有福"] for rule in rules)


def test_without_a_roster_the_roster_rules_find_nothing(tmp_path: Path) -> None:
    # No rules/people.yml: the rules load (their examples pass on their own people) and screen
    # nothing.
    engine = own_engine(tmp_path, {"roster.yml": ROSTER_RULES})
    assert found(engine, "县长白弱水主持会议。市委书记秦望书讲话。") == []


# --- replace rules --------------------------------------------------------------------------

AGENCIES = """\
id: wording.agency_renamed
level: block
message: 机构名称已变更，请使用现名称
historical: true
replace:
  - wrong: [国家工商行政管理总局, 国家工商总局]
    right: 国家市场监督管理总局
    since: 2018-03-17
    source: 《国务院机构改革方案》（2018年3月17日第十三届全国人大一次会议批准）
  - wrong: [环境保护部]
    right: 生态环境部
    since: 2018-03-17
    source: 《国务院机构改革方案》（2018）
    allow: [环境保护部门]
hits: [请向国家工商行政管理总局申请]
misses: [请向原国家工商行政管理总局申请]
"""

LAWS = """\
id: wording.repealed_law
level: review
message: 所引法律已废止
historical: true
cited: true
replace:
  - wrong: [合同法]
    right: 中华人民共和国民法典
    since: 2021-01-01
    source: 《中华人民共和国民法典》第一千二百六十条
    allow: [劳动合同法]
  - wrong: [物权法]
    right: 中华人民共和国民法典
    since: 2021-01-01
    source: 《中华人民共和国民法典》第一千二百六十条
hits: [依据《中华人民共和国合同法》第五十二条]
misses: [依据《中华人民共和国劳动合同法》]
"""

BANNED = """\
id: wording.banned
level: review
message: 新华社禁用词
replace:
  - wrong: [北韩]
    right: 朝鲜
    source: 新华社新闻信息报道中的禁用词和慎用词（2016年7月修订）
  - wrong: [外蒙古]
    right: 蒙古国
    level: block
    source: 新华社新闻信息报道中的禁用词和慎用词（2016年7月修订）
  - wrong: [天王]
    right: 著名歌手
    allow: [天王星]
hits: [北韩]
misses: [朝鲜]
"""


@pytest.fixture(scope="module")
def replacing(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return own_engine(
        tmp_path_factory.mktemp("replace"), {"agencies.yml": AGENCIES, "laws.yml": LAWS, "banned.yml": BANNED}
    )


AGENCY, LAW, BAN = "wording.agency_renamed", "wording.repealed_law", "wording.banned"
SAMR = "国家市场监督管理总局"
CODE = "中华人民共和国民法典"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A renamed agency in current prose: block, with the new name.
        ("请向国家工商行政管理总局申请。", [(AGENCY, "国家工商行政管理总局", SAMR)]),
        # Its short form.
        ("国家工商总局近日印发通知。", [(AGENCY, "国家工商总局", SAMR)]),
        # 原 before it: the former agency, named as such.
        ("请向原国家工商行政管理总局申请。", []),
        # 日前 (recently) and 目前 (now) end in 前 but are no 前 (former).
        ("日前国家工商总局印发通知。", [(AGENCY, "国家工商总局", SAMR)]),
        ("目前环境保护部正在修订标准。", [(AGENCY, "环境保护部", "生态环境部")]),
        # Inside the 《…》 title of an old document: its name of the time.
        ("依据《国家工商行政管理总局关于企业登记的规定》办理。", []),
        # A year before the change in the same sentence.
        ("2015年，国家工商总局部署了专项行动。", []),
        # ...or a month before it in the year of the change.
        ("2018年2月，国家工商总局部署了专项行动。", []),
        # A year after the change does not make it history.
        ("2019年，国家工商总局部署了专项行动。", [(AGENCY, "国家工商总局", SAMR)]),
        # A year in another sentence does not count.
        ("2015年成立专班。国家工商总局部署了专项行动。", [(AGENCY, "国家工商总局", SAMR)]),
        # The page's front matter `date:` before the change.
        ("---\ntitle: 通知\ndate: 2016-05-01\n---\n\n请向国家工商总局申请。\n", []),
        # ...after it.
        (
            "---\ntitle: 通知\ndate: 2019-05-01\n---\n\n请向国家工商总局申请。\n",
            [(AGENCY, "国家工商总局", SAMR)],
        ),
        # The page's own 发文字号 (on a line of its own) of a year before the change.
        ("# 关于开展专项检查的通知\n\n青工商发〔2017〕12号\n\n请向国家工商总局报送材料。\n", []),
        # ...in emphasis, or in the 文号 row of a metadata table.
        ("# 通知\n\n**青工商发〔2017〕12号**\n\n请向国家工商总局报送材料。\n", []),
        ("| 文号 | 青工商发〔2017〕12号 |\n|---|---|\n\n请向国家工商总局报送材料。\n", []),
        # A document number cited in the body is another document's: it does not date the page.
        (
            "# 通知\n\n根据《关于推进登记便利化的意见》（国办发〔2017〕47号）要求，"
            "请向国家工商总局报送材料。\n",
            [(AGENCY, "国家工商总局", SAMR)],
        ),
        # The 落款 date in the page's last lines, before the change.
        ("# 通知\n\n请向国家工商总局报送材料。\n\n青溪县工商行政管理局\n\n2017年6月1日\n", []),
        # ...after it.
        (
            "# 通知\n\n请向国家工商总局报送材料。\n\n青溪县市场监督管理局\n\n2019年6月1日\n",
            [(AGENCY, "国家工商总局", SAMR)],
        ),
        # 原 (or 前) with a place's name before the agency: the place's former agency.
        ("原青溪县环境保护部门户网站停止更新。", []),
        ("原青溪县环境保护部", []),
        # 日前 is still no 前 with a place between.
        ("日前青溪县环境保护部发布通知。", [(AGENCY, "环境保护部", "生态环境部")]),
        # A year in a note right after the name says what it is, not when the sentence is.
        (
            "依据《中华人民共和国合同法》（1999年3月15日通过）第五十二条，该合同无效。",
            [(LAW, "合同法", "民法典")],
        ),
        # An amount is no year.
        ("国家工商总局投入2015.5万元。", [(AGENCY, "国家工商总局", SAMR)]),
        # A page's labeled date (发布时间) before the change.
        ("发布时间：2016-05-03\n\n请向国家工商总局申请。\n", []),
        # A 落款 in Chinese numerals.
        ("# 通知\n\n请向国家工商总局报送材料。\n\n青溪县工商行政管理局\n\n二〇一七年六月一日\n", []),
        # `allow`: 环境保护部门 (environmental departments) is no agency's name.
        ("各级环境保护部门要加强执法监管。", []),
        ("环境保护部印发通知。", [(AGENCY, "环境保护部", "生态环境部")]),
        # A repealed law cited by its full title in 《》 (the 《》 exception is for old documents'
        # titles, not laws): review; the suggestion leaves out the 中华人民共和国 already written.
        ("依据《中华人民共和国合同法》第五十二条，该合同无效。", [(LAW, "合同法", "民法典")]),
        # Cited as 《合同法》: the whole new title.
        ("依据《合同法》有关规定办理。", [(LAW, "合同法", CODE)]),
        # Cited without 《》: 中华人民共和国… or …第…条.
        ("依据中华人民共和国物权法第九条办理。", [(LAW, "物权法", "民法典")]),
        ("依照合同法第五十二条处理。", [(LAW, "合同法", CODE)]),
        # A law in force whose name holds the repealed one (`allow`): nothing.
        ("依据《中华人民共和国劳动合同法》第三十九条解除劳动合同。", []),
        # The words, not a citation: nothing.
        ("双方建立合同法律关系。", []),
        ("举办合同法知识讲座。", []),
        # A year before the repeal in the sentence: a historical citation.
        ("2019年，法院依据《中华人民共和国合同法》作出判决。", []),
        # A page dated before the repeal.
        ("---\ndate: 2020-06-01\n---\n\n依据《中华人民共和国合同法》办理。\n", []),
        # Banned words: review with the list's wording...
        ("北韩举行阅兵式。", [(BAN, "北韩", "朝鲜")]),
        # ...block where the entry says so.
        ("代表团赴外蒙古访问。", [(BAN, "外蒙古", "蒙古国")]),
        # A banned word is no historical mention: the rule is not `historical`.
        ("2015年，北韩举行阅兵式。", [(BAN, "北韩", "朝鲜")]),
        # `allow`: 天王星 is a planet.
        ("天王星是太阳系第七颗行星。", []),
        ("歌坛天王举办演唱会。", [(BAN, "天王", "著名歌手")]),
    ],
)
def test_replace(replacing: Engine, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(replacing, text) == expected


@pytest.mark.parametrize(
    ("text", "level", "basis"),
    [
        # The rule's level and the entry's source as the finding's basis, on a page dated after
        # the change.
        (
            "---\ndate: 2026-03-01\n---\n\n请向国家工商总局申请。\n",
            BLOCK,
            "《国务院机构改革方案》（2018年3月17日第十三届全国人大一次会议批准）",
        ),
        # A year after the change in the sentence dates it too.
        (
            "2024年，国家工商总局发布通知。",
            BLOCK,
            "《国务院机构改革方案》（2018年3月17日第十三届全国人大一次会议批准）",
        ),
        # Undated text may be an old document's: the finding asks a person (review).
        (
            "请向国家工商总局申请。",
            REVIEW,
            "《国务院机构改革方案》（2018年3月17日第十三届全国人大一次会议批准）",
        ),
        ("依据《合同法》办理。", REVIEW, "《中华人民共和国民法典》第一千二百六十条"),
        ("北韩", REVIEW, "新华社新闻信息报道中的禁用词和慎用词（2016年7月修订）"),
        # An entry's own level overrides the rule's.
        ("外蒙古", BLOCK, "新华社新闻信息报道中的禁用词和慎用词（2016年7月修订）"),
        # An entry without a source: no basis of its own (the rule's is used).
        ("天王", REVIEW, ""),
    ],
)
def test_replace_levels_and_sources(replacing: Engine, text: str, level: Level, basis: str) -> None:
    (hit,) = hits_of(replacing, text)
    assert (hit.level, hit.basis) == (level, basis)


# --- bad input ------------------------------------------------------------------------------

VALID_PHRASES = (
    "id: wording.ok\nlevel: block\nmessage: m\nprotected: [一带一路]\nhits: [一代一路]\nmisses: [一带一路]\n"
)


def problems_of(root: Path, rules: dict[str, str], people: str | None = None) -> tuple[str, ...]:
    source = read_sources(rules_dir(root, {"ok.yml": VALID_PHRASES, **rules}, people))
    with pytest.raises(RuleError) as error:
        parse(dataclasses.replace(source, packs=()))
    return error.value.problems


def roster_of(*people: str) -> str:
    return "schema_version: 1\npeople:\n" + "".join(f"  - {p}\n" for p in people)


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        # A duplicate name, at the second one, naming the first.
        (
            roster_of("{name: 秦望舒, order: 1}", "{name: 许文澜, order: 2}", "{name: 秦望舒, order: 3}"),
            "rules/people.yml:5: duplicate name 秦望舒 (first at rules/people.yml:3)",
        ),
        # An unknown status.
        (
            roster_of("{name: 秦望舒, status: retired}"),
            "rules/people.yml:3: 'status' must be one of current, former, fallen (got 'retired')",
        ),
        # An order that is not a whole number: text, true, a fraction.
        (roster_of("{name: 秦望舒, order: first}"), "rules/people.yml:3: 'order' must be a whole number"),
        (roster_of("{name: 秦望舒, order: true}"), "rules/people.yml:3: 'order' must be a whole number"),
        (roster_of("{name: 秦望舒, order: 1.5}"), "rules/people.yml:3: 'order' must be a whole number"),
        # A name under 2 characters.
        (
            roster_of("{name: 秦, order: 1}"),
            "rules/people.yml:3: 'name' must be a name of at least 2 characters",
        ),
        # An unknown field of a person, on its own line.
        (
            "schema_version: 1\npeople:\n  - name: 秦望舒\n    rank: 1\n",
            "rules/people.yml:4: unknown field 'rank' of a person",
        ),
        # An unknown field of the roster.
        (
            "schema_version: 1\nleaders: []\npeople: []\n",
            "rules/people.yml:2: unknown field 'leaders' in the roster",
        ),
        # A wrong schema version.
        ("schema_version: 2\npeople: []\n", "rules/people.yml:1: 'schema_version' must be 1"),
    ],
)
def test_bad_roster(tmp_path: Path, people: str, expected: str) -> None:
    problems = problems_of(tmp_path, {}, people)
    assert any(problem.startswith(expected) for problem in problems), problems


def replace_rule(entry: str) -> str:
    return f"id: wording.bad\nlevel: review\nmessage: m\nreplace:\n{entry}hits: [北韩]\nmisses: [朝鲜]\n"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # A suggestion equal to the wrong form, at `right`.
        (
            replace_rule("  - wrong: [北韩]\n    right: 北韩\n"),
            "rules/patterns/bad.yml:6: the right form '北韩' is the same as the wrong one",
        ),
        # A wrong form under 2 characters, at `wrong`.
        (
            replace_rule("  - wrong: [北韩, 韩]\n    right: 朝鲜\n"),
            "rules/patterns/bad.yml:5: wrong form '韩' is shorter than 2 characters",
        ),
        # A `since` that is no date.
        (
            replace_rule("  - wrong: [北韩]\n    right: 朝鲜\n    since: yesterday\n"),
            "rules/patterns/bad.yml:7: 'since' must be a date such as 2018-03-17 (got 'yesterday')",
        ),
        # A quoted impossible date.
        (
            replace_rule("  - wrong: [北韩]\n    right: 朝鲜\n    since: '2018-13-01'\n"),
            "rules/patterns/bad.yml:7: 'since' must be a date such as 2018-03-17 (got '2018-13-01')",
        ),
        # An unknown field of an entry.
        (
            replace_rule("  - wrong: [北韩]\n    right: 朝鲜\n    reason: 禁用\n"),
            "rules/patterns/bad.yml:7: unknown field 'reason' in a replace entry",
        ),
        # A protected phrase under 4 characters: a name, which belongs in the roster.
        (
            "id: wording.bad\nlevel: block\nmessage: m\nprotected: [秦望舒]\n"
            "hits: [秦望书]\nmisses: [秦望舒]\n",
            "rules/patterns/bad.yml:4: phrase '秦望舒' is shorter than 4 characters: a personal name belongs "
            "in rules/people.yml",
        ),
    ],
)
def test_bad_wording_rules(tmp_path: Path, rule: str, expected: str) -> None:
    problems = problems_of(tmp_path, {"bad.yml": rule})
    assert any(problem.startswith(expected) for problem in problems), problems


def test_an_unquoted_impossible_since_is_a_rule_error(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path, {"bad.yml": replace_rule("  - wrong: [北韩]\n    right: 朝鲜\n    since: 2018-13-01\n")}
    )
    assert any(problem.startswith("rules/patterns/bad.yml:7:") for problem in problems), problems


def test_rules_check_names_the_roster_line(cli: Cli, tmp_path: Path) -> None:
    # `baomi rules check --rules DIR`: exit 2, the file and line of the problem.
    people = roster_of("{name: 秦望舒, order: 1}", "{name: 许文澜, order: 第二}")
    write_portal(tmp_path, {"rules/people.yml": people}, rules=False)
    run = cli(["rules", "check", "--rules", "rules"], cwd=tmp_path)
    assert run.code == 2
    assert "rules/people.yml:4:" in run.out + run.err
    assert "'order' must be a whole number" in run.out + run.err


# --- suggestions in the reports -------------------------------------------------------------

RENAMED = """\
id: test.renamed
level: block
message: 机构名称已变更
historical: true
replace:
  - wrong: [青溪县行政审批局]
    right: 青溪县数据和政务服务局
    since: 2022-06-01
    source: 青溪县机构改革方案（2022）
hits: [请到青溪县行政审批局办理]
misses: [请到原青溪县行政审批局办理]
"""

PAGE = """\
# 办事指南

| 事项 | 办理窗口 |
|---|---|
| 营业执照 | 青溪县行政审批局 |

咨询：王晓明，手机13812341234，身份证号350102199003071234，工资卡号6222020200112233446。
"""


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    return write_portal(
        tmp_path, {"rules/patterns/renamed.yml": RENAMED, "content/guide.md": PAGE}, rules=False
    )


def test_json_carries_the_suggestion(cli: Cli, portal: Path) -> None:
    run = cli(["check", "--format", "json", "content/guide.md"], cwd=portal)
    assert run.code == 1
    findings = {f["rule"]: f for f in json.loads(run.out)["findings"]}
    # The right form of a replace rule, the masked form of each personal number as inspections
    # require it (mobile 3+4, resident ID first 2 and last 3, bank card last 4).
    assert findings["test.renamed"]["suggestion"] == "青溪县数据和政务服务局"
    assert findings["test.renamed"]["line"] == 5
    assert findings["pii.mobile"]["suggestion"] == "138****1234"
    assert findings["pii.resident_id"]["suggestion"] == "35*************234"
    assert findings["pii.bank_card"]["suggestion"] == "***************3446"


def test_sarif_fixes_replace_the_findings_region(cli: Cli, portal: Path) -> None:
    run = cli(["check", "--format", "sarif", "content/guide.md"], cwd=portal)
    assert run.code == 1
    results = {r["ruleId"]: r for r in json.loads(run.out)["runs"][0]["results"]}
    expected = {
        "test.renamed": "青溪县数据和政务服务局",
        "pii.mobile": "138****1234",
        "pii.resident_id": "35*************234",
        "pii.bank_card": "***************3446",
    }
    for rule, inserted in expected.items():
        result = results[rule]
        region = dict(result["locations"][0]["physicalLocation"]["region"])
        region.pop("snippet")
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        (replacement,) = change["replacements"]
        assert change["artifactLocation"]["uri"] == "content/guide.md"
        assert replacement["deletedRegion"] == region, rule
        assert replacement["insertedContent"] == {"text": inserted}, rule


def test_text_shows_the_suggestion_under_the_finding(cli: Cli, portal: Path) -> None:
    run = cli(["check", "content/guide.md"], cwd=portal)
    assert run.code == 1
    lines = run.out.splitlines()
    header = next(i for i, line in enumerate(lines) if "test.renamed" in line)
    arrow = next(line for line in lines[header:] if "→" in line)
    assert arrow.strip() == "→ 青溪县数据和政务服务局"
    assert "→ 138****1234" in run.out


def test_a_finding_without_a_right_form_has_no_suggestion(cli: Cli, tmp_path: Path) -> None:
    # A marking has nothing to write instead: no `suggestion`, no SARIF fix.
    write_portal(tmp_path, {"content/a.md": "# 备忘录\n\n机密★5年\n"}, rules=False)
    (finding,) = json.loads(cli(["check", "--format", "json", "content/a.md"], cwd=tmp_path).out)["findings"]
    assert "suggestion" not in finding
    (result,) = json.loads(cli(["check", "--format", "sarif", "content/a.md"], cwd=tmp_path).out)["runs"][0][
        "results"
    ]
    assert "fixes" not in result


# --- recall of homophone near misses --------------------------------------------------------

SENTENCE = "会议强调，要坚决落实{}的各项部署。"
MAX_CASES = 150_000  # beyond this, a deterministic (seeded) sample keeps the test under ~20 s


@cache
def _by_reading() -> dict[str, frozenset[str]]:
    """Every toneless reading (heteronyms included) → the characters of 《通用规范汉字表》 having it."""
    from pypinyin import Style, pinyin
    from pypinyin_dict.pinyin_data import ktghz2013

    found: dict[str, set[str]] = {}
    for point in ktghz2013.pinyin_dict:
        for reading in pinyin(chr(point), style=Style.NORMAL, heteronym=True)[0]:
            found.setdefault(reading, set()).add(chr(point))
    return {reading: frozenset(chars) for reading, chars in found.items()}


def corruptions(phrase: str) -> Iterator[str]:
    """Every one-character homophone corruption of `phrase` (tones ignored, heteronyms included)."""
    from pypinyin import Style, pinyin

    table = _by_reading()
    for position, char in enumerate(phrase):
        if not "\u3400" <= char <= "\u9fff":
            continue
        readings = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
        others = set().union(*(table.get(reading, ()) for reading in readings)) - {char}
        for other in sorted(others):
            yield phrase[:position] + other + phrase[position + 1 :]


def recall(engine: Engine, rule: Rule) -> tuple[float, int, list[str]]:
    """The share of corruptions found as a near miss of their phrase, the number of cases, and
    the first misses. Corruptions that are another phrase of the rule or one of its allowed
    forms are no mistakes and not counted."""
    exact = {compact_key(p) for p in rule.protected} | {compact_key(a) for a in rule.allow}
    cases = [
        (phrase, v) for phrase in rule.protected for v in corruptions(phrase) if compact_key(v) not in exact
    ]
    if len(cases) > MAX_CASES:
        cases = random.Random(18).sample(cases, MAX_CASES)
    missed = []
    for phrase, variant in cases:
        hits: list[Hit] = hits_of(engine, SENTENCE.format(variant))
        if not any(hit.rule.id == rule.id and hit.suggestion == phrase.strip() for hit in hits):
            missed.append(variant)
    return 1 - len(missed) / len(cases), len(cases), missed[:20]


def test_recall_of_homophone_near_misses_on_our_phrases(phrases: Engine) -> None:
    # The machinery of the packaged measure below, on this file's phrases (always run). The few
    # misses are characters that fold to another (於 → 于) before matching.
    (rule,) = [r for r in phrases.ruleset.rules if r.id == P]
    share, count, missed = recall(phrases, rule)
    print(f"recall on {count} corruptions of {len(rule.protected)} phrases: {share:.4f}; missed {missed}")
    assert share >= 0.95


def test_recall_of_homophone_near_misses_on_the_packaged_phrases(tmp_path: Path) -> None:
    # Every one-character homophone corruption of every packaged wording.fixed_phrase phrase, in
    # a sentence: recall ≥ 0.95 (issue 18). Sampled deterministically above MAX_CASES.
    source = read_sources(tmp_path / "rules")
    packs = tuple(pack for pack in source.packs if pack[0].endswith("/phrases.yml"))
    if not packs:
        pytest.skip("screen/packs/patterns/phrases.yml is not there yet")
    engine = build_engine(parse(dataclasses.replace(source, packs=packs)))
    rules = [r for r in engine.ruleset.rules if r.id == "wording.fixed_phrase"]
    assert rules, "phrases.yml has no rule wording.fixed_phrase"
    share, count, missed = recall(engine, rules[0])
    phrases = len(rules[0].protected)
    print(f"recall on {count} corruptions of {phrases} packaged phrases: {share:.4f}; missed {missed}")
    assert share >= 0.95
