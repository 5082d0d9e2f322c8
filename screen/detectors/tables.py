"""What a table says about a place in it, for the pattern and entity rules.

The readers record each table's rows and cells on the reader's layer (`screen.source.tables`,
where the design is explained). `Grid` puts them in the coordinates of the text a detector reads
(a `Projection` of the layer) and answers: which cell and row a position is in (`same_row`: the
cells of one row are one record, whatever the window of a rule), what the header of its column
says (`header`: a cue word there counts for every cell below it), and which cells a name header
makes names (`names`).

A form (登记表, 报名表: a label cell and its value in the next cell, on two rows or more; labels
from `FORM_LABELS`) is about one person: the whole table is one record (`same_row` holds across
its rows), and a label is the context of the value beside it, as a header is of its column.

The header's vocabulary for names is `NAME_HEADERS`, the one list of it. A header cell is read as
context only when it reads as a label (short, no digits): a table whose first row is data, taken
for a header by a reader, lends its data to no other row."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import NamedTuple

from screen.model import Entity
from screen.normalize import HIDDEN, Projection, noise_re
from screen.source.layers import Cell, Layer
from screen.source.tables import trimmed

# Column headers whose cells are people's names (folded, noise removed); a header ending in 姓名
# (户主姓名, 申请人姓名) is one too.
NAME_HEADERS = frozenset(
    "姓名 名字 申请人 户主 联系人 负责人 法定代表人 法人代表 经办人 收款人 领款人 持卡人 "  # noqa: SIM905
    "开户人 户名 当事人 被处罚人 受处罚人 救助对象 受助人 获奖人 监护人 申报人 承包人 被征收人 "
    "权利人 学生 考生 患者 拟录用人员 拟聘人员 候选人".split()
)
# The labels of a form's fields (登记表, 报名表, 申请表: a label in one cell, its value in the next
# cell of the row). A table with a label and its value on two rows or more is a form about one
# person: the whole table is one record, and a label is the context of its value.
FORM_LABELS = NAME_HEADERS | frozenset(
    "性别 民族 年龄 出生年月 出生日期 籍贯 身份证号 身份证号码 公民身份号码 证件号码 联系电话 "  # noqa: SIM905
    "电话 手机 手机号 手机号码 家庭住址 住址 家庭地址 户籍地址 现住址 工作单位 政治面貌 学历 "
    "银行账号 银行卡号 开户行 账号 病史 健康状况 宗教信仰".split()
)
_FORM_ROWS = 2  # rows that hold a label and its value, for a table to be a form
_LABEL_END = re.compile(r"[:：\s]+$")
_LABEL_MAX = 12  # a column label is a few words
_DIGIT = re.compile(r"[0-9]")
# A personal name alone in its cell: 2 to 4 Han characters, or names joined by a dot (买买提·艾力);
# a name left out (张某, 李某某) is no one's.
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,10}(?:[·•・‧][\u4e00-\u9fff]{1,10}){1,3}")
_NAMELESS = "某"
# An office is no person, though its name has a name's length (联系人: 办公室, 值班室, 信访科),
# unless the text reads as a name (李振科): the caller's `Person` decides, from its dictionary.
_OFFICE = re.compile(r"(?:室|处|科|局|办|部|厅|委|站|所|院|股|队|中心|公司|银行|热线|电话|窗口|大厅)$")
Person = Callable[[str, str], bool]  # (a cell's text ending like an office, the text before the ending)
# A cell that holds nothing: blank, a dash, a slash, 无.
_EMPTY = re.compile(r"[\s\-—–－/／\\*＊.。、…无]*")


class Placed(NamedTuple):
    """A cell in the projected text: [start, end), its table (index in the layer), row (index in
    the table), column, whether it is below the header, and whether it is a heading cell."""

    start: int
    end: int
    table: int
    row: int
    column: int
    body: bool
    label: bool


class Grid:
    """The tables of one layer, in the coordinates of one projection of it. Cheap until asked
    about a place: the header labels are read first, the cells placed only when needed."""

    def __init__(self, layer: Layer, projection: Projection) -> None:
        self.layer = layer
        self.projection = projection
        self.text = projection.text
        self.headers: dict[tuple[int, int], str] = {}  # (table, column) → the header's label
        self.forms: set[int] = set()  # the tables that are forms: one record each
        self.labels: dict[tuple[int, int, int], str] = {}  # a form's (table, row, column) → label
        for number, table in enumerate(layer.tables):
            labelled = _form_values(layer, number, table.rows)
            if len({row for _table, row, _column in labelled}) >= _FORM_ROWS:
                self.forms.add(number)
                self.labels.update(labelled)
                continue  # a form's first row names no column
            for cell in table.rows[table.header] if table.header >= 0 else ():
                shown = _shown(layer, cell)
                if _label(shown):
                    self.headers[number, cell.column] = shown
        self._cells: list[Placed] | None = None
        self._starts: list[int] = []

    def __bool__(self) -> bool:
        return bool(self.layer.tables)

    def _placed(self) -> list[Placed]:
        if self._cells is not None:
            return self._cells
        cells = []
        for number, table in enumerate(self.layer.tables):
            for index, row in enumerate(table.rows):
                body = index > table.header >= 0
                for cell in row:
                    start = self.projection.from_origin(cell.start)
                    end = self.projection.from_origin(cell.end)
                    if self.text[start : start + 1].isspace() or self.text[end - 1 : end].isspace():
                        start, end = trimmed(self.text, start, end)  # markup hid an edge
                    if end > start:
                        cells.append(Placed(start, end, number, index, cell.column, body, cell.label))
        cells.sort(key=lambda cell: cell.start)
        self._cells, self._starts = cells, [cell.start for cell in cells]
        return cells

    def cell_at(self, position: int) -> Placed | None:
        cells = self._placed()
        index = bisect_right(self._starts, position) - 1
        if index >= 0 and position < cells[index].end:
            return cells[index]
        return None

    def same_row(self, first: int, second: int) -> bool:
        """Whether the two positions are in two different cells of one table row, or of one form
        (a form is one record, whatever row its fields are on)."""
        if not self:
            return False
        one, other = self.cell_at(first), self.cell_at(second)
        if one is None or other is None or one is other:
            return False
        return self._record(one) == self._record(other)

    def _record(self, cell: Placed) -> tuple[int, ...]:
        """What a cell belongs to as a record: its table if it is a form, else its row."""
        return (cell.table,) if cell.table in self.forms else (cell.table, cell.row)

    def row_around(self, position: int) -> tuple[int, int] | None:
        """[start, end) of the record (a table row, or a whole form) whose cell holds `position`,
        or None outside a table."""
        cell = self.cell_at(position) if self else None
        if cell is None:
            return None
        cells, record = self._placed(), self._record(cell)
        first = last = bisect_right(self._starts, position) - 1
        while first > 0 and self._record(cells[first - 1]) == record:
            first -= 1
        while last + 1 < len(cells) and self._record(cells[last + 1]) == record:
            last += 1
        return cells[first].start, cells[last].end

    def header(self, position: int) -> str:
        """The header of the column of the body cell at `position` ('' if there is none)."""
        if not self.headers and not self.labels:
            return ""
        cell = self.cell_at(position)
        if cell is not None and cell.table in self.forms:
            return self.labels.get((cell.table, cell.row, cell.column), "")
        return self.headers.get((cell.table, cell.column), "") if cell and cell.body else ""

    def columns(self, wanted: Callable[[str], bool]) -> Iterator[tuple[str, list[Placed]]]:
        """Each column whose header label is `wanted`, with its body cells that hold something."""
        labels = {header for header in set(self.headers.values()) if wanted(header)}
        if not labels:  # a page of tables repeats its headers: each is asked once
            yield from self._values(wanted)
            return
        keys = {key for key, header in self.headers.items() if header in labels}
        below: dict[tuple[int, int], list[Placed]] = {}
        for cell in self._placed():
            key = (cell.table, cell.column)
            if cell.body and key in keys and not _EMPTY.fullmatch(self.text[cell.start : cell.end]):
                below.setdefault(key, []).append(cell)
        for key, cells in below.items():
            yield self.headers[key], cells
        yield from self._values(wanted)

    def _values(self, wanted: Callable[[str], bool]) -> Iterator[tuple[str, list[Placed]]]:
        """Each form label that is `wanted`, with the value cell beside it."""
        keys = {key for key, label in self.labels.items() if wanted(label)}
        if not keys:
            return
        for cell in self._placed():
            key = (cell.table, cell.row, cell.column)
            if key in keys and not _EMPTY.fullmatch(self.text[cell.start : cell.end]):
                yield self.labels[key], [cell]

    def names(self, person: Person) -> tuple[Entity, ...]:
        """A PERSON for each body cell under a name header that holds a name alone."""
        return tuple(
            Entity(label="PERSON", start=cell.start, end=cell.end, score=1.0)
            for _header, cells in self.columns(_name_header)
            for cell in cells
            if not cell.label and _name(self.text[cell.start : cell.end], person)
        )


def _shown(layer: Layer, cell: Cell) -> str:
    return layer.text[cell.start : cell.end].replace(HIDDEN, "").strip()


def _form_values(
    layer: Layer, number: int, rows: tuple[tuple[Cell, ...], ...]
) -> dict[tuple[int, int, int], str]:
    """(table, row, column) of each cell that holds a value right after a form label in its row
    (姓名 | 王海洋), with the label (without its colon)."""
    found: dict[tuple[int, int, int], str] = {}
    for index, row in enumerate(rows):
        for cell, after in pairwise(row):
            label, value = _plain_label(_shown(layer, cell)), _shown(layer, after)
            if (label in FORM_LABELS or _name_header(label)) and not (
                _EMPTY.fullmatch(value) or _form_label(value)
            ):
                found[number, index, after.column] = label
    return found


def _plain_label(text: str) -> str:
    """A label without noise and without the colon after it: 姓名： → 姓名."""
    return _LABEL_END.sub("", noise_re().sub("", text))


def _form_label(text: str) -> bool:
    return _plain_label(text) in FORM_LABELS


def _label(text: str) -> bool:
    """Whether a header cell reads as a column's label: a few words, no number."""
    return len(text) <= _LABEL_MAX and not _DIGIT.search(text)


def _name(text: str, person: Person) -> bool:
    """Whether a cell holds a name alone (not a name left out, an office, or a header word)."""
    if not _NAME.fullmatch(text) or _NAMELESS in text or _name_header(text) or _form_label(text):
        return False
    office = _OFFICE.search(text)
    return office is None or person(text, text[: office.start()])


def _name_header(text: str) -> bool:
    plain = noise_re().sub("", text)
    return plain in NAME_HEADERS or (plain.endswith("姓名") and len(plain) <= _LABEL_MAX)


def with_names(grid: Grid, entities: tuple[Entity, ...], person: Person) -> tuple[Entity, ...]:
    """`entities` with the names the grid's headers make, which win over any entity they overlap."""
    named = grid.names(person)
    if not named:
        return entities
    starts = [n.start for n in named]  # sorted, apart: one a cell
    kept = []
    for entity in entities:
        index = bisect_right(starts, entity.end - 1) - 1  # the last name starting inside or before
        if index < 0 or named[index].end <= entity.start:
            kept.append(entity)
    return tuple(sorted((*kept, *named), key=lambda e: e.start))
