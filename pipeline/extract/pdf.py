"""PDF disclosures. pypdfium2 reads every page's text, and on pages that hold tables their
ruling lines and character boxes, which pdfplumber's table algorithm turns into grids
(pdf_tables.py). Pages without a text layer are read by OCR (ocr.py) into the same layout
when the OCR extra is installed; otherwise they are reported, never turned into rows."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from pipeline.errors import DocumentError
from pipeline.extract import ocr, pdf_tables
from pipeline.model import Block
from pipeline.recognise import WRITTEN_AMOUNT, is_money, table_kind

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


def _text(textpage: pdfium.PdfTextPage) -> str:
    return textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")


def _path_count(page: pdfium.PdfPage, enough: int = RULED) -> int:
    """The page's vector paths, on the page and in the forms it places (one level deep),
    counted up to `enough`."""
    count = 0
    objects = [(page.raw, pdfium_raw.FPDFPage_CountObjects, pdfium_raw.FPDFPage_GetObject, 0)]
    while objects and count < enough:
        parent, count_of, get, level = objects.pop(0)
        for index in range(count_of(parent)):
            obj = get(parent, index)
            kind = pdfium_raw.FPDFPageObj_GetType(obj)
            if kind == pdfium_raw.FPDF_PAGEOBJ_PATH:
                count += 1
                if count >= enough:
                    break
            elif kind == pdfium_raw.FPDF_PAGEOBJ_FORM and level == 0:
                objects.append((obj, pdfium_raw.FPDFFormObj_CountObjects,
                                pdfium_raw.FPDFFormObj_GetObject, 1))
    return count


def has_table(text: str, paths: int = 0) -> bool:
    """Worth the table finder: ruling lines, a page dense with figures, or a table title
    over a figure or a ruled box (a table printed empty: the unit has no such funds)."""
    tokens = len(_MONEY_TOKEN.findall(text))
    titled = any(table_kind(line) for line in text.splitlines() if len(line) <= 60)
    return paths >= RULED or tokens >= 8 or (titled and (tokens >= 1 or paths >= 1))


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not _PAGE_NUMBER.match(line)]


def _squashed(line: str) -> str:
    return "".join(line.split())


def _running(texts: list[str]) -> set[str]:
    """Running heads and feet (“苏州市应急管理局2026年度部门预算公开”): a line that opens or
    closes at least three pages and a third of those with text, and is no table title, figure
    or unit line. Read into a paragraph it would cut a sentence that runs over the page."""
    ends = Counter()
    for text in texts:
        lines = _lines(text)
        ends.update({_squashed(lines[0]), _squashed(lines[-1])} if lines else set())
    pages = sum(1 for text in texts if text.strip())
    return {line for line, n in ends.items() if n >= max(3, pages / 3)
            and table_kind(line) is None and not is_money(line) and "单位" not in line}


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


def _rows_above(layout: pdf_tables.PageLayout, bbox: tuple[float, float, float, float],
                extents: list[tuple[float, float]]) -> tuple[list[list[str]], float]:
    """Table rows printed above the first ruled table of a page: the row a page break cut
    from its top border ('30108 机关事业单位基本养老保险缴费 1,326.81' at the very top of a
    continuation page). Characters are laid into the table's columns by x position."""
    above = [c for c in layout.chars if c["bottom"] <= bbox[1] + 1
             and bbox[0] <= (c["x0"] + c["x1"]) / 2 <= bbox[2]]
    found = pdf_tables.lines(above)
    wrapped = _wrapped_row(found, bbox[1], extents)
    if wrapped is not None:
        return wrapped
    rows, top = [], bbox[1]
    for line_top, line in reversed(found):  # upwards, while rows go on
        row = _laid(line, extents)
        if not any(is_money(cell) for cell in row):
            break
        rows.insert(0, row)
        top = min(top, line_top)
    return rows, top


def _wrapped_row(found: list[tuple[float, list]], table_top: float,
                 extents: list[tuple[float, float]]) -> tuple[list[list[str]], float] | None:
    """One row whose cells wrap over several lines, right above the table: the lines that
    touch each other and the table, one of them with the figures, the others each within one
    column ('计算机设备维修和保' / '分散自行组织 2.00' / '养服务'). Its cells are joined top to
    bottom. None when the lines above are not such a row."""
    touching: list[tuple[float, list[str]]] = []
    edge = table_top
    height = max((max(c["bottom"] for c in line) - top for top, line in found), default=0)
    for line_top, line in reversed(found):
        if edge - max(c["bottom"] for c in line) > height:
            break  # a gap taller than a line: not the same row
        touching.insert(0, (line_top, _laid(line, extents)))
        edge = line_top
    figures = [row for _, row in touching if any(is_money(cell) for cell in row)]
    words = [row for _, row in touching if row not in figures]
    if len(touching) < 2 or len(figures) != 1 or any(sum(map(bool, row)) != 1 for row in words) \
            or not any(WRITTEN_AMOUNT.match(c) for c in figures[0]) or \
            all(is_money(c) for c in figures[0] if c):  # a row has a label and an amount
        return None
    cells = ["".join(row[i] for _, row in touching) for i in range(len(extents))]
    return [cells], touching[0][0]


def _laid(line: list, extents: list[tuple[float, float]]) -> list[str]:
    """One line of characters laid into the table's columns by x position."""
    cells: list[list] = [[] for _ in extents]
    for char in line:
        middle = (char["x0"] + char["x1"]) / 2
        distances = [0 if x0 <= middle <= x1 else min(abs(middle - x0), abs(middle - x1))
                     for x0, x1 in extents]
        cells[distances.index(min(distances))].append(char)
    return [pdf_tables.line_text(c).replace(" ", "") for c in cells]


def _rows_below(layout: pdf_tables.PageLayout, bbox: tuple[float, float, float, float],
                extents: list[tuple[float, float]]) -> tuple[list[list[str]], float]:
    """A closing row printed just under a table's last ruling ('合计 156,211,123 …'): lines
    right below the table holding a label and at least two figures, read into its columns."""
    below = [c for c in layout.chars if c["top"] >= bbox[3] - 1
             and bbox[0] <= (c["x0"] + c["x1"]) / 2 <= bbox[2]]
    rows, bottom = [], bbox[3]
    for line_top, line in pdf_tables.lines(below):
        row = _laid(line, extents)
        height = max(c["bottom"] for c in line) - line_top
        if line_top - bottom > 2 * height or sum(is_money(cell) for cell in row) < 2 or \
                not any(cell and not is_money(cell) for cell in row):
            break
        rows.append(row)
        bottom = max(c["bottom"] for c in line)
    return rows, bottom


def _table_items(layout: pdf_tables.PageLayout, number: int) -> list[tuple[float, Block]]:
    """The grids of one page and its text lines outside them, each with its top. Running
    heads are left for the caller to drop: they are known once every page is read."""
    where = f"page {number}"
    items: list[tuple[float, Block]] = []
    boxes = []
    found = pdf_tables.tables(layout)
    for index, table in enumerate(found):
        extents = [(c.bbox[0], c.bbox[2]) for c in table.columns]
        grid, kept = clean_grid(pdf_tables.grid(table), extents)
        box = table.bbox
        if index == 0 and grid:
            orphans, top = _rows_above(layout, box, kept)
            grid, box = orphans + grid, (box[0], top, box[2], box[3])
        if grid and index == len(found) - 1:
            closing, bottom = _rows_below(layout, box, kept)
            grid, box = grid + closing, (box[0], box[1], box[2], bottom)
        boxes.append(box)
        if grid:
            items.append((box[1], Block("table", rows=tuple(tuple(r) for r in grid),
                                        where=where, row_where=(where,) * len(grid),
                                        columns_x=tuple(kept))))
    outside = [c for c in layout.chars if not any(pdf_tables.inside(c, b) for b in boxes)]
    for top, line in pdf_tables.lines(outside):
        text = pdf_tables.line_text(line).strip()
        if text and not _PAGE_NUMBER.match(text):
            items.append((top, Block("paragraph", text=text, where=where)))
    return items


def reading_order(items: list[tuple[float, Block]], where: str) -> list[Block]:
    """A page's lines and grids top to bottom, lines between grids joined into paragraphs."""
    blocks: list[Block] = []
    pending: list[str] = []
    for _, block in sorted(items, key=lambda item: item[0]):
        if block.kind == "paragraph":
            pending.append(block.text)
            continue
        blocks += _paragraphs(pending, where)
        pending = []
        blocks.append(block)
    return blocks + _paragraphs(pending, where)


SCAN = "页都没有文字层（扫描件）"  # the words that mark a file read as a scan
UNREAD_SCAN = "没有文字层（扫描件），未读取"  # the words of pages left unread for want of OCR


def scanned(pages: int) -> str:
    """Why a PDF of page images alone cannot be read."""
    return f"全部 {pages} {SCAN}，需要 OCR 才能读取：{ocr.why_not()}"


@dataclass(frozen=True)
class _Page:
    """One page as read in the one pass: its text, and on a table page (or a page read by
    OCR) its grids and lines (`items`); `ocr` the lines the engine read, on such a page."""

    number: int
    text: str
    items: tuple[tuple[float, Block], ...] | None = None
    ocr: tuple[ocr.Line, ...] | None = None
    empty: bool = False  # nothing printed on it at all: no text, no image, no drawing


@contextlib.contextmanager
def _opened(data: bytes, name: str) -> Iterator[pdfium.PdfDocument]:
    document = _open(data, name)
    try:
        yield document
    finally:
        document.close()


def _read(document: pdfium.PdfDocument, pages: range | None = None, tables: bool = True,
          by_ocr: set[int] | None = None) -> list[_Page]:
    """Each page loaded once: its text, and, on a page that holds a table, its characters and
    paths from the same loaded page, laid out into grids. `tables=False` reads text only;
    `by_ocr` names pages (from 1) read by OCR whatever their text layer holds."""
    read = []
    for index in pages if pages is not None else range(len(document)):
        if index >= len(document):
            break
        page = document[index]
        textpage = page.get_textpage()
        text = _text(textpage)
        found = _Page(index + 1, text)
        if not text.strip() and not pdfium_raw.FPDFPage_CountObjects(page.raw):
            found = _Page(index + 1, text, empty=True)
        elif tables and ocr.available() and (ocr.mode() == "all" or not text.strip() or
                                             index + 1 in (by_ocr or ())):
            found = _ocr_page(page, index + 1)
        elif tables and text.strip() and has_table(text, _path_count(page)):
            layout = pdf_tables.layout(page, textpage)
            found = _Page(index + 1, text, items=tuple(_table_items(layout, index + 1)))
        read.append(found)
        textpage.close()
        page.close()
    return read


def _ocr_page(page: pdfium.PdfPage, number: int) -> _Page:
    """A page read by OCR: its grids and lines, and what the engine read on it."""
    found = ocr.read(page)
    return _Page(number, found.text, items=tuple(_table_items(found.layout, number)),
                 ocr=found.lines)


def _line_blocks(pages: list[_Page]) -> list[Block]:
    return [Block("paragraph", text=line, where=f"page {page.number}")
            for page in pages for line in _lines(page.text)]


@dataclass(frozen=True)
class Opening:
    """What tells who published a PDF: the lines of its first pages (each a block, no table
    finder), its metadata title and its number of pages. A scan has no lines."""

    blocks: list[Block]
    title: str
    pages: int


def opening(data: bytes, name: str = "document.pdf", count: int = 8) -> Opening:
    """The opening `count` pages' lines: enough to tell who published what (cover, title,
    部门名称). The other pages are not loaded. A scan's first SCANNED_OPENING pages are read
    by OCR when the extra is installed."""
    with _opened(data, name) as document:
        pages = _read(document, range(count), tables=False)
        if ocr.available() and not any(page.text.strip() for page in pages):
            pages = [_Page(i + 1, ocr.read(document[i]).text)
                     for i in range(min(SCANNED_OPENING, len(document)))]
        return Opening(_line_blocks(pages), document.get_metadata_value("Title") or "",
                       len(document))


SCANNED_OPENING = 2  # a cover and a first page name the publisher, year and kind


def deeper(data: bytes, name: str = "document.pdf", count: int = 8) -> list[Block]:
    """The lines of the pages after the first `count`: for a label printed deeper in."""
    with _opened(data, name) as document:
        return _line_blocks(_read(document, range(count, len(document)), tables=False))


def extract(data: bytes, name: str = "document.pdf", by_ocr: set[int] | None = None
            ) -> list[Block]:
    """The document's blocks; pages without a text layer, and the pages `by_ocr` names (for
    measuring OCR against a text layer), read by OCR when the extra is installed."""
    with _opened(data, name) as document:
        pages = _read(document, by_ocr=by_ocr)
    blank = [page.number for page in pages
             if not page.text.strip() and page.ocr is None and not page.empty]
    if pages and len(blank) == len(pages):
        raise DocumentError(name, [scanned(len(pages))])
    blocks: list[Block] = []
    if blank:
        listed = ", ".join(str(p) for p in blank)
        blocks.append(Block("notice", text=f"第 {listed} 页{UNREAD_SCAN}：{ocr.why_not()}",
                            where=f"page {blank[0]}"))
    running = _running([page.text for page in pages])
    for page in pages:
        where = f"page {page.number}"
        if page.items is not None:
            ordered = reading_order([(top, b) for top, b in page.items if b.kind == "table"
                                     or _squashed(b.text) not in running], where)
            if page.ocr is not None:  # every block of the page says what the engine read there
                read = tuple((line.text, line.confidence, line.box[1], line.box[3])
                             for line in page.ocr)
                ordered = [replace(b, ocr=read) for b in ordered]
            blocks += ordered
        elif page.text.strip():
            lines = [line for line in _lines(page.text) if _squashed(line) not in running]
            blocks += _paragraphs(lines, where)
    return blocks
