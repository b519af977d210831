"""Parts and revisions: files of one disclosure that hold different things are its parts; a
file that holds what a part holds is that part published again, a new revision, compared
with the one before cell by cell (issue: revisions told apart from parts)."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal

import pytest
from conftest import CORPUS
from republish import republish

from pipeline.archive import archive, load_manifest
from pipeline.ingest import Overrides, ingest
from pipeline.model import Source
from pipeline.revisions import NARRATIVE, holdings, same_part

PUTUO = CORPUS / "shanghai/putuo-wanli-2024-budget.pdf"
# on page 22 the 一般公共预算支出功能分类预算表 begins; page 31 is the whole “三公”经费 table
AMOUNT_PAGE, THREE_PUBLIC_PAGE = 22, 31


def rows(root, name):
    from conftest import resource_csv

    return list(csv.DictReader(io.StringIO(resource_csv(root, name))))


def quiet(_text):
    pass


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """Putuo Wanli's 2024 budget ingested, then a corrected re-publication of it."""
    if not PUTUO.exists():
        pytest.skip("the corpus is not here")
    folder = tmp_path_factory.mktemp("revision")
    data, before, after = republish(PUTUO.read_bytes(), AMOUNT_PAGE, [THREE_PUBLIC_PAGE])
    second = folder / "万里街道2024年部门预算（更正）.pdf"
    second.write_bytes(data)
    out = folder / "package"
    ingest([PUTUO], out, say=quiet)
    result = ingest([second], out, say=quiet)
    return out, second, result, before, after


def test_a_corrected_republication_is_one_revision_with_exactly_its_changes(corrected):
    out, _, result, before, after = corrected
    assert len(result.extractions) == 1 and not result.rejected
    revised = [r for r in rows(out, "changes") if "@" in r["from_doc"]]
    old = Decimal(before.replace(",", "")) / 10000  # the table prints 元
    new = Decimal(after.replace(",", "")) / 10000
    assert [(r["table"], r["row_key"], r["measure"], r["kind"]) for r in revised] == [
        ("general_budget_expenditure", "201", "total", "revised"),
        ("three_public", "", "", "table_removed")]
    assert (Decimal(revised[0]["amount_from"]), Decimal(revised[0]["amount_to"])) == (old, new)
    first, *_ = load_manifest(out)
    assert {r["from_doc"] for r in revised} == {f"{first.doc_id}@{first.sha256[:12]}"}
    assert {r["to_doc"] for r in revised} == {first.doc_id}


def test_the_revision_replaces_its_part_and_is_reported_under_its_own_heading(corrected):
    out, second, *_ = corrected
    manifest = load_manifest(out)
    assert len(manifest) == 2 and len({s.part for s in manifest}) == 1
    document, = rows(out, "documents")
    assert document["sha256"] == max(manifest, key=lambda s: s.retrieved_at).sha256
    assert "three_public" not in document["tables"].split()
    report = (out / "reports" / manifest[0].publisher_id / "2024-budget.md").read_text(
        encoding="utf-8")
    section = report[report.index("## 与上一版本比较"):]
    assert "（整表在新版本中删去）" in section and "新版本改动" in section


def test_diff_lists_a_revisions_changes_from_the_package(corrected):
    import json

    from click.testing import CliRunner

    from pipeline.cli import main

    out, *_ = corrected
    first = min(load_manifest(out), key=lambda s: s.retrieved_at)
    result = CliRunner().invoke(main, ["diff", f"{first.doc_id}@{first.sha256[:12]}",
                                       first.doc_id, "--all", "--format", "json", "--root",
                                       str(out)])
    assert result.exit_code == 0, result.output
    assert [(r["table"], r["kind"]) for r in json.loads(result.output)] == [
        ("general_budget_expenditure", "revised"), ("three_public", "table_removed")]


def test_the_same_file_given_again_changes_nothing(corrected):
    out, second, *_ = corrected
    manifest = (out / "data/archive/manifest.csv").read_bytes()
    package = {p: p.read_bytes() for p in (out / "data").glob("*.csv")}
    result = ingest([second], out, say=quiet)
    assert result.changed == []
    assert (out / "data/archive/manifest.csv").read_bytes() == manifest
    assert {p: p.read_bytes() for p in (out / "data").glob("*.csv")} == package


def test_a_narrative_and_its_tables_given_apart_stay_two_parts(tmp_path):
    text = CORPUS / "jiangsu/js-party-office-2018-budget-text.pdf"
    tables = CORPUS / "jiangsu/js-party-office-2018-budget-tables.pdf"
    if not text.exists():
        pytest.skip("the corpus is not here")
    out = tmp_path / "package"
    ingest([text], out, say=quiet)
    ingest([tables], out, Overrides(publisher="中共江苏省委办公厅", fiscal_year=2018, kind="budget"),
           say=quiet)
    assert {s.part for s in load_manifest(out)} == {text.name, tables.name}
    document, = rows(out, "documents")
    assert len(document["sha256"].split()) == 2
    assert not [r for r in rows(out, "changes") if "@" in r["from_doc"]]


def test_a_corrected_file_replaces_one_that_could_not_be_read(tmp_path):
    out = tmp_path / "package"
    ingest([PUTUO], out, say=quiet)
    good, = load_manifest(out)
    shutil.rmtree(out)
    truncated = PUTUO.read_bytes()[:4000]
    archive(out, truncated, Source(**{**good.__dict__, "sha256": "", "path": "",
                                      "part": "broken.pdf", "retrieved_at": "2026-01-01T00:00:00Z"}))
    result = ingest([PUTUO], out, say=quiet)
    assert not result.rejected
    assert {s.part for s in load_manifest(out)} == {"broken.pdf"}
    document, = rows(out, "documents")
    assert document["sha256"] == good.sha256 and document["status"] == "complete"


def test_what_a_file_holds_decides_part_or_revision():
    tables = frozenset({"summary", "income", "expenditure", "three_public"})
    assert same_part(tables, tables - {"three_public"})  # a table dropped: same tables
    assert not same_part(frozenset({NARRATIVE}), tables)  # narrative, then its tables
    assert not same_part(tables | {NARRATIVE}, frozenset({"department_performance"}))
    assert same_part(frozenset({NARRATIVE}), frozenset({NARRATIVE}))
    assert same_part(None, tables)  # a file that could not be read is replaced
    assert not same_part(tables, None)
    assert holdings(b"%PDF-1.4 broken", "application/pdf", "x.pdf") is None


def test_a_file_ingested_in_the_same_second_is_still_the_later_revision(tmp_path):
    from conftest import sample_text

    first, second = tmp_path / "budget.txt", tmp_path / "budget-corrected.txt"
    first.write_text(sample_text(), encoding="utf-8")
    second.write_text(sample_text().replace("264.87", "265.87", 1), encoding="utf-8")
    out = tmp_path / "package"
    for path in (first, second):  # two commands, well within one second of each other
        ingest([path], out, Overrides(publisher_id="changsha-xzspj", part="budget"),
               say=quiet)
    older, newer = sorted(load_manifest(out), key=lambda s: s.retrieved_at)
    assert (older.part, newer.part) == ("budget", "budget")
    assert older.retrieved_at < newer.retrieved_at
    assert newer.sha256 != older.sha256 and rows(out, "documents")[0]["sha256"] == newer.sha256
