"""PERSON, PLACE and ORG spans in folded Chinese text, offline: jieba's segmentation and
part-of-speech tags (nr, ns, nt …), with names re-cut and graded at the character level
(`screen/detectors/names.py`), feed a blank spaCy pipeline, whose Matcher runs the entity
patterns of `rules/patterns/` (name grades, titles before and after names, verbs of speech,
organization and division suffixes); each pattern adds its weight to the span it marks, and the
best-scoring spans that reach `THRESHOLD` win.

spaCy and jieba are imported here only, and only on first use: a check whose documents give no
entity rule anything to look at never pays for them. The pipeline is never pickled (the rules
cache holds the patterns; each process builds its own pipeline from them)."""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from screen.detectors import names
from screen.detectors.names import FUNCTION_TAGS, NAME_TAGS, NameModel, refine
from screen.errors import RuleError
from screen.i18n import _
from screen.model import Entity, EntityPattern

THRESHOLD = 1.0  # a span is an entity when the weights of the patterns marking it add up to this
MARK = "ENTITY"  # token key of our own: the tokens so marked form the span (default: all)
_MODULES = ("spacy", "jieba", "jieba.posseg")
COMMON = 1000  # jieba dictionary frequency from which a word is everyday vocabulary


class EntityUnavailable(RuleError):
    """spaCy or jieba cannot be imported while entity rules are enabled: fail closed (exit 2)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a worker process, it crosses back pickled: keep `problems` a tuple.
        return (type(self), (self.problems,))


def available() -> bool:
    """Whether spaCy and jieba can be found, without importing them (cheap, for cached engines)."""
    try:
        # Top-level packages only: finding a submodule's spec imports its parent package.
        return all(importlib.util.find_spec(name) is not None for name in _MODULES if "." not in name)
    except (ImportError, ValueError):
        return False


def _import(name: str, needed_by: tuple[str, ...]) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise EntityUnavailable(
            tuple(
                _(
                    "{who}: needs spaCy and jieba, and {name} cannot be imported ({error}); install "
                    "Baomi's dependencies (`pip install -e .`) or set `enabled: false` on the entity rules"
                ).format(who=who, name=name, error=error)
                for who in needed_by
            )
        ) from None


class _Pipeline:
    """One process's spaCy pipeline with its own jieba tokenizer (never jieba's global one, which
    MkDocs Material's search fills with its own dictionaries)."""

    def __init__(self, patterns: tuple[EntityPattern, ...], needed_by: tuple[str, ...]) -> None:
        spacy = _import("spacy", needed_by)
        jieba = _import("jieba", needed_by)
        posseg = _import("jieba.posseg", needed_by)
        logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict" on stderr
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = tempfile.gettempdir()
        tokenizer.cache_file = f"baomi-jieba-{jieba.__version__}.cache"
        self.tagger = posseg.POSTokenizer(tokenizer)
        tokenizer.check_initialized()
        self.names = _name_model(tokenizer, self.tagger.word_tag_tab, jieba.__version__)
        self.places = world_places() | names.dictionary_places(self.tagger.word_tag_tab)
        self.nlp = spacy.blank("zh")  # the default "char" segmenter: replaced below, never used
        self.nlp.tokenizer = self._make_doc
        self.doc_class = importlib.import_module("spacy.tokens").Doc
        matcher_class = importlib.import_module("spacy.matcher").Matcher
        self.matcher = matcher_class(self.nlp.vocab, validate=True)
        self.patterns = patterns
        self.marks: list[tuple[int, ...]] = []
        for index, pattern in enumerate(patterns):
            tokens = json.loads(pattern.pattern)
            self.marks.append(tuple(i for i, t in enumerate(tokens) if t.pop(MARK, False)))
            try:
                self.matcher.add(str(index), [tokens])
            except ValueError as error:  # spaCy's pattern validation: say which pattern
                raise RuleError(
                    (
                        _("{origin}: {pattern}: invalid token pattern: {error}").format(
                            origin=pattern.origin, pattern=pattern.id, error=error
                        ),
                    )
                ) from None
        self.segmentations = 0  # how many texts were segmented (tests: one analysis per document)

    def _make_doc(self, text: str) -> Any:
        """A spaCy Doc of jieba's words, names re-cut: TAG is jieba's part of speech (nr for a
        name the character model found), MORPH says whether jieba's dictionary knows the word
        (`Lexicon=New` for a word its HMM guessed, `Lexicon=Common` for a frequent one: the
        dictionary tags many common words nr, 明白, 卫星) and how much it reads as a name
        (`Name=Likely|Possible|Unlikely|Surname|Foreign|Word|Minority|Transliterated`), and
        `Foreign=Yes` on a word of one to three characters each of which transliteration uses
        more than prose does (奈, 梅亨, 海姆: the pieces of a foreign name jieba cut up)."""
        self.segmentations += 1
        frequency = self.tagger.tokenizer.FREQ
        pairs = [(p.word, p.flag) for p in self.tagger.cut(text) if p.word]
        tokens = [
            (w, "ns", "") if w in self.places else (w, t, g)
            for w, t, g in refine(pairs, self.names, frequency, self.tagger.word_tag_tab)
        ]
        words = [w for w, _tag, _grade in tokens]
        if "".join(words) != text:
            raise AssertionError("jieba did not reproduce its input")  # offsets would be wrong
        return self.doc_class(
            self.nlp.vocab,
            words=words,
            spaces=[False] * len(words),
            tags=[t for _word, t, _grade in tokens],
            morphs=[
                _morph(
                    frequency.get(w, 0),
                    "Transliterated" if self._sounds_foreign(w, t) else g,
                    self.names.transliteration_piece(w) and t not in FUNCTION_TAGS,
                )
                for w, t, g in tokens
            ],
        )

    def _sounds_foreign(self, word: str, tag: str) -> bool:
        """A name word of three characters or more, each one transliteration uses more than
        Chinese prose does (巴勒莫, 克林顿; not 毛泽东): `Name=Transliterated`, whatever it
        scores as a Chinese name (巴, 米, 阿 begin Chinese names too)."""
        return tag in NAME_TAGS and len(word) >= 3 and self.names.foreign_like(word)

    def spans(self, text: str) -> dict[tuple[str, int, int], dict[str, float]]:
        """Every span some pattern marks: (label, start, end) → {pattern id: weight}."""
        doc = self.nlp.make_doc(text)
        marked: dict[tuple[str, int, int], dict[str, float]] = {}
        for key, start, end, alignment in self.matcher(doc, with_alignments=True):
            index = int(self.nlp.vocab.strings[key])
            pattern, marks = self.patterns[index], self.marks[index]
            chosen = [start + i for i, a in enumerate(alignment) if a in marks] if marks else [start, end - 1]
            if not chosen:
                continue
            first, last = doc[min(chosen)], doc[max(chosen)]
            span = (pattern.label, first.idx, last.idx + len(last.text))
            marked.setdefault(span, {})[pattern.id] = pattern.weight
        return marked


@functools.cache
def world_places() -> frozenset[str]:
    """CLDR's Chinese names of countries, regions and the cities of its time zones (Babel's
    data, offline): jieba's dictionary tags some of them as personal names (莫斯科, 乌克兰), and a
    word CLDR names as a place is read as one (tag ns)."""
    locale = _import("babel", ("rules/patterns",)).Locale("zh")
    cities = (zone.get("city") for zone in locale.time_zones.values())
    return frozenset(n for n in (*locale.territories.values(), *cities) if n and len(n) >= 2)


def _name_model(tokenizer: Any, tags: dict[str, str], version: str) -> NameModel:
    """The name model of jieba's dictionary, cached next to jieba's own cache: building it reads
    every dictionary entry (half a second), loading it takes milliseconds."""
    code = hashlib.sha256(Path(names.__file__).read_bytes()).hexdigest()[:16]  # changed code, new file
    path = Path(tokenizer.tmp_dir) / f"baomi-names-{version}-{code}.json"
    cached = _cached_model(path)
    if cached is not None:
        return cached
    model = NameModel.from_dictionary(tokenizer.FREQ, tags)
    spare = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        spare.write_text(model.to_json(), encoding="utf-8")
        spare.replace(path)  # atomic: a process reading it never sees half a file
    except OSError:
        spare.unlink(missing_ok=True)  # an unwritable temp dir only costs the next start-up time
    return model


def _cached_model(path: Path) -> NameModel | None:
    """The cached model, or None when there is none yet or it is damaged (it is then rebuilt)."""
    try:
        return NameModel.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None


def _morph(frequency: int, grade: str, foreign: bool) -> str:
    lexicon = "New" if not frequency else "Common" if frequency >= COMMON else "Known"
    features = ["Foreign=Yes"] if foreign else []
    features.append(f"Lexicon={lexicon}")
    features += [f"Name={grade}"] if grade else []
    return "|".join(features)


def best(marked: dict[tuple[str, int, int], dict[str, float]]) -> tuple[Entity, ...]:
    """Non-overlapping spans whose weights reach THRESHOLD: highest score first, then longest."""
    scored = sorted(
        ((sum(w.values()), span) for span, w in marked.items()),
        key=lambda item: (-item[0], item[1][1] - item[1][2], item[1][1]),
    )
    taken: list[Entity] = []
    starts: list[int] = []  # of `taken`, kept sorted with it: an overlap is a neighbour's
    for score, (label, start, end) in scored:
        if score < THRESHOLD or end <= start:
            continue
        at = bisect.bisect_left(starts, start)
        if (at == 0 or taken[at - 1].end <= start) and (at == len(taken) or end <= taken[at].start):
            starts.insert(at, start)
            taken.insert(at, Entity(label=label, start=start, end=end, score=round(score, 3)))
    return tuple(taken)


class Recognizer:
    """The entity recognizer of one ruleset; its pipeline is built on first use in each process."""

    def __init__(self, patterns: tuple[EntityPattern, ...], needed_by: tuple[str, ...] = ()) -> None:
        self.patterns = patterns
        self.needed_by = needed_by or ("rules/patterns",)
        self._pipeline: _Pipeline | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"patterns": self.patterns, "needed_by": self.needed_by}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.patterns, self.needed_by = state["patterns"], state["needed_by"]
        self._pipeline = None

    @property
    def pipeline(self) -> _Pipeline:
        if self._pipeline is None:
            self._pipeline = _Pipeline(self.patterns, self.needed_by)
        return self._pipeline

    @property
    def segmentations(self) -> int:
        return self._pipeline.segmentations if self._pipeline else 0

    def entities(self, text: str) -> tuple[Entity, ...]:
        """Entities of `text` (folded), offsets into it."""
        return best(self.pipeline.spans(text)) if text.strip() else ()

    def person_not_office(self, word: str, stem: str) -> bool:
        """Whether `word`, which ends like an office, is a person's name (`names.person_not_office`)."""
        pipeline = self.pipeline
        return names.person_not_office(word, stem, pipeline.names, pipeline.tagger.tokenizer.FREQ)

    def regions(self, text: str, regions: Iterable[tuple[int, int]]) -> tuple[Entity, ...]:
        """Entities inside each of `regions` of `text` (offsets into `text`): only these parts are
        segmented. An entity cut by a region's edge is dropped: it may be part of a longer name."""
        found: list[Entity] = []
        for start, end in regions:
            for entity in self.entities(text[start:end]):
                cut = (entity.start == 0 < start) or (entity.end == end - start and end < len(text))
                if not cut:
                    found.append(_shifted(entity, start))
        return tuple(found)


def _shifted(entity: Entity, offset: int) -> Entity:
    return Entity(
        label=entity.label, start=entity.start + offset, end=entity.end + offset, score=entity.score
    )
