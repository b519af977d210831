"""Bad input gives a clear error naming the document and the place, and the package that
was written before stays byte-identical."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import process_text, sample_text, snapshot

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
CASES = {
    "truncated": (sample_text()[: len(sample_text()) // 3],
                  ["no 部门整体支出绩效目标表 (department_performance) found: the document is "
                   "truncated or not of the 湖南省部门预算公开十张表 template"]),
    "cut_mid_row": (text_with(ROW, "201\t03\t01\t行政运行\t2,285.05"),
                    ["line 182: row of income has 5 cells where the header has 13 (cut mid-row?)"]),
    "non_numeric": (text_with(ROW, ROW.replace("2,285.05", "2,28S.05", 1)),
                    ["line 182: income row '2010301', column '合计': '2,28S.05' is not an amount"]),
    "empty": ("", ["the file is empty"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_document_is_rejected_naming_document_and_place(tmp_path, case):
    text, expected = CASES[case]
    with pytest.raises(DocumentError) as raised:
        process_text(tmp_path, text, name=f"{case}.txt")
    assert raised.value.document == f"{case}.txt"
    for problem in expected:
        assert problem in raised.value.problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_revision_leaves_the_package_byte_identical(project, case):
    run(project, fetch=False, say=lambda _: None)
    before = snapshot(project)
    path = revise(project, CASES[case][0].encode("utf-8"))
    result = CliRunner().invoke(main, ["run", "--offline", "--root", str(project)])
    assert result.exit_code == 1
    assert f"rejected changsha-xzspj-2023-budget (its last good rows are kept): {path}" \
        in result.output
    assert CASES[case][1][0] in result.output
    after = snapshot(project)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= {"data/archive/manifest.csv", path}  # only the new original is archived
