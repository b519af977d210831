"""Word documents (DOCX): paragraphs (Heading styles as headings) and tables, in order."""

from __future__ import annotations

import io

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from pipeline.extract.blocks import Blocks
from pipeline.extract.text import clean
from pipeline.model import Block


def _rows(table: DocxTable) -> list[tuple[str, ...]]:
    """Cell texts; a merged cell's text stands once, at its first position."""
    rows = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            first = id(cell._tc) not in seen
            seen.add(id(cell._tc))
            cells.append(clean(cell.text.replace("\n", "")) if first else "")
        rows.append(tuple(cells))
    return rows


def extract(data: bytes) -> list[Block]:
    document = docx.Document(io.BytesIO(data))
    blocks = Blocks()
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            blocks.grid(_rows(DocxTable(child, document)))
        elif tag == "p":
            paragraph = Paragraph(child, document)
            style = paragraph.style.name if paragraph.style is not None else ""
            words = style.split()
            level = int(words[-1]) if style.startswith("Heading") and words[-1].isdigit() else 0
            blocks.text(clean(paragraph.text), level)
    return blocks.items
