"""Compare two documents: year on year (same publisher, kind and scope, consecutive years),
line by line on (table, side, row_key, measure); and each stated change against the change
the two documents' tables give. Compute here, render in report.py."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from pipeline.check import Checker, formula_terms, printed_as
from pipeline.check_lines import line_name, line_rows
from pipeline.model import Extraction, Finding, LineItem, StatedChange
from pipeline.recognise import templates
from pipeline.wording import table_title

Key = tuple[str, str, str, str]
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
SUMMARIES = ("summary", "appropriation_summary")  # the 收支总表 and 财政拨款收支总表
REVISED = "新版本改动"  # the significance of every difference between revisions
RESTATED = "本年文件所述上年数与上年文件不符"


@dataclass(frozen=True)
class Change:
    publisher_id: str
    from_doc: str
    to_doc: str
    table: str
    side: str
    row_key: str
    measure: str
    label: str
    amount_from: Decimal | None
    amount_to: Decimal | None
    change_wan: Decimal | None
    change_pct: Decimal | None
    kind: str  # added | removed | changed (year on year) | revised (a new revision)
    significance: str  # the rule that made it significant, "" if none


def percent(base: Decimal | None, change: Decimal | None) -> Decimal | None:
    """change / base in percent to 0.01; no percent from a zero or missing base."""
    if base is None or change is None or base == 0:
        return None
    return (change / base * HUNDRED).quantize(CENT, ROUND_HALF_UP)


def significance(kind: str, item: LineItem, change: Decimal | None,
                 pct: Decimal | None, size: Decimal = ZERO) -> str:
    """Why this change is worth reporting first, in words a reader can check (templates.toml
    [significance]); "" for an ordinary change. `size` is the document's largest figure."""
    rules = templates()["significance"]
    where = f"{item.table}:{item.row_key.split('#')[0]}"
    main = item.measure in rules["main"]
    if where in rules["always"] and not item.measure.endswith(("_prior", "_change")):
        return "机关运行经费" if "operating_costs" in (item.table, item.measure) else "“三公”经费"
    if where in rules["headline"] and main:
        return "收支总计"
    if item.table not in rules["lines"] or not main:
        return ""
    floor = max(Decimal(rules["floor_wan"]), size * Decimal(rules["share"]) / HUNDRED)
    shown = f"{floor.quantize(CENT, ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    if kind in ("added", "removed"):
        return f"{'新增' if kind == 'added' else '取消'}，{shown}万元以上" \
            if abs(item.amount_wan) >= floor else ""
    if change is not None and abs(change) >= floor and \
            (pct is None or abs(pct) >= Decimal(rules["percent"])):
        return f"变动{shown}万元以上且{rules['percent']}%以上"
    return ""


def year_on_year(old: Extraction, new: Extraction) -> list[Change]:
    """Added, removed and changed lines from the old document to the new, sorted by key."""
    before, after = aligned(old.line_items, new.line_items)
    size = max((i.amount_wan for i in new.line_items), default=ZERO)
    rows = [{k[:3] for k in keys} for keys in (before, after)]
    columns = [{(k[0], k[3]) for k in keys} for keys in (before, after)]
    moved = _moved(before, after)
    for was, now in moved.items():
        before[now] = before.pop(was)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.amount_wan == b.amount_wan and \
                key not in moved.values():
            continue
        if key[:3] in rows[0] and key[:3] in rows[1] and (a is None or b is None) and (
                (a or b).amount_wan == 0 or not all((key[0], key[3]) in c for c in columns)):
            continue  # a line of both years in a column one year does not print, or 0 in it
        kind = "added" if a is None else "removed" if b is None else \
            "moved" if key in moved.values() else "changed"
        item = b or a
        delta = b.amount_wan - a.amount_wan if a and b else None
        pct = percent(a.amount_wan if a else None, delta)
        changes.append(Change(new.source.publisher_id, old.source.doc_id, new.source.doc_id,
                              *key, item.label, a.amount_wan if a else None,
                              b.amount_wan if b else None, delta, pct, kind,
                              significance(kind, item, delta, pct, size)))
    return _fewer(changes)


def _fewer(changes: list[Change]) -> list[Change]:
    """One significant row per fact: a total of income or spending printed in several tables
    is listed once, in the first table templates.toml names; a line whose whole change is
    one of its own lines' (款 20899 and its only 项 2089999) is listed as that line."""
    order = templates()["significance"]["headline"]
    heads = sorted((c for c in changes if c.significance == "收支总计"),
                   key=lambda c: order.index(f"{c.table}:{c.row_key}")
                   if f"{c.table}:{c.row_key}" in order else len(order))
    seen: set[tuple[bool, Decimal | None]] = set()
    plain: set[int] = set()
    for c in heads:  # 收入 and 支出 are two facts even when both change by the same amount
        fact = ("income" in (c.table, c.side) or "收入" in c.row_key, c.change_wan)
        if fact in seen:
            plain.add(id(c))
        seen.add(fact)
    lines = [c for c in changes if c.significance and c.significance != "收支总计"]
    plain |= {id(c) for c in lines if any(
        d is not c and d.table == c.table and d.row_key.startswith(c.row_key) and
        d.change_wan == c.change_wan and d.measure == c.measure for d in lines)}
    return [replace(c, significance="") if id(c) in plain else c for c in changes]


def _moved(before: dict[Key, LineItem], after: dict[Key, LineItem]) -> dict[Key, Key]:
    """Lines printed under a new code: a coded line of last year that is gone, and a coded
    line of this year that is new, with the same name in the same table and column, each the
    only one of its name (住房公积金 30311 → 30113 when the economic classification changed)."""
    gone = [k for k, i in before.items() if k not in after and i.code]
    new = [k for k, i in after.items() if k not in before and i.code]
    def name(keys: list[Key], items: dict[Key, LineItem]) -> dict[tuple[str, ...], list[Key]]:
        out: dict[tuple[str, ...], list[Key]] = {}
        for k in keys:
            out.setdefault((k[0], k[1], k[3], line_name(items[k].label)), []).append(k)
        return out
    was, now = name(gone, before), name(new, after)
    return {keys[0]: now[n][0] for n, keys in was.items()
            if len(keys) == 1 and len(now.get(n, [])) == 1}


def _key(item: LineItem) -> Key:
    return (item.table, item.side, item.row_key, item.measure)


def aligned(old: tuple[LineItem, ...] | list[LineItem], new: tuple[LineItem, ...] | list[LineItem]
            ) -> tuple[dict[Key, LineItem], dict[Key, LineItem]]:
    """Both years' lines keyed so that the same printed line meets itself. Codes win over
    labels: a line printed without its code one year takes the code the other year prints
    for the same name in the same table (公共安全支出 | 204). A line whose table, row and
    column are found once in each year meets itself under whatever side the template's
    layout named (income | side). One column is 金额 (amount) in one template and 合计 (total)
    in another; a basic-spending table's 基本支出 column is its 合计 in a year that prints no
    合计 (templates.toml [alignment])."""
    whole = templates()["alignment"]["whole"]
    totalled = [{i.table for i in items if i.measure in ("total", "amount")}
                for items in (old, new)]
    uncoded = {i.table for i in [*old, *new] if not i.code}
    code_of: dict[tuple[str, str], str] = {}
    for item in [*old, *new]:
        if item.code and item.table in uncoded and item.row_key.split("#")[0] == item.code:
            code_of.setdefault((item.table, line_name(item.label)), item.row_key)

    def key(item: LineItem, year: int) -> Key:
        row = item.row_key if item.code else code_of.get((item.table, line_name(item.label)),
                                                          item.row_key)
        total = item.measure == "amount" or (item.table not in totalled[year] and
                                             whole.get(item.table) == item.measure)
        return (item.table, item.side, row, "total" if total else item.measure)

    before, after = {key(i, 0): i for i in old}, {key(i, 1): i for i in new}
    sides: dict[tuple[str, str, str], list[list[Key]]] = {}
    for n, keys in enumerate((before.keys() - after.keys(), after.keys() - before.keys())):
        for k in keys:
            sides.setdefault((k[0], k[2], k[3]), [[], []])[n].append(k)
    for (was,), (now,) in (pair for pair in sides.values()
                           if len(pair[0]) == len(pair[1]) == 1 and pair[0] != pair[1]):
        before[now] = before.pop(was)
    return before, after


def alignment(old: Extraction, new: Extraction) -> tuple[int, int]:
    """(lines that met themselves, lines in all) over the columns both years print: a line of
    one year only is a line added or discontinued, or one alignment missed."""
    before, after = aligned(old.line_items, new.line_items)
    moved = _moved(dict(before), dict(after))
    common = {(k[0], k[3]) for k in before} & {(k[0], k[3]) for k in after}
    keys = {k for k in before.keys() | after.keys() if (k[0], k[3]) in common}
    met = {k for k in keys if k in before and k in after} | set(moved.values())
    return len(met), len(keys - set(moved))


def stated_against_computed(old: Extraction, new: Extraction) -> tuple[list[Finding], int]:
    """Findings where a stated change disagrees with the tables, and how many were checked."""
    findings, computed, _ = computed_changes(old, new)
    return findings, len(computed)


def computed_changes(old: Extraction, new: Extraction) -> tuple[
        list[Finding], dict[tuple[str, str, str], Decimal], list[Change]]:
    """Each change the new document states against last year's budget, checked against the
    two documents' own figures. A change stated against 执行数 / 决算数 (actual spending) is
    not a change against the budget and is left alone. Where the change disagrees, the new
    document restates last year's figure (its amount less its change): a `restated` change."""
    refs = templates()["narrative"]
    restated: list[Change] = []
    then, now = Checker(old.source.doc_id, list(old.line_items)), \
        Checker(new.source.doc_id, list(new.line_items))
    findings: list[Finding] = []
    computed_by: dict[tuple[str, str, str], Decimal] = {}
    for change in new.stated_changes:
        if change.change_wan is None or not _against_budget(change, old.source.fiscal_year):
            continue
        named = [r for r in refs.get(change.subject, []) if not r.startswith("+")]
        pair = next(((r, a, b) for r in named if (a := then.value(r)) is not None
                     and (b := now.value(r)) is not None), None)
        pair = pair or _line_pair(then, now, change.subject) or \
            _row_pair(then, now, change.subject)
        inferred = pair is None
        pair = pair or _new_line(then, now, change.subject) or next(
            ((r, a, b) for r in named if (a := _derived(then, r)) is not None
             and (b := _derived(now, r)) is not None), None)
        if pair is None:
            continue
        ref, a, b = pair
        computed = printed_as(b - a, change.change_wan)
        if inferred and computed != change.change_wan:
            continue  # a figure not printed as such (a line absent last year may have been
            # printed under another code; a column derived from its identity) only confirms
        computed_by[(change.subject, change.compared_to, change.location)] = b - a
        if computed != change.change_wan:
            table, key, measure = ref.split(":")
            findings.append(Finding(
                new.source.doc_id, "stated_vs_computed", "error", table.split("/")[0], key,
                measure, computed, change.change_wan,
                f"{change.subject}：说明称较{change.compared_to}增减 {change.change_wan}万元；"
                f"{old.source.doc_id} 印 {a}，本文件印 {b}，实际增减 {computed}"
                f"（“{change.quote}”）", change.location))
            if change.amount_wan is not None:
                restated.append(_restated(old, new, ref, a, change))
    return findings, computed_by, restated


def _line_pair(then: Checker, now: Checker, subject: str
               ) -> tuple[str, Decimal, Decimal] | None:
    """A 类/款/项 or coded line a statement names, found for certain in both years' tables
    (by code, or by its names and the codes of its 类/款): (ref, last year's, this year's)."""
    old = {(r.table, r.measure): r for r, certain in line_rows(then, subject) if certain}
    for new, certain in line_rows(now, subject):
        was = old.get((new.table, new.measure))
        if certain and was is not None:
            return f"{new.table}:{new.row_key}:{new.measure}", was.amount_wan, new.amount_wan
    return None


def _row_pair(then: Checker, now: Checker, subject: str
              ) -> tuple[str, Decimal, Decimal] | None:
    """A row of the 收支总表 the statement names by its printed name (三、单位预留机动经费),
    once in each year's table: (ref, last year's, this year's)."""
    name = line_name(subject)
    for table in SUMMARIES:
        rows = [[i for i in c.items if i.table == table and i.measure in ("amount", "total")
                 and line_name(i.label) == name] for c in (then, now)]
        if all(len(r) == 1 for r in rows) and rows[0][0].side == rows[1][0].side:
            was, row = rows[0][0], rows[1][0]
            return f"{table}/{row.side}:{row.row_key}:{row.measure}", was.amount_wan, \
                row.amount_wan
    return None


def _new_line(then: Checker, now: Checker, subject: str
              ) -> tuple[str, Decimal, Decimal] | None:
    """A line named for certain this year that last year's same table and column, which
    were read, do not print: last year's budget had 0 on it. It can only confirm."""
    old = {(r.table, r.measure) for r, _ in line_rows(then, subject)}
    for row, certain in line_rows(now, subject):
        if certain and (row.table, row.measure) not in old and \
                (row.table, row.measure) in then.measures:
            return f"{row.table}:{row.row_key}:{row.measure}", ZERO, row.amount_wan
    return None


def _derived(c: Checker, ref: str) -> Decimal | None:
    """A column the table does not print, from the table's identity that names it as a part
    (templates.toml [identities]): the whole less the other parts, all printed
    (公务用车购置费 = 公务用车购置及运行费 − 公务用车运行费)."""
    value = c.value(ref)
    if value is not None:
        return value
    table_side, key, measure = ref.split(":")
    for formula in templates()["identities"].get(table_side.split("/")[0], []):
        whole, parts = formula_terms(formula)
        printed = [c.value(f"{table_side}:{key}:{m}") for m in [whole] + parts if m != measure]
        if measure in parts and all(v is not None for v in printed):
            return printed[0] - sum(printed[1:], ZERO)
    return None


def _restated(old: Extraction, new: Extraction, ref: str, printed: Decimal,
              change: StatedChange) -> Change:
    """Last year's figure as the new document states it, against the old document's."""
    table_side, key, measure = ref.split(":")
    table, _, side = table_side.partition("/")
    implied = change.amount_wan - change.change_wan
    return Change(new.source.publisher_id, old.source.doc_id, new.source.doc_id, table, side,
                  key, measure, change.subject, printed, implied, implied - printed,
                  percent(printed, implied - printed), "restated", RESTATED)


def _against_budget(change: StatedChange, previous_year: int) -> bool:
    base = change.compared_to
    return "执行" not in base and "决算" not in base and \
        (base.startswith("上年") or base.startswith(f"{previous_year}年"))


def pairs(extractions: list[Extraction]) -> list[tuple[Extraction, Extraction]]:
    """(previous year, this year) for each publisher, kind and scope with consecutive years."""
    by_series: dict[tuple[str, str, str], dict[int, Extraction]] = {}
    for e in extractions:
        s = e.source
        by_series.setdefault((s.publisher_id, s.kind, s.scope), {})[s.fiscal_year] = e
    return [(years[y - 1], years[y]) for years in by_series.values() for y in sorted(years)
            if y - 1 in years]


def revision_id(extraction: Extraction, other: Extraction) -> str:
    """The name of a superseded revision: the document, then `@` and the first 12 hex digits
    of the sha256 of each of its files the newer revision replaced."""
    replaced = {s.sha256 for s in other.sources}
    return extraction.source.doc_id + "@" + "+".join(
        s.sha256[:12] for s in extraction.sources or (extraction.source,)
        if s.sha256 not in replaced)


def revision(old: Extraction, new: Extraction) -> list[Change]:
    """Cell-level differences between two revisions of one document, from `doc@sha` (the
    revision replaced) to the document: a table one revision prints and the other does not
    is one row (table_added, table_removed); the other records are aligned on their keys
    first (plain dicts, fast for thousands of rows), then deepdiff compares those that
    differ."""
    whole = set(old.tables) ^ set(new.tables)
    before = {_key(i): i for i in old.line_items if i.table not in whole}
    after = {_key(i): i for i in new.line_items if i.table not in whole}
    changed = [k for k in before.keys() & after.keys() if before[k] != after[k]]
    from deepdiff import DeepDiff  # with numpy behind it: imported when revisions differ

    diff = DeepDiff({"|".join(k): _record(before[k]) for k in changed},
                    {"|".join(k): _record(after[k]) for k in changed}, ignore_order=True)
    moved = {path.split("'")[1] for path in diff.get("values_changed", {})}
    keys = sorted({k for k in changed if "|".join(k) in moved} |
                  (before.keys() ^ after.keys()))
    ids = (new.source.publisher_id, revision_id(old, new), new.source.doc_id)
    changes = [Change(*ids, table, "", "", "", table_title(table), None, None, None, None,
                      "table_added" if table in new.tables else "table_removed", REVISED)
               for table in sorted(whole)]
    for key in keys:
        a, b = before.get(key), after.get(key)
        kind = "added" if a is None else "removed" if b is None else "revised"
        delta = b.amount_wan - a.amount_wan if a and b else None
        changes.append(Change(*ids, *key, (b or a).label, a.amount_wan if a else None,
                              b.amount_wan if b else None, delta,
                              percent(a.amount_wan if a else None, delta), kind, REVISED))
    return changes


def _record(item: LineItem) -> dict[str, str]:
    return {"label": item.label, "amount_wan": str(item.amount_wan)}
