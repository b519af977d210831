"""Benchmark: a generated portal of 2,000 disclosures by 200 publishers on loopback, fetched
and processed as one run and as 4 shards merged; the two packages must be the same bytes.

    python bench/scale.py [--columns 20] [--departments 10] [--years 10]

The portal has one disclosure column per city (a `discovers` registry entry, as the real
city columns in data/registry.toml), each listing its departments' budgets for each year as
text files. Every document is the Changsha sample (a real template) re-issued for another
department and year: the department's name put in, the years moved, and every amount
multiplied by a whole factor that differs by department and year, so that each document's
own sums still hold and no two publishers print the same figures.

Reports, for the single run and for each shard: wall time, peak memory (max RSS of the
process), documents; then the wall time of the 4 shards run at once as 4 processes on this
machine and the speed-up over the single run, the merge, and a second run of one shard on
an unchanged portal (requests it made and files it wrote). Retrieval times come from
SOURCE_DATE_EPOCH, so that the two packages can be compared byte for byte."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE / "tests"))

from portal import Portal, column_entry  # noqa: E402
from render import reissued  # noqa: E402

SAMPLE = next((HERE / "../shared/samples").glob("*.txt"), None) or next(
    (HERE / "data/archive/changsha-xzspj").glob("*.txt"))
CITIES = ["沈阳", "大连", "济南", "青岛", "郑州", "武汉", "成都", "昆明", "南宁", "福州",
          "厦门", "合肥", "南昌", "太原", "石家庄", "兰州", "西宁", "银川", "贵阳", "海口",
          "宁波", "温州", "无锡", "徐州", "佛山", "东莞", "泉州", "烟台", "洛阳", "襄阳"]
DEPARTMENTS = ["统计局", "审计局", "教育局", "民政局", "司法局", "商务局", "水利局", "林业局",
               "体育局", "档案局", "人防办", "医保局", "应急管理局", "城管局", "信访局"]
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def build_portal(portal: Portal, columns: int, departments: int, years: list[int]) -> str:
    """Serve the columns; returns the registry's text."""
    text = SAMPLE.read_text(encoding="utf-8")
    entries = []
    for c in range(columns):
        city = CITIES[c % len(CITIES)] + ("" if c < len(CITIES) else str(c))
        links = []
        for d in range(departments):
            name = f"{city}市{DEPARTMENTS[d % len(DEPARTMENTS)]}"
            for year in years:
                path = f"/c{c}/files/{d}-{year}.txt"
                portal.serve(path, reissued(text, name, year, 1 + (c * 7 + d * 3 + year) % 9),
                             ETag=f'"{c}-{d}-{year}"', Content_Type="text/plain")
                links.append(f'<li><a href="{path}">{year}年部门预算（{name}）</a></li>')
        portal.serve(f"/c{c}/index.html", ("<html><body><ul>" + "".join(links)
                                           + "</ul></body></html>").encode(),
                     Content_Type="text/html")
        entries.append(column_entry(f"{city}-预决算公开专栏", f"{city}市部门预决算公开专栏",
                                    f"{city}市", f"{portal.base}/c{c}/index.html", years))
    return "\n".join(entries)


def project(folder: Path, registry: str) -> Path:
    (folder / "data").mkdir(parents=True)
    (folder / "data/registry.toml").write_text(registry, encoding="utf-8")
    return folder


def launch(*args: str) -> subprocess.Popen:
    env = os.environ | {"SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.Popen([sys.executable, __file__, *args], env=env)


def finish(process: subprocess.Popen) -> tuple[float, int]:
    """Wait for a launched process; (its exit status, its peak RSS in MB)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{process.args} exited {process.returncode}")
    return process.returncode, usage.ru_maxrss // 1024


def package_files(root: Path) -> dict[str, str]:
    """Every file of the package, the archive and the reports, with its sha256."""
    files = [root / "datapackage.json", *sorted((root / "data").rglob("*")),
             *sorted((root / "reports").rglob("*"))]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files if p.is_file() and p.name != "registry.toml"}


def child() -> None:
    """Run inside a launched process: `_shard ROOT K N PARTIAL` or `_merge ROOT DIR…`."""
    from pipeline.archive import load_manifest
    from pipeline.fetch import Settings
    from pipeline.run import record, run
    from pipeline.shards import Shard, merge, save_partial

    mode, root = sys.argv[1], Path(sys.argv[2])
    if mode == "_shard":
        shard = Shard(int(sys.argv[3]), int(sys.argv[4]))
        before = {s.sha256 for s in load_manifest(root)}
        result = run(root, say=lambda _: None, jobs=1, settings=Settings(min_interval=0),
                     shard=None if shard.of == 1 else shard)
        if shard.of > 1:
            save_partial(root, Path(sys.argv[5]), shard, result, before)
        print(f"    {root.name}: {len(result.publishers)} publishers "
              f"({len(result.processed)} processed), {len(result.documents)} documents, "
              f"{len(set(result.changed))} files written", flush=True)
    else:
        result = merge(root, [Path(p) for p in sys.argv[3:]])
        record(root, result)
        print(f"    merge: {len(result.changed)} files written", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--departments", type=int, default=10)
    parser.add_argument("--years", type=int, default=10)
    options = parser.parse_args()
    years = list(range(2024 - options.years + 1, 2025))
    with Portal() as portal, tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        registry = build_portal(portal, options.columns, options.departments, years)
        count = options.columns * options.departments * len(years)
        print(f"portal: {count} disclosures, {options.columns * options.departments} "
              f"publishers in {options.columns} columns")
        single = project(base / "single", registry)
        start = time.perf_counter()
        _, memory = finish(launch("_shard", str(single), "1", "1", ""))
        one = time.perf_counter() - start
        print(f"1 shard: {one:.1f} s wall, peak {memory} MB")

        checkouts = [project(base / f"shard-{k}", registry) for k in range(1, 5)]
        start = time.perf_counter()
        processes = [launch("_shard", str(c), str(k), "4", str(base / f"partial-{k}"))
                     for k, c in enumerate(checkouts, start=1)]
        peaks = [finish(p)[1] for p in processes]
        four = time.perf_counter() - start
        merged = project(base / "merged", registry)
        start = time.perf_counter()
        _, merge_memory = finish(launch("_merge", str(merged),
                                        *(str(base / f"partial-{k}") for k in range(1, 5))))
        merging = time.perf_counter() - start
        print(f"4 shards at once: {four:.1f} s wall, peak {max(peaks)} MB per shard "
              f"({', '.join(f'{p} MB' for p in peaks)}); merge {merging:.1f} s, peak "
              f"{merge_memory} MB")
        print(f"speed-up of the 4 shards (with the merge) over 1: {one / four:.2f}× "
              f"({one / (four + merging):.2f}×)")
        a, b = package_files(single), package_files(merged)
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"identical package bytes: {not differ} ({len(a)} files compared"
              + (f"; differ: {differ[:5]}" if differ else "") + ")")

        before = dict(portal.hits)
        start = time.perf_counter()
        for process in [launch("_shard", str(c), str(k), "4", str(base / f"again-{k}"))
                        for k, c in enumerate(checkouts, start=1)]:
            finish(process)
        again = time.perf_counter() - start
        asked = {path: n - before.get(path, 0) for path, n in portal.hits.items()}
        listings = sum(n for path, n in asked.items() if path.endswith("index.html"))
        files = sum(n for path, n in asked.items() if not path.endswith("index.html"))
        written = [p for k in range(1, 5) for p in (base / f"again-{k}/files").rglob("*")
                   if p.is_file()]
        print(f"4 shards again, portal unchanged: {again:.1f} s wall, {listings} listing "
              f"pages and {files} other requests (conditional: answered 304), "
              f"{len(written)} files in the partial results")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        child()
    else:
        main()
