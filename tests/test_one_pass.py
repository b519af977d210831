"""Reading fast without reading differently: each page loaded once, the table cells exactly as
pdfplumber's own algorithm gives them, and no work done again when nothing changed. The
timings themselves are measured by bench/speed.py, not here."""

from __future__ import annotations

import shutil

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import CORPUS, SAMPLE, resource_csv
from pdfplumber import table as plumber_table
from pdfplumber import utils as plumber_utils

from pipeline.cli import main
from pipeline.extract import pdf, pdf_tables

COURT = CORPUS / "jiangsu/js-court-2018-budget.pdf"
PUTUO = CORPUS / "shanghai/putuo-wanli-2024-budget.pdf"
TURNED = CORPUS / "jiangsu/js-party-office-2018-budget-tables.pdf"  # landscape, /Rotate 90
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _table_pages(path):
    document = pdfium.PdfDocument(path.read_bytes())
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        layout = pdf_tables.layout(page, textpage)
        yield index + 1, layout
        textpage.close()
        page.close()


@needs_corpus
@pytest.mark.parametrize("path", [COURT, PUTUO])
def test_cells_and_cell_texts_are_pdfplumbers_own(path):
    """The grid index and the cell finder give exactly what pdfplumber's
    intersections_to_cells and Table.extract give, on every table of two real disclosures."""
    compared = 0
    for number, layout in _table_pages(path):
        edges = plumber_table.merge_edges(layout.edges, 3, 3, 3, 3)
        edges = plumber_utils.filter_edges(edges, min_length=pdf_tables.MIN_EDGE)
        points = plumber_table.edges_to_intersections(edges, 3, 3)
        assert pdf_tables.cells(points) == plumber_table.intersections_to_cells(points), number
        for table in pdf_tables.tables(layout):
            assert pdf_tables.grid(table) == table.extract(), number
            compared += 1
    assert compared >= 10


@needs_corpus
def test_a_page_turned_by_rotate_is_read_left_to_right():
    blocks = pdf.extract(TURNED.read_bytes(), TURNED.name)
    income = next(b for b in blocks if b.kind == "table" and b.where == "page 4")
    assert income.rows[0][0].startswith("收入预算总表")
    assert ("收入总计", "", "24,458.43") in income.rows
    assert ("", "公共财政拨款(补助)资金", "24,458.43") in income.rows


@needs_corpus
def test_ingest_loads_each_page_once_and_the_opening_pages_once_more(tmp_path, monkeypatch):
    """Identification loads the first eight pages (text only); extraction loads every page
    once, its text, characters and paths together; nothing loads a page a third time."""
    loads: list[int] = []
    real = pdfium.PdfDocument.get_page
    monkeypatch.setattr(pdfium.PdfDocument, "get_page",
                        lambda self, index: loads.append(index) or real(self, index))
    pages = len(pdfium.PdfDocument(COURT.read_bytes()))
    result = invoke("ingest", COURT, "--out", tmp_path / "out", "--jobs", "1")
    assert result.exit_code in (0, 1), result.output
    assert sorted(loads) == sorted(list(range(pages)) + list(range(min(8, pages))))


def test_an_archived_original_is_not_identified_again(tmp_path, monkeypatch):
    import pipeline.ingest

    out = tmp_path / "out"
    assert invoke("ingest", SAMPLE, "--out", out, "--publisher-id", "changsha-xzspj"
                  ).exit_code == 0
    monkeypatch.setattr(pipeline.ingest, "identify", lambda *a: pytest.fail("identified"))
    again = invoke("ingest", SAMPLE, "--out", out)
    assert again.exit_code == 0, again.output
    assert "changsha-xzspj-2023-budget" in again.output


def test_an_unchanged_run_reads_merges_and_writes_nothing(project, monkeypatch):
    import pipeline.package
    import pipeline.run as run_module

    first = invoke("run", "--offline", "--root", project)
    assert first.exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in (project / "data").glob("*/*.csv")}
    assert len(before) == 9  # the manifest and a partition of each resource
    for name in ("merge", "compare_all", "write_reports"):
        monkeypatch.setattr(run_module, name, lambda *a, name=name: pytest.fail(name))
    monkeypatch.setattr(pipeline.package, "validate", lambda *a: pytest.fail("validated"))
    again = invoke("run", "--offline", "--root", project)
    assert again.exit_code == 0, again.output
    summary = [line for line in first.output.splitlines() if "-2023-budget: " in line]
    assert summary and summary == [line for line in again.output.splitlines()
                                   if "-2023-budget: " in line]
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_an_output_changed_by_hand_is_written_again(project):
    assert invoke("run", "--offline", "--root", project).exit_code == 0
    items = project / "data/line_items/changsha-xzspj.csv"
    good = items.read_bytes()
    items.write_bytes(good.replace(b"264.87", b"999.99", 1))
    assert invoke("run", "--offline", "--root", project).exit_code == 0
    assert items.read_bytes() == good


def test_a_changed_registry_or_a_lost_original_is_a_new_run(project):
    from pipeline.archive import load_manifest

    assert invoke("run", "--offline", "--root", project).exit_code == 0
    original = project / load_manifest(project)[0].path
    kept = original.read_bytes()
    original.unlink()
    shutil.rmtree(project / ".cache/extractions")  # nothing left to read it from
    lost = invoke("run", "--offline", "--root", project)
    assert lost.exit_code == 1 and "missing from the archive" in lost.output
    original.write_bytes(kept)
    registry = project / "data/registry.toml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        'name = "长沙市行政审批服务局"', 'name = "长沙市行政审批服务局（新名）"', 1),
        encoding="utf-8")
    renamed = invoke("run", "--offline", "--root", project)
    assert renamed.exit_code == 0
    assert "长沙市行政审批服务局（新名）" in resource_csv(project, "documents")


def test_a_run_over_a_copied_project_needs_no_cache(project, tmp_path):
    """The run kept in .cache is an optimisation only: a copy without it writes the same."""
    assert invoke("run", "--offline", "--root", project).exit_code == 0
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    shutil.rmtree(copy / ".cache")
    (copy / "data/line_items/changsha-xzspj.csv").unlink()
    assert invoke("run", "--offline", "--root", copy).exit_code == 0
    assert resource_csv(copy, "line_items").encode() == \
        resource_csv(project, "line_items").encode()


def test_what_is_kept_of_a_publisher_holds_no_extraction_and_needs_none(project):
    from pipeline import cache

    assert invoke("run", "--offline", "--root", project).exit_code == 0
    [extraction] = (project / cache.CACHE).glob("*.pickle")
    [kept] = (project / cache.RUNS).glob("*.pickle")
    assert kept.stat().st_size < extraction.stat().st_size / 2
    extraction.unlink()  # the publisher's inputs and files are unchanged: nothing is read
    again = invoke("run", "--offline", "--root", project)
    assert again.exit_code == 0 and "package: unchanged" in again.output
    assert list((project / cache.CACHE).glob("*.pickle")) == []
