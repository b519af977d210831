"""Checks: what holds in the sample holds, what the sample gets wrong is found, and a
number changed anywhere is caught by the identities it takes part in."""

from decimal import Decimal as D

import pytest
from conftest import process_text, sample_text


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    return process_text(tmp_path_factory.mktemp("c"), sample_text())


def findings(doc):
    return {(f.check, f.table, f.row_key, f.measure, f.expected, f.actual) for f in doc.findings}


def test_the_sample_has_exactly_its_one_genuine_inconsistency(doc):
    assert findings(doc) == {("cost_indicator", "department_performance", "152003", "project",
                              D("1955.15"), D("3473.12"))}
    finding = doc.findings[0]
    assert finding.location == "line 687"
    assert "3473.12" in finding.message and "1955.15" in finding.message


def test_every_identity_of_the_sample_was_checked(doc):
    # 174: with 因公出国（境）费 0.00 万元, which the text layer prints on a line of its own
    # cut from its sentence (lines 120 | 122), compared with the 三公 table's blank column;
    # and 3 其中 lists of the narrative against their totals (三公 18.34, 政府采购 2068.63,
    # 绩效目标 5073.08)
    assert doc.checks_run == 177
    assert [c.check for c in doc.checks].count("stated_parts") == 3


def test_every_check_run_is_recorded_with_its_result(doc):
    assert [c.seq for c in doc.checks] == list(range(1, doc.checks_run + 1))
    assert [(c.check, c.row_key, c.expected, c.actual, c.result) for c in doc.checks
            if c.result != "pass"] == [("cost_indicator", "152003", D("1955.15"), D("3473.12"),
                                        "error")]
    assert {c.check for c in doc.checks} >= {"sum_of_parts", "column_identity", "cross_table",
                                              "narrative_vs_table", "cost_indicator"}


def mutated(tmp_path, old: str, new: str, count: int = 1):
    text = sample_text()
    assert text.count(old) >= count
    return process_text(tmp_path, text.replace(old, new, count))


def test_a_changed_economic_line_breaks_its_parent_sum_and_its_row_identity(tmp_path):
    doc = mutated(tmp_path, "30101\t基本工资\t264.87\t264.87", "30101\t基本工资\t264.88\t264.87")
    got = findings(doc) - {("cost_indicator", "department_performance", "152003", "project",
                            D("1955.15"), D("3473.12"))}
    assert got == {
        ("sum_of_parts", "general_budget_basic", "301", "total", D("2286.21"), D("2286.20")),
        ("column_identity", "general_budget_basic", "30101", "total", D("264.87"), D("264.88")),
    }


def test_a_narrative_figure_that_differs_from_the_table_is_found(tmp_path):
    doc = mutated(tmp_path, "“三公”经费预算数为 18.34 万元", "“三公”经费预算数为 18.43 万元")
    narrative = [f for f in doc.findings if f.check == "narrative_vs_table"]
    assert [(f.table, f.row_key, f.measure, f.expected, f.actual, f.location)
            for f in narrative] == [("three_public", "合计", "total", D("18.43"), D("18.34"),
                                     "line 120")]


def test_a_stated_percent_that_does_not_follow_from_the_amounts_is_a_warning(tmp_path):
    doc = mutated(tmp_path, "上升 7.33%", "上升 7.53%")
    pct = [f for f in doc.findings if f.check == "stated_percent"]
    assert [(f.severity, f.row_key, f.expected, f.actual) for f in pct] == [
        ("warning", "机关运行经费", D("7.33"), D("7.53"))]


def test_the_same_figure_in_two_tables_must_agree(tmp_path):
    doc = mutated(tmp_path, "收 入 总 计\t5,073.08\t支 出 总 计\t5,073.08",
                  "收 入 总 计\t5,073.09\t支 出 总 计\t5,073.08")
    checks = {f.check for f in doc.findings}
    assert {"cross_table", "side_totals", "sum_of_parts"} <= checks


def test_a_unit_that_does_not_add_up_is_found(tmp_path):
    doc = mutated(tmp_path, "1,711.27\t1,711.27\t\t\t\t\t1,439.37",
                  "1,711.27\t1,711.27\t\t\t\t\t1,439.47")
    got = {(f.check, f.row_key, f.measure) for f in doc.findings}
    assert ("column_identity", "152002", "total") in got
    assert ("units_vs_department", "合计", "basic") in got
