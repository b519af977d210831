"""Benchmark: every disclosure of ../shared/corpus/ ingested one by one, as a new user
would (`budgetwatch ingest FILES --out EMPTY_FOLDER`, no overrides), in a table: identity
found and where from, status, tables read against those the document's 目录 lists, checks
run and failed, time.

    python bench/corpus.py [--corpus DIR] [--only CITY,…] [--except CITY,…] [--jobs N]
                           [--json FILE]

A disclosure is the files whose names share a stem once the part suffix is removed
(`-part1-text`, `-part2-tables`, `-perf-dept`, `-text`, `-tables`), as the corpus names
them. CITY is the first word of a file name (`beijing`, `xian`, `js`, …)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_PART = re.compile(r"-(?:part\d-[a-z-]+|perf-[a-z]+|text|tables|text-only)$", re.I)


def disclosures(corpus: Path) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in sorted(corpus.rglob("*.pdf")):
        groups.setdefault(_PART.sub("", path.stem), []).append(path)
    return groups


def one(name: str, paths: list[Path]) -> dict:
    """Ingest one disclosure into an empty folder; what came out of it."""
    from pipeline.ingest import ingest

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        try:
            result = ingest(paths, Path(out), say=lambda _: None)
        except Exception as error:  # a crash is a result to report, not the end of the bench
            return {"disclosure": name, "files": len(paths), "status": "crashed",
                    "reason": f"{type(error).__name__}: {error}"[:300],
                    "seconds": round(time.perf_counter() - started, 2)}
    seconds = time.perf_counter() - started
    row = {"disclosure": name, "files": len(paths), "seconds": round(seconds, 2)}
    if not result.extractions:
        reasons = "; ".join(str(e) for e in result.rejected.values())
        return row | {"status": "rejected", "reason": reasons[:300]}
    e = result.extractions[0]
    from pipeline.recognise import table_kind

    errors = [f for f in e.findings if f.severity == "error"]
    unread = [t for t in e.listed if table_kind(t) not in e.tables]
    return row | {
        "doc_id": e.source.doc_id, "publisher": e.publisher, "year": e.source.fiscal_year,
        "kind": e.source.kind, "scope": e.source.scope,
        "identified_from": "；".join(dict.fromkeys(s.identified_from for s in e.sources)),
        "status": e.status, "not_read": list(e.not_read),
        "tables": len(e.tables), "listed": len(e.listed),
        "listed_read": len(e.listed) - len(unread), "listed_unread": unread,
        "amounts": len(e.line_items), "stated": len(e.stated_changes),
        "checks": e.checks_run, "failed": len(errors),
        "rounding": sum(1 for f in e.findings if f.severity == "rounding"),
        "failed_checks": sorted({f.check for f in errors}),
        "failed_by_check": dict(Counter(f.check for f in errors)),
        "run_by_check": dict(Counter(c.check for c in e.checks)),
        "rejected_also": sorted(result.rejected),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--only", default="")
    parser.add_argument("--except", dest="skip", default="")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    only, skip = set(filter(None, args.only.split(","))), set(filter(None, args.skip.split(",")))
    groups = {n: p for n, p in disclosures(args.corpus).items()
              if (not only or n.split("-")[0] in only) and n.split("-")[0] not in skip}
    started = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one, groups, groups.values()))
    total = time.perf_counter() - started
    print(f"{'disclosure':34} {'status':9} {'tables':>6} {'目录':>7} {'checks':>6} "
          f"{'failed':>6} {'s':>6}  identity")
    for r in rows:
        who = (f"{r.get('publisher', '')} {r.get('year', '')} {r.get('kind', '')} "
               f"[{r.get('identified_from', '')}]" if "doc_id" in r else r.get("reason", ""))
        listed = f"{r['listed_read']}/{r['listed']}" if r.get("listed") else "-"
        print(f"{r['disclosure'][:34]:34} {r['status']:9} {r.get('tables', 0):>6} "
              f"{listed:>7} {r.get('checks', 0):>6} {r.get('failed', 0):>6} "
              f"{r['seconds']:>6.1f}  {who}")
    packaged = [r for r in rows if "doc_id" in r]
    complete = [r for r in packaged if r["status"] == "complete"]
    print(f"\n{len(rows)} disclosures: {len(packaged)} packaged, {len(complete)} complete, "
          f"{len(rows) - len(packaged)} rejected; "
          f"{sum(r['checks'] for r in packaged)} checks, "
          f"{sum(r['failed'] for r in packaged)} failed "
          f"({sum(r['rounding'] for r in packaged)} more within rounding); 目录 tables read "
          f"{sum(r['listed_read'] for r in packaged)}/{sum(r['listed'] for r in packaged)}; "
          f"{total:.1f} s wall")
    by_check, run = Counter(), Counter()
    for r in packaged:
        by_check.update(r["failed_by_check"])
        run.update(r["run_by_check"])
    print("failed checks by kind: " + ", ".join(f"{k} {n}" for k, n in by_check.most_common()))
    print("checks run by kind: " + ", ".join(f"{k} {n}" for k, n in run.most_common()))
    print(f"stated changes read: {sum(r['stated'] for r in packaged)}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
