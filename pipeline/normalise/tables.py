"""Financial tables (tables 1-8 of the template) to tidy line items in 万元."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from pipeline.model import LineItem, Table
from pipeline.normalise.columns import Column, column_groups, layout_columns
from pipeline.recognise import MONEY, NUMBERED, norm, row_key, table_layout, templates

UNIT_FACTOR = {"万元": Decimal(1), "千元": Decimal("0.1"), "元": Decimal("0.0001")}
BLANKS = {"", "-", "—", "－", "/", "--"}
_DIGITS = re.compile(r"\D")
# a label that carries its code: '2040601-行政运行', '[201]一般公共服务支出', '30101 基本工资'
CODED_LABEL = re.compile(
    r"^(?:[\[【(（](\d{3}|\d{5}|\d{7})[\]】)）]|(\d{3}|\d{5}|\d{7})[-－—:：、\s])\s*(\D.*)$")


def parse_amount(cell: str) -> Decimal | None:
    """'5,073.08' -> Decimal('5073.08'); blank or dash -> None; ValueError for anything else.

    A line break inside a number is a wrapped cell, never a separator: it is removed."""
    text = cell.replace("\n", "").replace(" ", "").replace(",", "").replace("，", "")
    if text in BLANKS:
        return None
    if text[:1] in "(（" and text[-1:] in ")）":  # (1,234.00): a negative, as accountants print
        text = "-" + text[1:-1]
    text = text.replace("－", "-").replace("−", "-")
    if not MONEY.match(text):
        raise ValueError(cell)
    return Decimal(text)


def to_wan(amount: Decimal, unit: str) -> Decimal:
    return amount * UNIT_FACTOR[unit]


@dataclass
class _CodeContext:
    cls: str = ""
    item: str = ""

    def code(self, parts: dict[str, str]) -> str:
        if "code" in parts:
            return parts["code"]
        if parts.get("code_class"):
            self.cls, self.item = parts["code_class"], ""
            if not parts.get("code_item"):
                return self.cls
        if parts.get("code_item"):
            self.item = parts["code_item"]
            if not parts.get("code_sub"):
                return self.cls + self.item
        if parts.get("code_sub"):
            return self.cls + self.item + parts["code_sub"]
        return ""


def _code_part(role: str, cell: str) -> str:
    """Digits of a code cell; 款 and 项 are two digits even where a spreadsheet dropped the
    leading zero before printing ('2' -> '02')."""
    digits = _DIGITS.sub("", cell)
    return digits.zfill(2) if role in ("code_item", "code_sub") else digits


@dataclass
class _Keys:
    """Row keys already used per side; a label printed again under another group (年初结转
    和结余's 一、一般公共预算财政拨款) is keyed under that group's label."""

    used: dict[str, set[str]] = field(default_factory=dict)
    group: dict[str, str] = field(default_factory=dict)
    units: dict[str, dict[str, int]] = field(default_factory=dict)

    def key(self, side: str, label: str, row: int) -> str:
        key = row_key(label)
        used = self.used.setdefault(side, set())
        if (key, row) not in used and any(k == key for k, r in used if r != row):
            key = numbered(f"{self.group.get(side, '')}/{key}",  # a repeated label is no group
                           lambda k: not any(u == k for u, r in used if r != row))
        elif key and not NUMBERED.match(norm(label)) and "计" not in key:
            self.group[side] = key
        used.add((key, row))
        return key

    def unit(self, side: str, code: str, row: int) -> str:
        """A unit code printed on two rows for two units (西安 153002 交通管理支队 and
        交通警察支队): the later row is `code#2`."""
        used = self.units.setdefault(side, {})
        return numbered(code, lambda k: used.setdefault(k, row) == row)


@dataclass
class _Outline:
    """Row keys of an outline table (政府采购支出表: 品目大类 › 单位 › 专项 › 经济科目 › 品目):
    each label cell of a row is a level of the outline at its column, and a row belongs under
    the nearest row above it that begins in an earlier column. A 品目大类 of the national
    procurement catalogue (货物 / 工程 / 服务) heads the rows that begin in its own column
    (the units under it): its level is one less (levels are twice the column). A row's key
    is the path of its levels joined by '/', its amounts belong to its last level; a total
    row is 合计."""

    open: list[tuple[int, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def key(self, labels: list[str]) -> tuple[str, str]:
        """(row key, label as printed on the row) from its label cells in printed order."""
        filled = [(2 * i, row_key(c)) for i, c in enumerate(labels) if norm(c)]
        if not filled:
            return "", ""
        label = "/".join(text for _, text in filled)
        if label in ("合计", "总计"):
            self.open = []
            return "合计", label
        category = _CATEGORY.match(filled[0][1])
        if category:  # keyed by the catalogue's word however it is numbered: A-货物, 一、货物A
            filled[0] = (filled[0][0] - 1, category.group(1))
        while self.open and self.open[-1][0] >= filled[0][0]:
            self.open.pop()
        for level, text in filled:
            path = f"{self.open[-1][1]}/{text}" if self.open else text
            self.open.append((level, path))
        key = numbered(self.open[-1][1], lambda k: k not in self.used)
        self.used.add(key)
        self.open[-1] = (self.open[-1][0], key)
        return key, label


def _join_wrapped_outline(rows: list[tuple[str, ...]], columns: list[Column]
                          ) -> list[tuple[str, ...]]:
    """A label that wrapped in its cell leaves its end on a row of its own, without figures
    ('无锡市水利局' / '（本级）'): where such a row has one cell, in the column of the last
    label of the row above, which has figures, the end is joined to that label."""
    labels = [i for i, c in enumerate(columns) if c.role == "label"]
    measures = [i for i, c in enumerate(columns) if c.role == "measure"]
    out = [list(r) for r in rows]
    for above, row in zip(out, out[1:], strict=False):
        filled = [i for i, cell in enumerate(row) if cell.strip()]
        if len(filled) == 1 and filled[0] in labels and _figures([above], 0, measures) and \
                max((i for i in labels if i < len(above) and above[i].strip()), default=-1) \
                == filled[0]:
            above[filled[0]] += row[filled[0]].strip()
            row[filled[0]] = ""  # the row stays, empty, so that rows keep their places
    return [tuple(r) for r in out]


_CATEGORY = re.compile(
    "^(?:[A-C][-－]?)?(" + "|".join(templates()["vocabulary"]["procurement_categories"]) +
    ")类?[A-C]?$")


def numbered(base: str, free: Callable[[str], bool]) -> str:
    """`base`, or `base#2`, `base#3`… the first that is `free`: one key printed again."""
    key, number = base, 2
    while not free(key):
        key, number = f"{base}#{number}", number + 1
    return key


def repair_wrapped_labels(rows: list[tuple[str, ...]], columns: list[Column]
                          ) -> list[tuple[str, ...]]:
    """A label that wrapped in a tall cell comes out of a PDF as fragments on the rows above
    and below its figure ('三、单位预留机动经' / 3,258.06 / '费'): join them on the figure's row."""
    rows = [list(r) for r in rows]
    for label in [i for i, c in enumerate(columns) if c.role == "label"]:
        measures = [i for i, c in enumerate(columns)
                    if c.role == "measure" and c.side == columns[label].side]
        for r in range(1, len(rows)):
            if not _figures(rows, r, measures) or _words(rows, r, label) or \
                    not _words(rows, r - 1, label) or _figures(rows, r - 1, measures):
                continue
            joined = _words(rows, r - 1, label)
            rows[r - 1][label] = ""
            after = _words(rows, r + 1, label)
            if after and not _figures(rows, r + 1, measures) and not NUMBERED.match(norm(after)):
                joined += after
                rows[r + 1][label] = ""
            rows[r][label] = joined
    _borrow_spanning_labels(rows, columns)
    _label_from_below(rows, columns)
    return [tuple(r) for r in rows]


def _label_from_below(rows: list[list[str]], columns: list[Column]) -> None:
    """Figures printed on the line above their label (合计 centred low in a tall cell): a row
    of figures with no words takes the words of the next row if that row has no figures."""
    measures = [i for i, c in enumerate(columns) if c.role == "measure"]
    words = [i for i, c in enumerate(columns) if c.role != "measure"]
    for r in range(len(rows) - 1):
        if _figures(rows, r, measures) and not any(_words(rows, r, i) for i in words) and \
                not _figures(rows, r + 1, measures) and any(_words(rows, r + 1, i) for i in words):
            for i in words:
                rows[r][i], rows[r + 1][i] = _words(rows, r + 1, i), ""


def _figures(rows: list[list[str]], r: int, measures: list[int]) -> bool:
    return any(i < len(rows[r]) and rows[r][i].strip() for i in measures)


def _words(rows: list[list[str]], r: int, label: int) -> str:
    return rows[r][label] if 0 <= r < len(rows) and label < len(rows[r]) else ""


def _borrow_spanning_labels(rows: list[list[str]], columns: list[Column]) -> None:
    """A total whose label spans two sides (当年支出小计 across 功能分类 and 支出用途) has its
    figure on the right side only: the figure's side takes the label."""
    labels = [i for i, c in enumerate(columns) if c.role == "label"]
    for row in rows:
        for left, right in zip(labels, labels[1:], strict=False):
            side_figures = [i for i, c in enumerate(columns) if c.role == "measure"
                            and c.side == columns[left].side and i < len(row) and row[i].strip()]
            wanted = any(i < len(row) and row[i].strip() for i, c in enumerate(columns)
                         if c.role == "measure" and c.side == columns[right].side)
            if row[left] and not row[right] and wanted and not side_figures:
                row[right], row[left] = row[left], ""


def classification(code: str, spec: dict) -> str:
    """Economic codes (301, 30101) begin with 3 and functional ones (201, 2010301) with 2;
    other codes take the table's own classification."""
    if "/" in code:  # a row classified several ways at once
        return "+".join(dict.fromkeys(classification(c, spec) for c in code.split("/")))
    kind = {"3": "economic", "2": "functional"}.get(code[:1])
    return kind if kind and len(code) in (3, 5, 7) else spec.get("classification", "none")


def line_items(doc_id: str, table: Table, unreadable: list[str] | None = None
               ) -> tuple[list[LineItem], list[str]]:
    """One LineItem per printed amount; problems (unreadable amounts, cut rows) as text. With
    `unreadable` (a table read by OCR, where one cell can be misread alone), an amount that
    is not a number is put there and its cell left out, instead of being a problem."""
    columns = layout_columns(table)
    problems = [f"表格线外的一行未能读取（{line}）" for line in table.lost]
    items: list[list[LineItem]] = []
    keys = _Keys()
    outline = _Outline() if table_layout(table.kind) == "outline" else None
    rows = list(table.rows)
    if outline:
        rows = _join_wrapped_outline(rows, columns)
    rows = repair_wrapped_labels(rows, columns)
    groups = column_groups(columns)
    contexts = [_CodeContext() for _ in groups]
    for number, (row, where) in enumerate(zip(rows, table.row_where, strict=True)):
        row_items: list[LineItem] = []
        if any(norm(cell) == "栏次" for cell in row):
            continue  # the row that numbers the columns (决算 tables: 栏次 | 1 | 2 | …)
        if len(row) < len(columns) and any(c.role == "measure" for c in columns[len(row):]):
            problems.append(f"{where}：该行只有 {len(row)} 格，表头有 {len(columns)} 栏"
                            "（行被截断？）")
            continue
        row = _span_labels(row, columns, groups)
        named = outline.key([c for c, column in zip(row, columns, strict=False)
                             if column.role == "label"]) if outline else None
        for group, context in zip(groups, contexts, strict=True):
            cells = [(columns[i], row[i] if i < len(row) else "") for i in group]
            row_items += _row_items(doc_id, table, cells, context, keys, number, where,
                                    problems, named, unreadable)
        items.append(row_items)
    return _number_blocks(items), problems


def _span_labels(row: tuple[str, ...], columns: list[Column], groups: list[list[int]]
                 ) -> tuple[str, ...]:
    """A label printed across two column groups (公用经费合计 over the 302 and 310 blocks,
    its figure under the second): the group with the figure and no stub takes the label."""
    cells = list(row)

    def filled(group: list[int], roles: tuple[str, ...]) -> list[int]:
        return [i for i in group if i < len(cells) and cells[i].strip() and
                columns[i].role.startswith(roles)]
    for before, group in zip(groups, groups[1:], strict=False):
        stub, label = filled(before, ("label", "code")), filled(group, ("label", "code"))
        labels = [i for i in group if columns[i].role == "label"]
        if stub and labels and not label and filled(group, ("measure",)) and \
                not filled(before, ("measure",)):
            cells[labels[-1]], cells[stub[-1]] = cells[stub[-1]], ""
    return tuple(cells)


def _number_blocks(rows: list[list[LineItem]]) -> list[LineItem]:
    """A coded table that prints the same code again with other figures is several blocks
    run together (北京 一般公共预算支出表: one block per unit, the units unnamed). Where the
    codes fall back in order a new block begins; rows of block n > 1 are keyed `code#n`. A
    code printed again right after itself for another line (30208 物业管理费 under 30208
    取暖费) is a misprinted row, not a new block."""
    items = [i for row in rows for i in row]
    seen: dict[tuple[str, str, str], Decimal] = {}
    if all(seen.setdefault((i.side, i.code, i.measure), i.amount_wan) == i.amount_wan
           for i in items if i.code and i.row_key == i.code):
        return items
    out: list[LineItem] = []
    top = min(len(i.code) for i in items if i.code and i.row_key == i.code)
    block: dict[str, int] = {}
    last: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in rows:
        for side in {i.side for i in row if i.code and i.row_key == i.code}:
            code, before = next(i.code for i in row if i.side == side), last.get(side, "")
            label = next(i.label for i in row if i.side == side)
            again = code == before and (len(code) == top or label == names.get(side))
            if before and (again or code < before and not before.startswith(code)):
                block[side] = block.get(side, 1) + 1
            last[side], names[side] = code, label
        out += [replace(i, row_key=f"{i.code}#{block[i.side]}")
                if i.code and i.row_key == i.code and block.get(i.side, 1) > 1 else i
                for i in row]
    return out


def _stub_code(stubs: list[str]) -> tuple[str, str]:
    """The code and name of a row whose stub cells carry their codes ('2040601-行政运行' |
    '30101-基本工资' -> '2040601/30101', '行政运行/基本工资'); ('', '') otherwise."""
    found = [CODED_LABEL.match(s.strip()) for s in stubs]
    if not found or not all(found):
        return "", ""
    return ("/".join(m.group(1) or m.group(2) for m in found),
            "/".join(m.group(3) for m in found))


def _row_items(doc_id: str, table: Table, cells: list[tuple[Column, str]],
               context: _CodeContext, keys: _Keys, number: int, where: str,
               problems: list[str], named: tuple[str, str] | None = None,
               unreadable: list[str] | None = None) -> list[LineItem]:
    """The amounts of one row (of one column group); `named` is the (key, label) an outline
    table gives the row."""
    spec = templates()["tables"][table.kind]
    coded = spec["layout"] == "coded"
    parts = {c.role: _code_part(c.role, cell) for c, cell in cells
             if c.role.startswith("code") and _DIGITS.sub("", cell)}
    code = context.code(parts)
    if code and set(code) == {"0"}:
        return []  # the placeholder row of an empty table
    unit = next((_DIGITS.sub("", cell) for c, cell in cells if c.role == "unit_code"), "")
    stubs: dict[str, list[str]] = {}
    for column, cell in cells:
        if column.role.startswith(("code", "unit")) and cell.strip() and \
                not _DIGITS.sub("", cell) and not stubs.get(column.side):
            stubs[column.side] = [cell]  # 合计 across code cells
        elif column.role == "label" and cell.strip():
            stubs.setdefault(column.side, []).append(cell)
    items = []
    for column, cell in cells:
        if column.role != "measure" or not cell.strip():
            continue
        side_stubs = stubs.get(column.side, [])
        label = side_stubs[-1] if side_stubs else ""  # the innermost (rightmost) names the row
        row_code = code
        if not row_code and coded:
            row_code, names = _stub_code(side_stubs)
            label = names or label
        try:
            amount = parse_amount(cell)
        except ValueError:
            (problems if unreadable is None else unreadable).append(
                f"{where}：“{row_code or norm(label)}”行“{column.header}”栏的“{cell}”不是金额")
            continue
        if amount is None:
            continue
        if named:
            key, label = named
        else:
            key = row_code if row_code and coded else keys.unit(column.side, unit, number) \
                if unit else keys.key(column.side, label, number)
        if not key and not any(c.role in ("label", "code", "code_class") for c, _ in cells):
            key = "合计"  # a table of one unlabelled row (上海 三公经费表, 江苏 支出预算总表)
        if not key and amount == 0:
            continue  # a zero on a blank line states nothing
        if not key:
            problems.append(f"{where}：金额“{cell}”没有行名")
            continue
        items.append(LineItem(doc_id, table.kind, column.side, key, column.measure,
                              row_code if coded else "",
                              classification(row_code, spec) if row_code else "none",
                              norm(label), to_wan(amount, table.unit), where))
    return items
