"""Entity rules: a recognized PERSON or PLACE next to what makes it leak (an ID number, the keys
of a secrecy room, a home address, precise coordinates).

Cues are cheap (words and regexes over the visible folded text) and are found first; the costly
recognizer (jieba + spaCy) runs only on the regions around them, once per layer for all rules
together, and is never even loaded for a document without a cue.

In a table (`screen.detectors.tables`), a row is one record: a cue in one of its cells stands near
an entity in any other cell of the row, and never near one in another row. The header is the
context of its column: a cue in a header cell counts at every cell below it that holds something,
and a cell under a name header (姓名) that holds a name alone is a PERSON, found or not."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from screen.detectors.analysis import Analysis, text_example
from screen.detectors.bounded import compile_bounded, find
from screen.detectors.recognizer import Recognizer, available
from screen.detectors.tables import Grid, with_names
from screen.detectors.validators import VALIDATORS, Verdict
from screen.i18n import N_, _, listed
from screen.model import ENTITY_LABELS, Context, Entity, EntityPattern, Hit, Level, Rule
from screen.normalize import BREAK, fold, noise_re
from screen.rulefields import (
    CONTEXT_REGEX,
    RULE_ID,
    Problems,
    check_regex,
    check_validator,
    located,
    read_context,
    read_strings,
)

KIND = "entity"
NAME = N_("an entity rule")  # how messages name a rule of this kind
FIELDS = frozenset({"patterns", "context", "entity", "officials"})
MARKERS = frozenset({"patterns", "entity"})

MARGIN = 12  # characters segmented beyond a cue's window, so a name at its edge is read whole
_SIDES = ("before", "after", "both")
_CUE_FIELDS = {"words", "regex", "validate", "window", "level", "side", "name"}

_Cue = tuple[int, int, int, str]  # (context entry index, start, end, name) in the projected text
# A person at official work: a rule with `officials: false` does not pair a person with a cue
# that is the subject of that work (县长王建明调研尿毒症患者救助工作; 王建明看望了12岁的留守儿童;
# 医生王建明讲解糖尿病防治知识). Not 治疗 or 诊治: a patient is treated for what they have.
# A title alone does not: 村长张三确诊为艾滋病 is the village head's own health.
_WORK = (
    r"调研|慰问|看望|探望|走访|出席|主持|部署|督导|督查|检查|视察|考察|带队|率队|召开|听取|会见"
    r"|陪同|批示|指导|推进|研究|协调|分管|负责|主抓|关心|关注|帮扶|结对"
    r"|讲解|宣讲|讲授|授课|科普|义诊|接诊|筛查|防治|宣传"  # a doctor's or a teacher's work
)
# After the name, in the clause the cue is in: the cue is what the verb is about.
_AT_WORK_ON = re.compile(_WORK)
_CLAUSE = re.compile(r"[，,；;：:]")
# After the name, speech in office: what follows (past a comma or colon) is what was said.
_SPEAKING = re.compile(r"(?:指出|强调|要求|讲话)")
# An office title right before a name (副县长何志军), or 同志 right after it: a cue before such a
# name is the occasion or the office (……防治工作会议召开，副县长何志军出席; ……穆斯林联盟秘书长……),
# unless it is the person's attribute (患有尿毒症的副县长……), or one of a list (艾滋病患者、村长……)
# that no verb of work follows.
_TITLE_BEFORE = re.compile(
    r"(?:书记|[省市县区州旗镇乡村]长|主任|主席|部长|厅长|局长|处长|科长|所长|站长|院长|校长|委员|常委"
    r"|秘书长|检察长|队长|行长|董事长|经理|代表)[\s:：]?$"
)
_TITLE_WINDOW = 8
_LABEL_SECONDS = 1.0  # a header is a few words: a partial match on it is instant
_WORKS_AFTER = re.compile(f"(?:同志|一行|等)?[^，,。；;！？!?\n]{{0,6}}?(?:{_WORK}|{_SPEAKING.pattern})")
_CLAUSE_TAIL = re.compile(r"[^，,；;：:]*$")  # what follows a stretch's last clause mark
_SENTENCE_END = re.compile(f"[。！？；!?;{BREAK}]")


class _Finder:
    """One context entry, compiled: where its cue occurs in a text."""

    def __init__(self, context: Context) -> None:
        words = sorted({fold(w) for w in context.words}, key=len, reverse=True)
        self.regex = compile_bounded(context.regex or "|".join(re.escape(w) for w in words))
        self.check: Callable[[str], Verdict] | None = VALIDATORS.get(context.validate)
        self.context = context

    def find(self, text: str, path: str, rule_id: str) -> Iterator[tuple[int, int, str]]:
        for match in find(self.regex, text, path, rule_id):
            if match.end() > match.start() and (self.check is None or self.check(match[0]) is Verdict.VALID):
                yield match.start(), match.end(), self.context.name or match[0]

    def starts_in(self, header: str) -> bool:
        """Whether a match can begin in a column's `header` and go on into its cells (出生年月：
        begins a birth date; 身份证号 begins no ID number): only then are the cells read after it."""
        found = self.regex.search(f"{header}：", partial=True, timeout=_LABEL_SECONDS)
        return found is not None and found.start() < len(header)

    def labelled(self, header: str, value: str, path: str, rule_id: str) -> Iterator[tuple[int, int, str]]:
        """The cues of a table cell's `value` read after its column's `header` (出生年月：2015.09)
        that the header takes part in (those in the value alone are found where it stands)."""
        joined = f"{header}：{value}"
        return (found for found in self.find(joined, path, rule_id) if found[0] < len(header))


class EntityDetector:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.finders = tuple(tuple(_Finder(c) for c in rule.context) for rule in rules)
        self.recognizer = Recognizer(rules[0].patterns, tuple(f"{r.origin}: {r.id}" for r in rules))

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A cached engine must not outlive spaCy or jieba: refuse it (the cache reader then
        # rebuilds, and the rebuild fails closed with the message of `Recognizer`).
        if not available():
            raise ImportError("spaCy or jieba cannot be imported")
        self.__dict__.update(state)

    def detect(self, analysis: Analysis) -> Iterator[Hit]:
        for layer_index in range(len(analysis.document.layers)):
            projection = analysis.visible(layer_index)
            text = projection.text
            path = analysis.document.path
            grid = analysis.grid(layer_index)
            cues = [
                [(i, *found) for i, f in enumerate(fs) for found in f.find(text, path, rule.id)]
                + (_header_cues(grid, fs, path, rule.id) if grid else [])
                for rule, fs in zip(self.rules, self.finders, strict=True)
            ]
            if not any(cues):
                continue
            entities = self.recognizer.regions(text, _regions(self.rules, cues, text, grid))
            if grid:
                entities = with_names(grid, entities, self.recognizer.person_not_office)
            for rule, rule_cues in zip(self.rules, cues, strict=True):
                for entity in entities:
                    if entity.label != rule.entity or not rule_cues:
                        continue
                    placed = _placed(rule, rule_cues, entity, text, grid)
                    if placed is None:
                        continue
                    yield Hit(
                        rule=rule,
                        start=projection.to_origin(entity.start),
                        end=projection.to_origin(entity.end - 1) + 1,
                        level=placed[0],
                        key=noise_re().sub("", text[entity.start : entity.end]),
                        layer=layer_index,
                        context_words=placed[1],
                    )


def _header_cues(grid: Grid, finders: tuple[_Finder, ...], path: str, rule_id: str) -> list[_Cue]:
    """The cues a rule finds in the header of a table column, each placed at every cell below it
    that holds something, as if it stood in that cell's row. A cue that a validator reads (a
    birth date under 出生年月) is read in each cell's value after its header, and placed at the
    cells whose value makes it one."""
    read = {  # once per distinct header: a page of tables repeats its headers
        header: [(i, n) for i, f in enumerate(finders) for _s, _e, n in f.find(header, path, rule_id)]
        for header in set(grid.headers.values())
    }
    cues = (
        [
            (i, cell.start, cell.end, name)
            for header, cells in grid.columns(lambda header: bool(read.get(header)))
            for i, name in read[header]
            for cell in cells
        ]
        if any(read.values())
        else []
    )
    labelled = [(i, f) for i, f in enumerate(finders) if f.check is not None and f.context.regex]
    if not labelled:
        return cues
    taking: dict[str, list[tuple[int, _Finder]]] = {}  # per header: the finders it takes part in

    def takes(header: str) -> bool:
        if header not in taking:
            taking[header] = [(i, f) for i, f in labelled if f.starts_in(header)]
        return bool(taking[header])

    if not any(takes(header) for header in {*grid.headers.values(), *grid.labels.values()}):
        return cues  # most tables: no header begins such a cue
    cues += [
        (i, cell.start, cell.end, name)
        for header, cells in grid.columns(takes)
        for cell in cells
        for i, finder in taking[header]
        for _s, _e, name in finder.labelled(header, grid.text[cell.start : cell.end], path, rule_id)
    ]
    return cues


def _at_work(text: str, entity: Entity, start: int, end: int) -> bool:
    """Whether the cue at [start, end) is the subject of the person's official work rather than
    something about the person: a verb of work or of speech in office between the name and a cue
    after it; for a cue before the name, an office title before the name (or 同志 after it), the
    cue not being the person's attribute (……的副县长何志军) or one of a list before the name
    (……患者、村长何志军) unless a verb of work follows the name."""
    if start >= entity.end:
        between = text[entity.end : start]
        if _AT_WORK_ON.search(_CLAUSE.split(between)[-1]):
            return True
        said = _SPEAKING.search(between)
        return said is not None and any(mark in between[said.end() :] for mark in "，,：:")
    titled = bool(_TITLE_BEFORE.search(text, max(0, entity.start - _TITLE_WINDOW), entity.start))
    if not (titled or text.startswith("同志", entity.end)):
        return False
    tail = _CLAUSE_TAIL.search(text, end, entity.start)
    joined = tail[0] if tail else ""
    return "的" not in joined and ("、" not in joined or bool(_WORKS_AFTER.match(text, entity.end)))


def _regions(rules: tuple[Rule, ...], cues: list[list[_Cue]], text: str, grid: Grid) -> list[tuple[int, int]]:
    """The merged stretches of text around every cue that an entity near it can occupy: its
    window and a margin, within the cue's own sentence (`_near` pairs nothing across a sentence's
    end), or, in a table, its whole row (a row is one record). The stretch keeps the
    sentence-ending characters on both sides, so that a name right at a sentence's edge is not
    taken for one cut by the stretch's edge."""
    spans = sorted(
        (grid.row_around(start) if grid else None)
        or _clipped(text, start, end, rule.context[i].window + MARGIN)
        for rule, found in zip(rules, cues, strict=True)
        for i, start, end, _name in found
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _clipped(text: str, start: int, end: int, reach: int) -> tuple[int, int]:
    """[start - reach, end + reach) around a cue, within its sentence and the characters that
    end the sentence on either side."""
    low, high = max(0, start - reach), min(len(text), end + reach)
    before = max((m.start() for m in _SENTENCE_END.finditer(text, low, start)), default=low)
    after = _SENTENCE_END.search(text, end, high)
    return before, after.end() if after else high


def _near(context: Context, start: int, end: int, entity: Entity, text: str, grid: Grid) -> bool:
    """Whether a cue at [start, end) stands where `context` wants it, within its window, in the
    same sentence of the same block (a sentence's end, a paragraph break, a table row or a cell
    boundary of another block ends the search: a cue in the next sentence is about someone else).
    In two cells of one table row, it does: the row is one record."""
    if grid and grid.same_row(start, entity.start):
        return True
    if context.side != "before" and start >= entity.end:
        return start - entity.end <= context.window and not _SENTENCE_END.search(text, entity.end, start)
    if context.side != "after" and end <= entity.start:
        return entity.start - end <= context.window and not _SENTENCE_END.search(text, end, entity.start)
    return context.side == "both" and start < entity.end and end > entity.start


def _placed(
    rule: Rule, cues: list[_Cue], entity: Entity, text: str, grid: Grid
) -> tuple[Level, tuple[str, ...]] | None:
    """The level of the first context entry with a cue near `entity`, and the cues it names (with
    `officials: false`, not a cue that is the subject of the person's official work)."""
    for index, context in enumerate(rule.context):
        names = tuple(
            dict.fromkeys(
                n
                for i, s, e, n in cues
                if i == index
                and _near(context, s, e, entity, text, grid)
                and (rule.officials or not _at_work(text, entity, s, e))
            )
        )
        if names:
            return context.level, names
    return None


DETECTOR = EntityDetector
example = text_example


def read_fields(
    name: str, raw: dict[str, Any], files: dict[str, bytes], problems: Problems
) -> dict[str, Any]:
    """An entity rule: which label it reports, and the cues that must stand near it."""
    label = raw.get("entity")
    if label not in ENTITY_LABELS:
        problems.add(
            located(name, raw, "entity" if "entity" in raw else None),
            _("'entity' must be one of {labels} (got {got})").format(
                labels=listed(ENTITY_LABELS), got=repr(label)
            ),
        )
    context = read_context(name, raw, problems, _cue)
    if not context:
        # A name alone is not a finding: only the combinations that leak are.
        problems.add(located(name, raw), _("an entity rule needs at least one 'context' entry"))
    own = entity_patterns(name, raw.get("patterns", []), located(name, raw, "patterns"), problems)
    officials = raw.get("officials", True)
    if not isinstance(officials, bool):
        problems.add(
            located(name, raw, "officials"),
            _("'officials' must be true or false (got {got})").format(got=repr(officials)),
        )
        officials = True
    return {"entity": str(label), "context": context, "patterns": own, "officials": officials}


def _cue(name: str, entry: dict[str, Any], _where: str, level: Level | None, problems: Problems) -> Context:
    """A context entry of an entity rule: words, or a regex (optionally validated) with a name.
    Its problems are placed at the entry itself, not at the rule's `context` field."""
    where = located(name, entry)
    for key in sorted(k for k in entry if not k.startswith("__") and k not in _CUE_FIELDS):
        problems.add(
            where,
            _("unknown context field '{key}'; one of {fields}").format(
                key=key, fields=listed(sorted(_CUE_FIELDS))
            ),
        )
    words = read_strings(entry, "words", where, problems)
    regex, validate = entry.get("regex", ""), entry.get("validate", "")
    if bool(words) == bool(regex):
        problems.add(where, _("a context entry of an entity rule needs either 'words' or 'regex'"))
    if regex:
        _check_cue_regex(entry, str(regex), where, problems)
    check_validator(validate, where, problems)
    side = entry.get("side", "both")
    if side not in _SIDES:
        problems.add(
            where,
            _("'side' must be one of {sides} (got {got})").format(sides=listed(_SIDES), got=repr(side)),
        )
    return Context(
        words=words,
        window=max(0, entry["window"]),
        level=level or Level.REVIEW,
        regex=str(regex),
        validate=str(validate),
        side=str(side),
        name=str(entry.get("name", "")).strip(),
    )


def _check_cue_regex(entry: dict[str, Any], regex: str, where: str, problems: Problems) -> None:
    check_regex(regex, where, problems, CONTEXT_REGEX)
    if not isinstance(entry.get("name"), str) or not entry["name"].strip():
        # The matched cue may be an ID number: reports name it, never print it.
        problems.add(where, _("a regex context entry needs a 'name' to show in reports"))


def entity_patterns(name: str, value: object, where: str, problems: Problems) -> tuple[EntityPattern, ...]:
    """Recognizer patterns in EntityRuler form: {id, label, pattern: [token dicts], weight}."""
    if not isinstance(value, list):
        problems.add(where, _("'patterns' must be a list of {id, label, pattern, weight}"))
        return ()
    found = []
    for entry in value:
        spot = located(name, entry, None) if isinstance(entry, dict) else where
        tokens = entry.get("pattern") if isinstance(entry, dict) else None
        if (
            not isinstance(tokens, list)
            or not tokens
            or not all(isinstance(t, dict) and _plain(t) for t in tokens)
        ):
            problems.add(spot, _("a pattern needs 'pattern': a non-empty list of token mappings"))
            continue
        pattern_id, label, weight = entry.get("id"), entry.get("label"), entry.get("weight", 1.0)
        if not isinstance(pattern_id, str) or not RULE_ID.fullmatch(pattern_id):
            problems.add(
                spot,
                _("a pattern needs an 'id' like 'person.title_before' (got {got})").format(
                    got=repr(pattern_id)
                ),
            )
        elif label not in ENTITY_LABELS:
            problems.add(
                spot,
                _("{pattern}: 'label' must be one of {labels}").format(
                    pattern=pattern_id, labels=listed(ENTITY_LABELS)
                ),
            )
        elif isinstance(weight, bool) or not isinstance(weight, int | float):
            problems.add(spot, _("{pattern}: 'weight' must be a number").format(pattern=pattern_id))
        else:
            text = json.dumps([_clean(t) for t in tokens], ensure_ascii=False, sort_keys=True)
            found.append(EntityPattern(id=pattern_id, label=label, pattern=text, weight=weight, origin=spot))
    return tuple(found)


def _plain(token: dict[str, Any]) -> bool:
    return any(not k.startswith("__") for k in token)


def _clean(value: Any) -> Any:
    """A token pattern without the loader's line bookkeeping."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
