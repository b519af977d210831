"""Checks a document against itself: totals against their parts, the same figure across
tables, the narrative against the tables. Every failure is a Finding, never an exception."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

from pipeline import wording
from pipeline.check_lines import executions, line_statements, listed_sums, restated
from pipeline.model import CheckRun, Finding, LineItem, Project, StatedChange, Target
from pipeline.normalise.narrative import StatedFigure
from pipeline.normalise.parts import Execution, ListedParts
from pipeline.recognise import WITHIN, norm, table_layout, templates
from pipeline.wording import column, row
from pipeline.wording import table_title as title

ZERO = Decimal(0)
_TOP = re.compile(r"^[一二三四五六七八九十]+、")
_CHILD = re.compile(r"^\d+、")
_AMOUNT_IN = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:万元)?$")
Key = tuple[str, str, str, str]  # table, side, row_key, measure
Cell = tuple[str, str, str]  # table, row_key, measure: a figure a check reads


@dataclass
class Checker:
    doc_id: str
    items: list[LineItem]
    kind: str = "budget"
    findings: list[Finding] = field(default_factory=list)
    checks: list[CheckRun] = field(default_factory=list)  # every check run, passed or not
    within: set[tuple[str, str]] = field(default_factory=set)  # (table, measure) under 其中
    # the figures each check read (parallel to `checks`), and each finding (to `findings`)
    cells: list[frozenset[Cell]] = field(default_factory=list)
    finding_cells: dict[int, frozenset[Cell]] = field(default_factory=dict)  # by position

    def __post_init__(self) -> None:
        self.index: dict[Key, LineItem] = {
            (i.table, i.side, i.row_key, i.measure): i for i in self.items}
        self.rows: set[tuple[str, str, str]] = {(i.table, i.side, i.row_key) for i in self.items}
        self.measures: set[tuple[str, str]] = {(i.table, i.measure) for i in self.items}
        self.first: dict[tuple[str, str], LineItem] = {}  # (table, row_key): its first amount
        for i in self.items:
            self.first.setdefault((i.table, i.row_key), i)
        self.unnamed: dict[str, set[str]] = defaultdict(set)  # measures no template names
        for table, measure in self.measures:
            if not measure.isascii() and not measure.startswith(WITHIN):  # 其中：… splits one
                self.unnamed[table].add(measure)

    @property
    def run(self) -> int:
        return len(self.checks)

    def record(self, check: str, table: str, row_key: str, measure: str,
               expected: Decimal | None, actual: Decimal | None, result: str,
               location: str, cells: Iterable[Cell] = ()) -> None:
        """A check run; `cells` are the figures it read besides the one it names."""
        self.checks.append(CheckRun(self.doc_id, len(self.checks) + 1, check, table, row_key,
                                    measure, expected, actual, result, location))
        self.cells.append(frozenset(cells) | {(table, row_key, measure)})

    def row(self, table: str, key: str) -> str:
        """A row as a finding names it: its printed label, and its code."""
        return row(self.first.get((table, key)), key)

    def value(self, ref: str) -> Decimal | None:
        """'table/side:row_key:measure' -> amount; a blank cell of a printed row is 0."""
        table_side, key, measure = ref.split(":")
        table, _, side = table_side.partition("/")
        item = self.index.get((table, side, key, measure))
        if item is not None:
            return item.amount_wan
        printed = (table, side, key) in self.rows and (table, measure) in self.measures
        return ZERO if printed else None

    def equal(self, check: str, expected: Decimal, actual: Decimal, table: str, row_key: str,
              measure: str, message: str, location: str = "", severity: str = "error",
              parts: int = 0, cells: Iterable[Cell] = ()) -> None:
        """Record a check; a sum of `parts` figures that misses its total by no more than
        their rounding allows (half a unit of the coarser printed place per figure) is
        `rounding`, kept but not an error."""
        if expected != actual:
            half = Decimal(5).scaleb(
                max(expected.as_tuple().exponent, actual.as_tuple().exponent) - 1)
            if parts and abs(expected - actual) <= half * (parts + 1):
                severity, message = "rounding", message + f"（在 {parts} 个数的四舍五入范围内）"
            self.findings.append(Finding(self.doc_id, check, severity, table, row_key, measure,
                                         expected, actual, message, location))
        self.record(check, table, row_key, measure, expected, actual,
                    "pass" if expected == actual else severity, location, cells)
        if expected != actual:
            self.finding_cells[len(self.findings) - 1] = self.cells[-1]


def printed_as(amount: Decimal, like: Decimal) -> Decimal:
    """`amount` to the decimal places `like` is printed with (half up)."""
    return amount.quantize(Decimal(1).scaleb(like.as_tuple().exponent), ROUND_HALF_UP)


def sums_of_parts(c: Checker) -> None:
    """Coded tables: each row = the rows it directly contains (类 its 款, 款 its 项; a row
    classified several ways contains the rows whose every code extends its own), per
    measure and per block of a table printed in blocks (`code#n`); 合计 = the top rows of
    every block. Outline tables: each row = the rows printed under it (`key/…`)."""
    by_table: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for item in c.items:
        if item.code or item.row_key == "合计" or table_layout(item.table) == "outline":
            by_table[(item.table, item.measure)][item.row_key] = item.amount_wan
    for (table, measure), rows in by_table.items():
        parent_of = _outline_parent if table_layout(table) == "outline" else _parent
        children: dict[str, list[str]] = defaultdict(list)
        for key in rows:
            if key != "合计":
                children[parent_of(key, rows)].append(key)
        for parent, parts in children.items():
            if parent not in rows:
                continue
            total = sum((rows[k] for k in parts), ZERO)
            c.equal("sum_of_parts", total, rows[parent], table, parent, measure,
                    f"{title(table)}{c.row(table, parent)}行“{column(measure)}”栏印 "
                    f"{rows[parent]}，其 {len(parts)} 个分项合计 {total}",
                    c.first[(table, parent)].location, parts=len(parts),
                    cells=[(table, k, measure) for k in parts])


def _parent(key: str, rows: dict[str, Decimal]) -> str:
    """The deepest other row of the same block whose codes each begin the key's codes;
    合计 for a top row."""
    code, mark, block = key.partition("#")
    parts = code.split("/")
    heads = product(*[[p[:n] for n in range(len(p), 0, -1)] for p in parts])
    for head in sorted(heads, key=lambda h: -sum(map(len, h))):
        other = "/".join(head) + mark + block
        if other != key and other in rows:
            return other
    return "合计"


def _outline_parent(key: str, rows: dict[str, Decimal]) -> str:
    """The longest other row key that the key extends by '/…'; 合计 for a top row."""
    cuts = [i for i, char in enumerate(key) if char == "/"]
    return next((key[:i] for i in reversed(cuts) if key[:i] in rows), "合计")


def labelled_totals(c: Checker) -> None:
    """Tables of named rows (三公经费表): the 合计 row = the sum of the other rows."""
    by_measure: dict[tuple[str, str], list[LineItem]] = defaultdict(list)
    for item in c.items:
        if table_layout(item.table) == "labelled":
            by_measure[(item.table, item.measure)].append(item)
    for items in by_measure.values():
        total = next((i for i in items if i.row_key == "合计"), None)
        if total is not None:
            _check_sum(c, total, _top_rows([i for i in items if i is not total]))


def _top_rows(items: list[LineItem]) -> list[LineItem]:
    """Rows keyed by unit codes nest by prefix (154 the department, 154001 its units): only
    the rows no other row contains are parts of the total."""
    codes = {i.row_key for i in items if i.row_key.isdigit()}
    return [i for i in items if not any(i.row_key != c and i.row_key.startswith(c)
                                        for c in codes)]


def formula_terms(text: str) -> tuple[str, list[str]]:
    left, right = text.split("=")
    return left.strip(), [p.strip() for p in right.split("+")]


def _covers(c: Checker, table: str, total: str, parts: list[str]) -> bool:
    """A formula holds for a table unless the table prints a column that splits one of its
    parts, or that one of its parts splits (a table that prints 财政拨款 as 一般公共预算 |
    政府性基金 | 国有资本经营 needs the formula that names those, and the other way round)."""
    printed = {m for t, m in c.measures if t == table}
    named = {total, *parts}
    for whole, pieces in templates()["refines"].items():
        family = {whole, *pieces}
        if named & family and (printed & family) - named:
            return False
    return True


def column_identities(c: Checker) -> None:
    """Per row: total = basic + project and the like (templates.toml [identities])."""
    for table, formulas in templates()["identities"].items():
        for formula in formulas:
            total, parts = formula_terms(formula)
            if not _covers(c, table, total, parts):
                continue
            if any((table, p) not in c.within for p in parts if (table, p) in c.measures):
                parts = [p for p in parts if (table, p) not in c.within]  # not parts twice
            for (t, side, key) in sorted(r for r in c.rows if r[0] == table):
                got = c.index.get((t, side, key, total))
                values = [c.index.get((t, side, key, p)) for p in parts]
                if got is None or all(v is None for v in values):
                    continue
                expected = sum((v.amount_wan for v in values if v), ZERO)
                unnamed = sum((i.amount_wan for m in c.unnamed.get(table, ()) if
                               (i := c.index.get((t, side, key, m)))), ZERO)
                if expected != got.amount_wan and expected + unnamed == got.amount_wan:
                    expected = got.amount_wan  # a column read under its printed name is a part
                c.equal("column_identity", expected, got.amount_wan, table, key, total,
                        f"{title(table)}{c.row(table, key)}行：按“{wording.formula(formula)}"
                        f"”应为 {expected}，表中印 {got.amount_wan}",
                        got.location, parts=sum(1 for v in values if v),
                        cells=[(table, key, p) for p, v in zip(parts, values, strict=True) if v])


def side_totals(c: Checker) -> None:
    """Two-sided tables: parents = their numbered children, 合计 and 总计 = the items above."""
    grouped: dict[tuple[str, str, str], list[LineItem]] = defaultdict(list)
    for item in c.items:
        if item.side:
            grouped[(item.table, item.side, item.measure)].append(item)
    grand: dict[tuple[str, str], LineItem] = {}
    for (table, side, _), items in grouped.items():
        total = _side_sums(c, items)
        if total is not None:
            grand.setdefault((table, side), total)
    for table in sorted({t for t, _ in grand}):
        sides = [grand[k] for k in sorted(grand) if k[0] == table]
        if len(sides) == 2:
            c.equal("side_totals", sides[0].amount_wan, sides[1].amount_wan, table,
                    sides[1].row_key, sides[1].measure,
                    f"{title(table)}两侧不等：“{sides[0].label}”{sides[0].amount_wan}，"
                    f"“{sides[1].label}”{sides[1].amount_wan}", sides[1].location,
                    cells=[(table, sides[0].row_key, sides[0].measure)])


def _side_sums(c: Checker, items: list[LineItem]) -> LineItem | None:
    """Check one side's hierarchy in printed order; returns its 总计 row.

    Numbered items (一、) add up to 合计; 总计 = 合计 + what follows it, where an unnumbered
    item after 合计 (年初结转和结余) heads the numbered items printed under it."""
    tops: list[LineItem] = []
    subtotal = grand = None
    groups: list[tuple[LineItem, list[LineItem]]] = []
    heading = False  # an unnumbered item after 合计 is heading the numbered ones below it
    parts = _parts_after_subtotal(items)
    for item in items:
        if subtotal is not None and _TOP.match(subtotal.label) and "计" not in item.row_key \
                and not _TOP.match(item.label):
            continue  # under a numbered 合计 (一、本年支出合计), its breakdown: not a sibling
        if id(item) in parts and groups:
            groups[-1][1].append(item)
        elif "总计" in item.row_key:
            _check_sum(c, item, ([subtotal] if subtotal else []) + tops)
            grand = grand or item
        elif "合计" in item.row_key:
            _check_sum(c, item, tops)
            subtotal, tops, heading = item, [], False
        elif item.label.startswith(WITHIN):
            continue  # 其中：… is a part of the item above, already counted in it
        elif (_CHILD.match(item.label) and groups) or (_TOP.match(item.label) and heading):
            groups[-1][1].append(item)
        elif _TOP.match(item.label) or subtotal is not None:
            tops.append(item)
            groups.append((item, []))
            heading = subtotal is not None and not _TOP.match(item.label)
    for parent, children in groups:
        _check_sum(c, parent, children)
    return grand


def _parts_after_subtotal(items: list[LineItem]) -> set[int]:
    """Unnumbered items after 合计 that are the parts of the item above them (年初财政拨款结转
    和结余 | 一般公共预算财政拨款 | 政府性基金预算财政拨款): the run of following items whose
    amounts add up to it exactly. Siblings (上年结转 | 上年实户资金余额) do not add up."""
    start = next((i + 1 for i, item in enumerate(items) if "合计" in item.row_key), len(items))
    after = [i for i in items[start:] if "计" not in i.row_key and not _TOP.match(i.label)
             and not _CHILD.match(i.label)]
    parts: set[int] = set()
    index = 0
    while index < len(after):
        head, total, run = after[index], ZERO, 0
        for offset, item in enumerate(after[index + 1:], 1):
            total += item.amount_wan
            if total == head.amount_wan and total:
                run = offset
        parts |= {id(i) for i in after[index + 1:index + 1 + run]}
        index += run + 1
    return parts


def _check_sum(c: Checker, total: LineItem, parts: list[LineItem]) -> None:
    if not parts:
        return
    expected = sum((p.amount_wan for p in parts), ZERO)
    c.equal("sum_of_parts", expected, total.amount_wan, total.table, total.row_key, total.measure,
            f"{title(total.table)}“{total.label}”印 {total.amount_wan}，其上各项合计 {expected}",
            total.location, parts=len(parts),
            cells=[(p.table, p.row_key, p.measure) for p in parts])


def cross_tables(c: Checker) -> None:
    """The same figure in two tables (templates.toml [[cross]] and [[rowwise]])."""
    for rule in templates()["cross"]:
        left, right = c.value(rule["left"]), c.value(rule["right"])
        if left is None or right is None:
            continue
        coarser = max(left, right, key=lambda v: v.as_tuple().exponent)
        if printed_as(left, coarser) == printed_as(right, coarser):
            left = right  # equal at the coarser table's printed precision (元 vs 万元)
        table, key, measure = rule["right"].split(":")
        other, other_key, other_measure = rule["left"].split(":")
        c.equal("cross_table", left, right, table.split("/")[0], key, measure,
                f"{rule['name']}：前者 {left}，后者 {right}",
                cells=[(other.split("/")[0], other_key, other_measure)])
    for rule in templates()["rowwise"]:
        if c.kind not in rule.get("kinds", [c.kind]):
            continue
        (lt, lm), (rt, rm) = rule["left"].split(":"), rule["right"].split(":")
        for (t, side, key, m), item in sorted(c.index.items()):
            other = c.index.get((rt, side, key, rm))
            if t == lt and m == lm and item.code and other is not None:
                c.equal("row_by_row", item.amount_wan, other.amount_wan, rt, key, rm,
                        f"{rule['name']}：{c.row(lt, key)}行在{title(lt)}为 "
                        f"{item.amount_wan}，在{title(rt)}为 {other.amount_wan}", other.location,
                        cells=[(lt, key, lm)])


def narrative(c: Checker, figures: list[StatedFigure], changes: list[StatedChange]) -> None:
    """Figures the narrative states against the tables; stated percents against the amounts."""
    refs = templates()["narrative"]
    for figure in figures:
        named = refs.get(figure.subject, [])
        if figure.budget and c.kind == "final_accounts":  # 决算 说明: “…支出预算为 76.43 万元”
            named = [f"{r}_budget" for r in named]
        printed = [(r, v) for r in named if r[0] != "+" and (v := c.value(r)) is not None]
        also = [(r, v) for r in named if r[0] == "+" and (v := c.value(r[1:])) is not None]
        if not printed:  # a `+` reading alone can confirm a statement, never refute it
            also = [(r, v) for r, v in also
                    if printed_as(v, figure.amount_wan) == figure.amount_wan]
            if not also:
                continue
        printed += also
        shown = [(r, printed_as(v, figure.amount_wan)) for r, v in printed]
        ref, actual = next(((r, v) for r, v in shown if v == figure.amount_wan),
                           next(((r, v) for r, v in shown if v), shown[0]))
        exact = dict(printed)[ref]
        table, key, measure = ref.lstrip("+").split(":")
        unit = Decimal(1).scaleb(figure.amount_wan.as_tuple().exponent)
        near = exact != actual and abs(exact - figure.amount_wan) < unit  # a rounded input
        c.equal("narrative_vs_table", figure.amount_wan, actual, table.split("/")[0], key,
                measure, f"说明称{figure.subject} {figure.amount_wan}万元（“{figure.quote}”），"
                f"{title(table.split('/')[0])}按说明的位数印 {actual}" + (
                    f"；表中精确数 {exact} 与之只差末位一个单位，是由四舍五入后的数算出的"
                    if near else ""),
                figure.location, "rounding" if near else "error")
        if figure.share_pct is not None and actual == figure.amount_wan:
            _share(c, figure, exact, table.split("/")[0], key)
    for change in changes:
        _implied_base(c, change)
        if change.amount_wan is None or change.change_pct is None:
            continue
        if change.change_wan is not None:
            base = change.amount_wan - change.change_wan
        elif change.base_wan is not None:
            base = change.base_wan
            change = replace(change, change_wan=change.amount_wan - base)
        else:
            continue
        if base == 0:
            continue
        computed = printed_as(change.change_wan / base * 100, change.change_pct)
        c.equal("stated_percent", computed, change.change_pct, "", change.subject, "change_pct",
                f"{change.subject}：{base}万元增减 {change.change_wan}万元为 {computed}%，"
                f"说明称 {change.change_pct}%", change.location, "warning")


def _share(c: Checker, figure: StatedFigure, part: Decimal, table: str, key: str) -> None:
    """“基本支出 921.33 万元，占本年支出预算 2.98%”: the share against the table's figures,
    at the printed places of the percent. A miss that the rounding of the narrative's amount
    could explain, or of one unit in the percent's last place (shares are often evened out
    to add up to 100%: 13.77 + 80.92 + 5.31), is `rounding`."""
    wholes = [v for r in templates()["narrative"].get(figure.share_of, [])
              if (v := c.value(r.lstrip("+")))]
    pct = figure.share_pct
    if not wholes or pct is None:
        return
    computed = [printed_as(part / whole * 100, pct) for whole in wholes]
    whole, shown = next(((w, s) for w, s in zip(wholes, computed, strict=True) if s == pct),
                        (wholes[0], computed[0]))
    half = Decimal(5).scaleb(figure.amount_wan.as_tuple().exponent - 1)
    low, high = (part - half) / (whole + half) * 100, (part + half) / (whole - half) * 100
    slack = Decimal(1).scaleb(pct.as_tuple().exponent)
    c.equal("share", shown, pct, table, key, "share_pct",
            f"说明称{figure.subject} {figure.amount_wan}万元占{figure.share_of}的 {pct}%"
            f"（“{figure.quote}”），按表中 {part} / {whole} 计算为 {shown}%", figure.location,
            "rounding" if low - slack <= pct <= high + slack else "error")


def _implied_base(c: Checker, change: StatedChange) -> None:
    """A stated change larger than a decrease allows implies a negative prior-year figure."""
    if change.amount_wan is None or change.change_wan is None:
        return
    base = change.amount_wan - change.change_wan
    c.record("stated_change_base", "", change.subject, "change_wan", change.amount_wan,
             change.change_wan, "error" if base < 0 else "pass", change.location)
    if base < 0:
        c.findings.append(Finding(
            c.doc_id, "stated_change_base", "error", "", change.subject, "change_wan",
            change.amount_wan, change.change_wan,
            f"{change.subject}：{change.amount_wan}万元，较{change.compared_to}"
            f"{'增加' if change.change_wan > 0 else '减少'}{abs(change.change_wan)}万元，"
            f"则{change.compared_to}应为 {base}万元，不可能（“{change.quote}”）", change.location))


def performance(c: Checker, projects: list[Project], targets: list[Target]) -> None:
    """Units = basic + project, units add up to the department, projects to their units,
    and cost indicators against the amounts budgeted."""
    units = sorted({i.row_key for i in c.items if i.table == "department_performance"})
    for measure, ref in (("total", "expenditure:合计:total"), ("basic", "expenditure:合计:basic"),
                         ("project", "expenditure:合计:project")):
        department = c.value(ref)
        parts = [c.value(f"department_performance:{u}:{measure}") for u in units]
        if department is not None and units:
            total = sum((p for p in parts if p is not None), ZERO)
            c.equal("units_vs_department", total, department, "expenditure", "合计", measure,
                    f"部门整体支出绩效目标表 {len(units)} 个单位的{column(measure)}合计 {total}，"
                    f"部门支出总表印 {department}")
    for unit in units:
        subtotal = c.value(f"project_performance:{unit}:project")
        if subtotal is not None:
            unit_project = c.value(f"department_performance:{unit}:project") or ZERO
            c.equal("projects_vs_units", unit_project, subtotal, "project_performance", unit,
                    "project", f"单位{c.row('department_performance', unit)}的项目支出："
                    f"项目支出绩效目标表为 {subtotal}，"
                    f"部门整体支出绩效目标表为 {unit_project}")
            listed = sum((p.amount_wan for p in projects if p.unit_code == unit), ZERO)
            c.equal("projects_vs_units", listed, subtotal, "project_performance", unit, "project",
                    f"单位{c.row('department_performance', unit)}：项目支出绩效目标表所列"
                    f"项目合计 {listed}，其小计为 {subtotal}")
    _cost_indicators(c, projects, targets)


def _cost_indicators(c: Checker, projects: list[Project], targets: list[Target]) -> None:
    """A project's whole-cost indicator (项目总成本 ≤ X 万元) against its budget, read the way
    its comparator states it, to the indicator's printed precision. A part's cost (购买花卉
    ≤ 29) only may not exceed the budget."""
    amounts: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for p in projects:  # units printed by name alone share the code "": ambiguous, not guessed
        amounts[(p.unit_code, p.project)].append(p.amount_wan)
    costs = [(t, Decimal(m.group(1))) for t in targets
             if (m := _AMOUNT_IN.match(t.target.replace(",", ""))) and
             "成本" in t.level1 + t.level2 and "万元" in t.measure_unit + t.target]
    for t, value in costs:
        whole = "总" in t.level3
        if t.table == "project_performance":
            found = amounts.get((t.unit_code, t.project), [])
            budget = found[0] if len(found) == 1 else None
            what, measure = f"项目“{t.project}”", "amount"
        elif "基本" in t.level3 or "项目" in t.level3:
            measure = "basic" if "基本" in t.level3 else "project"
            budget = c.value(f"department_performance:{t.unit_code}:{measure}")
            what = f"单位{c.row('department_performance', t.unit_code)}的" + (
                "基本支出" if measure == "basic" else "项目支出")
        else:
            continue
        if budget is None:
            continue
        shown = printed_as(budget, value)
        cap, floor = norm(t.comparator) in ("≤", "<", "＜"), norm(t.comparator) in ("≥", ">", "＞")
        agrees = (value >= shown if cap else value <= shown if floor else value == shown) \
            if whole else value <= budget or cap or floor
        c.equal("cost_indicator", budget, budget if agrees else value, t.table, t.unit_code,
                measure, f"{title(t.table)}：成本指标“{t.level3}”为 {t.comparator}{value}万元，"
                f"{what}预算为 {budget}万元", t.location)


def check_document(doc_id: str, items: list[LineItem], projects: list[Project],
                   targets: list[Target], figures: list[StatedFigure],
                   changes: list[StatedChange], kind: str = "budget",
                   columns: set[tuple[str, str]] | None = None,
                   within: set[tuple[str, str]] | None = None) -> tuple[list[Finding], int]:
    """All checks; returns the findings and how many checks ran (see `audit`)."""
    checker = audit(doc_id, items, projects, targets, figures, changes, kind, columns, within)
    return checker.findings, checker.run


def audit(doc_id: str, items: list[LineItem], projects: list[Project], targets: list[Target],
          figures: list[StatedFigure], changes: list[StatedChange], kind: str = "budget",
          columns: set[tuple[str, str]] | None = None,
          within: set[tuple[str, str]] | None = None, listed: Sequence[ListedParts] = (),
          executed: Sequence[Execution] = ()) -> Checker:
    """All checks of one document; the checker holds the findings and every check run.
    `columns` names the (table, measure) columns printed, so that a blank cell of one reads
    as 0; `within` those printed under a 其中 head, parts of the columns before them;
    `listed` and `executed` the narrative's own breakdowns and budget-vs-actual figures."""
    checker = Checker(doc_id, items, kind, within=within or set())
    checker.measures |= columns or set()
    sums_of_parts(checker)
    labelled_totals(checker)
    column_identities(checker)
    side_totals(checker)
    cross_tables(checker)
    narrative(checker, figures, changes)
    line_statements(checker, changes)
    performance(checker, projects, targets)
    listed_sums(checker, listed)
    restated(checker, changes)
    executions(checker, executed)
    return checker
