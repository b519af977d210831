"""Changes between two documents of the package, read from the package itself: the rows the
run stored for the pair (consecutive years, or a revision and the one before), else the
years compared afresh from the stored line items. Nothing is reprocessed."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from pipeline.compare import Change, year_on_year
from pipeline.errors import ConfigError
from pipeline.model import Extraction, LineItem, Source
from pipeline.package import resource_rows

_AMOUNTS = {"amount_from", "amount_to", "change_wan", "change_pct"}


_rows = resource_rows


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def documents(root: Path, publisher: str, years: tuple[int, int]) -> tuple[str, ...]:
    """The publisher's documents of those two years, earlier first."""
    found = [d for d in _rows(root, "documents") if d["publisher_id"] == publisher
             and int(d["fiscal_year"]) in years]
    return tuple(d["doc_id"] for d in sorted(found, key=lambda d: int(d["fiscal_year"])))


def _document(root: Path, doc_id: str, rows: dict[str, dict[str, str]],
              items: list[dict[str, str]]) -> Extraction:
    row = rows[doc_id]
    source = Source("", "", row["publisher_id"], int(row["fiscal_year"]), row["kind"],
                    row["scope"], "", 0)
    return Extraction(source, row["publisher"], row["region"], row["title"], tuple(
        LineItem(**{**i, "amount_wan": Decimal(i["amount_wan"]),
                    "confidence": Decimal(i["confidence"]) if i.get("confidence") else None})
        for i in items
        if i["doc_id"] == doc_id))


def between(root: Path, old: str, new: str) -> list[Change]:
    """Every change from `old` to `new` (doc ids, or `doc@sha` for a replaced revision)."""
    stored = [r for r in _rows(root, "changes") if (r["from_doc"], r["to_doc"]) == (old, new)]
    if stored:
        return [Change(**{f.name: _decimal(r[f.name]) if f.name in _AMOUNTS else r[f.name]
                          for f in fields(Change)}) for r in stored]
    known = {d["doc_id"]: d for d in _rows(root, "documents")}
    missing = [d for d in (old, new) if d not in known]
    if missing:
        raise ConfigError("diff needs two documents of the package (doc ids, or "
                               "--publisher ID --years Y1 Y2); not found: " + ", ".join(missing))
    items = _rows(root, "line_items")
    return year_on_year(_document(root, old, known, items), _document(root, new, known, items))
