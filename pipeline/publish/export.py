"""The downloadable package: a zip of datapackage.json, the CSVs and an XLSX workbook with
one sheet per resource under Chinese headers, amounts written as exact decimals."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.package import DESCRIPTOR, resource_rows, resource_text
from pipeline.schema import RESOURCES, package_descriptor

WORKBOOK = "budget-watch.xlsx"
STAMP = (2024, 1, 1, 0, 0, 0)  # fixed zip entry times: the same data gives the same bytes


def workbook(root: Path) -> bytes:
    """One sheet per resource, named by its id, with the fields' Chinese titles as headers."""
    book = Workbook()
    book.remove(book.active)
    for name, (_, _, _, columns) in RESOURCES.items():
        sheet = book.create_sheet(name)
        sheet.append([column_title for _, _, column_title, _ in columns])
        types = [kind for _, kind, _, _ in columns]
        for row in _rows(root, name):
            sheet.append([_cell(value, kind) for value, kind in zip(row, types, strict=False)])
        for index, (_, kind, _, _) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = 14 if kind == "number" else 22
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(root: Path, name: str) -> list[list[str]]:
    fields = [column[0] for column in RESOURCES[name][3]]
    return [[row[f] for f in fields] for row in resource_rows(root, name)]


def _cell(value: str, kind: str) -> object:
    """Numbers as Decimal (written exactly), integers as int, codes and text as text."""
    if value == "":
        return None
    if kind == "number":
        return Decimal(value)
    if kind == "integer":
        return int(value)
    return value


def export(root: Path, out: Path) -> list[str]:
    """Write the zip: the package with one CSV per resource (the repository's partitions
    joined, rows in key order within each publisher's), its descriptor naming them; returns
    the names it holds."""
    descriptor = package_descriptor([])
    for resource in descriptor["resources"]:
        resource["path"] = f"data/{resource['name']}.csv"
    files = {DESCRIPTOR: json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"} | {
        f"data/{name}.csv": resource_text(root, name) for name in RESOURCES}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            entry = zipfile.ZipInfo(name, STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, text.encode("utf-8"))
        entry = zipfile.ZipInfo(WORKBOOK, STAMP)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, workbook(root))
    return [*files, WORKBOOK]
