"""The narrative's own breakdowns and lines: the parts of a total it lists (其中…) against the
total, and the 类/款/项 lines it names against the table rows: “（1）一般公共服务支出（类）
社会工作事务（款）其他社会工作事务支出（项）0.19万元” is the 一般公共预算支出表's row of that
line, found by its code (行政运行（2010501）) or by its names in the order the table prints
them."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import combinations
from typing import TYPE_CHECKING

from pipeline.model import Finding, LineItem, StatedChange
from pipeline.normalise.narrative import SUBJECTS
from pipeline.normalise.parts import Execution, ListedParts
from pipeline.recognise import templates
from pipeline.wording import table_title as title

if TYPE_CHECKING:
    from pipeline.check import Checker

_LEVEL = re.compile(r"((?:[^（(]|[（(](?!类|款|项)[^）)]{1,4}[）)])+?)[（(](?:类|款|项)[）)]")
_CODE = re.compile(r"[（(](\d{3,7})[）)]$")


_NUMBERED = re.compile(  # 1. / 1、 / 三、 / （一） before a line's name
    r"^(?:\d+[．.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])")


def line_name(text: str) -> str:
    """A line's name as compared: no spaces, one kind of bracket, no trailing 支出."""
    text = "".join(text.split()).replace("(", "（").replace(")", "）")
    return _NUMBERED.sub("", text).removesuffix("支出")


def _same(label: str, name: str) -> bool:
    """A row's label is the line named: equal once compared as names, or the same words in
    another order (the narrative's 一般行政事务管理 for the table's 一般行政管理事务)."""
    label = line_name(label)
    return label == name or (len(name) >= 4 and sorted(label) == sorted(name))


def line_path(subject: str) -> tuple[str, list[str]]:
    """(code, names) of a subject that names a budget line; ("", []) when it names none."""
    code = _CODE.search(subject)
    if code:
        return code.group(1), []
    return "", [line_name(m.group(1)) for m in _LEVEL.finditer(subject)]


def line_rows(c: Checker, subject: str) -> list[tuple[LineItem, bool]]:
    """The rows a subject names as a budget line, in each table and column that prints
    lines (templates.toml [lines]), most specific first, each with whether it is certain."""
    code, names = line_path(subject)
    if not (code or names):
        return []
    found = []
    for ref in templates()["lines"]["tables"]:
        table, measure = ref.split(":")
        rows = [i for i in c.items if i.table == table and i.measure == measure]
        row, certain = _resolve(rows, code, names)
        if row is not None:
            found.append((row, certain))
    return found


def _resolve(rows: list[LineItem], code: str, names: list[str]) -> tuple[LineItem | None, bool]:
    """The row a line names, and whether it is certain: by code; by its name and its 类/款
    (the rows of the code's first 3 and 5 digits, where the table prints codes); by its
    names in printed order (each after the one before), which only confirms."""
    if code:
        found = [r for r in rows if code in (r.code, r.row_key)]
        return (found[0], True) if len(found) == 1 else (None, False)
    label = {r.code: line_name(r.label) for r in rows if r.code}
    same = [r for r in rows if _same(r.label, names[-1])]
    if len(names) == 1 and len(same) == 1:
        return same[0], True
    coded = [r for r in same if r.code and all(
        any(_same(label.get(r.code[:n], ""), name) for n in (3, 5)) for name in names[:-1])]
    if len(coded) == 1:
        return coded[0], True
    at = 0
    for name in names:
        at = next((n for n in range(at, len(rows)) if line_name(rows[n].label) == name), -1)
        if at < 0:
            return None, False
    return rows[at], False


def line_statements(c: Checker, changes: list[StatedChange]) -> None:
    """Each amount the narrative states for a budget line against that line's row: any of the
    tables that print the line may agree; a gap is an error only where the row is certain."""
    from pipeline.check import printed_as

    seen: set[tuple[str, Decimal]] = set()
    for change in changes:
        amount = change.amount_wan
        if amount is None or (change.subject, amount) in seen:
            continue
        seen.add((change.subject, amount))
        readings = [(row, certain, printed_as(row.amount_wan, amount))
                    for row, certain in line_rows(c, change.subject)]
        agreeing = next((r for r in readings if r[2] == amount), None)
        certain = next((r for r in readings if r[1]), None)
        if agreeing is None and certain is None:
            continue
        row, _, shown = agreeing or certain
        c.equal("line_vs_table", amount, shown, row.table, row.row_key, row.measure,
                f"说明称{change.subject} {amount}万元（“{change.quote}”），"
                f"{title(row.table)}“{row.label}”行按说明的位数印 {shown}", change.location)


VOCABULARY = set(SUBJECTS.values())
MOST = 15  # parts among which a subset that makes the total is sought


def listed_sums(c: Checker, listed: list[ListedParts]) -> None:
    """The parts a 其中 list names add up to no more than its total, beyond what their
    rounding allows; unless some of them make the total exactly (a list that names an item
    and then its own parts), more is an error."""
    for one in listed:
        amounts = [amount for _, amount in one.parts]
        places = min(a.as_tuple().exponent for a in [one.total, *amounts])
        over = sum(amounts) - one.total > Decimal(5).scaleb(places - 1) * len(amounts)
        head = amounts[:MOST]
        if over and any(sum(subset) == one.total for size in range(1, len(head))
                        for subset in combinations(head, size)):
            continue  # not judged: read as nested
        named = "、".join(f"{name}{amount}万元" for name, amount in one.parts)
        _judged(c, "stated_parts", "error" if over else "pass", one.total, sum(amounts),
                f"说明称合计 {one.total}万元，其中所列 {named}，相加 {sum(amounts)}万元，多于合计"
                f"（“{one.quote}”）", one.location)


def restated(c: Checker, changes: list[StatedChange]) -> None:
    """Two statements of one thing against one base state one change. One thing: a budget line
    found by its code or names in the tables (page 19 “2014099其他信访事务支出…比2025年执行
    减少21,519.26万元” and page 21 “…其他信访事务支出（项）…比2025年执行数增加2,022.94万元”
    cannot both hold); or a subject of the vocabulary with the same amount stated in both
    sentences, whose prior-year figures (amount − change) must agree. A name of the
    narrative's own (专项业务经费) may recur under other lines and is not compared. A gap
    within the rounding of the printed figures is no finding."""
    first: dict[tuple[str, ...], tuple[StatedChange, Decimal]] = {}
    for change in changes:
        if change.change_wan is None:
            continue
        key, compared = _restated_key(c, change)
        if key is None or compared is None:
            continue
        if key not in first:
            first[key] = (change, compared)
            continue
        one, before = first[key]
        places = min(x.as_tuple().exponent for x in (before, compared))
        bad = abs(before - compared) > Decimal(1).scaleb(places) * 2  # two rounded each side
        _judged(c, "restated_change", "error" if bad else "pass", before, compared,
                f"说明两处说{change.subject}较{change.compared_to}的变化，说法不一："
                f"“{one.quote}”（{one.location}）与“{change.quote}”（{change.location}）",
                change.location, change.subject, "change_wan")


def _restated_key(c: Checker, change: StatedChange) -> tuple[tuple[str, ...] | None,
                                                               Decimal | None]:
    """What a statement is compared by: (the line's row, base) and its change; or (subject,
    base, amount) and the prior-year figure it implies."""
    if any(line_path(change.subject)):
        row = next((row for row, certain in line_rows(c, change.subject) if certain), None)
        if row is None:
            return None, None
        return ("line", row.code or row.row_key, change.compared_to), change.change_wan
    said = "".join(change.quote.split()).replace(",", "")
    if change.subject not in VOCABULARY or change.amount_wan is None or \
            f"{change.amount_wan}万元" not in said:
        return None, None  # an amount the sentence does not state itself is not evidence
    return (change.subject, change.compared_to, str(change.amount_wan)), \
        change.amount_wan - change.change_wan


_HOLDS = {">": lambda a, b: a > b, "<": lambda a, b: a < b, "=": lambda a, b: a == b}
_SAID = {">": "大于", "<": "小于", "=": "等于"}


def executions(c: Checker, stated: list[Execution]) -> None:
    """A 决算 sentence's “完成年初预算的 P%” is its actual over its budget at P's printed places
    (one unit off in the last place: `rounding`), and its “决算数大于/小于年初预算数” holds for
    the two figures it states."""
    from pipeline.check import printed_as

    for one in stated:
        if one.percent is not None and one.budget:
            computed = printed_as(one.actual / one.budget * 100, one.percent)
            unit = Decimal(1).scaleb(one.percent.as_tuple().exponent)
            severity = "pass" if computed == one.percent else \
                "rounding" if abs(computed - one.percent) <= unit else "error"
            _judged(c, "stated_execution", severity, one.percent, computed,
                    f"说明称完成预算的 {one.percent}%，按其所列决算 {one.actual}万元、预算 "
                    f"{one.budget}万元计算为 {computed}%（“{one.quote}”）", one.location)
        if one.relation:
            holds = _HOLDS[one.relation](one.actual, one.budget)
            _judged(c, "stated_execution", "pass" if holds else "error", one.actual,
                    one.budget, f"说明称决算数{_SAID[one.relation]}预算数，而所列决算 "
                    f"{one.actual}万元、预算 {one.budget}万元（“{one.quote}”）", one.location)


def _judged(c: Checker, check: str, result: str, expected: Decimal, actual: Decimal,
            message: str, location: str, row_key: str = "", measure: str = "") -> None:
    """Record one check of the narrative's own figures; a finding unless it passed."""
    c.record(check, "", row_key, measure, expected, actual, result, location)
    if result != "pass":
        c.findings.append(Finding(c.doc_id, check, result, "", row_key, measure, expected,
                                  actual, message, location))
