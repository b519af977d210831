"""pdfplumber's reading of a table page, kept for pages the fast path does not read:
rotated pages (pdfplumber applies /Rotate; pdfium's coordinates stay unrotated)."""

from __future__ import annotations

import pdfplumber

from pipeline.extract.pdf import _PAGE_NUMBER, clean_grid, reading_order
from pipeline.model import Block
from pipeline.recognise import is_money


def _rows_above(page: pdfplumber.page.Page, bbox: tuple[float, float, float, float],
                extents: list[tuple[float, float]]) -> tuple[list[list[str]], float]:
    """Table rows printed above the first ruled table of a page: the row a page break cut
    from its top border ('30108 机关事业单位基本养老保险缴费 1,326.81' at the very top of a
    continuation page). Words are laid into the table's columns by x position."""
    band = page.within_bbox((bbox[0], 0, bbox[2], bbox[1]))
    lines: dict[int, list[dict]] = {}
    for word in band.extract_words():
        lines.setdefault(round(word["top"]), []).append(word)
    rows, top = [], bbox[1]
    for line_top in sorted(lines, reverse=True):  # upwards from the table, while rows go on
        words = lines[line_top]
        if not any(is_money(w["text"]) for w in words):
            break
        row = [""] * len(extents)
        for word in words:
            middle = (word["x0"] + word["x1"]) / 2
            distances = [0 if x0 <= middle <= x1 else min(abs(middle - x0), abs(middle - x1))
                         for x0, x1 in extents]
            row[distances.index(min(distances))] += word["text"]
        rows.insert(0, row)
        top = min(top, min(w["top"] for w in words))
    return rows, top


def table_page(page: pdfplumber.page.Page, number: int) -> list[Block]:
    """A table page read by pdfplumber: for rotated pages, whose coordinates
    pdfplumber turns upright."""
    where = f"page {number}"
    tables = page.find_tables()
    items: list[tuple[float, Block]] = []
    boxes = [t.bbox for t in tables]
    for index, table in enumerate(tables):
        extents = [(c.bbox[0], c.bbox[2]) for c in table.columns]
        grid, kept = clean_grid(table.extract(), extents)
        if index == 0 and grid:
            orphans, top = _rows_above(page, table.bbox, kept)
            grid = orphans + grid
            boxes[0] = (boxes[0][0], top, boxes[0][2], boxes[0][3])
        if grid:
            items.append((table.bbox[1], Block("table", rows=tuple(tuple(r) for r in grid),
                                               where=where, row_where=(where,) * len(grid),
                                               columns_x=tuple(kept))))
    outside = page
    for box in boxes:
        outside = outside.outside_bbox(box)
    for line in outside.extract_text_lines():
        text = line["text"].strip()
        if text and not _PAGE_NUMBER.match(text):
            items.append((line["top"], Block("paragraph", text=text, where=where)))
    return reading_order(items, where)
