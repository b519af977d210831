"""HTML pages: headings, paragraphs and tables in document order. GBK / GB2312 pages are
decoded as gb18030 before parsing (a parser given raw GBK bytes can return an empty tree)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from pipeline.extract.blocks import Blocks
from pipeline.extract.text import clean
from pipeline.model import Block

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def decode_html(data: bytes) -> str:
    """Bytes to text by the declared charset; any GB charset is read as gb18030."""
    declared = _CHARSET.search(data[:4096])
    name = declared.group(1).decode("ascii").lower() if declared else ""
    candidates = (["gb18030"] if name.startswith("gb") else [name] if name else []) + \
        ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


MAX_COLSPAN = 100  # no budget table is wider; a larger span is hostile or broken


def _span(value: object, limit: int) -> int:
    """A colspan or rowspan as the browser reads it (its leading digits, else 1), at most
    `limit`: rowspan="100000000" or colspan="abc" cannot blow the grid up."""
    digits = re.match(r"\s*(\d{1,6})", str(value or ""))
    return max(1, min(int(digits.group(1)) if digits else 1, max(limit, 1)))


def grid(table: Tag) -> list[list[str]]:
    """Table cells with colspan and rowspan laid out: a spanned cell's text stands at its
    first position, the positions it covers are empty."""
    rows: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    trs = table.find_all("tr")
    for r, tr in enumerate(trs):
        row: list[str] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            while (r, len(row)) in pending:
                row.append(pending.pop((r, len(row))))
            text = clean(td.get_text("", strip=True))
            span = _span(td.get("colspan"), MAX_COLSPAN)
            down = _span(td.get("rowspan"), len(trs) - r)  # never past the table's last row
            for extra in range(1, down):
                for c in range(span):
                    pending[(r + extra, len(row) + c)] = ""
            row += [text] + [""] * (span - 1)
        while (r, len(row)) in pending:
            row.append(pending.pop((r, len(row))))
        rows.append(row)
    return rows


def extract(data: bytes) -> list[Block]:
    soup = BeautifulSoup(decode_html(data), "html.parser")
    blocks = Blocks()
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table"]):
        if element.find_parent("table") is not None:
            continue
        if element.name == "table":
            blocks.grid(grid(element))
        else:
            blocks.text(clean(element.get_text("", strip=True)), _HEADINGS.get(element.name, 0))
    return blocks.items
