"""Benchmark: `budgetwatch ingest` over the corpus against the naive baseline, plain
pdfplumber extract_text() + extract_tables() on every page of the same files.

    python bench/ingest_vs_pdfplumber.py [CORPUS]

Each side runs in its own process, so that its peak memory (max RSS) is its own."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--")
              else Path(__file__).resolve().parents[2] / "shared" / "corpus")
# one disclosure per group: the party office's narrative and tables are one document
GROUPS = [["jiangsu/js-court-2017-budget.pdf"], ["jiangsu/js-court-2018-budget.pdf"],
          ["jiangsu/js-court-2019-budget.pdf"],
          ["jiangsu/js-party-office-2018-budget-text.pdf",
           "jiangsu/js-party-office-2018-budget-tables.pdf"],
          ["shanghai/putuo-wanli-2023-budget.pdf"], ["shanghai/putuo-wanli-2024-budget.pdf"],
          ["shanghai/putuo-finance-2024-final-accounts.pdf"]]


def naive() -> dict:
    import pdfplumber

    pages = tables = 0
    for group in GROUPS:
        for name in group:
            with pdfplumber.open(CORPUS / name) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    tables += len(page.extract_tables())
                    pages += 1
    return {"pages": pages, "tables": tables}


def ours() -> dict:
    from pipeline.ingest import ingest

    with tempfile.TemporaryDirectory() as out:  # as a user would: one ingest per disclosure
        for group in GROUPS:
            result = ingest([CORPUS / name for name in group], Path(out), say=lambda _: None)
        return {"documents": len(result.extractions), "rejected": len(result.rejected)}


def child(kind: str) -> None:
    start = time.perf_counter()
    counts = naive() if kind == "naive" else ours()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"seconds": seconds, "peak_mib": peak, **counts}))


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"no corpus at {CORPUS}")
    results = {}
    for kind in ("naive", "ours"):
        out = subprocess.run([sys.executable, __file__, f"--child={kind}", str(CORPUS)],
                             check=True, capture_output=True, text=True).stdout
        results[kind] = json.loads(out.strip().splitlines()[-1])
    n, o = results["naive"], results["ours"]
    print(f"corpus: {sum(len(g) for g in GROUPS)} PDFs, {n['pages']} pages")
    print(f"naive pdfplumber text+tables: {n['seconds']:.2f} s, peak {n['peak_mib']:.0f} MiB")
    print(f"budgetwatch ingest (extract, check, package, reports): {o['seconds']:.2f} s, "
          f"peak {o['peak_mib']:.0f} MiB, {o['documents']} documents")
    print(f"ratio: ingest is {n['seconds'] / o['seconds']:.1f}x the speed of the baseline")


if __name__ == "__main__":
    flag = next((a for a in sys.argv if a.startswith("--child=")), None)
    if flag:
        sys.argv = [a for a in sys.argv if a != flag]
        CORPUS = Path(sys.argv[1])
        child(flag.split("=", 1)[1])
    else:
        main()
