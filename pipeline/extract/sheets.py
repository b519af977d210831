"""What spreadsheets share: numbers shown as their format shows them, and a sheet's rows
laid out as title paragraphs, one grid, and trailing notes."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.extract.blocks import Blocks
from pipeline.extract.text import clean

_DECIMALS = re.compile(r"\.(0+)")
_ZERO_PAD = re.compile(r"^0+$")
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 49: "@"}


def shown(value: Decimal, number_format: str) -> str:
    """A number as its cell format shows it: '#,##0.00' -> 2 places, '00' -> zero-padded,
    'General' -> up to 15 significant digits (Excel stores doubles; this undoes the noise)."""
    section = number_format.split(";")[0]
    if _ZERO_PAD.match(section):
        return format(value.quantize(Decimal(1)), "f").zfill(len(section))
    places = _DECIMALS.search(section)
    if places and "%" not in section:
        return format(value.quantize(Decimal(1).scaleb(-len(places.group(1)))), "f")
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    rounded = round(value, 15 - value.adjusted() - 1)
    return format(rounded.normalize(), "f")


def sheet_blocks(blocks: Blocks, name: str, rows: list[list[str]]) -> None:
    """A sheet: its name as a heading, title lines, one grid, then notes ('注：…')."""
    rows = [[clean(c) for c in r] for r in rows]
    blocks.text(name, level=1)
    grid: list[list[str]] = []
    where: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = [c for c in row if c]
        if not cells:
            continue
        single = len(cells) == 1 and row[0] == cells[0]
        if single and (not grid or cells[0].startswith("注")):
            blocks.text(cells[0])
        else:
            grid.append(row)
            where.append(f"sheet {name} row {number}")
    blocks.grid(grid, where)
