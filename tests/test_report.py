from decimal import Decimal as D

from pipeline.model import Finding, StatedChange
from pipeline.report import DocumentSummary, headline, render


def change(subject, amount, delta, pct, base="上年"):
    return StatedChange("d", subject, amount, delta, pct, base, f"{subject}原句。", "line 1")


def test_headlines_read_as_a_journalist_would_quote_them():
    assert headline(change("收入", D("5073.08"), D("-199.05"), D("-3.78"))) == \
        "收入5073.08万元，较上年减少199.05万元（−3.78%）"
    assert headline(change("“三公”经费", D("18.34"), D("2.14"), None, "2022年")) == \
        "“三公”经费18.34万元，较2022年增加2.14万元"
    assert headline(change("支出", D("100"), D("0"), None)) == "支出100万元，与上年持平"


def test_the_report_renders_exactly():
    summary = DocumentSummary(
        "p-2023-budget", "某局 2023年部门预算", "某局2023年部门预算公开", "data/archive/p/x.txt",
        "ab" * 32, "http://127.0.0.1/x.txt",
        (change("收入", D("10.00"), D("-1.00"), D("-9.09")),),
        (Finding("p-2023-budget", "sum_of_parts", "error", "income", "201", "total", D("3.00"),
                 D("3.10"), "income 201 total: printed 3.10, its 2 parts add up to 3.00",
                 "line 9"),),
        12, (("表", 2), ("金额", 5)))
    assert render(summary) == """# 某局 2023年部门预算

## 要点

- 收入10.00万元，较上年减少1.00万元（−9.09%）。

说明部分自述的变化（原文见下）与上年文件表格算出的变化并列；无上年文件时只列自述。

## 核对

共核对 12 项，1 项未通过（错误 1，提示 0）。

| 核对 | 表 | 行 | 栏目 | 应为 | 实为 | 位置 | 说明 |
|---|---|---|---|---|---|---|---|
| 合计与分项 | 部门收入总表 | 201 | 合计 | 3.00 | 3.10 | 第 9 行 | income 201 total: printed 3.10, its 2 parts add up to 3.00 |

## 原文

- 收入（第 1 行）：“收入原句。”

## 来源

- 文件：某局2023年部门预算公开（`p-2023-budget`）
- 原件：[data/archive/p/x.txt](../../data/archive/p/x.txt)，sha256 `""" + "ab" * 32 + """`
- 来源地址：`http://127.0.0.1/x.txt`
- 提取：表 2，金额 5
"""


def test_the_sample_report_opens_with_the_stated_drop_and_the_three_public_increase(project):
    from pipeline.run import run

    run(project, fetch=False, say=lambda _: None)
    text = (project / "reports/changsha-xzspj/2023-budget.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 长沙市行政审批服务局 2023年部门预算"
    assert lines[4] == "- 收入5073.08万元，较上年减少199.05万元（−3.78%）。"
    assert "- “三公”经费18.34万元，较2022年增加2.14万元。" in lines[5:8]
    assert "| 成本指标与预算 | 部门整体支出绩效目标表 | 152003 | 项目支出 | 1955.15 | 3473.12 |" \
        in text


def test_headlines_stand_next_to_the_change_the_two_years_tables_give():
    from pipeline.compare import Change
    from pipeline.model import Extraction, Source
    from pipeline.report import summarise

    income, spending = change("收入", D("10.00"), D("-1.00"), None), \
        change("支出", D("10.00"), D("-2.00"), None)
    document = Extraction(Source("", "", "p", 2024, "budget", "department", "", 0),
                          "某局", "", "", stated_changes=(income, spending))
    refuted = Finding("d", "stated_vs_computed", "error", "", "", "", D("-1.50"), D("-2.00"),
                      "支出", "line 1")
    three = Change("p", "p-2023-budget", "d", "three_public", "", "合计", "reception", "合计",
                   D("5.56"), D("7.70"), D("2.14"), D("38.49"), "changed", "“三公”经费")
    summary = summarise(document, [three], [refuted],
                        {("p-2024-budget", "收入", "上年", "line 1"): D("-1.00"),
                         ("p-2024-budget", "支出", "上年", "line 1"): D("-1.50")})
    lines = render(summary).splitlines()
    assert lines[4:7] == [
        "- 收入10.00万元，较上年减少1.00万元；上年文件表格算得减少1.00万元，一致。",
        "- 支出10.00万元，较上年减少2.00万元；上年文件表格算得减少1.50万元，不一致（见核对）。",
        "- 公务接待费7.70万元，较上年增加2.14万元（+38.49%）（上年文件表格算得；说明未见此项陈述）。"]


def test_significant_changes_against_last_year_are_tabled():
    from pipeline.compare import Change
    from pipeline.report import changes_table

    yearly = Change("p", "p-2023-budget", "p-2024-budget", "three_public", "", "合计", "total",
                    "合计", D("22.91"), D("47.91"), D("25.00"), D("109.12"), "changed",
                    "“三公”经费")
    assert changes_table((yearly,)) == [
        "## 与上年文件比较（p-2023-budget）", "", "重要变化 1 项。", "",
        "| 表 | 行 | 栏目 | 原 | 新 | 增减 | 幅度 | 规则 |", "|---|---|---|---|---|---|---|---|",
        "| 一般公共预算“三公”经费支出表 | 合计 | 合计 | 22.91 | 47.91 | 25.00 | +109.12% | “三公”经费 |",
        ""]


def test_the_machine_readable_report_has_the_same_figures_exactly(project):
    import json

    from pipeline.run import run

    run(project, fetch=False, say=lambda _: None)
    data = json.loads((project / "reports/changsha-xzspj/2023-budget.json").read_text("utf-8"))
    assert data["doc_id"] == "changsha-xzspj-2023-budget"
    first = data["headlines"][0]
    assert (first["subject"], first["amount_wan"], first["change_wan"], first["change_pct"]) == (
        "收入", "5073.08", "-199.05", "-3.78")
    assert [(f["check"], f["expected"], f["actual"]) for f in data["findings"]] == [
        ("cost_indicator", "1955.15", "3473.12")]


def test_a_gap_within_rounding_is_counted_apart_listed_last_and_opens_no_issue(tmp_path):
    from dataclasses import replace

    from conftest import process_text, sample_text

    from pipeline.outcome import Outcome, documents_of
    from pipeline.publish.issues import change_posts
    from pipeline.report import summarise
    from pipeline.run import Comparisons, RunResult

    def finding(severity, row):
        return Finding("d", "sum_of_parts", severity, "income", row, "total", D("3.00"),
                       D("3.01"), "某表“某行”印 3.01，其 2 个分项合计 3.00", "page 9")
    sample = process_text(tmp_path, sample_text())
    quiet = replace(sample, stated_changes=(), findings=(finding("rounding", "201"),))
    assert change_posts(Outcome.of(RunResult(documents=documents_of([quiet], Comparisons())))) == []
    loud = replace(quiet, findings=(finding("rounding", "201"), finding("error", "205")))
    assert len(change_posts(Outcome.of(RunResult(documents=documents_of([loud], Comparisons()))))) == 1
    summary = summarise(loud)
    assert [f.severity for f in summary.findings] == ["error", "rounding"]
    assert "2 项未通过（错误 1，提示 0，仅差四舍五入 1）" in render(summary)
    assert "第 9 页" in render(summary)
