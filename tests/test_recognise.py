from conftest import SAMPLE

from pipeline.extract import extract
from pipeline.recognise import recognise, row_key, table_kind

ALL_TEN = ["summary", "income", "expenditure", "appropriation_summary",
           "general_budget_expenditure", "general_budget_basic", "three_public",
           "government_fund", "project_performance", "department_performance"]


def tables():
    return {t.kind: t for t in recognise(extract(SAMPLE.read_bytes(), "text/plain", "s"), "s")}


def test_all_ten_tables_of_the_hunan_template_are_recognised_in_order():
    assert list(tables()) == ALL_TEN


def test_tables_continued_across_pages_are_stitched_without_repeated_headers():
    basic = tables()["general_budget_basic"]
    assert len(basic.rows) == 34  # 合计 + 33 coded rows from three fragments
    assert basic.rows[0][1] == "合计" and basic.rows[-1][0] == "30399"
    assert not any(r[0] == "经济科目编码" for r in basic.rows)
    summary = tables()["summary"]
    assert [r[0] for r in summary.rows][-2:] == ["", "收 入 总 计"]


def test_the_table_of_contents_does_not_become_tables():
    assert all(t.where.startswith("line") and int(t.where.split()[1]) > 140
               for t in tables().values())


def test_title_aliases_take_the_longest_match():
    assert table_kind("2023年财政拨款收支总体情况表") == "appropriation_summary"
    assert table_kind("2023年部门收支总体情况表") == "summary"
    assert table_kind("2023年一般公共预算“三公”经费支出情况表") == "three_public"
    assert table_kind("2023年一般公共预算基本支出情况表") == "general_budget_basic"
    assert table_kind("四、一般公共预算拨款支出") is None


def test_row_keys_drop_numbering_and_spaces():
    assert row_key("1、一般公共预算拨款收入") == "一般公共预算拨款收入"
    assert row_key("本 年 收 入 合 计") == "本年收入合计"
    assert row_key("七、上年结转") == "上年结转"


def test_the_unit_is_read_per_table(tmp_path):
    text = ("## 2023年部门收支总体情况表\n\n单位：元\n\n收入\t\t支出\t\n项目\t本年预算\t项目\t本年预算\n"
            "一、本级财政拨款收入\t164,978,640\t一、基本支出\t164,978,640\n")
    found = recognise(extract(text.encode(), "text/plain", "t"), "t")
    assert found[0].unit == "元"
