"""Bad input gives a clear error naming the document and the place, and the package that
was written before stays byte-identical."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import process_text, resource_csv, sample_text, snapshot

from pipeline.archive import archive
from pipeline.cli import main
from pipeline.errors import DocumentError
from pipeline.model import Source
from pipeline.run import run


def revise(root: Path, data: bytes) -> str:
    """Archive new bytes as a later revision of the sample document; returns its path."""
    source = Source("", "", "changsha-xzspj", 2023, "budget", "department", "text/plain", 0,
                    "长沙市行政审批服务局2023年部门预算公开", "bundled:revised",
                    "2026-12-01T00:00:00Z")
    return archive(root, data, source).path


def text_with(old: str, new: str) -> str:
    text = sample_text()
    assert old in text
    return text.replace(old, new, 1)


ROW = "201\t03\t01\t行政运行\t2,285.05\t2,285.05\t2,285.05\t\t\t\t\t\t"
# a document with one table that cannot be read: (text, table not read, reason with place)
PARTIAL = {
    "truncated": (sample_text()[: len(sample_text()) // 3], "department_performance",
                  "部门整体支出绩效目标表未找到：文件不完整，或不是湖南省部门预算公开十张表模板"),
    "cut_mid_row": (text_with(ROW, "201\t03\t01\t行政运行\t2,285.05"), "income",
                    "部门收入总表未能读取：line 182：该行只有 5 格，表头有 13 栏（行被截断？）"),
    "non_numeric": (text_with(ROW, ROW.replace("2,285.05", "2,28S.05", 1)), "income",
                    "部门收入总表未能读取：line 182：“2010301”行“合计”栏的“2,28S.05”不是金额"),
}
# a file that is no disclosure at all: (text, reason)
REJECTED = {
    "empty": ("", "the file is empty"),
    "no_tables": ("# 关于开展预算公开检查的通知\n\n各单位：请于月底前完成自查。\n",
                  "no standard table found"),
}


@pytest.mark.parametrize("case", sorted(PARTIAL))
def test_an_unreadable_table_is_reported_and_the_rest_of_the_document_kept(tmp_path, case):
    text, table, reason = PARTIAL[case]
    doc = process_text(tmp_path, text, name=f"{case}.txt")
    assert doc.status == "partial"
    assert any(reason in line for line in doc.not_read)
    assert table not in doc.tables and "summary" in doc.tables
    assert {i.table for i in doc.line_items} == set(doc.tables) - {"government_fund"}
    unread = [f for f in doc.findings if f.check == "unread_table"]
    assert [f.table for f in unread] == [table]


def test_the_sample_itself_is_complete(tmp_path):
    doc = process_text(tmp_path, sample_text())
    assert (doc.status, doc.not_read) == ("complete", ())


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_a_file_that_is_no_disclosure_is_rejected_naming_it(tmp_path, case):
    text, reason = REJECTED[case]
    with pytest.raises(DocumentError) as raised:
        process_text(tmp_path, text, name=f"{case}.txt")
    assert raised.value.document == f"{case}.txt"
    assert any(reason in problem for problem in raised.value.problems)


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_bad_revision_leaves_the_package_byte_identical(project, case):
    run(project, fetch=False, say=lambda _: None)
    before = snapshot(project)
    path = revise(project, (REJECTED[case][0] or " ").encode("utf-8")
                  if case != "empty" else b"")
    result = CliRunner().invoke(main, ["run", "--offline", "--root", str(project)])
    assert result.exit_code == 1
    assert f"rejected changsha-xzspj-2023-budget (its last good rows are kept): {path}" \
        in result.output
    assert REJECTED[case][1] in result.output
    after = snapshot(project)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
               and not k.startswith(".cache/")}  # the cache keeps the rejection, not the data
    assert changed <= {"data/archive/manifest.csv", path}  # only the new original is archived


def test_a_partial_revision_replaces_the_document_and_says_what_was_not_read(project):
    run(project, fetch=False, say=lambda _: None)
    revise(project, PARTIAL["non_numeric"][0].encode("utf-8"))
    result = CliRunner().invoke(main, ["run", "--offline", "--root", str(project)])
    assert result.exit_code == 1, result.output  # done, with a document read in part
    documents = resource_csv(project, "documents")
    assert ",partial," in documents and "“2,28S.05”不是金额" in documents
    items = resource_csv(project, "line_items")
    assert "changsha-xzspj-2023-budget,income," not in items
    assert "changsha-xzspj-2023-budget,summary," in items
    report = (project / "reports/changsha-xzspj/2023-budget.md").read_text(encoding="utf-8")
    assert "## 未读取的部分" in report
    assert "- 部门收入总表未能读取：第 182 行：“2010301”行“合计”栏的“2,28S.05”不是金额" in report


def test_a_withheld_table_publishes_nothing_of_its_own(tmp_path, monkeypatch):
    from pipeline import process

    monkeypatch.setattr(process, "_misread", lambda items, findings: {
        "project_performance": "读出的行与本表合计不符"})
    doc = process_text(tmp_path, sample_text())
    assert doc.status == "partial" and "project_performance" not in doc.tables
    assert doc.projects == () and not any(t.table == "project_performance" for t in doc.targets)
    assert not any(i.table == "project_performance" for i in doc.line_items)
    assert any(t.table == "department_performance" for t in doc.targets)
