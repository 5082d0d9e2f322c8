"""Chinese personal names at the character level, for the entity recognizer.

jieba cuts words, not names: it glues a name to a neighbour (张平的), splits an unknown one (卜/兴华)
or takes a name inside a longer word (毛泽东思想). `refine` re-reads jieba's words around
surname characters and proposes names that ignore those boundaries, and grades every word
that may be a name, from statistics of jieba's own dictionary (`NameModel`), computed at first
use: its three-character nr entries give how often a character begins a name (surname) or
stands in a given name, its frequencies how often a character or word occurs in running text.

A name is put in place of jieba's words where the unigram model jieba itself segments with
(each word costs log(frequency / total)) prefers it: the name class costs its prior times the
probability of its surname and of each given-name character. The grade compares the characters
of a word as a name with the same characters in running text (a log-likelihood ratio), less
what the word gains when read as ordinary words (高/水平 is no name). The entity patterns
(`rules/patterns/entities.yml`) read the grade as `MORPH` `Name=Likely|Possible|Unlikely`; a
lone character that often begins names is `Name=Surname` (江/主席); an everyday word of two or three
characters that begins with a surname is `Name=Word` (方圆, 林业: a name only in context)."""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

NAME_PRIOR = math.log(0.01)  # share of the words of news prose that are personal names (1–2 %)
SURNAME_MIN = 20  # jieba names a character must begin to start a candidate (drops 的, 在 …)
TITLED_MIN = math.log(0.0015)  # share of names a surname begins to stand alone: 江/主席, not 同/学会
LIKELY, POSSIBLE = 3.0, 0.0  # grade thresholds on the name score (log-likelihood ratio)
NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
PLACE_TAGS = frozenset({"ns", "nt", "nz"})  # words never cut: 江苏省, 张家口市
PARTICLE_TAGS = frozenset({"uj", "ul", "uz", "ug", "uv", "ud", "u", "p", "c", "y"})  # 的 了 和 …
DOTS = frozenset("·•・‧")  # joins the parts of a transliterated name: 胡安·拉莫斯
# What follows a surname in place of a given name: a form of address (赵先生, 李总), a masked
# name (张某, 王某某), a clan (张氏). Never part of a name; the surname alone may be one (江主席).
HONORIFICS = (
    "先生", "女士", "小姐", "同志", "老师", "师傅", "夫人", "太太", "某某", "某", "总", "氏"
)  # fmt: skip
# Parts of the names of China's Tibetan, Uyghur, Kazakh and Mongolian citizens, as Chinese text
# writes them (general knowledge, not from any evaluation data). A Tibetan name is two such parts
# run together (扎西多吉, 格桑卓玛); a Uyghur or Kazakh name joins a given name and a father's
# name with a dot (阿依古丽·买买提); a Mongolian name is often one part alone (巴特尔).
MINORITY_PARTS = frozenset(
    # Tibetan
    "扎西 多吉 格桑 卓玛 达瓦 次仁 次旦 央金 拉姆 尼玛 平措 旺堆 顿珠 巴桑 普布 索朗 洛桑 丹增 强巴 白玛 "  # noqa: SIM905
    "德吉 曲珍 边巴 旦增 米玛 其美 仁增 卓嘎 群培 罗布 益西 泽仁 才让 多杰 拉巴 欧珠 嘎玛 贡布 加措 嘉措 "
    "江村 坚参 坚赞 晋美 克珠 朗杰 琼达 仁青 桑珠 斯朗 索南 土登 旺姆 旺久 央宗 阿旺 次珠 措姆 德庆 巴珠 "
    "旺杰 扎巴 曲扎 拉珍 玉珍 贡嘎 曲吉 尼珍 达娃 吉措 曲措 加央 拉毛 才旦 更登 昂旺 达杰 拉旦 多布杰 "
    "旺扎 次央 德央 卓玛 群宗 格列 单增 白珍 玉措 拉措 仁措 扎多 多丹 尼玛次仁 "
    # Uyghur and Kazakh
    "买买提 麦麦提 艾力 阿不都 阿布都 阿卜杜 吐尔逊 吐逊 热合曼 古丽 阿依 努尔 艾买提 托合提 吾买尔 "
    "依明 玉素甫 热依拉 帕提古丽 阿力木 库尔班 祖力 艾尔肯 古丽娜尔 阿曼 吐尔洪 艾合买提 克里木 "
    "热西提 玉山 伊力 哈力克 米吉提 吾斯曼 艾则孜 卡德尔 亚森 买合木提 阿依古丽 努尔古丽 再努尔 "
    "阿依努尔 迪丽 热合木 沙吾提 阿迪力 吾斯满 肉孜 阿吉 木拉提 居马 努尔兰 叶尔兰 别克 哈力木 "
    "吐尔地 巴图尔 塔依尔 阿布来提 阿卜来提 买尔旦 吾甫尔 艾尼 阿里木 玉努斯 热娜 迪娜 娜扎 "
    # Mongolian
    "巴特尔 其其格 苏和 额尔敦 朝鲁 孟和 阿拉坦 图雅 萨仁 巴图 宝音 格日勒 那顺 乌力吉 斯琴 "
    "额尔德尼 布和 吉日嘎拉 敖其尔 巴雅尔 特木尔 满都拉 宝力道 毕力格 陶格斯 乌云 娜仁 其木格 "
    "塔娜 图门 乌日娜 达来 额日和木 吉雅 巴音 哈斯 宝鲁 莫日根 阿古拉 乌恩 图布信 布仁 道尔吉 "
    "吾买尔江 艾力江 阿力江 买买提江 阿不都热合曼".split()
)
_MINORITY_LONGEST = max(map(len, MINORITY_PARTS))
# Content words that may be a name written with everyday characters (`Name=Word`).
WORD_TAGS = frozenset({"n", "nz", "ns", "a", "an", "v", "vn", "t", "ng", "j", "i", "l"})
# Function words that are also surnames (于, 任, 向 …): jieba tags them p, c, r, d when they are
# the former. After another word of the sentence they begin no name (就职于/利德, 起任/赣锋).
FUNCTION_TAGS = frozenset({"p", "c", "r", "d", "u", "uj", "ul", "uz", "ud", "ug", "uv", "y"})
# Words that begin no name after them when they follow a time or a verb: the verb of holding a
# post (2007年起任/赣锋有限副总经理, 现任/上海凯迪), jieba tagging it as the surname of a name.
OFFICE_VERBS = frozenset("任于")
_HAN = re.compile(r"[\u4e00-\u9fff]+")

# Two-character surnames (general knowledge): a name may be 欧阳 + one or two characters.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 西门 独孤 南宫 "  # noqa: SIM905
    "呼延 轩辕 澹台 申屠 闻人 赫连 拓跋 耶律 完颜 第五 钟离 公冶 太史 濮阳 淳于 单于 百里".split()
)
Token = tuple[str, str, str]  # (word, jieba tag, name grade or "")


@dataclass(frozen=True, slots=True)
class NameModel:
    """Log probabilities from jieba's dictionary (see the module docstring)."""

    total: float  # log of the dictionary's frequency total
    text: Mapping[str, float]  # log P(character) in running text
    surname: Mapping[str, float]  # log P(a name begins with the character)
    given: Mapping[str, float]  # log P(a given-name character is this one)
    foreign: Mapping[str, float]  # log ratio: in transliterated names vs in running text
    floor: float  # log probability of a character never seen in a given name
    text_floor: float

    @classmethod
    def from_dictionary(cls, freq: Mapping[str, int], tags: Mapping[str, str]) -> NameModel:
        text, surname, given, foreign = _counts(freq, tags)
        size, names = len(text), max(1, sum(surname.values()))
        text_total, given_total = sum(text.values()), sum(given.values())
        text_log = {c: math.log((n + 1) / (text_total + size)) for c, n in text.items()}
        text_floor = math.log(1 / (text_total + size))
        foreign_total = sum(foreign.values())
        return cls(
            total=math.log(max(1, sum(freq.values()))),
            text=text_log,
            surname={c: math.log(n / names) for c, n in surname.items() if n >= SURNAME_MIN or len(c) == 2},
            given={c: math.log((n + 0.5) / (given_total + 0.5 * size)) for c, n in given.items()},
            foreign={
                c: math.log((n + 0.5) / (foreign_total + 0.5 * size)) - text_log.get(c, text_floor)
                for c, n in foreign.items()
            },
            floor=math.log(0.5 / (given_total + 0.5 * size)),
            text_floor=text_floor,
        )

    def to_json(self) -> str:
        return json.dumps({f: getattr(self, f) for f in self.__slots__}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> NameModel:
        return cls(**json.loads(text))

    def log_name(self, span: str) -> float:
        """Log probability of `span` as one word of the name class (surname + given name)."""
        cut = _surname_length(span)
        return NAME_PRIOR + self.surname[span[:cut]] + sum(self.given.get(c, self.floor) for c in span[cut:])

    def score(self, span: str, freq: Mapping[str, int]) -> float:
        """How much more `span` reads as a name than as running text (0 and up: plausible)."""
        cut = _surname_length(span)
        surname = self.surname.get(span[:cut])
        if surname is None:
            return -math.inf
        ratio = surname - sum(self.text.get(c, self.text_floor) for c in span[:cut])
        ratio += sum(self.given.get(c, self.floor) - self.text.get(c, self.text_floor) for c in span[cut:])
        as_words = _best_split(span, freq, self.total)  # read as two or more ordinary words
        return ratio + min(0.0, self.log_name(span) - as_words)

    def transliterated(self, word: str) -> bool:
        """Whether every character of `word` is one transliteration uses more than prose does."""
        return all(self.foreign.get(c, -1.0) > 0 for c in word)

    def foreign_like(self, word: str) -> bool:
        """A word of two characters or more, all of transliteration (克林顿, 梅亨)."""
        return len(word) >= 2 and self.transliterated(word)

    def transliteration_piece(self, word: str) -> bool:
        """One to three Chinese characters, all of transliteration (奈, 梅亨): what jieba leaves of
        a foreign word it cut up."""
        return len(word) <= 3 and bool(_HAN.fullmatch(word)) and self.transliterated(word)


def _counts(freq: Mapping[str, int], tags: Mapping[str, str]) -> tuple[Counter[str], ...]:
    """Characters in running text (by word frequency), surnames and given-name characters of
    jieba's names (by entry), characters of its transliterated words (nrt, by entry)."""
    text: Counter[str] = Counter()
    surname: Counter[str] = Counter()
    given: Counter[str] = Counter()
    foreign: Counter[str] = Counter()
    for word, tag in tags.items():
        count = freq.get(word, 0)
        for char in word:
            text[char] += count
        if tag == "nrt" and len(word) >= 2:
            foreign.update(word)
        elif tag == "nr" and 3 <= len(word) <= 4 and _HAN.fullmatch(word):
            cut = _surname_length(word)
            if cut == 2 or len(word) == 3:  # four characters after one surname: mostly idioms
                surname[word[:cut]] += 1
                given.update(word[cut:])
    return text, surname, given, foreign


def _surname_length(span: str) -> int:
    return 2 if span[:2] in COMPOUND_SURNAMES else 1


def _log_word(word: str, freq: Mapping[str, int], total: float) -> float:
    """jieba's own cost of a word: log(frequency / total), an unknown word counting once."""
    return math.log(max(freq.get(word, 0), 1)) - total


def _best_split(span: str, freq: Mapping[str, int], total: float) -> float:
    """The best log probability of `span` cut into two or more words of jieba's dictionary."""
    best = [0.0] + [-math.inf] * len(span)
    for end in range(1, len(span) + 1):
        for start in range(end):
            if start == 0 and end == len(span):
                continue
            best[end] = max(best[end], best[start] + _log_word(span[start:end], freq, total))
    return best[-1]


def person_not_office(word: str, stem: str, model: NameModel, freq: Mapping[str, int]) -> bool:
    """Whether `word`, which ends like an office (`stem` is what comes before the ending), is a
    person's name: jieba's dictionary knows neither the word (内科, 团委) nor, of two characters
    or more, its stem (信访科, 办公室), and it reads as a name (李振科, 王科) or a transliterated one."""
    if freq.get(word, 0) > 0 or (len(stem) >= 2 and freq.get(stem, 0) > 0):
        return False
    return model.score(word, freq) >= 0 or model.foreign_like(word)


def refine(
    pairs: list[tuple[str, str]], model: NameModel, freq: Mapping[str, int], tags: Mapping[str, str]
) -> list[Token]:
    """jieba's (word, tag) pairs with names re-cut at the character level, each word graded."""
    words = _resegment(_unglue_function(_unglue_honorific(pairs, model)), model, freq, tags)
    words = _join_minority(_split_glued(words, model, freq, tags), tags)
    words = _join_foreign(words, model)
    words = [(w, _guessed_tag(w, t, model, freq), g) for w, t, g in words]
    return [(w, t, g or _grade(w, t, model, freq)) for w, t, g in words]


PLACE_ENDINGS = "市县省区州岛山湖河江镇乡村港湾峰寺"  # a place word's last character (秦皇岛市, 夏威夷州)


def dictionary_places(tags: Mapping[str, str]) -> frozenset[str]:
    """Words jieba's dictionary tags as names that it also holds as places with a place ending
    (张家口 nr, 张家口市 ns; 秦皇岛, 温泉): each is a place, the dictionary's own evidence."""
    return frozenset(
        word[:-1]
        for word, tag in tags.items()
        if tag == "ns" and len(word) >= 4 and word[-1] in PLACE_ENDINGS and tags.get(word[:-1]) in NAME_TAGS
    )


def _guessed_tag(word: str, tag: str, model: NameModel, freq: Mapping[str, int]) -> str:
    """A word jieba's HMM assembled (not in its dictionary) that reads as a name is tagged nr,
    whatever part of speech the HMM gave it (贝晓丽/ns, 卜兴华/n): the HMM tags unknown words from
    their characters alone."""
    if tag in NAME_TAGS or freq.get(word, 0) or not 2 <= len(word) <= 3 or not _HAN.fullmatch(word):
        return tag
    return "nr" if model.score(word, freq) >= LIKELY else tag


def _honorific_at(text: str, at: int) -> str:
    return next((h for h in HONORIFICS if text.startswith(h, at)), "")


def _unglue_honorific(pairs: list[tuple[str, str]], model: NameModel) -> list[tuple[str, str]]:
    """A surname that jieba joined to a form of address, apart: 赵先生 → 赵/先生, 张某某 → 张/某某."""
    out: list[tuple[str, str]] = []
    for word, tag in pairs:
        cut = _surname_length(word)
        rest = word[cut:]
        if rest and word[:cut] in model.surname and _honorific_at(word, cut) == rest:
            out += [(word[:cut], "nr"), (rest, "n")]
        else:
            out.append((word, tag))
    return out


def _unglue_function(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A name jieba guessed around the verb of holding a post, apart: 起/任赣锋 → 起/任/赣锋. The
    character is read as the verb after a time, a number or another verb or adverb."""
    out: list[tuple[str, str]] = []
    for word, tag in pairs:
        after_verb = (
            bool(out)
            and out[-1][1][:1] in ("v", "d", "m", "t", "f", "p")
            and bool(_HAN.match(out[-1][0][-1:]))
        )
        if tag in NAME_TAGS and len(word) == 3 and word[0] in OFFICE_VERBS and after_verb:
            out += [(word[0], "v" if word[0] == "任" else "p"), (word[1:], "nz")]
        else:
            out.append((word, tag))
    return out


def _resegment(
    pairs: list[tuple[str, str]], model: NameModel, freq: Mapping[str, int], tags: Mapping[str, str]
) -> list[Token]:
    """Put a name where jieba's unigram model prefers it to jieba's words (see the docstring):
    best gain first, each of jieba's words in one name at most."""
    words = [w for w, _ in pairs]
    starts = [0]
    for word in words:
        starts.append(starts[-1] + len(word))
    chosen: dict[int, tuple[int, int, int]] = {}  # first word → (last word, name start, name end)
    taken: set[int] = set()
    found = _candidates(words, [t for _, t in pairs], starts, model, freq)
    for _, first, last, start, end in sorted(found, reverse=True):
        if taken.isdisjoint(range(first, last + 1)):
            taken.update(range(first, last + 1))
            chosen[first] = (last, start, end)
    text, out, index = "".join(words), list[Token](), 0
    while index < len(words):
        last, start, end = chosen.get(index, (index, starts[index], starts[index + 1]))
        left, right = text[starts[index] : start], text[end : starts[last + 1]]
        if last == index and not left and not right:  # jieba's own word won: keep its tag
            out.append((words[index], pairs[index][1], ""))
        else:
            out += [(left, tags.get(left, pairs[index][1]), "")] if left else []
            out.append((text[start:end], "nr", ""))
            out += [(right, tags.get(right, pairs[last][1]), "")] if right else []
        index = last + 1
    return out


def _candidates(
    words: list[str], word_tags: list[str], starts: list[int], model: NameModel, freq: Mapping[str, int]
) -> Iterator[tuple[float, int, int, int, int]]:
    """(gain, first word, last word, start, end) of every name candidate that jieba's model
    prefers to the words it overlaps: a surname and one or two characters, across word
    boundaries, whatever jieba's cut is left over on either side being a word of its dictionary.
    A candidate never takes a form of address as its given name (赵/先生), never begins on a
    function word after another word (就职于/利德), and never cuts into a place or organization
    word of jieba's (上海/凯迪: not 上/海凯迪)."""
    text = "".join(words)
    owner = [index for index, word in enumerate(words) for _ in word]
    cost: dict[int, float] = {}  # jieba's cost of each word a candidate overlaps, computed once
    for start in range(len(text)):
        cut = _surname_length(text[start : start + 2])
        if text[start : start + cut] not in model.surname or _honorific_at(text, start + cut):
            continue
        head = owner[start]
        if starts[head] < start and word_tags[head] in PLACE_TAGS:
            continue
        if (
            words[head] == text[start]
            and word_tags[head] in FUNCTION_TAGS
            and _HAN.match(text[start - 1 : start])
        ):
            continue
        for end in (start + cut + 1, start + cut + 2):
            if end > len(text) or not _HAN.fullmatch(text[start:end]):
                break
            first, last = owner[start], owner[end - 1]
            if end < starts[last + 1] and word_tags[last] in PLACE_TAGS:
                continue
            parts = [p for p in (text[starts[first] : start], text[end : starts[last + 1]]) if p]
            if not all(freq.get(p) for p in parts):
                continue
            for index in range(first, last + 1):
                if index not in cost:
                    cost[index] = _log_known(words[index], freq, model.total)
            new = model.log_name(text[start:end]) + sum(_log_word(p, freq, model.total) for p in parts)
            gain = new - sum(cost[i] for i in range(first, last + 1))
            if gain > 0:
                yield gain, first, last, start, end


def _log_known(word: str, freq: Mapping[str, int], total: float) -> float:
    """jieba's cost of one of its words; a word its HMM guessed costs what its characters do, as
    in the dictionary path it was assembled from."""
    if freq.get(word, 0) or len(word) == 1:
        return _log_word(word, freq, total)
    return sum(_log_word(c, freq, total) for c in word)


def _split_glued(
    words: list[Token], model: NameModel, freq: Mapping[str, int], tags: Mapping[str, str]
) -> list[Token]:
    """Dictionary words that glue a name to another word, cut apart: a known name and what is
    named after it (毛泽东/思想, 马克思/主义), a name and a particle (张平/的), a surname and a
    title (江/主席, 朱/总理)."""
    out: list[Token] = []
    for word, tag, grade in words:
        glued = len(word) >= 3 and freq.get(word, 0) > 0 and tag not in PLACE_TAGS
        cut = next((k for k in (3, 2, 1) if glued and _glued_at(word, k, model, freq, tags)), 0)
        if cut:
            out += [(word[:cut], tags.get(word[:cut], "nr"), ""), (word[cut:], tags[word[cut:]], "")]
        else:
            out.append((word, tag, grade))
    return out


def _glued_at(
    word: str, cut: int, model: NameModel, freq: Mapping[str, int], tags: Mapping[str, str]
) -> bool:
    head, rest = word[:cut], word[cut:]
    rest_tag = tags.get(rest)
    if not rest_tag or rest_tag in NAME_TAGS:
        return False
    if cut == 1:  # a surname and a title or another noun, when the whole reads as no name
        common = model.surname.get(head, -math.inf) >= TITLED_MIN
        return common and rest_tag == "n" and len(rest) >= 2 and model.score(word, freq) < POSSIBLE
    if len(rest) == 1 and rest_tag not in PARTICLE_TAGS:
        return False
    if tags.get(head) in NAME_TAGS and model.foreign_like(head):
        return True
    return _HAN.fullmatch(head) is not None and model.score(head, freq) >= LIKELY


def _minority_run(text: str, start: int) -> tuple[int, int]:
    """The end of the longest run of name parts (`MINORITY_PARTS`) from `start`, and how many."""
    end, count = start, 0
    while True:
        step = next(
            (
                k
                for k in range(_MINORITY_LONGEST, 1, -1)
                if len(part := text[end : end + k]) == k and part in MINORITY_PARTS
            ),
            0,
        )
        if not step:
            return end, count
        end, count = end + step, count + 1


def _join_minority(words: list[Token], tags: Mapping[str, str]) -> list[Token]:
    """Names made of the parts of Tibetan, Uyghur, Kazakh and Mongolian names, as one word graded
    `Minority`, however jieba cut them (县长/达/瓦次/仁 → 县长/达瓦次仁): two parts or more run
    together; one part where jieba reads it as a word of its own, or next to a dot (·买买提)."""
    text = "".join(w for w, _, _ in words)
    bounds, position = {0}, 0
    for word, _, _ in words:
        position += len(word)
        bounds.add(position)
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        end, count = _minority_run(text, index)
        alone = (
            (index in bounds and end in bounds)
            or text[index - 1 : index] in DOTS
            or text[end : end + 1] in DOTS
        )
        if count >= 2 or (count == 1 and alone):
            runs.append((index, end))
            index = end
        else:
            index += 1
    return _merged(words, runs, tags) if runs else words


def _merged(words: list[Token], runs: list[tuple[int, int]], tags: Mapping[str, str]) -> list[Token]:
    """`words` with each of `runs` (character ranges) made one word, the words it cuts into split
    at its edges (the pieces left keep a dictionary tag, else their word's)."""
    cuts = sorted({p for run in runs for p in run})
    pieces: list[Token] = []
    position = 0
    for word, tag, grade in words:
        inner = [
            c - position for c in cuts[bisect_right(cuts, position) : bisect_left(cuts, position + len(word))]
        ]
        if not inner:
            pieces.append((word, tag, grade))
        else:
            for a, b in zip([0, *inner], [*inner, len(word)], strict=True):
                pieces.append((word[a:b], tags.get(word[a:b], tag), ""))
        position += len(word)
    out: list[Token] = []
    position, starts = 0, dict(runs)
    pending = ""
    end = -1
    for word, tag, grade in pieces:
        if position in starts:
            end = starts[position]
        if position < end:
            pending += word
            if position + len(word) == end:
                out.append((pending, "nr", "Minority"))
                pending = ""
        else:
            out.append((word, tag, grade))
        position += len(word)
    return out


def _join_foreign(words: list[Token], model: NameModel) -> list[Token]:
    """The parts of a transliterated name and the dots between them, as one word: 胡安·拉莫斯,
    亚历山大·克瓦希涅夫斯基. Next to a dot any name or place word may stand (亚历山大 is tagged
    ns); further out only transliteration, so that a list of names run together (王光英程思远)
    is not swallowed; one part at least must be transliterated (中国·北京 is no name)."""
    out: list[Token] = []
    index = 0
    while index < len(words):
        if words[index][0] in DOTS and out and index + 1 < len(words):
            head, tail = _reach(out[::-1], model), _reach(words[index + 1 :], model)
            parts = [*out[len(out) - head :], *words[index : index + 1 + tail]]
            if head and tail and any(_foreign(p, model) for p in parts):
                del out[len(out) - head :]
                out.append(("".join(w for w, _, _ in parts), "nrt", "Foreign"))
                index += 1 + tail
                continue
        out.append(words[index])
        index += 1
    return out


def _reach(side: list[Token], model: NameModel) -> int:
    """How many words of `side` (read away from a dot) belong to the name: the next word if it
    is a name or place word, then dots and transliterated words."""
    if not side or (side[0][1] not in NAME_TAGS | {"ns"} and not _foreign(side[0], model)):
        return 0
    reach = 1
    while reach < len(side) and (side[reach][0] in DOTS or _foreign(side[reach], model)):
        reach += 1
    while reach > 1 and side[reach - 1][0] in DOTS:
        reach -= 1  # a name does not end on a dot
    return reach


def _foreign(token: Token, model: NameModel) -> bool:
    word, tag, grade = token
    if word in DOTS:
        return False
    return tag == "nrt" or grade == "Minority" or model.transliterated(word)


def _grade(word: str, tag: str, model: NameModel, freq: Mapping[str, int]) -> str:
    if len(word) == 1:
        return "Surname" if word in model.surname else ""
    if tag in WORD_TAGS and 2 <= len(word) <= 3 and _HAN.fullmatch(word):
        # An everyday word that begins with a surname (方圆, 田野, 林业): a name only where the
        # sentence says so (a title before it and a verb after it).
        return "Word" if word[: _surname_length(word)] in model.surname else ""
    if tag not in NAME_TAGS or len(word) > 4 or not _HAN.fullmatch(word):
        return ""
    score = model.score(word, freq)
    return "Likely" if score >= LIKELY else "Possible" if score >= POSSIBLE else "Unlikely"
