"""Columns of a standard table: each column's role (code, label, measure) and measure id from
its header path, sides of two-sided tables, and the blocks of columns a header spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import Table
from pipeline.recognise import (
    PERIOD,
    WITHIN,
    WRITTEN_AMOUNT,
    YEAR,
    is_money,
    norm,
    table_layout,
    templates,
)

_WITHIN = re.compile(r"^其中[:：]?")  # '其中：基本支出' heads the 基本支出 column


@dataclass(frozen=True)
class Column:
    role: str  # code_class | code_item | code_sub | code | label | measure | ""
    measure: str = ""
    side: str = ""
    header: str = ""

    @property
    def within(self) -> bool:
        """Printed under a 其中 head of its own: a part of the columns before it."""
        return WITHIN in self.header.split("/")[:-1]


def _lookup(section: str, cell: str) -> str | None:
    for key, aliases in templates()[section].items():
        if cell in (norm(alias) for alias in aliases):
            return key
    return None


def column_of(path: tuple[str, ...]) -> Column:
    """A column's role from its header path. Measures are read from the top; a 预算数 /
    决算数 split under a measure (决算 tables print both) gives `<measure>_budget` for 预算数."""
    header = "/".join(path)
    if any(word in cell for cell in path for word in templates()["memo"]["words"]):
        return Column("", header=header)
    cells = [_WITHIN.sub("", YEAR.sub("", cell)) for cell in path]
    roles = [_lookup("columns", cell) for cell in cells]
    for role in ("code_class", "code_item", "code_sub", "code", "unit_code", "label"):
        if role in roles:
            return Column(role, header=header)
    joined = ["".join(cells[i:]) for i in range(len(cells) - 1)]  # headers wrapped in cells
    named = [(i, m) for i, cell in enumerate(cells + joined) if (m := _lookup("measures", cell))]
    if not named:
        return Column("", header=header)
    index, measure = named[0]
    if len(named) > 1 and named[1][0] < len(cells) and \
            named[1][1] in templates()["refines"].get(measure, ()):
        index, measure = named[1]  # 财政拨款 / 一般公共预算: the narrower head names it
    if measure != "amount" and cells[-1] == "预算数" and index < len(cells) - 1:
        measure += "_budget"
    period = next((norm(c) for c in cells if PERIOD.match(norm(c))), "")
    if period.startswith("上年"):
        measure += "_prior"  # last year's figure printed beside this year's
    elif period.startswith(("增减", "比上年")):
        measure += "_change"
    return Column("measure", measure, header=header)


_GENERALITY = {"总计": 3, "合计": 2, "小计": 1}


def _distinct_measures(columns: list[Column], paths: tuple[tuple[str, ...], ...]
                       ) -> list[Column]:
    """Two columns naming the same measure (江苏 三公 table: 合计 of all, and 三公经费/小计):
    the one with the longer header path keeps the id, the more general one is grand_<id>.
    Two that no 合计 / 总计 / 小计 tells apart (一般公共预算 under 本年收入 and again under
    上年结转结余) are the same words under different heads: the later one is not read."""
    for index, column in enumerate(columns):
        for other in range(index + 1, len(columns)):
            if any(c.role == "label" for c in columns[index:other]):
                break  # another side of a two-sided table
            if column.role == "measure" and columns[other].measure == column.measure:
                rank = [(_GENERALITY.get(next((norm(c) for c in reversed(paths[i])
                                               if norm(c) in _GENERALITY), ""), 0),
                         -len(paths[i])) for i in (index, other)]
                if rank[0][0] == rank[1][0] == 0:
                    columns[other] = Column("", header=columns[other].header)
                    continue
                general = index if rank[0] > rank[1] else other
                old = columns[general]
                columns[general] = Column(old.role, f"grand_{old.measure}", old.side, old.header)
    return columns


def _side_of(paths: tuple[tuple[str, ...], ...], columns: list[Column], label: int) -> str:
    """The side a label column starts: the side word over it, else over its neighbours (a
    header cell can sit over the column beside the one it heads)."""
    later = [i for i in range(label + 1, len(columns)) if columns[i].role != "label"]
    stop = next((i for i in range(label + 1, len(columns)) if columns[i].role == "label"),
                len(columns))
    for index in [label, label - 1] + [i for i in later if i < stop]:
        if 0 <= index < len(paths):
            named = [_lookup("sides", cell) for cell in reversed(paths[index])]
            if any(named):
                return next(s for s in named if s)
    return ""


def _pair_actuals(paths: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """决算 tables print 预算数 | 决算数 under one spanning head, which a grid keeps over the
    first column only: the 决算数 column takes the head of the 预算数 column beside it."""
    paired = list(paths)
    for index in range(1, len(paired)):
        if paired[index] == ("决算数",) and paired[index - 1][-1:] == ("预算数",):
            paired[index] = paired[index - 1][:-1] + ("决算数",)
    return _blocks_of_period(tuple(paired))


_PERIODS = ("预算数", "决算数")


def _blocks_of_period(paths: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """决算 tables that print a 预算数 block of columns, then a 决算数 block (预算数: 合计 |
    因公出国（境）费 | … 决算数: 合计 | …): each block's head spans its columns, and is
    read as the split under each measure (因公出国（境）费/预算数)."""
    if not all(any(p[:1] == (head,) for p in paths) for head in _PERIODS):
        return paths
    out, head = [], ""
    for path in paths:
        if path[:1] and path[0] in _PERIODS:
            head, path = path[0], path[1:]
        out.append(path + (head,) if head and path else path)
    return tuple(out)


def layout_columns(table: Table) -> list[Column]:
    """Columns with roles; in two-sided tables every label column starts a new side. A
    column with no header that holds words is a label column (江苏 收入预算总表)."""
    paths = _pair_actuals(table.columns)
    columns = [column_of(path) for path in paths]
    last_measure = max((i for i, c in enumerate(columns) if c.role == "measure"), default=-1)
    for index, column in enumerate(columns):
        if not column.role and index < last_measure and _wordy(table.rows, index) or \
                column.role.startswith("code") and _no_digits(table.rows, index):
            columns[index] = Column("label", header=column.header)
        elif not column.role and _amounts(table.rows, index) and paths[index] and not any(
                word in column.header for word in templates()["memo"]["words"]):
            columns[index] = Column("measure", paths[index][-1], header=column.header)
    columns = _distinct_measures(columns, paths)
    if table_layout(table.kind) != "two_sided":
        return columns
    sided: list[Column] = []
    side, used = "", set()
    for index, column in enumerate(columns):
        if column.role == "label":
            side = _side_name(_side_of(table.columns, columns, index), column.header, used)
        sided.append(Column(column.role, column.measure, side, column.header))
    return sided


def _amounts(rows: tuple[tuple[str, ...], ...], index: int) -> bool:
    """A column whose cells are amounts written as amounts (1,336,500.00; 0.00), not serial
    numbers or codes: a measure whose header no template names (上年实户资金余额). It is read
    under its printed header."""
    cells = [norm(r[index]) for r in rows if index < len(r) and r[index].strip()]
    return bool(cells) and all(is_money(c) for c in cells) and \
        any(WRITTEN_AMOUNT.match(c) for c in cells)


def _wordy(rows: tuple[tuple[str, ...], ...], index: int) -> bool:
    """A column whose cells are mostly words, not figures: the stub of a table whose header
    names it in words no template uses ('支出功能分类科目（按大类）')."""
    cells = [r[index] for r in rows if index < len(r) and r[index].strip()]
    words = [c for c in cells if not is_money(c)]
    return bool(words) and len(words) * 2 >= len(cells)


def _no_digits(rows: tuple[tuple[str, ...], ...], index: int) -> bool:
    """A column headed like a code column whose cells hold no codes ('采购品目大' / '类'
    wrapped over two header cells, over 一、货物): a label column."""
    cells = [r[index] for r in rows if index < len(r) and r[index].strip()]
    return bool(cells) and not any(char.isdigit() for cell in cells for char in cell)


def _side_name(side: str, header: str, used: set[str]) -> str:
    """A side id not used yet in the table. A table that lists expenditure three times (by
    function, by department and government economic class) names the later sides by the
    classification their stub column states; a side no side word heads takes the word its
    stub's header contains (部门预算支出经济分类科目: expenditure)."""
    base = side or next((s for s, words in templates()["sides"].items()
                         if any(w in header for w in words)), "side")
    name = base
    if name in used and "经济" in header:
        name = f"{base}_government_economic" if "政府" in header else f"{base}_economic"
    number = 2
    while name in used:
        name, number = f"{base}{number}", number + 1
    used.add(name)
    return name


def column_groups(columns: list[Column]) -> list[list[int]]:
    """Column indexes per group: coded tables printed twice side by side (人员经费 | 公用经费)
    start a new group at a code column that follows a measure column."""
    groups: list[list[int]] = [[]]
    for index, column in enumerate(columns):
        if column.role.startswith("code") and index and columns[index - 1].role == "measure":
            groups.append([])
        groups[-1].append(index)
    return groups
