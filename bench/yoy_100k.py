"""Benchmark: year-on-year diff of two synthetic years of 100,000 line items each, in one
process: wall time and peak Python memory (tracemalloc).

    python bench/yoy_100k.py"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import replace
from decimal import Decimal

from pipeline.compare import year_on_year
from pipeline.model import Extraction, LineItem, Source

N = 100_000


def year(fiscal_year: int, shift: int) -> Extraction:
    items = tuple(
        LineItem(f"p-{fiscal_year}-budget", "general_budget_basic", "", f"{300000 + i}", "total",
                 f"{300000 + i}", "economic", f"科目{i}",
                 Decimal(i * 7 % 100_000 + (shift if i % 10 == 0 else 0)) / 100, "page 1")
        for i in range(shift, N + shift))
    source = Source("0" * 64, "x", "p", fiscal_year, "budget", "department", "text/plain", 0)
    return Extraction(source, "p", "", "", line_items=items)


def main() -> None:
    old, new = year(2023, 0), year(2024, 50)  # 50 lines removed, 50 added, 10% changed
    tracemalloc.start()
    start = time.perf_counter()
    changes = year_on_year(old, replace(new))
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    kinds = {k: sum(1 for c in changes if c.kind == k) for k in ("added", "removed", "changed")}
    print(f"{N:,} + {N:,} line items: {len(changes):,} changes {kinds} in {seconds:.2f} s, "
          f"peak {peak / 2**20:.0f} MiB (of the diff itself)")


if __name__ == "__main__":
    main()
