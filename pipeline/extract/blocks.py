"""Building the ordered block list for formats without lines or pages of their own."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Block


class Blocks:
    """Numbers paragraphs and tables as a reader would count them: 'table 3 row 5'."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.items: list[Block] = []
        self.paragraphs = 0
        self.tables = 0

    def text(self, text: str, level: int = 0) -> None:
        if not text:
            return
        self.paragraphs += 1
        where = f"{self.prefix}paragraph {self.paragraphs}"
        kind = "heading" if level else "paragraph"
        self.items.append(Block(kind, text=text, level=level, where=where))

    def grid(self, rows: Sequence[Sequence[str]], where_rows: Sequence[str] | None = None) -> None:
        width = max((len(r) for r in rows), default=0)
        kept = [(tuple(r) + ("",) * (width - len(r)), i) for i, r in enumerate(rows) if any(r)]
        if not kept:
            return
        self.tables += 1
        names = where_rows or [f"{self.prefix}table {self.tables} row {i + 1}"
                               for i in range(len(rows))]
        self.items.append(Block("table", rows=tuple(r for r, _ in kept), where=names[kept[0][1]],
                                row_where=tuple(names[i] for _, i in kept)))
