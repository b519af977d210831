"""Evaluation: OCR against the text layer, on the same pages of real disclosures.

Every table page of one text-layer PDF per city of ../shared/corpus/ is rendered to an image
and read by OCR only; the result is compared with the text layer's reading of the same pages:

- cell accuracy: of the non-empty grid cells the text layer reads on those pages, the share
  the OCR reading holds with exactly the same text (per page, as multisets: no alignment
  needed);
- amount exactness: every amount the OCR reading yields, against the text layer's amount for
  the same table, side, row and column;
- wrong amounts caught: of the amounts OCR read wrong, how many the document's own checks
  withheld (pipeline.confirm), and how many would be published.

    python bench/ocr_eval.py [--jobs N] [--json FILE] [--only NAME,…]

Needs the OCR extra (pip install -e ".[ocr]")."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from decimal import Decimal
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# one text-layer PDF of each city (and the central ministries and a province), tables inside
DOCUMENTS = [
    "beijing/beijing-fzx-2026-budget-part2-tables.pdf",
    "shanghai/shanghai-city-flcp-2026-unit-budget.pdf",
    "shanghai/putuo-wanli-2024-budget.pdf",
    "guangdong/shenzhen-kab-2026-budget.pdf",
    "guangdong/guangzhou-zfbgt-2026-budget.pdf",
    "guangdong/zhuhai-swj-2026-budget.pdf",
    "guangdong/foshan-gdjtj-2019-final-accounts.pdf",
    "jilin/changchun-xfj-2026-budget.pdf",
    "central/central-gjxfj-2026-budget.pdf",
    "jiangsu/suzhou-sjj-2026-budget.pdf",
    "jiangsu/wuxi-yjzf-2026-unit-budget.pdf",
    "jiangsu/js-court-2018-budget.pdf",
    "zhejiang/hangzhou-qxj-2026-budget.pdf",
    "zhejiang/huzhou-czj-2026-budget.pdf",
    "hunan/changsha-zjjd-2026-budget.pdf",
    "shaanxi/xian-qxj-2022-budget.pdf",
]


def _cells(blocks: list) -> dict[str, Counter]:
    found: dict[str, Counter] = {}
    for block in blocks:
        if block.kind == "table":
            for where, row in zip(block.row_where, block.rows, strict=True):
                found.setdefault(where, Counter()).update(c for c in row if c)
    return found


def _document(blocks: list, path: Path, captured: list) -> tuple:
    """The document processed from its blocks, with what confirm() was given."""
    from pipeline import confirm, process
    from pipeline.model import Source
    from pipeline.sources import Publisher

    original = confirm.confirm

    def spy(doc_id, items, changes, checker, read):
        captured.append((items, checker, read))
        return original(doc_id, items, changes, checker, read)

    process.confirm.confirm = spy
    try:
        source = Source("0" * 64, str(path), "eval", 2026, "budget", "department", "", 0)
        publisher = Publisher("eval", "", "", (), {}, (), (), ())
        return process.from_blocks(blocks, [source], publisher)
    finally:
        process.confirm.confirm = original


def one(relative: str) -> dict:
    from pipeline.confirm import confidence
    from pipeline.errors import DocumentError
    from pipeline.extract import pdf

    path = CORPUS / relative
    data = path.read_bytes()
    text_blocks = pdf.extract(data, path.name, by_ocr=set())
    pages = sorted({int(b.where.split()[-1]) for b in text_blocks if b.kind == "table"})
    started = time.perf_counter()
    ocr_blocks = pdf.extract(data, path.name, by_ocr=set(pages))
    seconds = time.perf_counter() - started
    text_cells, ocr_cells = _cells(text_blocks), _cells(ocr_blocks)
    text_pages: dict[str, Counter] = {}
    ocr_pages: dict[str, Counter] = {}
    for where, cells in text_cells.items():
        text_pages.setdefault(where, Counter()).update(cells)
    for where, cells in ocr_cells.items():
        ocr_pages.setdefault(where, Counter()).update(cells)
    total = sum(sum(c.values()) for c in text_pages.values())
    same = sum(sum((c & ocr_pages.get(w, Counter())).values()) for w, c in text_pages.items())
    row = {"document": relative, "table_pages": len(pages), "ocr_seconds": round(seconds, 1),
           "cells": total, "cells_same": same}
    try:
        text = _document(text_blocks, path, [])
        captured: list = []
        ocr = _document(ocr_blocks, path, captured)
    except DocumentError as error:
        return row | {"error": str(error)[:300]}
    truth = {(i.table, i.side, i.row_key, i.measure): i.amount_wan for i in text.line_items}
    items, checker, read = captured[-1]
    results: dict = {}
    for run, cells in zip(checker.checks, checker.cells, strict=True):
        for cell in cells:
            results.setdefault(cell, []).append(run.result)
    published = {(i.table, i.side, i.row_key, i.measure) for i in ocr.line_items}
    amounts = []
    for item in items:
        key = (item.table, item.side, item.row_key, item.measure)
        lines = read.get(item.location)
        sure = confidence([item.amount_wan], lines, (item.code, item.label)) if lines else None
        amounts.append({"key": "|".join(key), "ocr": str(item.amount_wan),
                        "text": str(truth[key]) if key in truth else None,
                        "confidence": str(sure), "published": key in published,
                        "checks": results.get((item.table, item.row_key, item.measure), [])})
    read_keys = {tuple(a["key"].split("|")) for a in amounts}
    missing = Counter(key[0] for key in truth if key not in read_keys)
    matched = [a for a in amounts if a["text"] is not None]
    wrong = [a for a in matched if Decimal(a["ocr"]) != Decimal(a["text"])]
    return row | {
        "text_amounts": len(truth), "ocr_amounts": len(items),
        "matched": len(matched), "exact": len(matched) - len(wrong), "wrong": len(wrong),
        "wrong_published": sum(a["published"] for a in wrong),
        "wrong_withheld": sum(not a["published"] for a in wrong),
        "right_withheld": sum(not a["published"] for a in matched if a not in wrong),
        "published": len(published), "unmatched_keys": len(amounts) - len(matched),
        "unmatched_published": sum(a["published"] for a in amounts if a["text"] is None),
        "missing_by_table": dict(missing),
        "unread": [f.message[:200] for f in ocr.findings if f.check == "unread_table"][:8],
        "amounts": amounts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    chosen = [d for d in DOCUMENTS if not args.only or any(o in d for o in args.only.split(","))]
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(one, name): name for name in chosen}
        for future in as_completed(futures):
            try:
                rows.append(future.result())
            except Exception as error:  # one document's crash is a result, not the end
                rows.append({"document": futures[future], "error": repr(error)[:300]})
            print(f"done {futures[future]}", file=sys.stderr, flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    rows.sort(key=lambda r: chosen.index(r["document"]))
    keys = ["table_pages", "ocr_seconds", "cells", "cells_same", "text_amounts", "matched",
            "exact", "wrong", "wrong_withheld", "wrong_published", "right_withheld",
            "unmatched_keys", "unmatched_published"]
    print("document".ljust(52) + " ".join(k[:9].rjust(9) for k in keys))
    for row in rows:
        print(row["document"][:51].ljust(52) + " ".join(str(row.get(k, "-")).rjust(9)
                                                        for k in keys))
    sums = {k: sum(r.get(k, 0) for r in rows) for k in keys}
    print("all".ljust(52) + " ".join(str(round(sums[k], 1)).rjust(9) for k in keys))
    if sums["cells"]:
        print(f"cell accuracy {sums['cells_same'] / sums['cells']:.4f}; amounts exact "
              f"{sums['exact']}/{sums['matched']}; wrong {sums['wrong']}, withheld "
              f"{sums['wrong_withheld']}, published {sums['wrong_published']}; "
              f"{sums['ocr_seconds'] / max(sums['table_pages'], 1):.2f} s per page")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
