"""The downloadable zip: it validates with frictionless after unpacking, and its workbook opens
with openpyxl with one sheet per resource, Chinese headers and exact values."""

import zipfile
from decimal import Decimal as D

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.package import validate
from pipeline.schema import RESOURCES


@pytest.fixture
def exported(project, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--offline", "--root", str(project)]).exit_code == 0
    out = tmp_path / "data.zip"
    result = runner.invoke(main, ["export", "--root", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_zip_validates_with_frictionless_after_unpacking(exported, tmp_path):
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(exported) as archive:
        archive.extractall(folder)
    assert validate(folder / "datapackage.json").valid


def test_the_workbook_has_a_sheet_per_resource_with_chinese_headers_and_exact_values(exported):
    with zipfile.ZipFile(exported) as archive:
        book = openpyxl.load_workbook(archive.open("budget-watch.xlsx"))
    assert book.sheetnames == list(RESOURCES)
    items = book["line_items"]
    header = [c.value for c in items[1]]
    assert header[:5] == ["文件编号", "表", "收支方", "行键", "栏目"]
    rows = {(r[1], r[3], r[4]): r for r in items.iter_rows(min_row=2, values_only=True)}
    row = rows[("general_budget_basic", "30309", "total")]
    assert D(repr(row[8])) == D("0.05") and row[4] == "total"
    assert rows[("income", "2010301", "total")][5] == "2010301"  # a code stays text


def test_the_same_data_exports_the_same_files_and_csv_bytes(project, tmp_path):
    runner = CliRunner()
    runner.invoke(main, ["run", "--offline", "--root", str(project)])
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    for out in (first, second):
        runner.invoke(main, ["export", "--root", str(project), "--out", str(out)])
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        assert a.read("data/line_items.csv") == b.read("data/line_items.csv")
