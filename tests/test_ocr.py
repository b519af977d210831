"""Scanned pages read by OCR (the `ocr` extra): the same grids as a text layer, every figure
published only when the document's own arithmetic confirms it, and a clear word when the
extra is absent."""

import csv
import io
from decimal import Decimal

import pytest
import render
from click.testing import CliRunner
from conftest import CORPUS, SAMPLE, resource_csv

from pipeline.check import audit
from pipeline.cli import main
from pipeline.confirm import HIGH, confirm
from pipeline.errors import PARTIAL
from pipeline.extract import ocr
from pipeline.model import LineItem

pytestmark = pytest.mark.skipif(not ocr.version(), reason="the ocr extra is not installed")

SCANNED = range(4, 11)  # pages 5-11 of the rendered sample: the main tables


def _scanned(text_pdf: bytes, pages: range, dpi: int = 200) -> bytes:
    """The PDF with `pages` (from 0) replaced by images of themselves, as a scanner gives
    them: no text layer on those pages, the others untouched."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(text_pdf)
    images = [source[i].render(scale=dpi / 72).to_pil().convert("L") for i in pages]
    scans = io.BytesIO()
    images[0].save(scans, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    scan = pdfium.PdfDocument(scans.getvalue())
    out = pdfium.PdfDocument.new()
    out.import_pages(source, list(range(pages.start)))
    out.import_pages(scan)
    out.import_pages(source, list(range(pages.stop, len(source))))
    written = io.BytesIO()
    out.save(written)
    return written.getvalue()


def _images_only(text_pdf: bytes, pages: list[int], dpi: int = 200) -> bytes:
    """A scan of `pages` (from 0) of the PDF: a PDF of their images alone."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(text_pdf)
    images = [source[i].render(scale=dpi / 72).to_pil().convert("L") for i in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def _rows(root, name):
    return list(csv.DictReader(io.StringIO(resource_csv(root, name))))


def _ingest(path, out, *env, code=(0,)):
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(out),
                                       "--publisher-id", "changsha-xzspj"],
                                env=dict(env))
    assert result.exit_code in code, result.output
    return result


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The sample as a text PDF and with its main tables scanned, each ingested."""
    base = tmp_path_factory.mktemp("ocr")
    text_pdf = render.to_pdf(render.sample_blocks(SAMPLE.read_bytes()))
    (base / "text.pdf").write_bytes(text_pdf)
    (base / "scan.pdf").write_bytes(_scanned(text_pdf, SCANNED))
    _ingest(base / "text.pdf", base / "text")
    result = _ingest(base / "scan.pdf", base / "scan", code=(0, PARTIAL))  # partial: withheld
    return base / "text", base / "scan", result.output


def test_scanned_table_pages_are_read_into_the_same_amounts(both):
    text, scan, _ = both
    truth = {(r["table"], r["side"], r["row_key"], r["measure"]): r for r in _rows(text, "line_items")}
    read = [r for r in _rows(scan, "line_items") if r["read_by"] == "ocr"]
    pages = {f"page {n + 1}" for n in SCANNED}
    assert {r["location"] for r in read} <= pages
    assert len(read) >= 0.9 * sum(1 for r in truth.values() if r["location"] in pages)
    for row in read:  # every published figure read by OCR is the text layer's, exactly
        key = (row["table"], row["side"], row["row_key"], row["measure"])
        assert row["amount_wan"] == truth[key]["amount_wan"], key
        assert Decimal("0") <= Decimal(row["confidence"]) <= 1
    others = [r for r in _rows(scan, "line_items") if r["read_by"] == "text"]
    assert all(r["location"] not in pages and r["confidence"] == "" for r in others)


def test_documents_name_the_pages_read_by_ocr(both):
    _, scan, _ = both
    (document,) = _rows(scan, "documents")
    assert document["ocr_pages"] == f"page {SCANNED.start + 1}-{SCANNED.stop}"


def test_a_figure_no_check_confirms_is_withheld_and_reported(both):
    _, scan, _ = both
    read = {(r["table"], r["row_key"], r["measure"]) for r in _rows(scan, "line_items")
            if r["read_by"] == "ocr"}
    withheld = [f for f in _rows(scan, "findings") if f["check"] == "ocr_unconfirmed"]
    assert not read & {(f["table"], f["row_key"], f["measure"]) for f in withheld}
    (document,) = _rows(scan, "documents")
    assert (document["status"] == "partial") == bool(withheld)


def _item(key: str, amount: str, location: str = "page 3") -> LineItem:
    return LineItem("d", "expenditure", "", key, "total", key, "functional", key,
                    Decimal(amount), location)


def test_a_misread_part_is_withheld_while_the_figures_its_checks_confirm_are_kept():
    # 201 = 20101 + 20102 as printed (100.00 = 60.00 + 40.00); OCR read 20102 as 46.00
    items = [_item("201", "100.00"), _item("20101", "60.00"), _item("20102", "46.00"),
             _item("202", "7.00"), _item("20201", "7.00")]
    checker = audit("d", items, [], [], [], [])
    lines = tuple((text, Decimal(sure), 10.0 * n, 10.0 * n + 8) for n, (text, sure) in enumerate(
        [("201 一般公共服务 100.00", "0.999"), ("20101 60.00", "0.999"), ("20102 46.00", "0.998"),
         ("202 7.00", "0.998"), ("20201 7.00", "0.998")]))
    done = confirm("d", items, [], checker, {"page 3": lines})
    assert {i.row_key for i in done.items} == {"202", "20201"}  # confirmed by their own sum
    assert all(i.read_by == "ocr" and i.confidence >= HIGH for i in done.items)
    assert {f.row_key for f in done.findings if f.check == "ocr_unconfirmed"} == \
        {"201", "20101", "20102"}
    assert not any(f.check == "sum_of_parts" for f in done.findings)  # it rested on them
    assert all(c.row_key != "201" for c in done.checks)
    assert [c.seq for c in done.checks] == list(range(1, len(done.checks) + 1))


def test_a_figure_read_with_low_confidence_and_no_check_is_withheld():
    items = [_item("20101", "60.00")]
    checker = audit("d", items, [], [], [], [])
    done = confirm("d", items, [], checker,
                   {"page 3": (("20101 60.00", Decimal("0.80"), 0.0, 8.0),)})
    assert done.items == []
    assert "置信度 0.80" in done.withheld[0] and "page 3" in done.withheld[0]
    sure = confirm("d", items, [], checker, {"page 3": (("20101 60.00", HIGH, 0.0, 8.0),)})
    assert [i.amount_wan for i in sure.items] == [Decimal("60.00")]


def test_without_the_extra_run_says_once_that_scanned_pages_were_skipped(tmp_path):
    text_pdf = render.to_pdf(render.sample_blocks(SAMPLE.read_bytes()))
    path = tmp_path / "scan.pdf"
    path.write_bytes(_scanned(text_pdf, range(4, 6)))
    result = _ingest(path, tmp_path / "out", ("BUDGETWATCH_OCR", "off"), code=(PARTIAL,))
    assert result.output.count("扫描页：1 份文件有没有文字层的页未读取（OCR 已关闭") == 1
    (document,) = _rows(tmp_path / "out", "documents")
    assert document["status"] == "partial" and document["ocr_pages"] == ""
    assert "第 5, 6 页没有文字层（扫描件），未读取" in document["not_read"]


def test_a_disclosure_all_scanned_is_identified_and_read_by_ocr(tmp_path):
    text_pdf = render.to_pdf(render.sample_blocks(SAMPLE.read_bytes()))
    path = tmp_path / "download.pdf"
    path.write_bytes(_images_only(text_pdf, [0, 4, 5]))  # cover, 部门收支总表 (two pages)
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code in (0, PARTIAL), result.output
    (document,) = _rows(tmp_path / "out", "documents")
    assert (document["publisher"], document["fiscal_year"], document["kind"]) == \
        ("长沙市行政审批服务局", "2023", "budget")
    assert document["ocr_pages"] == "page 1-3"
    amounts = {(r["side"], r["row_key"]): r["amount_wan"] for r in _rows(tmp_path / "out", "line_items")
               if r["table"] == "summary" and r["read_by"] == "ocr"}
    assert amounts[("income", "本年收入合计")] == "5073.08"


BEIJING = CORPUS / "beijing"


@pytest.mark.skipif(not BEIJING.is_dir(), reason="the shared corpus is absent")
def test_the_scanned_beijing_narrative_yields_its_stated_changes(tmp_path):
    files = [BEIJING / "beijing-zwfw-2026-budget-part1-text-SCANNED.pdf",
             BEIJING / "beijing-zwfw-2026-budget-part2-tables.pdf"]
    result = CliRunner().invoke(main, ["ingest", *map(str, files), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    stated = {r["subject"]: r for r in _rows(tmp_path, "stated_changes")}
    assert {s: (r["amount_wan"], r["change_wan"], r["change_pct"]) for s, r in stated.items()} \
        == {"收入": ("101673.03", "2669.85", "2.7"), "支出": ("101673.03", "2669.85", "2.7"),
            "“三公”经费": ("80.11", "-8.35", "-9.44")}
    assert {r["read_by"] for r in stated.values()} == {"ocr"}
    assert all(r["location"].startswith("beijing-zwfw-2026-budget-part1-text-SCANNED.pdf: page")
               for r in stated.values())
    (document,) = _rows(tmp_path, "documents")
    assert document["ocr_pages"] == "beijing-zwfw-2026-budget-part1-text-SCANNED.pdf: page 1-8"


def test_a_figure_with_unread_ink_in_its_cell_is_incomplete():
    import numpy as np

    from pipeline.extract.ocr import SCALE, Line, _complete
    from pipeline.extract.pdf_tables import _edge

    rulings = [_edge("v", 0, 0, 0, 40), _edge("v", 60, 0, 60, 40),
               _edge("h", 0, 0, 60, 0), _edge("h", 0, 40, 60, 40)]
    line = Line("2720", (30.0, 15.0, 50.0, 25.0), Decimal("0.999"))
    stray = np.zeros((100, 140), dtype=bool)
    assert _complete(line, stray, rulings, stray, []) == line  # nothing else in the cell
    stray[38:42, int(22 * SCALE):int(27 * SCALE)] = True  # a minus sign left of the figure
    assert _complete(line, stray, rulings, stray, []).confidence == 0
    outside = np.zeros((100, 140), dtype=bool)
    outside[38:42, int(62 * SCALE):int(67 * SCALE)] = True  # ink in the next cell
    assert _complete(line, outside, rulings, outside, []) == line


def test_a_frame_side_lost_at_the_page_edge_is_restored_from_the_rulings_that_end_there():
    from pipeline.extract.ocr import _closing_sides
    from pipeline.extract.pdf_tables import _edge

    rows = [_edge("h", 0.5, y, 300, y) for y in (10, 30, 50, 70)]
    sides = _closing_sides(rows + [_edge("v", 300, 10, 300, 70)])
    assert [(e["orientation"], e["x0"], e["top"], e["bottom"]) for e in sides] == \
        [("v", 0.5, 10, 70)]


def test_a_column_of_differences_read_by_ocr_needs_a_check_beyond_its_own_sums():
    # 增减 column: -0.50 = -0.20 + -0.30 printed; OCR lost every minus sign alike, so the
    # column still adds up; nothing ties it to this year's and last year's columns
    items = [LineItem("d", "three_public", "", key, "total_change", "", "none", key,
                      Decimal(amount), "page 3")
             for key, amount in (("合计", "0.50"), ("公务接待费", "0.20"), ("会议费", "0.30"))]
    checker = audit("d", items, [], [], [], [])
    lines = (("合计 0.50 公务接待费 0.20 会议费 0.30", Decimal("1.000"), 0.0, 8.0),)
    done = confirm("d", items, [], checker, {"page 3": lines})
    assert done.items == []
    assert all("正负号" in text for text in done.withheld)
