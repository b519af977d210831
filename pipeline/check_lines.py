"""The narrative's 类/款/项 lines against the table rows they name: “（1）一般公共服务支出（类）
社会工作事务（款）其他社会工作事务支出（项）0.19万元” is the 一般公共预算支出表's row of that
line, found by its code (行政运行（2010501）) or by its names in the order the table prints
them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from pipeline.model import LineItem, StatedChange
from pipeline.recognise import templates
from pipeline.wording import table_title as title

if TYPE_CHECKING:
    from pipeline.check import Checker

_LEVEL = re.compile(r"((?:[^（(]|[（(](?!类|款|项)[^）)]{1,4}[）)])+?)[（(](?:类|款|项)[）)]")
_CODE = re.compile(r"[（(](\d{3,7})[）)]$")


def _name(text: str) -> str:
    """A line's name as compared: no spaces, one kind of bracket, no trailing 支出."""
    text = "".join(text.split()).replace("(", "（").replace(")", "）")
    return re.sub(r"^(?:\d+[．.、]|[（(][一二三四五六七八九十\d]+[)）])", "", text) \
        .removesuffix("支出")


def line_path(subject: str) -> tuple[str, list[str]]:
    """(code, names) of a subject that names a budget line; ("", []) when it names none."""
    code = _CODE.search(subject)
    if code:
        return code.group(1), []
    return "", [_name(m.group(1)) for m in _LEVEL.finditer(subject)]


def _rows(c: Checker, table: str, measure: str) -> list[LineItem]:
    return [i for i in c.items if i.table == table and i.measure == measure]


def _resolve(rows: list[LineItem], code: str, names: list[str]) -> tuple[LineItem | None, bool]:
    """The row a line names, and whether it is certain: by code; by its name and its 类/款
    (the rows of the code's first 3 and 5 digits, where the table prints codes); by its
    names in printed order (each after the one before), which only confirms."""
    if code:
        found = [r for r in rows if code in (r.code, r.row_key)]
        return (found[0], True) if len(found) == 1 else (None, False)
    label = {r.code: _name(r.label) for r in rows if r.code}
    same = [r for r in rows if _name(r.label) == names[-1]]
    if len(names) == 1 and len(same) == 1:
        return same[0], True
    coded = [r for r in same if r.code and all(
        name in {label.get(r.code[:n]) for n in (3, 5)} for name in names[:-1])]
    if len(coded) == 1:
        return coded[0], True
    at = 0
    for name in names:
        at = next((n for n in range(at, len(rows)) if _name(rows[n].label) == name), -1)
        if at < 0:
            return None, False
    return rows[at], False


def line_statements(c: Checker, changes: list[StatedChange]) -> None:
    """Each amount the narrative states for a budget line against that line's row: any of the
    tables that print the line may agree; a gap is an error only where the row is certain."""
    from pipeline.check import printed_as

    seen: set[tuple[str, Decimal]] = set()
    for change in changes:
        code, names = line_path(change.subject)
        amount = change.amount_wan
        if amount is None or not (code or names) or (change.subject, amount) in seen:
            continue
        seen.add((change.subject, amount))
        readings = []
        for ref in templates()["lines"]["tables"]:
            table, measure = ref.split(":")
            row, certain = _resolve(_rows(c, table, measure), code, names)
            if row is not None:
                readings.append((row, certain, printed_as(row.amount_wan, amount)))
        agreeing = next((r for r in readings if r[2] == amount), None)
        certain = next((r for r in readings if r[1]), None)
        if agreeing is None and certain is None:
            continue
        row, _, shown = agreeing or certain
        c.equal("line_vs_table", amount, shown, row.table, row.row_key, row.measure,
                f"说明称{change.subject} {amount}万元（“{change.quote}”），"
                f"{title(row.table)}“{row.label}”行按说明的位数印 {shown}", change.location)
