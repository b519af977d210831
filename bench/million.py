"""Benchmark: a package of over 1,000,000 line items, then one new document, end to end.

    python bench/million.py [--publishers 500] [--years 13]

Generates a project of `publishers` × `years` budgets (500 × 13 = 6,500 documents of 163
amounts each: 1,059,500 line items). Each original is the Changsha sample re-issued for
another department and year with its amounts multiplied by a whole factor (`reissued` in
tests/render.py), archived with its manifest row. Reading 6,500 documents would take an
hour here, so each document's extraction is generated too: the sample's own extraction
with the document's id and scaled amounts, kept in the extraction cache under the
document's real cache key. The first `run` then builds the whole package from that cache
(compared, merged, validated, written: timed, as a full rebuild) and it is committed to git.

Then one new original (a 14th year for one publisher) is archived and timed end to end:
`budgetwatch run --offline --commit` in a fresh process: the document read, its publisher
compared, merged, validated (its partitions only) and written, the commit made. Reports
wall time and peak memory, the files and lines of the commit and the size of its diff, and
a second run with nothing new."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1]
                                                         / "tests")]

from render import reissued  # noqa: E402
from scale import SAMPLE  # noqa: E402

from pipeline import cache  # noqa: E402
from pipeline.archive import current, load_manifest, save_manifest  # noqa: E402
from pipeline.model import Extraction, Source  # noqa: E402


def sample_extraction() -> Extraction:
    from pipeline.run import processed

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = SAMPLE.read_bytes()
        source = original(root, "sim-sample", "长沙市行政审批服务局", 2023, data)
        save_manifest(root, [source])
        return processed(root, current(load_manifest(root))[0], {})


def original(root: Path, publisher_id: str, name: str, year: int, data: bytes) -> Source:
    digest = hashlib.sha256(data).hexdigest()
    path = f"data/archive/{publisher_id}/{digest}.txt"
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(data)
    return Source(digest, path, publisher_id, year, "budget", "department", "text/plain",
                  len(data), f"{name}{year}年部门预算公开",
                  f"https://example.invalid/{publisher_id}/{year}.txt", "2026-01-01T00:00:00Z",
                  publisher=name, region="模拟市")


def derived(sample: Extraction, source: Source, name: str, factor: int) -> Extraction:
    """The sample's extraction as `source`'s: its id on every row, its amounts scaled."""
    doc = source.doc_id

    def rows(items: tuple, *scaled: str) -> tuple:
        return tuple(replace(r, doc_id=doc, **{f: getattr(r, f) * factor for f in scaled
                                                 if getattr(r, f) is not None})
                     for r in items)
    return replace(sample, source=source, sources=(source,), publisher=name,
                   title=source.title, line_items=rows(sample.line_items, "amount_wan"),
                   projects=rows(sample.projects, "amount_wan"), targets=rows(sample.targets),
                   stated_changes=rows(sample.stated_changes), findings=rows(sample.findings),
                   checks=rows(sample.checks))


def generate(root: Path, publishers: int, years: list[int]) -> int:
    sample = sample_extraction()
    text = SAMPLE.read_text(encoding="utf-8")
    sources = []
    for p in range(publishers):
        publisher_id, name = f"sim-{p:04d}", f"模拟市第{p}局"
        for year in years:
            factor = 1 + (p * 7 + year) % 9
            source = original(root, publisher_id, name, year,
                              reissued(text, name, year, factor))
            sources.append(source)
            cache.save(root, cache.key([source], "", ""), derived(sample, source, name, factor))
    save_manifest(root, sources)
    return len(sources) * len(sample.line_items)


def timed(args: list[str], root: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, output) of a budgetwatch command in a fresh process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:  # a pipe would fill and block
        process = subprocess.Popen([sys.executable, "-m", "pipeline", *args, "--root",
                                    str(root)], stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        log.seek(0)
        output = log.read()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{args}: exit {os.waitstatus_to_exitcode(status)}\n{output}")
    return time.perf_counter() - start, usage.ru_maxrss // 1024, output


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--publishers", type=int, default=500)
    parser.add_argument("--years", type=int, default=13)
    options = parser.parse_args()
    years = list(range(2025 - options.years, 2025))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        (root / "data").mkdir(parents=True)
        start = time.perf_counter()
        items = generate(root, options.publishers, years)
        print(f"generated {options.publishers * len(years)} documents, {items} line items, "
              f"in {time.perf_counter() - start:.0f} s")
        seconds, memory, _ = timed(["run", "--offline", "--jobs", "1"], root)
        sizes = sorted(p.stat().st_size for p in (root / "data/line_items").glob("*.csv"))
        total = sum(p.stat().st_size for p in (root / "data").rglob("*.csv")
                    if "archive" not in p.parts)
        print(f"full build from the extraction cache: {seconds:.0f} s, peak {memory} MB; "
              f"package CSVs {total / 1e6:.0f} MB in {len(list((root / 'data').glob('*/*.csv')))}"
              f" files, largest line_items partition {sizes[-1] / 1e6:.2f} MB")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "package")

        name = "模拟市第42局"
        source = original(root, "sim-0042", name, 2025,
                          reissued(SAMPLE.read_text(encoding="utf-8"), name, 2025, 4))
        save_manifest(root, [*load_manifest(root), source])  # as `fetch` archives it
        seconds, memory, output = timed(["run", "--offline", "--commit", "--jobs", "1"], root)
        stat = git(root, "show", "--numstat", "--format=", "HEAD").splitlines()
        package = [line for line in stat if "/archive/" not in line]
        added = sum(int(line.split()[0]) for line in package)
        removed = sum(int(line.split()[1]) for line in package)
        patch = git(root, "show", "--format=", "HEAD", "--", "datapackage.json", "data/*/",
                    ":(exclude)data/archive", "reports")
        print(f"one new document, end to end (read, compare, merge, validate its partitions, "
              f"write, commit): {seconds:.1f} s wall, peak {memory} MB")
        print(f"  commit: {len(stat)} files ({len(package)} of the package and reports, plus "
              f"the original); +{added} −{removed} lines; diff of the package and reports "
              f"{len(patch.encode()) / 1e3:.0f} KB")
        print("  " + output.strip().splitlines()[-1])
        seconds, memory, output = timed(["run", "--offline"], root)
        print(f"the same run again, nothing new: {seconds:.1f} s wall, peak {memory} MB "
              f"({output.strip().splitlines()[-1]})")
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
