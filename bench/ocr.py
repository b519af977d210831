"""Benchmark: OCR speed and memory on this machine, the render scale chosen by measurement,
and the share of the corpus' pages that need OCR.

    python bench/ocr.py [--pages N] [--scales 1.5,2,3]

For each scale, in a fresh process: N table pages of text-layer PDFs (from several cities)
and the 8 pages of the corpus' scanned Beijing narrative are read by OCR; seconds per page,
the process' peak memory, and the share of the table cells the text layer reads that OCR
reads identically. Then every PDF of the corpus is opened and each page counted as text,
empty, or image only (needing OCR)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TABLES = ["beijing/beijing-fzx-2026-budget-part2-tables.pdf",
          "guangdong/shenzhen-kab-2026-budget.pdf", "jiangsu/suzhou-sjj-2026-budget.pdf",
          "zhejiang/hangzhou-qxj-2026-budget.pdf", "shaanxi/xian-qxj-2022-budget.pdf",
          "central/central-gjxfj-2026-budget.pdf"]
SCAN = "beijing/beijing-zwfw-2026-budget-part1-text-SCANNED.pdf"


def _table_pages(per_document: int) -> list[tuple[str, int]]:
    from pipeline.extract import pdf

    chosen = []
    for name in TABLES:
        blocks = pdf.extract((CORPUS / name).read_bytes(), name, by_ocr=set())
        pages = sorted({int(b.where.split()[-1]) for b in blocks if b.kind == "table"})
        chosen += [(name, p) for p in pages[:per_document]]
    return chosen


def at_scale(scale: float, pages: list[tuple[str, int]]) -> dict:
    """Read the pages by OCR at `scale` (in this fresh process)."""
    import pypdfium2 as pdfium

    from pipeline.extract import ocr, pdf

    ocr.SCALE = scale
    ocr._engine()  # loaded once per process, not counted per page
    same = total = 0
    started = time.perf_counter()
    for name, number in pages:
        data = (CORPUS / name).read_bytes()
        text = pdf.extract(data, name, by_ocr=set())
        read = pdf.extract(data, name, by_ocr={number})
        where = f"page {number}"
        want = Counter(c for b in text if b.kind == "table" and b.where == where
                       for r in b.rows for c in r if c)
        got = Counter(c for b in read if b.kind == "table" and b.where == where
                      for r in b.rows for c in r if c)
        total += sum(want.values())
        same += sum((want & got).values())
    table_seconds = time.perf_counter() - started
    started = time.perf_counter()
    document = pdfium.PdfDocument((CORPUS / SCAN).read_bytes())
    for index in range(len(document)):
        ocr.read(document[index])
    scan_seconds = time.perf_counter() - started
    return {"scale": scale, "table_pages": len(pages),
            "table_s_per_page": table_seconds / max(len(pages), 1),
            "scan_pages": len(document), "scan_s_per_page": scan_seconds / len(document),
            "cells": total, "cells_same": same,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def census() -> Counter:
    """Every page of the corpus: text, empty, or image only."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw

    pages: Counter = Counter()
    for path in sorted(CORPUS.rglob("*.pdf")):
        document = pdfium.PdfDocument(path.read_bytes())
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage().get_text_range()
            if text.strip():
                pages["text"] += 1
            elif pdfium_raw.FPDFPage_CountObjects(page.raw):
                pages["image only"] += 1
            else:
                pages["empty"] += 1
        pages["files"] += 1
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3, help="table pages per document")
    parser.add_argument("--scales", default="1.5,2,3")
    args = parser.parse_args()
    pages = _table_pages(args.pages)
    print("scale  table s/page  scan s/page  cells same/all          peak MB")
    for scale in [float(s) for s in args.scales.split(",")]:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            row = pool.submit(at_scale, scale, pages).result()
        print(f"{scale:5}  {row['table_s_per_page']:12.2f}  {row['scan_s_per_page']:11.2f}  "
              f"{row['cells_same']:>6}/{row['cells']:<6} ({row['cells_same'] / row['cells']:.4f})"
              f"  {row['peak_mb']:7.0f}")
    pages_seen = census()
    scanned = pages_seen["image only"]
    all_pages = scanned + pages_seen["text"] + pages_seen["empty"]
    print(f"corpus: {pages_seen['files']} PDFs, {all_pages} pages: {pages_seen['text']} with "
          f"text, {scanned} image only (need OCR: {scanned / all_pages:.2%}), "
          f"{pages_seen['empty']} empty")
    return 0


if __name__ == "__main__":
    sys.exit(main())
