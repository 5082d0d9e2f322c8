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
lone character that often begins names is `Name=Surname` (江/主席)."""

from __future__ import annotations

import json
import math
import re
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

    def foreign_like(self, word: str) -> bool:
        """Whether every character of `word` is one transliteration uses more than prose does."""
        return len(word) >= 2 and all(self.foreign.get(c, -1.0) > 0 for c in word)


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


def refine(
    pairs: list[tuple[str, str]], model: NameModel, freq: Mapping[str, int], tags: Mapping[str, str]
) -> list[Token]:
    """jieba's (word, tag) pairs with names re-cut at the character level, each word graded."""
    words = _join_foreign(_split_glued(_resegment(pairs, model, freq, tags), model, freq, tags), model)
    return [(w, t, g or _grade(w, t, model, freq)) for w, t, g in words]


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
    for _, first, last, start, end in sorted(_candidates(words, starts, model, freq), reverse=True):
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
    words: list[str], starts: list[int], model: NameModel, freq: Mapping[str, int]
) -> Iterator[tuple[float, int, int, int, int]]:
    """(gain, first word, last word, start, end) of every name candidate that jieba's model
    prefers to the words it overlaps: a surname and one or two characters, across word
    boundaries, whatever jieba's cut is left over on either side being a word of its dictionary."""
    text = "".join(words)
    owner = [index for index, word in enumerate(words) for _ in word]
    cost: dict[int, float] = {}  # jieba's cost of each word a candidate overlaps, computed once
    for start in range(len(text)):
        cut = _surname_length(text[start : start + 2])
        if text[start : start + cut] not in model.surname:
            continue
        for end in (start + cut + 1, start + cut + 2):
            if end > len(text) or not _HAN.fullmatch(text[start:end]):
                break
            first, last = owner[start], owner[end - 1]
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
    word, tag, _ = token
    return word not in DOTS and (tag == "nrt" or all(model.foreign.get(c, -1.0) > 0 for c in word))


def _grade(word: str, tag: str, model: NameModel, freq: Mapping[str, int]) -> str:
    if len(word) == 1:
        return "Surname" if word in model.surname else ""
    if tag not in NAME_TAGS or len(word) > 4 or not _HAN.fullmatch(word):
        return ""
    score = model.score(word, freq)
    return "Likely" if score >= LIKELY else "Possible" if score >= POSSIBLE else "Unlikely"
