"""Key figures of the Changsha sample, asserted one by one (the goldens hold them all)."""

from decimal import Decimal as D

import pytest
from conftest import process_text, sample_text


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    return process_text(tmp_path_factory.mktemp("s"), sample_text())


def amounts(doc, table):
    return {(i.side, i.row_key, i.measure): i.amount_wan for i in doc.line_items
            if i.table == table}


def test_every_amount_of_tables_1_to_8_is_one_line_item(doc):
    per_table = {t: len(amounts(doc, t)) for t in doc.tables}
    assert per_table == {"summary": 7, "income": 21, "expenditure": 17,
                         "appropriation_summary": 8, "general_budget_expenditure": 17,
                         "general_budget_basic": 69, "three_public": 8, "government_fund": 0,
                         "project_performance": 4, "department_performance": 12}


def test_codes_are_joined_from_class_item_and_sub_columns(doc):
    expenditure = amounts(doc, "expenditure")
    assert expenditure[("", "201", "total")] == D("5073.08")
    assert expenditure[("", "20103", "basic")] == D("2598.03")
    assert expenditure[("", "2010399", "project")] == D("1955.15")
    codes = {i.code for i in doc.line_items if i.table == "income" and i.code}
    assert codes == {"201", "20103", "2010301", "2010302", "2010350", "2010399"}
    assert all(isinstance(c, str) for c in codes)


def test_the_two_sides_of_the_summary_table_stay_distinct(doc):
    summary = amounts(doc, "summary")
    assert summary[("income", "本级财政拨款收入", "amount")] == D("5073.08")
    assert summary[("expenditure", "基本支出", "amount")] == D("2598.03")
    assert summary[("expenditure", "项目支出", "amount")] == D("2475.05")
    assert summary[("income", "收入总计", "amount")] == summary[("expenditure", "支出总计",
                                                                   "amount")]


def test_the_empty_government_fund_table_yields_no_data(doc):
    assert "government_fund" in doc.tables
    assert not [i for i in doc.line_items if i.table == "government_fund"]
    assert not [i for i in doc.line_items if "也没" in i.label + i.row_key]


def test_three_public_figures(doc):
    three = amounts(doc, "three_public")
    assert three[("", "合计", "total")] == D("18.34")
    assert three[("", "合计", "reception")] == D("7.70")
    assert three[("", "合计", "vehicles")] == D("10.64")
    assert three[("", "合计", "vehicle_operation")] == D("10.64")
    assert ("", "合计", "overseas") not in three  # printed blank


def test_the_ten_projects_sum_to_the_project_total(doc):
    assert len(doc.projects) == 10
    assert sum(p.amount_wan for p in doc.projects) == D("2475.05")
    hotline = [p for p in doc.projects if p.unit_code == "152003"]
    assert [(p.project, p.amount_wan) for p in hotline] == [
        ("“12345”市民热线工作专项经费", D("1955.15"))]


def test_the_three_budget_units_with_their_basic_and_project_split(doc):
    units = amounts(doc, "department_performance")
    expected = {"152001": ("1093.68", "845.68", "248.00"),
                "152002": ("1711.27", "1439.37", "271.90"),
                "152003": ("2268.13", "312.98", "1955.15")}
    for code, (total, basic, project) in expected.items():
        assert units[("", code, "total")] == D(total)
        assert units[("", code, "basic")] == D(basic)
        assert units[("", code, "project")] == D(project)
    names = {i.row_key: i.label for i in doc.line_items if i.table == "department_performance"}
    assert names["152003"] == "长沙市12345政务热线中心"


def test_performance_indicators_carry_their_levels_targets_and_weights(doc):
    rows = [t for t in doc.targets if t.project == "“互联网+政务服务”能力专项"]
    first = rows[0]
    assert (first.level1, first.level2, first.target, first.comparator, first.measure_unit,
            first.weight) == ("效益指标", "社会效益指标", "100", "≥", "项", D("10"))
    cost = [t for t in doc.targets if t.level3 == "项目支出" and t.unit_code == "152003"]
    assert [(c.level1, c.target, c.measure_unit) for c in cost] == [("成本指标", "3473.12", "万元")]
    assert len({t.table for t in doc.targets}) == 2
    assert all(t.level1 in {"产出指标", "效益指标", "成本指标", "满意度指标"} for t in doc.targets)
