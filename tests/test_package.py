import ast
from decimal import Decimal as D
from pathlib import Path

import pytest
from conftest import REPO, snapshot

from pipeline.errors import PackageError
from pipeline.package import cell, csv_text, write


def test_decimals_are_written_exactly_and_never_in_exponent_form():
    assert cell(D("0.05")) == "0.05"
    assert cell(D("16497.8640")) == "16497.8640"
    assert cell(D("1E+3")) == "1000"
    assert cell(None) == ""


def test_rows_are_sorted_by_primary_key_with_numeric_keys_in_numeric_order():
    row = {"doc_id": "d", "table": "t", "side": "", "measure": "total", "code": "",
           "classification": "none", "label": "", "amount_wan": D(1), "location": ""}
    text = csv_text("line_items", [row | {"row_key": k} for k in ["30101", "301", "合计"]])
    assert [line.split(",")[3] for line in text.splitlines()[1:]] == ["301", "30101", "合计"]


def test_an_invalid_package_is_not_written_and_the_last_good_one_stays(project):
    from pipeline.run import run

    run(project, fetch=False, say=lambda _: None)
    before = snapshot(project)
    texts = {p.parent.name: p.read_text(encoding="utf-8")
             for p in (project / "data").glob("*/changsha-xzspj.csv")}
    bad = texts | {"documents": "doc_id,publisher_id\nx,y\n"}  # wrong header for the schema
    with pytest.raises(PackageError, match="did not validate; nothing was written"):
        write(project, {"changsha-xzspj": bad}, ["changsha-xzspj"])
    assert snapshot(project) == before


def test_a_change_from_a_document_the_package_lacks_is_refused(project):
    from pipeline.run import run

    run(project, fetch=False, say=lambda _: None)
    texts = {p.parent.name: p.read_text(encoding="utf-8")
             for p in (project / "data").glob("*/changsha-xzspj.csv")}
    assert len(texts) == 8
    before = snapshot(project)

    def write_back(resources):
        return write(project, {"changsha-xzspj": resources}, ["changsha-xzspj"])

    assert write_back(texts) == []  # the package as it is passes
    doc = "changsha-xzspj-2023-budget"
    row = f"changsha-xzspj,{{}},{doc},summary,,合计,amount,合计,1,2,1,100,revised,新版本改动\n"
    for named in (f"{doc}@0123456789ab", "changsha-xzspj-2022-budget"):
        changed = texts | {"changes": texts["changes"] + row.format(named)}
        if "@" in named:  # a replaced revision of a document of the package
            assert write_back(changed) == ["data/changes/changsha-xzspj.csv"]
            continue
        with pytest.raises(PackageError, match="changes.from_doc names no document: "
                                               "changsha-xzspj-2022-budget"):
            write_back(changed)
    write_back(texts)
    assert snapshot(project) == before


def test_no_float_touches_an_amount_anywhere_in_the_pipeline():
    # performance.py scores row alignments (not amounts) with floats; nothing else may use them
    for path in Path(REPO / "pipeline").rglob("*.py"):
        if path.name == "performance.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "float":
                raise AssertionError(f"{path}:{node.lineno} calls float()")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                raise AssertionError(f"{path}:{node.lineno} float literal")
