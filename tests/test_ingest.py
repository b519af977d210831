"""`budgetwatch ingest`: local files in any format, one disclosure in several files, and bad
files refused with their reason while the package stays as it was."""

import csv
import io
import re
import zipfile

import pytest
import render
from click.testing import CliRunner
from conftest import SAMPLE, resource_csv, snapshot

from pipeline.cli import main
from pipeline.run import run


@pytest.fixture(scope="module")
def blocks():
    return render.sample_blocks(SAMPLE.read_bytes())


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_ingest_reads_publisher_year_and_kind_from_the_document(tmp_path, blocks):
    path = tmp_path / "download.docx"
    path.write_bytes(render.to_docx(blocks))
    out = tmp_path / "package"
    result = invoke("ingest", path, "--out", out, "--publisher-id", "changsha-xzspj")
    assert result.exit_code == 0, result.output
    assert "changsha-xzspj-2023-budget: 10 tables, 163 amounts" in result.output
    documents = resource_csv(out, "documents")
    assert ",长沙市行政审批服务局,,2023,budget,department," in documents
    assert "file:download.docx" in documents
    assert invoke("validate", out / "datapackage.json").exit_code == 0


def test_one_disclosure_in_two_files_becomes_one_document(tmp_path, blocks):
    split = next(i for i, b in enumerate(blocks) if b.text == "第二部分 2023 年部门预算表"
                 and b.kind == "heading")
    text, tables = tmp_path / "a-text.docx", tmp_path / "b-tables.pdf"
    text.write_bytes(render.to_docx(blocks[:split]))
    tables.write_bytes(render.to_pdf(blocks[split:]))
    out = tmp_path / "package"
    result = invoke("ingest", text, tables, "--out", out, "--publisher-id", "changsha-xzspj")
    assert result.exit_code == 0, result.output
    lines = resource_csv(out, "documents").splitlines()
    assert len(lines) == 2
    assert "file:a-text.docx file:b-tables.pdf" in lines[1]
    changes = resource_csv(out, "stated_changes")
    assert changes.count("changsha-xzspj-2023-budget") == 4
    findings = resource_csv(out, "findings")
    assert "b-tables.pdf: page" in findings  # places name the file of the document


def encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, encrypt="secret")
    page.drawString(100, 700, "2023 budget")
    page.save()
    return out.getvalue()


def scanned_pdf() -> bytes:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (200, 100), 255)
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawImage(ImageReader(image), 50, 500)
    page.showPage()
    page.drawImage(ImageReader(image), 50, 500)
    page.save()
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return out.getvalue()


BAD = {
    "encrypted.pdf": (encrypted_pdf, "encrypted (password protected)"),
    "corrupt.pdf": (lambda: b"%PDF-1.4\n" + b"\x00garbage" * 50, "not a readable PDF"),
    "scan.pdf": (scanned_pdf, "全部 2 页都没有文字层（扫描件），需要 OCR 才能读取"),
    "error-page.xlsx": (lambda: "<html><body><h1>404 页面不存在</h1></body></html>".encode(),
                        "cannot tell its publisher, fiscal_year, kind from the text"),
    "bomb.xlsx": (zip_bomb, "refused: unpacks to 20971531 bytes"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_refused_with_its_reason_and_nothing_changes(project, name):
    make, reason = BAD[name]
    run(project, fetch=False, say=lambda _: None)
    before = snapshot(project)
    path = project.parent / name
    path.write_bytes(make())
    result = invoke("ingest", path, "--out", project)
    assert result.exit_code == 1
    assert f"rejected {path} (its last good rows are kept): {path}" in result.output
    assert reason in result.output
    assert snapshot(project) == before


def test_a_file_over_the_size_limit_is_refused_without_being_read(project):
    run(project, fetch=False, say=lambda _: None)
    before = snapshot(project)
    path = project.parent / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB that cost no disk or memory
    result = invoke("ingest", path, "--out", project)
    assert result.exit_code == 1
    assert "209715200 bytes is over the 104857600-byte limit" in result.output
    assert snapshot(project) == before


def test_a_pdf_with_some_pages_unreadable_gives_a_notice_naming_them(monkeypatch):
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import pdf

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 700, "长沙市行政审批服务局2023年部门预算公开")
    page.showPage()
    page.drawImage(ImageReader(Image.new("L", (200, 100), 255)), 50, 500)
    page.save()
    monkeypatch.setenv("BUDGETWATCH_OCR", "off")  # as without the ocr extra
    got = pdf.extract(out.getvalue(), "mixed.pdf")
    assert [(b.kind, b.text, b.where) for b in got] == [
        ("notice", "第 2 页没有文字层（扫描件），未读取：OCR 已关闭（BUDGETWATCH_OCR=off）",
         "page 2"),
        ("paragraph", "长沙市行政审批服务局2023年部门预算公开", "page 1")]


def shifted(text: str, year: int) -> str:
    """The sample as if published for `year`: every year it names moved by the same step."""
    step = year - 2023
    return re.sub(r"20[12]\d(?= ?年)", lambda m: str(int(m.group()) + step), text)


def test_a_stated_change_that_disagrees_with_the_tables_never_blocks_the_package(tmp_path):
    from conftest import sample_text

    out = tmp_path / "package"
    for year in (2022, 2023, 2024):
        text = shifted(sample_text(), year)
        if year == 2022:  # last year's total differs from what 2023's narrative states
            text = text.replace("5,073.08", "5,100.00")
        path = tmp_path / f"budget-{year}.txt"
        path.write_text(text, encoding="utf-8")
        result = invoke("ingest", path, "--out", out)
        # 2022's altered total breaks its tables' sums: they are withheld, the document partial
        assert result.exit_code == (1 if year == 2022 else 0), result.output
        assert invoke("validate", out / "datapackage.json").exit_code == 0
    rows = [r for r in csv.DictReader(io.StringIO(resource_csv(out, "changes")))
            if (r["table"], r["row_key"]) == ("summary", "收入总计")
            and r["to_doc"] == "长沙市行政审批服务局-2023-budget"]
    assert sorted(r["kind"] for r in rows) == ["changed", "restated"]
    documents = resource_csv(out, "documents")
    assert documents.count("长沙市行政审批服务局-20") == 3
