"""Text renderings of a disclosure: `#` headings, paragraphs, tab-separated table rows."""

from __future__ import annotations

import re

from pipeline.model import Block

_MARKUP = re.compile(r"\*\*|__")
_BULLET = re.compile(r"^\s*(?:[-*•■]\s+)")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the superset of GBK and GB2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def clean(text: str) -> str:
    return _MARKUP.sub("", text).strip()


def extract(data: bytes) -> list[Block]:
    """Blocks in document order; consecutive tab-separated lines form one table grid."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    row_lines: list[str] = []

    def flush() -> None:
        if rows:
            blocks.append(Block("table", rows=tuple(rows), where=row_lines[0],
                                row_where=tuple(row_lines)))
            rows.clear()
            row_lines.clear()

    for number, raw in enumerate(decode(data).splitlines(), start=1):
        if "\t" in raw:
            rows.append(tuple(clean(cell) for cell in raw.split("\t")))
            row_lines.append(f"line {number}")
            continue
        flush()
        line = raw.strip()
        if not clean(line):
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            blocks.append(Block("heading", text=clean(line.lstrip("#")), level=level,
                                where=f"line {number}"))
        else:
            blocks.append(Block("paragraph", text=clean(_BULLET.sub("", line)),
                                where=f"line {number}"))
    flush()
    return blocks
