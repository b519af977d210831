"""PDF disclosures with a text layer. pypdfium2 reads every page's text (fast); pdfplumber's
table finder, the expensive part, runs only on pages that hold tables. Pages without a text
layer are reported, never turned into rows."""

from __future__ import annotations

import io
import re

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from pipeline.errors import DocumentError
from pipeline.model import Block
from pipeline.recognise import is_money, table_kind

_MONEY_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{1,4}")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-—–\s]*$")
_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_SENTENCE_END = ("。", "；", "：", ":", ";")


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        reason = "encrypted (password protected)" if "password" in str(error).lower() \
            else f"not a readable PDF ({error})"
        raise DocumentError(name, [reason]) from error


RULED = 10  # vector paths on a page from which it is taken to hold a ruled table


def page_texts(data: bytes, name: str) -> list[tuple[str, int]]:
    """Every page's text layer (empty where it has none) and its count of vector paths."""
    document = _open(data, name)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            paths = 0
            for _ in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_PATH], max_depth=2):
                paths += 1
                if paths >= RULED:
                    break
            pages.append((text, paths))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def has_table(text: str, paths: int = 0) -> bool:
    """Worth the table finder: ruling lines, a table title, or a page dense with figures."""
    tokens = len(_MONEY_TOKEN.findall(text))
    titled = any(table_kind(line) for line in text.splitlines() if len(line) <= 60)
    return paths >= RULED or tokens >= 8 or (titled and tokens >= 1)


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not _PAGE_NUMBER.match(line)]


def _join_wrapped_titles(lines: list[str]) -> list[str]:
    """A table title that wrapped ('…培训费支' / '出预算表') joined back into one line."""
    joined: list[str] = []
    for line in lines:
        if joined and table_kind(joined[-1]) is None and not joined[-1].endswith("表") \
                and len(joined[-1]) + len(line) <= 70 \
                and table_kind(joined[-1] + line) is not None and not line.endswith("。"):
            joined[-1] += line
        else:
            joined.append(line)
    return joined


def _paragraphs(lines: list[str], where: str) -> list[Block]:
    """Wrapped lines joined into paragraphs; titles and headings stand alone."""
    blocks: list[Block] = []
    current = ""
    lines = _join_wrapped_titles(lines)
    for line in lines:
        alone = bool(_HEADING.match(line)) or (table_kind(line) is not None and len(line) <= 60)
        if alone and current:
            blocks.append(Block("paragraph", text=current, where=where))
            current = ""
        current += line
        if alone or line.endswith(_SENTENCE_END):
            blocks.append(Block("paragraph", text=current, where=where))
            current = ""
    if current:
        blocks.append(Block("paragraph", text=current, where=where))
    return blocks


def clean_cell(cell: str | None) -> str:
    """Wrapped cells hold line breaks, even inside numbers: remove them, never add a space."""
    if cell is None:
        return ""
    joined = cell.replace("\n", "").strip()
    return joined.replace(" ", "") if is_money(joined) else joined


BORDER = 8  # points: the gap of a double rule, not a column of its own


def column_groups(extents: list[tuple[float, float]]) -> list[list[int]]:
    """Columns drawn inside other columns (double-ruled cells give an outer and an inner
    column for one printed column) grouped with the column that contains them."""
    groups: list[list[int]] = []
    outer: tuple[float, float] | None = None
    for index, (x0, x1) in enumerate(extents):
        inside = outer is not None and x0 >= outer[0] - 1 and x1 <= outer[1] + 1
        border = inside and (x1 - x0 < BORDER or (x0 - outer[0] <= BORDER
                                                  and outer[1] - x1 <= BORDER))
        if border:
            groups[-1].append(index)
        else:
            groups.append([index])
            outer = (x0, x1)
    return groups


def clean_grid(rows: list[list[str | None]], extents: list[tuple[float, float]] | None = None
               ) -> tuple[list[list[str]], list[tuple[float, float]]]:
    """Cells cleaned and nested columns merged; empty rows, and columns that are only merge
    artefacts (no cell of their own in any row), removed. Empty real columns stay, so the
    pages of one table align. Returns the grid and each column's x extent."""
    width = max((len(r) for r in rows), default=0)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    extents = extents if extents and len(extents) == width else [(i, i + 1) for i in range(width)]
    groups = [g for g in column_groups(extents) if any(r[c] is not None for r in rows for c in g)]
    grid = [["".join(clean_cell(r[c]) for c in g) for g in groups] for r in rows]
    keep = [i for i, row in enumerate(grid) if any(row)]
    return [grid[i] for i in keep], [extents[g[0]] for g in groups]


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


def _table_page(page: pdfplumber.page.Page, number: int) -> list[Block]:
    """Text lines and table grids of one page, in reading order (top to bottom)."""
    where = f"page {number}"
    tables = page.find_tables()
    items: list[tuple[float, list[Block]]] = []
    boxes = [t.bbox for t in tables]
    for index, table in enumerate(tables):
        extents = [(c.bbox[0], c.bbox[2]) for c in table.columns]
        grid, kept = clean_grid(table.extract(), extents)
        if index == 0 and grid:
            orphans, top = _rows_above(page, table.bbox, kept)
            grid = orphans + grid
            boxes[0] = (boxes[0][0], top, boxes[0][2], boxes[0][3])
        if grid:
            items.append((table.bbox[1], [Block("table", rows=tuple(tuple(r) for r in grid),
                                                where=where, row_where=(where,) * len(grid),
                                                columns_x=tuple(kept))]))
    outside = page
    for box in boxes:
        outside = outside.outside_bbox(box)
    for line in outside.extract_text_lines():
        text = line["text"].strip()
        if text and not _PAGE_NUMBER.match(text):
            items.append((line["top"], [Block("paragraph", text=text, where=where)]))
    items.sort(key=lambda item: item[0])
    blocks: list[Block] = []
    pending: list[str] = []
    for _, group in items:
        block = group[0]
        if block.kind == "paragraph":
            pending.append(block.text)
            continue
        blocks += _paragraphs(pending, where)
        pending = []
        blocks.append(block)
    return blocks + _paragraphs(pending, where)


def _readable(data: bytes, name: str) -> tuple[list[tuple[str, int]], list[int]]:
    """Every page's text and path count, and the pages without text; a scan is an error."""
    pages = page_texts(data, name)
    blank = [i + 1 for i, (text, _) in enumerate(pages) if not text.strip()]
    if pages and len(blank) == len(pages):
        raise DocumentError(name, [f"no text layer on any of its {len(pages)} pages "
                                   "(a scan): nothing can be read without OCR"])
    return pages, blank


def opening(data: bytes, name: str = "document.pdf", count: int = 4) -> list[Block]:
    """The text of the first pages only, without the table finder: enough to tell who
    published what (cover, title, 部门名称)."""
    pages, _ = _readable(data, name)
    return [b for i, (text, _) in enumerate(pages[:count])
            for b in _paragraphs(_lines(text), f"page {i + 1}")]


def extract(data: bytes, name: str = "document.pdf") -> list[Block]:
    pages, blank = _readable(data, name)
    texts = [text for text, _ in pages]
    blocks: list[Block] = []
    if blank:
        listed = ", ".join(str(p) for p in blank)
        blocks.append(Block("notice", text=f"no text layer on pages {listed}",
                            where=f"page {blank[0]}"))
    table_pages = {i for i, (text, paths) in enumerate(pages)
                   if text.strip() and has_table(text, paths)}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for index, text in enumerate(texts):
            if index in table_pages:
                blocks += _table_page(pdf.pages[index], index + 1)
            elif text.strip():
                blocks += _paragraphs(_lines(text), f"page {index + 1}")
    return blocks
