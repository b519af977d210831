"""The package as one SQLite file for Datasette (`datasette budget-watch.db -m metadata.json`):
a table per resource with its primary and foreign keys, full-text search over line labels,
stated subjects, quotes and findings, views that name both documents of a change and the
document of a finding, and metadata in Chinese. Built from the package's CSVs only.

Amounts stay exact: SQLite has no decimal type, so an amount is kept as the text the package
prints (`amount_wan` '264.87') and, for amounts in 万元, also as a whole number of 分
(`amount_wan_fen` 264870000) for sorting and sums; no amount ever passes through a float."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.package import resource_rows
from pipeline.schema import FOREIGN, RESOURCES, package_descriptor

DATABASE = "budget-watch.db"
METADATA = "metadata.json"
FEN_PER_WAN = Decimal(1_000_000)  # 1 万元 = 10,000 元 = 1,000,000 分
# (table, columns searched): labels, subjects and quotes, the findings' messages
SEARCHED = {"line_items": ["label"], "stated_changes": ["subject", "quote"],
            "findings": ["message"], "projects": ["project", "goal"]}
VIEWS = {
    "changes_named": (
        "两份文件之间的变化（含文件名称）",
        "changes 每行带上原文件与新文件的标题、发布单位和年度",
        """select c.*, f.title as from_title, f.fiscal_year as from_year,
                  t.title as to_title, t.fiscal_year as to_year, t.publisher as publisher
           from changes c
           left join documents f on f.doc_id = (case when instr(c.from_doc, '@') > 0
                then substr(c.from_doc, 1, instr(c.from_doc, '@') - 1) else c.from_doc end)
           join documents t on t.doc_id = c.to_doc"""),
    "findings_named": (
        "核对发现（含文件名称）",
        "findings 每行带上所属文件的标题、发布单位、年度和原文件地址",
        """select f.*, d.title as title, d.publisher as publisher,
                  d.fiscal_year as fiscal_year, d.source_url as source_url
           from findings f join documents d on d.doc_id = f.doc_id"""),
}


def _fen_columns(columns: list[tuple[str, str, str, str]]) -> list[str]:
    """The amount columns in 万元, which get a whole-分 twin."""
    return [name for name, kind, title, _ in columns if kind == "number" and "万元" in title]


def _value(text: str, kind: str, keyed: bool) -> Any:
    """A cell as stored: empty is NULL (the package's missing value), but in a primary key,
    where it is a value ('' side of a one-sided table); numbers as their exact text."""
    if text == "":
        return "" if keyed else None
    return int(text) if kind == "integer" else text


def _fen(text: str) -> int | None:
    if text == "":
        return None
    fen = Decimal(text) * FEN_PER_WAN
    return int(fen) if fen == fen.to_integral_value() else None


def _rows(root: Path, name: str) -> list[dict[str, Any]]:
    _, _, key, columns = RESOURCES[name]
    kinds = {field: kind for field, kind, _, _ in columns}
    twins = _fen_columns(columns)
    return [{**{f: _value(v, kinds[f], f in key) for f, v in row.items()},
             **{f"{f}_fen": _fen(row[f]) for f in twins}} for row in resource_rows(root, name)]


def build(root: Path, out: Path) -> Path:
    """Write the database to `out` (replacing it) and metadata.json beside it."""
    import sqlite_utils  # only this command needs it

    staging = out.with_name(f".{out.name}.new")
    staging.unlink(missing_ok=True)
    db = sqlite_utils.Database(staging)
    for name in ["documents", *[n for n in RESOURCES if n != "documents"]]:
        _, _, key, columns = RESOURCES[name]
        types: dict[str, Any] = {f: int if kind == "integer" else str
                                 for f, kind, _, _ in columns}
        types |= {f"{f}_fen": int for f in _fen_columns(columns)}
        foreign = [("doc_id", "documents", "doc_id")] if name in FOREIGN else \
            [("to_doc", "documents", "doc_id")] if name == "changes" else []
        table = db.table(name)
        table.create(types, pk=tuple(key) if len(key) > 1 else key[0], foreign_keys=foreign,
                     column_order=[f for f, _, _, _ in columns])
        table.insert_all(_rows(root, name))
        if name in SEARCHED:
            table.enable_fts(SEARCHED[name], tokenize="trigram", create_triggers=True)
    for view, (_, _, sql) in VIEWS.items():
        db.create_view(view, sql)
    db.close()
    staging.replace(out)
    (out.parent / METADATA).write_text(
        json.dumps(metadata(out.stem), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata: the package's Chinese titles and descriptions, each column's
    title, and the searchable columns."""
    package = package_descriptor([])
    tables: dict[str, Any] = {}
    for name, (title, description, _, columns) in RESOURCES.items():
        described = {f: f"{ti}：{d}" for f, _, ti, d in columns}
        described |= {f"{f}_fen": f"{dict((c[0], c[2]) for c in columns)[f]}，以分计的整数"
                      "（精确值，便于排序与求和）" for f in _fen_columns(columns)}
        tables[name] = {"title": title, "description": description, "columns": described}
        if name == "documents":  # a foreign key to a document shows its title
            tables[name]["label_column"] = "title"
        if name in SEARCHED:
            tables[name]["fts_table"] = f"{name}_fts"
    for view, (title, description, _) in VIEWS.items():
        tables[view] = {"title": title, "description": description}
    return {"title": package["title"], "description": package["description"],
            "license": "ODC-PDDL-1.0",
            "license_url": "https://opendatacommons.org/licenses/pddl/1-0/",
            "databases": {database: {"title": package["title"], "tables": tables}}}
