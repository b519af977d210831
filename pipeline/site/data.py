"""What the site shows, read from the package's CSVs only (never from the archive or the
cache): documents with their rows, and each document's headline figures, found by the same
references the narrative checks use (templates.toml [narrative])."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from pipeline.check import Checker
from pipeline.model import LineItem
from pipeline.package import resource_rows as _read
from pipeline.recognise import templates

TOTALS = ["收入", "支出"]
OVERHEADS = ["“三公”经费", "机关运行经费"]
THREE_PUBLIC = ["因公出国（境）费", "公务接待费", "公务用车购置费", "公务用车运行费"]
VEHICLES = "公务用车购置及运行费"  # when a table prints no split of it
_PAGE = re.compile(r"page (\d+)")


@dataclass
class Document:
    row: dict[str, str]
    items: list[LineItem] = field(default_factory=list)
    stated: list[dict[str, str]] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)  # to this document
    originals: list[str] = field(default_factory=list)  # archive paths present here

    @property
    def doc_id(self) -> str:
        return self.row["doc_id"]

    @property
    def year(self) -> int:
        return int(self.row["fiscal_year"])

    @cached_property
    def checker(self) -> Checker:
        """Its line items indexed as the checks index them: built once, asked many times."""
        return Checker(self.doc_id, self.items)


def load(root: Path) -> list[Document]:
    """Every document of the package with its rows, by publisher, then year, then id."""
    documents = {r["doc_id"]: Document(r, originals=[
        p for p in r["archive_path"].split() if (root / p).exists()])
        for r in _read(root, "documents")}
    for r in _read(root, "line_items"):
        documents[r["doc_id"]].items.append(LineItem(
            r["doc_id"], r["table"], r["side"], r["row_key"], r["measure"], r["code"],
            r["classification"], r["label"], Decimal(r["amount_wan"]), r["location"]))
    for r in _read(root, "stated_changes"):
        documents[r["doc_id"]].stated.append(r)
    for r in _read(root, "findings"):
        documents[r["doc_id"]].findings.append(r)
    for r in _read(root, "changes"):
        if r["to_doc"] in documents:
            documents[r["to_doc"]].changes.append(r)
    return sorted(documents.values(),
                  key=lambda d: (d.row["publisher_id"], d.year, d.doc_id))


def figure(document: Document, subject: str) -> tuple[Decimal, str] | None:
    """(amount, location) of a headline figure as the document's tables print it (a blank
    cell of a printed row and column is 0); None when none of its tables prints it."""
    for ref in templates()["narrative"].get(subject, []):
        if ref.startswith("+"):
            continue  # a reference that can only confirm, never give the figure
        amount = document.checker.value(ref)
        if amount is not None:
            table_side, key, measure = ref.split(":")
            table, _, side = table_side.partition("/")
            item = document.checker.index.get((table, side, key, measure))
            if item is not None:
                return amount, item.location
            # a blank cell: the place of its table
            return amount, next((i.location for i in document.items if i.table == table), "")
    return None


def three_public(document: Document) -> list[tuple[str, Decimal]]:
    """The “三公” parts the document prints, in the order of the table."""
    parts = [(s, f[0]) for s in THREE_PUBLIC if (f := figure(document, s)) is not None]
    if not any(s.startswith("公务用车") for s, _ in parts):
        vehicles = figure(document, VEHICLES)
        if vehicles is not None:
            parts.append((VEHICLES, vehicles[0]))
    return parts


def page_of(location: str) -> int | None:
    """The page a location names ('page 7', 'tables.pdf: page 3'), if any."""
    found = _PAGE.search(location)
    return int(found.group(1)) if found else None
