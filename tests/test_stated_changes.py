from decimal import Decimal as D

from conftest import SAMPLE

from pipeline.extract import extract
from pipeline.normalise.narrative import stated_changes


def changes_of(text: str):
    return stated_changes("d", extract(text.encode(), "text/plain", "t"))


def test_the_four_stated_changes_of_the_sample_exactly():
    found = stated_changes("d", extract(SAMPLE.read_bytes(), "text/plain", "s"))
    got = {(c.subject, c.amount_wan, c.change_wan, c.change_pct, c.compared_to) for c in found}
    assert got == {
        ("收入", D("5073.08"), D("-199.05"), D("-3.78"), "上年"),
        ("支出", D("5073.08"), D("-199.05"), D("-3.78"), "上年"),
        ("机关运行经费", D("271.17"), D("18.53"), D("7.33"), "上年预算"),
        ("“三公”经费", D("18.34"), D("2.14"), None, "2022年"),
    }
    quotes = {c.subject: c.quote for c in found}
    assert quotes["收入"] == "收入较去年减少 199.05 万元，下降 3.78%。"
    assert quotes["“三公”经费"].startswith("2023 年“三公”经费预算较 2022 年增加 2.14 万元")
    assert {c.location for c in found} == {"line 83", "line 92", "line 118", "line 122"}


def test_a_change_stated_on_its_own_takes_the_subject_of_the_sentence_before():
    found = changes_of("## 三公\n\n“三公”经费预算数为 18.34 万元。\n\n较 2022 年增加 2.14 万元。\n")
    assert [(c.subject, c.amount_wan, c.change_wan) for c in found] == [
        ("“三公”经费", D("18.34"), D("2.14"))]
    found = changes_of("## 三\n\n财政专户管理资金收入预算总计0万元。与上年相比减少147.20万元，减少100%。\n")
    assert [(c.subject, c.amount_wan, c.change_wan, c.change_pct) for c in found] == [
        ("财政专户管理资金", D("0"), D("-147.20"), D("-100"))]


def test_a_functional_line_named_by_its_class_is_the_subject():
    found = changes_of("1．一般公共服务（类）支出20153.75万元，主要用于基本支出和项目支出。"
                       "与上年相比增加3161.38万元，增长18.60%。\n")
    assert [(c.subject, c.amount_wan, c.change_wan, c.change_pct) for c in found] == [
        ("一般公共服务（类）支出", D("20153.75"), D("3161.38"), D("18.60"))]


def test_a_change_against_last_years_actual_spending_records_that_base():
    found = changes_of("1. “一般公共服务支出（类）统计信息事务（款）统计管理（项）”2.63万元，主要用于统计管理。"
                       "2022年当年预算执行数为1.48万元，2023年预算安排2.63万元，比2022年预算执行数增加77.70 %。\n")
    assert [(c.subject, c.amount_wan, c.change_pct, c.compared_to, c.base_wan) for c in found] == [
        ("一般公共服务支出（类）统计信息事务（款）统计管理（项）", D("2.63"), D("77.70"),
         "2022年执行数", D("1.48"))]


def test_a_direction_without_a_figure_is_not_a_stated_change():
    assert changes_of("所以较上年收入预算有所减少。\n") == []


def test_decreases_are_negative_and_unchanged_is_zero():
    found = changes_of("本部门收入预算 100.00 万元，比上年减少 5.00 万元，下降 4.76%。\n"
                       "本部门支出预算 100.00 万元，与上年持平。\n")
    assert [(c.subject, c.change_wan, c.change_pct) for c in found] == [
        ("收入", D("-5.00"), D("-4.76")), ("支出", D("0"), None)]


def test_a_functional_line_is_not_mistaken_for_total_expenditure():
    found = changes_of("一般公共服务支出较上年增加 3.00 万元。\n")
    assert found == []
