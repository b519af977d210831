"""Compare two documents: year on year (same publisher, kind and scope, consecutive years),
line by line on (table, side, row_key, measure); and each stated change against the change
the two documents' tables give. Compute here, render in report.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from deepdiff import DeepDiff

from pipeline.check import Checker, printed_as
from pipeline.check_lines import _resolve, line_path
from pipeline.model import Extraction, Finding, LineItem, StatedChange
from pipeline.recognise import templates

Key = tuple[str, str, str, str]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


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
                 pct: Decimal | None) -> str:
    """Which rule of templates.toml [significance] makes this change worth reporting."""
    rules = templates()["significance"]
    if kind != "changed":
        return kind
    if item.table in rules["always_tables"]:
        return f"table {item.table}"
    if item.row_key in rules["always_rows"]:
        return "total"
    floor, share = Decimal(rules["floor_wan"]), Decimal(rules["percent"])
    if change is not None and abs(change) >= floor and (pct is None or abs(pct) >= share):
        return f"at least {floor}万元 and {share}%"
    return ""


def year_on_year(old: Extraction, new: Extraction) -> list[Change]:
    """Added, removed and changed lines from the old document to the new, sorted by key."""
    before = {_key(i): i for i in old.line_items}
    after = {_key(i): i for i in new.line_items}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.amount_wan == b.amount_wan:
            continue
        kind = "added" if a is None else "removed" if b is None else "changed"
        item = b or a
        delta = b.amount_wan - a.amount_wan if a and b else None
        pct = percent(a.amount_wan if a else None, delta)
        changes.append(Change(new.source.publisher_id, old.source.doc_id, new.source.doc_id,
                              *key, item.label, a.amount_wan if a else None,
                              b.amount_wan if b else None, delta, pct, kind,
                              significance(kind, item, delta, pct)))
    return changes


def _key(item: LineItem) -> Key:
    return (item.table, item.side, item.row_key, item.measure)


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
        pair = next(((r, a, b) for r in refs.get(change.subject, []) if not r.startswith("+")
                     and (a := then.value(r)) is not None and (b := now.value(r)) is not None),
                    None)
        if pair is None:
            pair = _line_pair(then, now, change.subject)
        if pair is None:
            continue
        ref, a, b = pair
        computed = printed_as(b - a, change.change_wan)
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
    code, names = line_path(subject)
    if not (code or names):
        return None
    for ref in templates()["lines"]["tables"]:
        table, measure = ref.split(":")
        found = [_resolve([i for i in c.items if i.table == table and i.measure == measure],
                          code, names) for c in (then, now)]
        (old, old_certain), (new, new_certain) = found
        if old is not None and new is not None and old_certain and new_certain:
            return f"{table}:{new.row_key}:{measure}", old.amount_wan, new.amount_wan
    return None


def _restated(old: Extraction, new: Extraction, ref: str, printed: Decimal,
              change: StatedChange) -> Change:
    """Last year's figure as the new document states it, against the old document's."""
    table_side, key, measure = ref.split(":")
    table, _, side = table_side.partition("/")
    implied = change.amount_wan - change.change_wan
    return Change(new.source.publisher_id, old.source.doc_id, new.source.doc_id, table, side,
                  key, measure, change.subject, printed, implied, implied - printed,
                  percent(printed, implied - printed), "restated", "restated")


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


def revision(old: Extraction, new: Extraction) -> list[Change]:
    """Cell-level differences between two revisions of one document: the records are aligned
    on their keys first (plain dicts, fast for thousands of rows), then deepdiff compares the
    aligned records that differ."""
    before = {_key(i): i for i in old.line_items}
    after = {_key(i): i for i in new.line_items}
    changed = [k for k in before.keys() & after.keys() if before[k] != after[k]]
    diff = DeepDiff({"|".join(k): _record(before[k]) for k in changed},
                    {"|".join(k): _record(after[k]) for k in changed}, ignore_order=True)
    moved = {path.split("'")[1] for path in diff.get("values_changed", {})}
    keys = sorted({k for k in changed if "|".join(k) in moved} |
                  (before.keys() ^ after.keys()))
    changes = []
    for key in keys:
        a, b = before.get(key), after.get(key)
        kind = "added" if a is None else "removed" if b is None else "revised"
        delta = b.amount_wan - a.amount_wan if a and b else None
        changes.append(Change(new.source.publisher_id, old.source.doc_id, new.source.doc_id,
                              *key, (b or a).label, a.amount_wan if a else None,
                              b.amount_wan if b else None, delta,
                              percent(a.amount_wan if a else None, delta), kind, "revision"))
    return changes


def _record(item: LineItem) -> dict[str, str]:
    return {"label": item.label, "amount_wan": str(item.amount_wan)}
