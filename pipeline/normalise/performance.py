"""Performance tables (项目支出绩效目标表, 部门整体支出绩效目标表): jagged rows to projects,
unit amounts and indicator rows.

Rows of these tables arrive shifted and with cells missing, differently on every page. Each
row is aligned to the template's printed field order by content: a monotone alignment of
its non-empty cells to fields that rewards cells that look like their field (a 6-digit
code, an amount, a known 一级/二级指标, a comparator, a weight) and penalises shifts that
change within the row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache

from pipeline.identify import organ_name
from pipeline.model import Finding, LineItem, Project, Table, Target
from pipeline.normalise.tables import numbered, parse_amount, to_wan
from pipeline.recognise import is_form, is_money, norm, templates
from pipeline.wording import column, table_title

_UNIT_CODE = re.compile(r"^\d{6,}$")
_WEIGHT = re.compile(r"^\d{1,3}(\.\d+)?$")
_NUMBERISH = re.compile(r"^[≥≤<>]?\d[\d,.]*\s*(%|万元|[个次项件篇份人月天年台辆起])?$")
SHIFT_PENALTY = 1.0
DROP_PENALTY = 4.0
EMPTY = {"", "/", "无"}
MONEY_FIELDS = {"amount", "total", "general_budget", "government_fund", "special_account",
                "other_funds", "basic", "project"}


@cache
def _vocab(name: str) -> frozenset[str]:
    return frozenset(norm(w) for w in templates()["vocabulary"][name])


@cache  # the same few field names and cell texts recur on every row of a table
def fit(field: str, cell: str) -> float:
    """How well a cell's text suits a field: positive fits, negative does not."""
    text = norm(cell)
    if field == "unit_code":
        return 3 if _UNIT_CODE.match(text) else -6
    if field in MONEY_FIELDS:
        return 2 if is_money(text) else -6
    if is_money(text) and _UNIT_CODE.match(text.replace(",", "")):
        return -6  # a unit code is never anything else
    if field == "level1":
        return 4 if text in _vocab("level1") else -4
    if field == "level2":
        return 3 if text in _vocab("level2") else (0 if text.endswith("指标") else -3)
    if field == "comparator":
        return 4 if text in _vocab("comparators") else -5
    if text in _vocab("level1") or text in _vocab("level2"):
        return -4
    if field == "weight":
        return 2 if _WEIGHT.match(text) else -4
    if field == "measure_unit":
        if text in _vocab("measure_units"):
            return 2
        return -2 if _NUMBERISH.match(text) else (0 if len(text) <= 3 else -3)
    if field == "target":
        return 1.5 if _NUMBERISH.match(text) else (0.5 if len(text) <= 20 else -1)
    if field == "scoring":
        return 2 if re.search(r"得|扣|分", text) else 0
    if field in ("goal", "description", "name", "level3"):
        return 0.5 if not _NUMBERISH.match(text) else -2
    return 0


def align(cells: list[tuple[int, str]], fields: list[str]) -> dict[str, str]:
    """Assign (column, text) cells to fields in order, maximising fit minus shift changes.

    At most one cell may be dropped between two placed ones, and one at either end."""
    n, m = len(cells), len(fields)
    if n == 0:
        return {}
    minus = float("-inf")
    best = [[minus] * m for _ in range(n)]  # best[i][f]: cell i placed in field f
    back: list[list[tuple[int, int] | None]] = [[None] * m for _ in range(n)]
    for i, (col, text) in enumerate(cells):
        scores = [fit(field, text) for field in fields]
        here, came = best[i], back[i]
        if i <= 1:
            here[:] = [score - i * DROP_PENALTY for score in scores]
        for j in (i - 1, i - 2):  # the cell placed before: the last, or the one before it
            if j < 0:
                continue
            placed = [(g, value) for g, value in enumerate(best[j]) if value != minus]
            step, dropped = col - cells[j][0], (i - j - 1) * DROP_PENALTY
            for f in range(m):
                score = scores[f]
                for g, value in placed:
                    if g >= f:
                        break
                    total = value - dropped - abs((f - g) - step) * SHIFT_PENALTY + score
                    if total > here[f]:
                        here[f], came[f] = total, (j, g)
    ends = [(best[i][f] - (n - 1 - i) * DROP_PENALTY, i, f)
            for i in range(max(0, n - 2), n) for f in range(m) if best[i][f] > minus]
    _, i, f = max(ends)
    placed: dict[str, str] = {}
    node: tuple[int, int] | None = (i, f)
    while node is not None:
        i, f = node
        placed[fields[f]] = cells[i][1]
        node = back[i][f]
    return placed


@dataclass
class _Context:
    unit_code: str = ""
    unit_name: str = ""
    project: str = ""
    goal: str = ""
    level1: str = ""
    level2: str = ""

    @property
    def unit(self) -> str:
        """The unit's code, or its printed name where it has none."""
        return self.unit_code or self.unit_name


@dataclass
class Parsed:
    items: dict[tuple[str, str], LineItem] = field(default_factory=dict)
    projects: dict[tuple[str, str], Project] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    conflicts: list[Finding] = field(default_factory=list)


def parse(doc_id: str, table: Table) -> Parsed:
    """Unit amounts (as line items), projects and indicator rows of a performance table."""
    if is_form(table.rows):
        return _forms(doc_id, table)
    fields = _printed_fields(table) or templates()["performance"][table.kind]["fields"]
    parsed = Parsed()
    if "indicators" in fields:
        parsed.conflicts.append(Finding(
            doc_id, "unread_column", "warning", table.kind, "", "", None, None,
            "绩效指标栏把一个项目的全部指标印成一段文字，未逐条读取", table.where))
    context = _Context()
    for row, where in zip(table.rows, table.row_where, strict=True):
        cells = [(col, cell) for col, cell in enumerate(row) if cell.strip()]
        if not cells:
            continue
        if norm(cells[0][1]).rstrip("：:") in ("合计", "总计"):
            amount = next((c for _, c in cells[1:] if is_money(c)), None)
            if amount is not None:
                _put(parsed, doc_id, table, ("合计", "total"), "合计", amount, where)
            continue
        got = {k: v.strip() for k, v in align(cells, fields).items()}
        _enter(got, context, table, doc_id, where, parsed)
        _indicator(got, context, table, doc_id, where, parsed.targets)
    return parsed


_LABEL_END = re.compile(r"(?:[（(][^）)]*[）)])?[:：]?$")  # 资金情况（万元）, 年度金额：
_SIGN = re.compile(r"^(≥|≤|＞|＜|>|<|=|＝)")


def _forms(doc_id: str, table: Table) -> Parsed:
    """A table printed as one form per project or transfer ([performance.form] labels: 名称
    | X | 主管部门 | Y; 年度金额 | N; 年度目标 over its text; then an indicator grid headed
    一级指标 | 二级指标 | 三级指标 | 指标值). A project of 项目支出绩效目标表 is a project;
    another table's (转移支付) amount is a line item keyed by its name."""
    labels = {norm(w): f for f, ws in templates()["performance"]["form"].items() for w in ws}
    heads = {norm(w): f for f, ws in templates()["performance"]["headers"].items() for w in ws}
    parsed, context, columns, goal_below = Parsed(), _Context(), {}, False
    for row, where in zip(table.rows, table.row_where, strict=True):
        cells = [(i, cell.strip()) for i, cell in enumerate(row) if cell.strip()]
        named = {labels[k]: n for n, (_, c) in enumerate(cells)
                 if (k := _LABEL_END.sub("", norm(c))) in labels}
        after = {f: next((c for _, c in cells[n + 1:] if _LABEL_END.sub("", norm(c))
                          not in labels), "") for f, n in named.items()}
        if "name" in named:
            context = _Context(unit_name=after.get("unit", ""), project=after["name"])
            columns, goal_below = {}, False
        if "amount" in named and is_money(after["amount"]):
            _form_amount(parsed, doc_id, table, context, after["amount"], where)
        if "goal" in named:
            context.goal, goal_below = after["goal"], not after["goal"]
        elif goal_below and cells and not named:
            context.goal, goal_below = " ".join(c for _, c in cells), False
            _form_goal(parsed, context)
        printed = {heads[norm(c)]: i for i, c in cells if norm(c) in heads}
        if {"level1", "level3", "target"} <= set(printed):
            columns = printed
        elif columns and context.project and not named:
            got = {f: row[i].strip() for f, i in columns.items() if i < len(row) and row[i].strip()}
            sign = _SIGN.match(got.get("target", ""))
            if sign and "comparator" not in columns:
                got["comparator"], got["target"] = sign.group(1), got["target"][sign.end():]
            context.level1 = got.get("level1", context.level1)
            context.level2 = got.get("level2", "" if "level1" in got else context.level2)
            _indicator(got, context, table, doc_id, where, parsed.targets)
    return parsed


def _form_amount(parsed: Parsed, doc_id: str, table: Table, context: _Context, text: str,
                 where: str) -> None:
    if table.kind != "project_performance":
        _put(parsed, doc_id, table, (context.project, "amount"), context.project, text, where)
        return
    amount = to_wan(parse_amount(text) or Decimal(0), table.unit)
    parsed.projects[(context.unit_name, context.project)] = Project(
        doc_id, "", context.unit_name, context.project, amount, context.goal, where)


def _form_goal(parsed: Parsed, context: _Context) -> None:
    """The goal printed below its label, after the amount: given to the project."""
    key = (context.unit_name, context.project)
    if key in parsed.projects:
        parsed.projects[key] = replace(parsed.projects[key], goal=context.goal)


def _printed_fields(table: Table) -> list[str]:
    """The fields of a table whose header names every column it prints ([performance.
    headers]), in printed order; [] when a column is unnamed or the header names no project
    and amount."""
    words = {norm(w): f for f, ws in templates()["performance"]["headers"].items() for w in ws}
    fields = []
    for path in table.columns:
        heads = [norm(c).rstrip("：:") for c in path if norm(c).rstrip("：:") not in ("", "其中")]
        if not heads:
            continue
        field = next((words[h] for h in reversed(heads) if h in words), None)
        if field is None:
            return []
        fields.append(field)
    return fields if {"name", "amount"} <= set(fields) else []


def _put(parsed: Parsed, doc_id: str, table: Table, key: tuple[str, str], label: str,
         text: str, where: str) -> None:
    amount = to_wan(parse_amount(text) or Decimal(0), table.unit)
    item = LineItem(doc_id, table.kind, "", key[0], key[1], "", "none", label, amount, where)
    known = parsed.items.setdefault(key, item)
    if known.amount_wan != amount:
        parsed.conflicts.append(Finding(
            doc_id, "duplicate_row", "error", table.kind, key[0], key[1], known.amount_wan,
            amount, f"{table_title(table.kind)}“{label}”的{column(key[1])}印了两次，金额不同："
            f"{known.amount_wan}（{known.location}）与 {amount}（{where}）", where))


def _enter(got: dict[str, str], context: _Context, table: Table, doc_id: str, where: str,
           parsed: Parsed) -> None:
    """Update the unit / project context from a row's leading fields."""
    name = got.get("name", "")
    indicator = any(k in got for k in ("goal", "level1", "level2", "level3", "target"))
    money = {k: got[k] for k in MONEY_FIELDS if k in got}
    if got.get("unit_code", context.unit_code) != context.unit_code:
        context.unit_code, context.unit_name = got["unit_code"], ""
    named_unit = "unit_code" not in got and name and organ_name(name) == name
    is_unit = ("unit_code" in got or named_unit) and (
        table.kind == "department_performance" or (name and "amount" in got and not indicator))
    if is_unit:
        if named_unit:  # a unit printed by its name alone (广州 项目名称（资金使用单位）)
            context.unit_code, context.unit_name = "", name
        context.unit_name = context.unit_name or name
        money = _split_by_nature(money, templates()["performance"][table.kind]["fields"])
        for measure, text in money.items():
            key = (context.unit, "project" if measure == "amount" else measure)
            _put(parsed, doc_id, table, key, context.unit_name, text, where)
        context.project, context.goal = "", got.get("goal", "")
    elif name and "amount" in got:
        amount = to_wan(parse_amount(got["amount"]) or Decimal(0), table.unit)
        context.project, context.goal = name, got.get("goal", "")
        project = Project(doc_id, context.unit_code, context.unit_name, name, amount,
                          context.goal, where)
        known = parsed.projects.setdefault((context.unit, name), project)
        if known is not project and not context.unit:
            # a table that names no units (北京) prints one block per unit: the same project
            # printed again is another unit's, `name#2`
            name = numbered(name, lambda k: ("", k) not in parsed.projects)
            context.project = name
            parsed.projects[("", name)] = replace(project, project=name)
        elif known.amount_wan != amount:
            parsed.conflicts.append(Finding(
                doc_id, "duplicate_row", "error", table.kind, context.unit_code, name,
                known.amount_wan, amount, f"{table_title(table.kind)}项目“{name}”印了两次，金额"
                f"不同：{known.amount_wan}（{known.location}）与 {amount}（{where}）", where))
    if "level1" in got or is_unit or name:
        context.level1, context.level2 = got.get("level1", ""), ""
    if "level2" in got:
        context.level2 = got["level2"]


def _split_by_nature(money: dict[str, str], fields_order: list[str]) -> dict[str, str]:
    """Unit rows print total, the split by source, then basic and project: when the last two
    amounts add up to the total they are basic and project, whatever column they drifted to."""
    if "total" not in money or len(money) < 3:
        return money
    ordered = sorted(money, key=fields_order.index)
    value = {k: parse_amount(money[k]) or Decimal(0) for k in ordered}
    last, second = ordered[-1], ordered[-2]
    if value[second] + value[last] != value["total"] or (second, last) == ("basic", "project"):
        return money
    kept = {k: money[k] for k in ordered[:-2] if k not in ("basic", "project")}
    return kept | {"basic": money[second], "project": money[last]}


def _indicator(got: dict[str, str], context: _Context, table: Table, doc_id: str, where: str,
               targets: list[Target]) -> None:
    level3, target = norm(got.get("level3", "")), norm(got.get("target", ""))
    if level3 in EMPTY and target in EMPTY:
        return
    weight = got.get("weight", "")
    targets.append(Target(
        doc_id, table.kind, len(targets) + 1, context.unit_code, context.project,
        context.level1, context.level2, got.get("level3", ""), got.get("target", ""),
        got.get("comparator", ""), got.get("measure_unit", ""),
        Decimal(weight) if _WEIGHT.match(weight) else None,
        got.get("description", ""), got.get("scoring", ""), where))
