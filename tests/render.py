"""Render the Changsha sample into every format the pipeline reads (PDF, XLSX, XLS, HTML,
DOCX), so the repository needs no third-party fixtures. Tables are rendered fragment by
fragment, as the sample prints them (a table continued on another page repeats its title)."""

from __future__ import annotations

import html as html_lib
import io
import re
from decimal import Decimal

from pipeline.extract import text
from pipeline.model import Block

MONEY = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d+$")
AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d%])")  # in running text


def reissued(text: str, name: str, year: int, factor: int = 1) -> bytes:
    """The Changsha sample's text re-issued by the department `name` for `year`: every year
    it names moved by the same step, and every amount multiplied by the whole `factor` (so
    that its own sums still hold)."""
    text = re.sub(r"20[12]\d(?= ?年)", lambda m: str(int(m.group()) + year - 2023), text)
    text = text.replace("长沙市行政审批服务局", name)

    def scaled(match: re.Match[str]) -> str:
        whole = match.group(1)
        value = Decimal(whole.replace(",", "") + "." + match.group(2)) * factor
        return f"{value:,.2f}" if "," in whole else f"{value:.2f}"
    return (AMOUNT.sub(scaled, text) if factor != 1 else text).encode("utf-8")


def sample_blocks(data: bytes) -> list[Block]:
    return text.extract(data)


def to_html(blocks: list[Block], encoding: str = "gbk") -> bytes:
    charset = "gb2312" if encoding == "gbk" else encoding
    parts = [f'<html><head><meta http-equiv="Content-Type" content="text/html; '
             f'charset={charset}"><title>预算公开</title></head><body>']
    for block in blocks:
        if block.kind == "heading":
            parts.append(f"<h{min(block.level + 1, 6)}>{html_lib.escape(block.text)}"
                         f"</h{min(block.level + 1, 6)}>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{html_lib.escape(block.text)}</p>")
        else:
            rows = "".join("<tr>" + "".join(f"<td>{html_lib.escape(c)}</td>" for c in row)
                           + "</tr>" for row in block.rows)
            parts.append(f'<table border="1">{rows}</table>')
    parts.append("</body></html>")
    return "\n".join(parts).encode(encoding, errors="xmlcharrefreplace")


def to_docx(blocks: list[Block]) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=min(block.level, 9))
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        else:
            width = max(len(r) for r in block.rows)
            table = document.add_table(rows=len(block.rows), cols=width)
            for row, cells in zip(block.rows, table.rows, strict=True):
                for text, cell in zip(row, cells.cells, strict=False):
                    if text:
                        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sheets(blocks: list[Block]) -> list[tuple[str, list[list[str]]]]:
    """Narrative on the first sheet; each table fragment on its own sheet with its title,
    meta lines, grid and note, as portals lay out spreadsheet disclosures."""
    sheets: list[tuple[str, list[list[str]]]] = [("说明", [])]
    pending: list[str] = []
    for block in blocks:
        if block.kind == "table":
            name = f"表{len(sheets)}"
            sheets.append((name, [[p] for p in pending] + [list(r) for r in block.rows]))
            pending = []
        elif block.kind == "heading" or "表" in block.text[-3:] and len(block.text) < 40:
            sheets[0][1].extend([p] for p in pending)
            pending = [block.text]
        elif pending and (block.text.startswith(("部门名称", "单位：")) or len(sheets) > 1
                          and not block.text.startswith("注")):
            pending.append(block.text)
        elif block.text.startswith("注") and len(sheets) > 1:
            sheets[-1][1].append([block.text])
        else:
            pending.append(block.text)
    sheets[0][1].extend([p] for p in pending)
    return sheets


def to_xlsx(blocks: list[Block]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in _sheets(blocks):
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                target = sheet.cell(r, c)
                if MONEY.match(cell):  # amounts as numbers with a 2-place format
                    target.value = float(cell.replace(",", ""))
                    target.number_format = "#,##0.00"
                else:
                    target.value = cell  # codes stay text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xls(blocks: list[Block]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    for name, rows in _sheets(blocks):
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if MONEY.match(cell):
                    sheet.write(r, c, float(cell.replace(",", "")), money)
                else:
                    sheet.write(r, c, cell[:32000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(blocks: list[Block]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A3, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=9, leading=12,
                          wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=6, leading=7.5,
                          wordWrap="CJK")
    story: list = []
    for block in blocks:
        if block.kind == "table":
            width = max(len(r) for r in block.rows)
            # long cells wrap as Paragraphs, short ones are plain strings; each ends with a
            # space, so that no line is one character alone (pdfium drops a one-character
            # string drawn in reportlab's built-in CID font; real disclosures embed fonts)
            rows = [[Paragraph(html_lib.escape(c) + "&nbsp;", cell) if len(c) > 8 else
                     (c + " " if len(c) == 1 else c) for c in r]
                    + [""] * (width - len(r)) for r in block.rows]
            table = Table(rows, colWidths=[1100 / width] * width)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                                       ("FONTSIZE", (0, 0), (-1, -1), 6)]))
            story.append(table)
        elif block.kind == "heading" and "表" in block.text and len(block.text) < 40:
            story += [PageBreak(), Paragraph(html_lib.escape(block.text), body)]
        else:
            story.append(Paragraph(html_lib.escape(block.text), body))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A3), leftMargin=30, rightMargin=30,
                      topMargin=30, bottomMargin=30).build(story)
    return out.getvalue()
