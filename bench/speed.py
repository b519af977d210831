"""Benchmark: how near `budgetwatch` comes to the PDF library's own floor, in one run.

    python bench/speed.py [--corpus DIR] [--documents 50] [--profile]

Prints, for the corpus of bench/ingest_vs_pdfplumber.py (seven disclosures, 199 pages):

- the floors, CPU ms per page: pypdfium2's text layer alone, and text + every character's
  box + every path object's bounds (what the table finder needs, read as cheaply as pdfium's
  C calls allow), and the same read through pypdfium2's own Python helpers;
- `budgetwatch ingest` of those files into an empty folder (cold), then the same command
  again (warm), CPU of the command and its worker processes; `--jobs 1`, so that CPU and
  wall time are one; and the cold ingest as a call in a process that imported every
  library first (measured as the floors are: without the interpreter's start and imports);
- the naive baseline: plain pdfplumber extract_text() + extract_tables() on every page;
- the ratios: cold against the text+boxes+paths floor, warm against cold, baseline against
  cold;
- `budgetwatch --version`, wall time (median of five);
- `budgetwatch run --offline` over DOCUMENTS disclosures of the corpus with an empty
  extraction cache, `--jobs 1` against `--jobs 2`, and whether both wrote the same bytes.

With --profile, the cold ingest also runs under cProfile and the ten functions with the most
time of their own are printed. Each measurement runs in its own process."""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import DEFAULT, disclosures  # noqa: E402
from ingest_vs_pdfplumber import GROUPS  # noqa: E402

COMMAND = [sys.executable, "-m", "pipeline"]


def _cpu_of(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(CPU seconds of the command and its children, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def floors(files: list[Path]) -> dict:
    """CPU ms per page of pypdfium2 reading text, then text + char boxes + path bounds."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    def text_only(path: Path) -> int:
        document = pdfium.PdfDocument(path.read_bytes())
        for page in document:
            page.get_textpage().get_text_range()
        pages = len(document)
        document.close()
        return pages

    def with_boxes(path: Path) -> int:
        document = pdfium.PdfDocument(path.read_bytes())
        box = [ctypes.c_double() for _ in range(4)]
        bounds = [ctypes.c_float() for _ in range(4)]
        for page in document:
            textpage = page.get_textpage()
            textpage.get_text_range()
            for index in range(raw.FPDFText_CountChars(textpage.raw)):
                raw.FPDFText_GetCharBox(textpage.raw, index, *map(ctypes.byref, box))
            for index in range(raw.FPDFPage_CountObjects(page.raw)):
                obj = raw.FPDFPage_GetObject(page.raw, index)
                if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_PATH:
                    raw.FPDFPageObj_GetBounds(obj, *map(ctypes.byref, bounds))
        pages = len(document)
        document.close()
        return pages

    def with_helpers(path: Path) -> int:
        """The same through pypdfium2's own Python API, as a program using it would."""
        document = pdfium.PdfDocument(path.read_bytes())
        for page in document:
            textpage = page.get_textpage()
            textpage.get_text_range()
            for index in range(textpage.count_chars()):
                textpage.get_charbox(index)
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1):
                obj.get_bounds()
        pages = len(document)
        document.close()
        return pages

    out = {}
    for name, read in (("text", text_only), ("text_boxes_paths", with_boxes),
                       ("helpers", with_helpers)):
        best = None
        for _ in range(3):  # the best of three: the floor, not the noise
            start = time.process_time()
            pages = sum(read(path) for path in files)
            seconds = time.process_time() - start
            best = seconds if best is None else min(best, seconds)
        out[name] = {"pages": pages, "ms_per_page": 1000 * best / pages}
    return out


def naive(files: list[Path]) -> dict:
    import pdfplumber

    start = time.process_time()
    pages = 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
                pages += 1
    return {"pages": pages, "seconds": time.process_time() - start}


def ingest_call(files: list[Path]) -> dict:
    """CPU of the ingest itself, in a process that has imported every library first: the
    command's cost without the interpreter's start and the imports, as the floors are."""
    import frictionless  # noqa: F401  (imported before the clock, as the floors' libraries)
    import pdfplumber  # noqa: F401

    from pipeline.extract import pdf  # noqa: F401
    from pipeline.ingest import ingest as run_ingest

    with tempfile.TemporaryDirectory() as out:
        start = time.process_time()
        run_ingest(files, Path(out), say=lambda _: None, jobs=1)
        return {"seconds": time.process_time() - start}


def _child(kind: str, files: list[Path]) -> dict:
    result = subprocess.run([sys.executable, __file__, f"--child={kind}",
                             *map(str, files)], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def ingest(files: list[Path], out: Path) -> tuple[float, float]:
    return _cpu_of([*COMMAND, "ingest", *map(str, files), "--out", str(out), "--jobs", "1"])


def version_wall() -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([*COMMAND, "--version"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def jobs(corpus: Path, count: int, work: Path) -> dict:
    """`run --offline` over `count` disclosures, cache emptied, --jobs 1 against --jobs 2."""
    chosen = list(disclosures(corpus).values())[:count]
    setup = work / "setup"
    setup.mkdir()
    for paths in chosen:  # one ingest per disclosure, as the corpus groups them
        subprocess.run([*COMMAND, "ingest", *map(str, paths), "--out", str(setup)],
                       capture_output=True, check=False)
    out = {"documents": len(chosen)}
    for n in (1, 2):
        folder = work / f"jobs{n}"
        shutil.copytree(setup, folder)
        shutil.rmtree(folder / ".cache", ignore_errors=True)
        cpu, wall = _cpu_of([*COMMAND, "run", "--offline", "--root", str(folder),
                             "--jobs", str(n)])
        out[f"jobs{n}"] = {"wall": wall, "cpu": cpu}
    same = filecmp.dircmp(work / "jobs1" / "data", work / "jobs2" / "data")
    out["same_bytes"] = not (same.diff_files or same.left_only or same.right_only) and all(
        filecmp.cmp(a, b, shallow=False) for a, b in
        zip(sorted((work / "jobs1" / "data").rglob("*.csv")),
            sorted((work / "jobs2" / "data").rglob("*.csv")), strict=True))
    return out


def profile(files: list[Path]) -> list[str]:
    import cProfile
    import pstats

    from pipeline.ingest import ingest as run_ingest

    with tempfile.TemporaryDirectory() as out:
        profiler = cProfile.Profile()
        profiler.enable()
        run_ingest(files, Path(out), say=lambda _: None)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:10]
    return [f"{100 * tt / total:5.1f}%  {tt:6.2f} s  {Path(f).name}:{line}({name})"
            for (f, line, name), (_, _, tt, _, _) in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    if not options.corpus.exists():
        sys.exit(f"no corpus at {options.corpus}")
    files = [options.corpus / name for group in GROUPS for name in group]
    floor = _child("floors", files)
    pages = floor["text"]["pages"]
    text_floor, full_floor, helpers = (floor[k]["ms_per_page"]
                                       for k in ("text", "text_boxes_paths", "helpers"))
    print(f"corpus: {len(files)} PDFs, {pages} pages")
    print(f"floor, pypdfium2 text:                 {text_floor:6.1f} ms/page")
    print(f"floor, text + char boxes + paths:      {full_floor:6.1f} ms/page (pdfium's C calls)")
    print(f"  the same through pypdfium2's helpers: {helpers:6.1f} ms/page "
          "(get_charbox, get_objects)")
    with tempfile.TemporaryDirectory() as work:
        cold_cpu, cold_wall = ingest(files, Path(work) / "out")
        warm_cpu, warm_wall = ingest(files, Path(work) / "out")
    baseline = _child("naive", files)
    call = 1000 * _child("ingest_call", files)["seconds"] / pages
    cold, warm = 1000 * cold_cpu / pages, 1000 * warm_cpu / pages
    plumber = 1000 * baseline["seconds"] / pages
    print(f"ingest cold (--jobs 1):                {cold:6.1f} ms/page "
          f"({cold_cpu:.2f} s CPU, {cold_wall:.2f} s wall)")
    print(f"ingest warm, same command again:       {warm:6.1f} ms/page "
          f"({warm_cpu:.2f} s CPU, {warm_wall:.2f} s wall)")
    print(f"ingest cold, the call without start-up:{call:6.1f} ms/page")
    print(f"naive pdfplumber text + tables:        {plumber:6.1f} ms/page")
    print(f"cold / text+boxes+paths floor:         {cold / full_floor:6.2f}x  (goal <= 3)")
    print(f"cold call / text+boxes+paths floor:    {call / full_floor:6.2f}x")
    print(f"cold / the floor through the helpers:  {cold / helpers:6.2f}x")
    print(f"cold / text floor:                     {cold / text_floor:6.2f}x")
    print(f"warm / cold:                           {100 * warm / cold:6.1f} %  (goal < 10 %)")
    print(f"naive pdfplumber / cold:               {plumber / cold:6.2f}x")
    wall = version_wall()
    print(f"budgetwatch --version:                 {wall:6.2f} s wall (goal < 0.5 s)")
    with tempfile.TemporaryDirectory() as work:
        result = jobs(options.corpus, options.documents, Path(work))
    one, two = result["jobs1"]["wall"], result["jobs2"]["wall"]
    print(f"run over {result['documents']} documents, --jobs 1: {one:6.2f} s wall, "
          f"--jobs 2: {two:6.2f} s wall; speed-up {one / two:.2f}x (goal >= 1.6), "
          f"{'the same' if result['same_bytes'] else 'DIFFERENT'} package bytes "
          f"({os.cpu_count()} cores)")
    if options.profile:
        print("profile of a cold ingest, top ten by own time:")
        for line in _child("profile", files)["lines"]:
            print("  " + line)


if __name__ == "__main__":
    flag = next((a for a in sys.argv if a.startswith("--child=")), None)
    if flag:
        kind, paths = flag.split("=", 1)[1], [Path(a) for a in sys.argv[2:]]
        result = {"floors": floors, "naive": naive, "ingest_call": ingest_call,
                  "profile": lambda p: {"lines": profile(p)}}[kind](paths)
        print(json.dumps(result))
    else:
        main()
