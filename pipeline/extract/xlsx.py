"""XLSX workbooks read from their XML, so that numbers keep the exact decimal text the file
stores (no float on the way) and codes stay text. Sizes are checked before anything is
unpacked: a zip bomb is refused, not inflated."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from pipeline.errors import DocumentError
from pipeline.extract.blocks import Blocks
from pipeline.extract.sheets import BUILTIN_FORMATS, sheet_blocks, shown
from pipeline.model import Block

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
_REF = re.compile(r"([A-Z]+)(\d+)")


def _column(ref: str) -> int:
    letters = _REF.match(ref).group(1)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _open(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise DocumentError(name, [f"not a valid XLSX (zip) file: {error}"]) from error
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
        raise DocumentError(name, [f"refused: unpacks to {unpacked} bytes from {len(data)} "
                                   f"(limit {MAX_UNPACKED} bytes, ratio {MAX_RATIO}); "
                                   "a zip bomb or not a spreadsheet"])
    return archive


def _xml(archive: zipfile.ZipFile, path: str) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(archive.read(path))
    except KeyError:
        return None


def _formats(archive: zipfile.ZipFile) -> list[str]:
    """Number format code per cell style index."""
    styles = _xml(archive, "xl/styles.xml")
    if styles is None:
        return []
    custom = {int(f.get("numFmtId")): f.get("formatCode", "")
              for f in styles.iter(f"{M}numFmt")}
    xfs = styles.find(f"{M}cellXfs")
    return [custom.get(int(xf.get("numFmtId", 0)), BUILTIN_FORMATS.get(
        int(xf.get("numFmtId", 0)), "General")) for xf in (xfs if xfs is not None else [])]


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    workbook = _xml(archive, "xl/workbook.xml")
    rels = _xml(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return []
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{PR}Relationship")}
    found = []
    for sheet in workbook.iter(f"{M}sheet"):
        target = targets.get(sheet.get(f"{R}id"), "").lstrip("/")
        found.append((sheet.get("name", ""), target if target.startswith("xl/")
                      else f"xl/{target}"))
    return found


def _cell(cell: ElementTree.Element, shared: list[str], formats: list[str]) -> str:
    kind = cell.get("t", "n")
    value = cell.findtext(f"{M}v") or ""
    formula = cell.find(f"{M}f")
    if formula is not None and not value:
        # a formula the file holds no result for: its text, which no reader takes for an
        # amount, so the table is reported as not read rather than read as blank
        return f"={formula.text or '（共享公式）'}（公式，文件未存计算结果）"
    if kind == "s":
        return shared[int(value)] if value else ""
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{M}t"))
    if kind in ("str", "b", "e") or not value:
        return value
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    style = int(cell.get("s", 0))
    return shown(number, formats[style] if style < len(formats) else "General")


def extract(data: bytes, name: str = "workbook.xlsx") -> list[Block]:
    archive = _open(data, name)
    sst = _xml(archive, "xl/sharedStrings.xml")
    shared = ["".join(t.text or "" for t in si.iter(f"{M}t"))
              for si in (sst if sst is not None else [])]
    formats = _formats(archive)
    blocks = Blocks()
    sheets = _sheets(archive)
    if not sheets:
        raise DocumentError(name, ["not an XLSX workbook: no xl/workbook.xml or no sheets"])
    for sheet_name, path in sheets:
        sheet = _xml(archive, path)
        if sheet is None:
            continue
        rows: list[list[str]] = []
        for row in sheet.iter(f"{M}row"):
            cells: dict[int, str] = {}
            for cell in row.iter(f"{M}c"):
                cells[_column(cell.get("r", "A1"))] = _cell(cell, shared, formats)
            number = int(row.get("r", len(rows) + 1))
            rows += [[] for _ in range(number - 1 - len(rows))]
            rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
        sheet_blocks(blocks, sheet_name, rows)
    return blocks.items
