"""Map table grids to canonical table kinds by title (aliases in templates.toml), stitch
tables continued across pages, read each table's unit and split header from data rows."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.model import Block, Table

MONEY = re.compile(r"^(?:[-－−]?\d[\d,]*(\.\d+)?|[(（]\d[\d,]*(\.\d+)?[)）])$")
YEAR = re.compile(r"\d{4}\s*年(度)?")
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_SPACE = re.compile(r"\s+")
_UNIT = re.compile(r"单位[:：]\s*(万元|千元|元)")
NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])")
_CODE = re.compile(r"^\d{3,}$")
_COLUMN_NUMBER = re.compile(r"^(\*+|\d{1,2})$")
_TITLE_END = re.compile(r"表(?:[（(][^）)]*[）)])?$")  # a title ends with 表, maybe (单位：元)
_AFTER_TITLE = re.compile(
    r"(?:单位名称|部门名称|预算单位|编制单位|编制部门|金额单位|填报单位|部门|单位)[:：].*$")
# words that templates add to or drop from the same title (收支总体情况表 = 部门收支总表,
# 2026年市级部门收支预算总表 = 收支预算总表): removed from titles and aliases alike
_FILLER = re.compile(
    r"部门|本级|本年|情况|综合|公开|市级|预算单位|体|[（(]?按[^）)]*分类[^）)]*[）)]?")


@cache
def templates() -> dict[str, Any]:
    with open(Path(__file__).with_name("templates.toml"), "rb") as handle:
        return tomllib.load(handle)


def table_layout(kind: str) -> str:
    """How a table's rows are read: coded, labelled, two_sided, outline or performance."""
    return templates()["tables"][kind]["layout"]


def norm(text: str) -> str:
    """Text as compared with aliases: no white space, no quotation marks."""
    return _QUOTES.sub("", _SPACE.sub("", text))


def row_key(label: str) -> str:
    """A label without numbering and spaces: '1、一般公共预算拨款收入' -> '一般公共预算拨款收入'."""
    return NUMBERED.sub("", norm(label))


# an amount written as one (2.00, 46,516,700), not a serial number or a code
WRITTEN_AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+\.\d+$")


def is_money(cell: str) -> bool:
    return bool(MONEY.match(cell.replace("\n", "").replace(" ", "")))


def title_text(title: str) -> str:
    """A title as compared with aliases: no year, white space, quotes or filler words."""
    return _FILLER.sub("", norm(YEAR.sub("", title)))


@cache
def _aliases() -> tuple[tuple[str, str], ...]:
    """(alias as compared, table id): tables whose subject outranks the rest first (a
    政府性基金 table titled 财政拨款支出预算表 is a 政府性基金 table), then longest first."""
    tables = templates()["tables"]
    pairs = {(title_text(alias), kind) for kind, spec in tables.items()
             for alias in spec["aliases"]}
    return tuple(sorted(pairs, key=lambda p: (-tables[p[1]].get("rank", 0), -len(p[0]), p)))


@cache
def table_kind(title: str) -> str | None:
    """The canonical table id whose longest alias occurs in the title, if any."""
    text = title_text(title)
    return next((kind for alias, kind in _aliases() if alias and alias in text), None)


def _is_column_numbers(row: tuple[str, ...]) -> bool:
    cells = [c for c in row if c]
    return len(cells) >= 2 and all(_COLUMN_NUMBER.match(c) for c in cells)


def _is_data(row: tuple[str, ...]) -> bool:
    cells = [norm(c) for c in row if c.strip()]
    return any(is_money(c) or _CODE.match(c) or NUMBERED.match(c) for c in cells)


def split_header(rows: tuple[tuple[str, ...], ...]) -> tuple[list[tuple[str, ...]], list[int]]:
    """Header rows (leading rows with no figure, code or numbered label) and data row indexes."""
    header: list[tuple[str, ...]] = []
    data: list[int] = []
    for index, row in enumerate(rows):
        if _is_column_numbers(row):
            continue
        if not data and not _is_data(row):
            header.append(row)
        else:
            data.append(index)
    return header, data


_FORM_NAME = re.compile(r"(?:项目|转移支付|专项资金)名称[:：]?$")


def is_form(rows: tuple[tuple[str, ...], ...]) -> bool:
    """A table printed as one form per project (项目名称 | X | 主管部门 | Y; 年度金额; 年度目标;
    一级指标 | 二级指标 | 三级指标 | 指标值): it opens with a name label and its value on one row,
    and has no header of its own (a header row names a column after 项目名称, not a value)."""
    cells = [norm(c) for c in rows[0] if norm(c)] if rows else []
    heads = {norm(w) for section in ("headers", "form")
             for words in templates()["performance"][section].values() for w in words}
    return len(cells) >= 2 and bool(_FORM_NAME.search(cells[0])) and cells[1] not in heads


_CODE_HEADS = {"类", "款", "项"}


def lift_code_heads(header: list[tuple[str, ...]], rows: list[tuple[str, ...]]
                    ) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """A first data row that also carries the 类 / 款 / 项 heads (a merged header line,
    '类 款 项 合计 2,946.25'): the heads move up into the header, the figures stay."""
    if not rows or not any(norm(c) in _CODE_HEADS for c in rows[0]):
        return header, rows
    first = rows[0]
    heads = tuple(c if norm(c) in _CODE_HEADS else "" for c in first)
    kept = tuple("" if norm(c) in _CODE_HEADS else c for c in first)
    return header + [heads], [kept] + rows[1:]


# heads of a block of columns for another year than the table's own, or for the change
_YEAR_HEAD = re.compile(r"^(20\d{2})年度?(?:预算数?|决算数?)?$")
PERIOD = re.compile(
    r"^(?:上年(?:预算|执行|决算)?数?|当年|本年|增减(?:变化)?(?:情况)?|比上年增减|增减额)$")


WITHIN = "其中"  # a head over columns that are parts of the columns before them


def column_paths(header: list[tuple[str, ...]], width: int) -> tuple[tuple[str, ...], ...]:
    """For each column, the non-empty header cells above it, top to bottom. A period head
    (上年 | 当年 | 增减变化情况) spans the columns to its right up to the next head."""
    years = {int(m.group(1)) for row in header for c in row if (m := _YEAR_HEAD.match(norm(c)))}
    spread = []
    for depth, row in enumerate(header):
        cells, period = list(row), ""
        for col, cell in enumerate(cells):
            year = _YEAR_HEAD.match(norm(cell))
            if year and len(years) > 1:  # 2021年 | 2022年 side by side: the later is this year's
                cell = cells[col] = "当年" if int(year.group(1)) == max(years) else "上年"
            if norm(cell):
                period = norm(cell) if PERIOD.match(norm(cell)) or norm(cell) == WITHIN else ""
            elif period and (period != WITHIN or any(
                    col < len(below) and norm(below[col]) for below in header[depth + 1:])):
                cells[col] = period  # 其中 spans the headed columns to its right
        spread.append(tuple(cells))
    return tuple(
        tuple(norm(row[col]) for row in spread if col < len(row) and norm(row[col]))
        for col in range(width)
    )


def recognise(blocks: list[Block], name: str) -> list[Table]:
    """Tables of the document in order of first appearance, continuations stitched."""
    return recognise_all(blocks, name)[0]


def recognise_all(blocks: list[Block], name: str
                  ) -> tuple[list[Table], list[str], list[tuple[str, str, str]]]:
    """Tables, the places of grids that belong to no known table, and the parts of tables
    that could not be joined to the rest (kind, place, reason).

    A grid belongs to the last title seen if that title came after the previous grid, or if
    the grid continues the table: it has no header rows, or repeats the table's header."""
    fragments: list[tuple[str, str, str, Block, bool]] = []  # kind, title, unit, grid, all data
    headers: dict[str, list[tuple[str, ...]]] = {}
    skipped: list[str] = []
    title: tuple[str, str] | None = None
    unit, fresh, title_page, unknown = "", False, "", False  # "": no unit line seen yet
    loose: list[Block] = []  # lines with figures between the pages of one table
    lost: dict[str, list[str]] = {}
    for block in blocks:
        lead = _title_rows(block) if block.kind == "table" else 0
        if lead:
            named = [c for row in block.rows[:lead] for c in row
                     if c and _TITLE_END.search(_title_part(c))]  # '公开02表', '收入总表'
            heading = next((c for c in named if table_kind(_title_part(c))), named[-1])
            kind = table_kind(_title_part(heading))  # None: a table the templates do not know
            title, unit, fresh = ((kind, heading) if kind else None), "", True
            title_page, unknown = _page(block.where), kind is None
            found = _UNIT.search(norm(" ".join(c for row in block.rows[:lead] for c in row)))
            unit = found.group(1) if found else unit
            block = replace(block, rows=block.rows[lead:], row_where=block.row_where[lead:])
        if block.kind == "table":
            header = [tuple(norm(c) for c in row) for row in split_header(block.rows)[0]]
            near = fresh and _page(block.where) == title_page
            unheaded = title is not None and title[0] in headers and not near and \
                not any(is_header_word(c) for row in header for c in row)
            if title is not None and (near or not header or header == headers.get(title[0])
                                      or unheaded):
                if loose and fragments and fragments[-1][0] == title[0]:
                    lost.setdefault(title[0], []).extend(b.where + "：" + b.text for b in loose)
                loose = []
                fragments.append((title[0], title[1], unit, block, unheaded))
                headers.setdefault(title[0], header)
                if len(header) == len(block.rows):  # only the head of the table on this page
                    headers.pop(title[0])
                    fresh, title_page = True, _page(block.where)
                    next_page = title_page.split()[-1:] or [""]
                    title_page = f"page {int(next_page[0]) + 1}" if title_page else ""
                    continue
            elif any(is_money(c) for row in block.rows for c in row):
                kind = None if unknown or title is not None else by_header(header, block.rows)
                if kind is None:
                    skipped.append(block.where)
                else:  # a table without a title, known by what its header and rows hold
                    title = (kind, BY_HEADER)
                    fragments.append((kind, BY_HEADER, unit, block, False))
                    headers.setdefault(kind, header)
            fresh = False
            continue
        spilled = _spilled_row(block, fragments[-1][3] if fragments else None)
        if spilled is not None and title is not None and fragments[-1][0] == title[0]:
            fragments.append((title[0], title[1], unit, spilled, True))
            continue
        if title is not None and fragments and fragments[-1][0] == title[0] and \
                page_number(block.where) > page_number(fragments[-1][3].where) and \
                _WRITTEN_FIGURE.search(block.text):
            loose.append(block)  # a row outside the ruling, if the table goes on after it
        kind = table_kind(block.text) if _TITLE_END.search(_title_part(block.text)) else None
        if kind is not None and len(norm(block.text)) <= 60:
            title, unit, fresh, loose = (kind, block.text), "", True, []
            title_page, unknown = _page(block.where), False
        elif block.kind == "heading" or (_TITLE_END.search(_title_part(block.text))
                                          and len(norm(block.text)) <= 60
                                          and not _TABLE_NUMBER.match(_title_part(block.text))):
            unknown = block.kind != "heading"  # the title of a table no template knows
            title = None
        found = _UNIT.search(norm(block.text))
        if found:
            unit = found.group(1)
    titled = {f[0] for f in fragments if f[1] != BY_HEADER}
    fragments = [f for f in fragments if f[1] != BY_HEADER or f[0] not in titled]
    stated = Counter(f[2] for f in fragments if f[2])
    usual = stated.most_common(1)[0][0] if stated else "万元"  # the document's own convention
    tables, problems = _stitch([(k, t, u or usual, b, a) for k, t, u, b, a in fragments])
    return [replace(t, lost=tuple(lost.get(t.kind, ()))) for t in tables], skipped, problems


BY_HEADER = "（按表头识别）"  # the title of a table recognised by its header and rows
_CODE_CELL = re.compile(r"^[\[【(（]?([23]\d{2}(?:\d{2}){0,2})(?:[\]】)）]|[-－—:：、\s]|$)")


def by_header(header: list[tuple[str, ...]], rows: tuple[tuple[str, ...], ...]) -> str | None:
    """The kind of a table printed without a title, from what its header and rows hold:
    三公 items; two sides of 收入 and 支出; rows coded by function (2xx) with 基本支出 and
    项目支出 columns. None when nothing says it clearly."""
    words = {norm(YEAR.sub("", c)) for row in header for c in row if c}
    text = "".join(sorted(words))
    if "公务接待费" in words and any("因公出国" in w for w in words):
        return "three_public"
    if {"收入", "支出"} <= words or any(w.startswith("收入") for w in words) and \
            any(w.startswith("支出") for w in words):
        return "appropriation_summary" if "财政拨款" in text else "summary"
    codes = [m.group(1) for r in rows for c in r[:3] if (m := _CODE_CELL.match(c.strip()))]
    if len(codes) * 2 < len(rows) or not {"基本支出", "项目支出"} <= words:
        return None
    if all(c.startswith("2") for c in codes):
        return ("general_budget_expenditure" if "一般公共预算" in text else
                "government_fund" if "政府性基金" in text else "expenditure")
    return None


_WRITTEN_FIGURE = re.compile(r"\d[\d,]*\.\d{2}(?!\d*%)")
_FIGURES = re.compile(r"^(\S+?)((?:\s+-?\d[\d,]*(?:\.\d+)?)+)$")


def _spilled_row(block: Block, last: Block | None) -> Block | None:
    """The closing row of a table that a page break pushed onto the next page outside any
    ruling ('合计 156,211,123 99,706,020 56,505,103'): a line with a label and as many
    figures as the table's last row has, laid into the same columns."""
    found = _FIGURES.match(block.text.strip()) if block.kind == "paragraph" else None
    if found is None or last is None or not last.rows or \
            page_number(block.where) != page_number(last.where) + 1:
        return None  # only the page after the table's last one
    figures = found.group(2).split()
    row = last.rows[-1]
    label = next((i for i, c in enumerate(row) if c and not is_money(c)), None)
    places = [i for i, cell in enumerate(row) if cell and is_money(cell)][-len(figures):]
    if label is None or len(places) != len(figures) or places[0] <= label:
        return None
    cells = [""] * len(row)
    cells[label] = found.group(1)
    for place, figure in zip(places, figures, strict=True):
        cells[place] = figure
    return replace(last, rows=(tuple(cells),), row_where=(block.where,), where=block.where)


# a table's number alone ('公开01表', '表1', '预算01表', '附表3'), printed beside its title
_TABLE_NUMBER = re.compile(r"^(?:[^表]{0,6}\d{1,2}表|附?表[\d一二三四五六七八九十]+)$")


def _title_part(text: str) -> str:
    """A title line without what may follow it on the same line (部门：…, 单位：…)."""
    return _AFTER_TITLE.sub("", norm(text))


def _title_rows(block: Block) -> int:
    """How many leading rows of a grid hold its title drawn inside the table's frame: rows of
    one or two cells without figures ('公开02表' / '收入总表' / '部门：… 单位：万元'), one
    of them a table's title. 0 when the grid does not begin with its title."""
    titled = 0
    for index, row in enumerate(block.rows[:4]):
        cells = [c for c in row if c]
        if len(cells) > 2 or any(is_money(c) for c in cells) or index == len(block.rows) - 1:
            break
        if len(cells) == 1 and _TITLE_END.search(_title_part(cells[0])):
            titled = index + 1
        elif titled:
            titled = index + 1 if _UNIT.search(norm(" ".join(cells))) else titled
    return titled


def page_number(where: str) -> int:
    """9 for 'page 9' or 'x.pdf: page 9, line 3'; -1 for a place without pages."""
    found = re.search(r"page (\d+)", where)
    return int(found.group(1)) if found else -1


def _page(where: str) -> str:
    """'page 9' of a paged source, '' for sources without pages (titles are then near)."""
    return where.split(",")[0] if where.startswith("page") or ": page" in where else ""


def is_header_word(cell: str) -> bool:
    """A word that heads a column in some template (类, 功能科目, 合计, 基本支出, …)."""
    return norm(YEAR.sub("", cell)) in _header_words()


@cache
def _header_words() -> frozenset[str]:
    words = [w for section in ("columns", "measures") for aliases in templates()[section].values()
             for w in aliases]
    return frozenset(norm(w) for w in words)


def realign(rows: tuple[tuple[str, ...], ...], columns_x: tuple[tuple[float, float], ...],
            target_x: tuple[tuple[float, float], ...]) -> tuple[tuple[str, ...], ...]:
    """Rows of a continuation page laid into the first page's columns by x position: each
    cell goes to the column it matches best (overlap over union: a column stretched by a
    title spanning the table does not swallow the narrow ones)."""
    def home(extent: tuple[float, float]) -> int:
        overlaps = [(min(extent[1], t[1]) - max(extent[0], t[0])) /
                    max(max(extent[1], t[1]) - min(extent[0], t[0]), 1) for t in target_x]
        return max(range(len(target_x)), key=overlaps.__getitem__)

    homes = [home(extent) for extent in columns_x]
    laid = []
    for row in rows:
        cells = [""] * len(target_x)
        for index, cell in enumerate(row):
            if cell and index < len(homes):
                cells[homes[index]] += cell
        laid.append(tuple(cells))
    return tuple(laid)


def _stitch(fragments: list[tuple[str, str, str, Block, bool]]
            ) -> tuple[list[Table], list[tuple[str, str, str]]]:
    tables: dict[str, Table] = {}
    problems: list[tuple[str, str, str]] = []
    for kind, title, unit, grid, all_data in fragments:
        header, data = ([], list(range(len(grid.rows)))) if all_data or is_form(grid.rows) \
            else split_header(grid.rows)
        width = max(len(row) for row in grid.rows)
        header, lifted = lift_code_heads(header, [grid.rows[i] for i in data])
        rows = tuple(lifted)
        lines = tuple(grid.row_where[i] if grid.row_where else grid.where for i in data)
        if kind not in tables or not tables[kind].rows:  # a head alone is replaced by the table
            tables[kind] = Table(kind, title, unit, column_paths(header, width), rows, lines,
                                 grid.where, grid.columns_x)
            continue
        first = tables[kind]
        layout = table_layout(kind)
        if width != len(first.columns) and first.columns_x and grid.columns_x and \
                layout != "performance":
            rows, width = realign(rows, grid.columns_x, first.columns_x), len(first.columns)
        if layout != "performance" and width != len(first.columns):
            problems.append((kind, grid.where,
                             f"续表有 {width} 栏，表首为 {len(first.columns)} 栏"))
            continue
        if unit != first.unit:
            problems.append((kind, grid.where, f"续表单位为{unit}，表首为{first.unit}"))
            continue
        tables[kind] = Table(kind, first.title, first.unit, first.columns, first.rows + rows,
                             first.row_where + lines, first.where, first.columns_x)
    return list(tables.values()), problems
