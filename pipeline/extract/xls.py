"""Legacy Excel workbooks (XLS, BIFF). The format stores numbers as binary doubles; each is
read back as the shortest decimal that names it, then shown as its cell format shows it."""

from __future__ import annotations

from decimal import Decimal

import xlrd

from pipeline.errors import DocumentError
from pipeline.extract.blocks import Blocks
from pipeline.extract.sheets import sheet_blocks, shown
from pipeline.model import Block


def extract(data: bytes, name: str = "workbook.xls") -> list[Block]:
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as error:  # xlrd raises many kinds; all mean the same to a reader
        raise DocumentError(name, [f"not a readable XLS workbook: {error}"]) from error
    blocks = Blocks()
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_NUMBER:
                    fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
                    row.append(shown(Decimal(repr(cell.value)), fmt))
                else:
                    row.append(str(cell.value) if cell.value is not None else "")
            rows.append(row)
        sheet_blocks(blocks, sheet.name, rows)
    return blocks.items
