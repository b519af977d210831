"""Table layouts of templates beyond the default one, each as a small grid: what is read, how
rows are keyed, and that the document's own arithmetic is checked without false alarms."""

from decimal import Decimal as D

from pipeline import check
from pipeline.model import Block
from pipeline.normalise import columns, narrative, performance, tables
from pipeline.recognise import recognise


def grid(*rows: tuple[str, ...], where: str = "page 3") -> Block:
    return Block("table", rows=tuple(rows), where=where, row_where=(where,) * len(rows))


def read(title: str, *rows: tuple[str, ...], unit: str = "金额单位：万元"):
    """The line items of one titled table, and the errors the checks find in them."""
    found = recognise([Block("paragraph", text=title, where="page 3"),
                       Block("paragraph", text=unit, where="page 3"), grid(*rows)], "t")
    assert len(found) == 1, found
    items, problems = tables.line_items("d", found[0])
    assert problems == []
    measures = [c for c in columns.layout_columns(found[0]) if c.role == "measure"]
    findings, _ = check.check_document(
        "d", items, [], [], [], [], "budget", {(found[0].kind, c.measure) for c in measures},
        {(found[0].kind, c.measure) for c in measures if c.within})
    return items, [f for f in findings if f.severity == "error"]


def amounts(items, measure: str) -> dict[str, D]:
    return {i.row_key: i.amount_wan for i in items if i.measure == measure}


GENERAL = ("科目编码", "科目名称", "合计", "基本支出", "项目支出")


def test_a_coded_table_printed_in_unnamed_blocks_keys_each_block_apart():
    rows = [GENERAL, ("2010501", "行政运行", "10.00", "10.00", ""),
            ("2010599", "其他统计信息事务支出", "5.00", "", "5.00"),
            ("2010501", "行政运行", "3.00", "3.00", ""),  # codes fall back: the next unit
            ("2010501", "行政运行", "1.00", "1.00", "")]  # the same code again: another unit
    items, errors = read("预算05表 一般公共预算支出表", *rows, ("合计", "", "19.00", "14.00", "5.00"))
    assert amounts(items, "total") == {"2010501": D("10.00"), "2010599": D("5.00"),
                                       "2010501#2": D("3.00"), "2010501#3": D("1.00"),
                                       "合计": D("19.00")}
    assert errors == []  # 合计 = the rows of every block
    _, errors = read("预算05表 一般公共预算支出表", *rows, ("合计", "", "20.00", "14.00", "5.00"))
    assert [(f.check, f.row_key, f.measure) for f in errors] == [
        ("sum_of_parts", "合计", "total"), ("column_identity", "合计", "total")]


def test_a_row_classified_two_ways_is_a_part_of_another_only_where_every_code_extends():
    items, errors = read("预算06表 一般公共预算基本支出表",
                         ("政府支出经济分类科目", "部门支出经济分类科目", "合计"),
                         ("50201-办公经费", "30201-办公费", "1.00"),
                         ("50201-办公经费", "3021101-差旅费", "2.00"),  # no 30211 row above it
                         ("合 计", "", "3.00"))
    assert set(amounts(items, "total")) == {"50201/30201", "50201/3021101", "合计"}
    assert errors == []


def test_columns_under_a_within_head_are_parts_of_the_columns_before_them():
    items, errors = read("预算03表 支出总表",
                         ("科目编码", "科目名称", "合计", "基本支出", "项目支出", "其中", ""),
                         ("", "", "", "", "", "事业单位经营支出", "上缴上级支出"),
                         ("201", "一般公共服务支出", "10.00", "4.00", "6.00", "2.00", "1.00"))
    assert amounts(items, "remit_upper") == {"201": D("1.00")}
    assert errors == []  # 合计 = 基本支出 + 项目支出, the 其中 columns not added again


def test_a_column_no_template_names_is_read_under_its_printed_header_and_its_units_apart():
    items, errors = read("表2部门综合预算收入总表",
                         ("单位编码", "单位名称", "合计", "一般公共预算拨款", "上年实户资金余额"),
                         ("153002", "西安市公安局交通管理支队", "12.00", "10.00", "2.00"),
                         ("153002", "西安市公安局交通警察支队", "3.00", "3.00", ""),
                         unit="单位：万元")
    assert amounts(items, "上年实户资金余额") == {"153002": D("2.00")}
    assert amounts(items, "total") == {"153002": D("12.00"), "153002#2": D("3.00")}
    assert errors == []  # the unnamed column completes 合计 = its parts


def test_serial_numbers_and_codes_are_not_taken_for_an_unnamed_amount_column():
    assert not columns._amounts((("1", "153"), ("2", "153001")), 0)
    assert columns._amounts((("0.00",), ("1,336,500.00",)), 0)


def test_a_label_printed_across_two_column_groups_names_the_figure_under_the_second():
    head = ("科目编码", "科目名称", "决算数") * 3
    items, _ = read("一般公共预算财政拨款基本支出决算表", head,
                    ("30101", "基本工资", "5.00", "30201", "办公费", "1.00", "31002", "办公设备购置",
                     "2.00"),
                    ("人员经费合计", "", "5.00", "公用经费合计", "", "", "", "", "3.00"))
    assert {(i.label, i.amount_wan) for i in items if "合计" in i.label} == {
        ("人员经费合计", D("5.00")), ("公用经费合计", D("3.00"))}


def test_budget_and_actual_blocks_of_columns_are_told_apart_and_the_column_numbers_skipped():
    items, errors = read("财政拨款“三公”经费支出决算表",
                         ("预算数", "", "", "决算数", "", ""),
                         ("合计", "因公出国（境）费", "公务接待费", "合计", "因公出国（境）费",
                          "公务接待费"),
                         ("1", "2", "3", "4", "5", "6"),  # printed without a label: a header row
                         ("10.00", "6.00", "4.00", "8.00", "5.00", "3.00"))
    got = {i.measure: i.amount_wan for i in items}
    assert got["overseas_budget"] == D("6.00") and got["overseas"] == D("5.00")
    assert got["total_budget"] == D("10.00") and got["total"] == D("8.00")
    assert errors == []
    items, _ = read("收入决算表", ("项目", "", "本年收入合计", "财政拨款收入"),
                    ("栏次", "", "1", "2"), ("合计", "", "9.00", "9.00"))
    assert {i.amount_wan for i in items} == {D("9.00")}


def test_an_of_which_line_and_the_parts_of_a_carried_over_balance_are_not_counted_twice():
    _, errors = read("表1部门综合预算收支总表", ("收入", "", "支出", ""),
                     ("项目", "预算数", "项目", "预算数"),
                     ("一、一般公共预算拨款", "10.00", "一、一般公共服务支出", "13.00"),
                     ("本年收入合计", "10.00", "本年支出合计", "13.00"),
                     ("年初财政拨款结转和结余", "2.00", "", ""),
                     ("一般公共预算财政拨款", "2.00", "", ""),  # the part of the line above
                     ("上年实户资金余额", "1.00", "", ""),  # a line of its own
                     ("其中：财政拨款资金结转", "1.00", "", ""),
                     ("收入总计", "13.00", "支出总计", "13.00"))
    assert errors == []


def paragraph(text: str) -> list[Block]:
    return [Block("paragraph", text=text, where="page 18")]


def test_a_figure_narrowed_to_appropriations_is_not_taken_for_all_funds():
    stated = narrative.figures(paragraph("国家信访局2024年度财政拨款基本支出10234.37万元，其中人员经费"
                                         "7967.72万元。基本支出11073.11万元。"))
    assert [(f.subject, f.amount_wan) for f in stated] == [("基本支出", D("11073.11"))]


def test_a_sentence_that_opens_on_its_own_line_and_figure_is_about_that_line():
    changes = narrative.stated_changes("d", paragraph(
        "5.住房保障支出（类）支出980.85万元。6.年末结转和结余 7494.06 万元，为本年度或以前年度"
        "预算尚未完成的资金，比 2023年度决算数增加 5878.82 万元，增长 363.96%。"))
    assert [(c.subject, c.amount_wan, c.change_wan) for c in changes] == [
        ("年末结转和结余", D("7494.06"), D("5878.82"))]


def test_a_narrative_figure_worked_from_rounded_ones_is_within_rounding_not_an_error():
    from pipeline.model import LineItem

    items = [LineItem("d", "expenditure", "", "合计", measure, "", "none", "合计", D(amount), "p")
             for measure, amount in (("total", "3923076.626242"), ("basic", "2919265.783503"),
                                     ("project", "1003810.842739"))]
    # 3923076.63 - 2919265.78 = 1003810.85: one cent from the table's 1003810.84
    figures = narrative.figures(paragraph("项目支出预算 1003810.85 万元，占本年支出的25.59%。"))
    findings, _ = check.check_document("d", items, [], [], figures, [])
    assert [(f.check, f.severity) for f in findings] == [("narrative_vs_table", "rounding")]
    figures = narrative.figures(paragraph("项目支出预算 1003810.87 万元。"))
    findings, _ = check.check_document("d", items, [], [], figures, [])
    assert [(f.check, f.severity) for f in findings] == [("narrative_vs_table", "error")]


PERFORMANCE_HEAD = ("项目名称", "项目总额", "绩效目标", "一级指标", "二级指标", "三级指标",
                    "绩效指标性质", "本年绩效指标值", "绩效度量单位")


def performance_table(*rows: tuple[str, ...]):
    found = recognise([Block("paragraph", text="预算12表 项目支出绩效目标表", where="page 9"),
                       Block("paragraph", text="金额单位：万元", where="page 9"),
                       grid(PERFORMANCE_HEAD, *rows, where="page 9")], "t")
    return performance.parse("d", found[0])


def test_a_project_printed_again_in_a_table_of_unnamed_units_is_another_units():
    parsed = performance_table(
        ("北京学者项目", "40.000000", "完成学术任务", "成本指标", "经济成本指标", "项目总成本", "≤", "40",
         "万元"),
        ("北京学者项目", "300.000000", "完成学术任务", "成本指标", "经济成本指标", "项目总成本", "≤",
         "300", "万元"))
    assert [(p.project, p.amount_wan) for p in parsed.projects.values()] == [
        ("北京学者项目", D("40.000000")), ("北京学者项目#2", D("300.000000"))]
    assert parsed.conflicts == []
    assert [t.project for t in parsed.targets] == ["北京学者项目", "北京学者项目#2"]


def test_a_whole_cost_indicator_is_read_by_its_comparator_and_a_parts_cap_is_no_alarm():
    parsed = performance_table(
        ("学生资助", "111.630000", "保障学生生活", "成本指标", "经济成本指标", "本年总成本", "≤", "5.217",
         "万元"),
        ("宿舍修缮", "248.537641", "改善条件", "成本指标", "经济成本指标", "项目总成本", "≤", "248.54",
         "万元"),
        ("鲜花祝福", "30.000000", "赠送花卉", "成本指标", "经济成本指标", "购买花卉", "≤", "29", "万元"),
        ("修志工作", "10.982110", "修志", "成本指标", "经济成本指标", "项目总成本", "＝", "10.9821", "万元"))
    findings, _ = check.check_document("d", [], list(parsed.projects.values()),
                                       parsed.targets, [], [])
    assert [(f.check, f.location) for f in findings] == [("cost_indicator", "page 9")]
    assert "学生资助" in findings[0].message  # a cap below the budget; the others agree


def test_a_performance_table_whose_header_names_its_columns_is_read_in_printed_order():
    found = recognise([Block("paragraph", text="广州市生态环境局2026年项目支出绩效目标表", where="page 1"),
                       Block("paragraph", text="部门名称：广州市生态环境局 单位：万元", where="page 1"),
                       grid(("项目名称（资金使用单位）", "总计：", "财政拨款", "其他资金", "绩效目标", "绩效指标"),
                            ("合计：", "50.00", "50.00", "", "", ""),
                            ("广州市固体废物管理中心", "50.00", "50.00", "", "", ""),
                            ("信息化运维项目", "11.03", "11.03", "", "确保系统运行正常。",
                             "1.1－产出指标，12－质量指标，系统故障排除率；年度指标值：95%"),
                            where="page 1")], "t")
    parsed = performance.parse("d", found[0])
    assert [(p.unit_name, p.project, p.amount_wan, p.goal) for p in
            parsed.projects.values()] == [("广州市固体废物管理中心", "信息化运维项目", D("11.03"),
                                           "确保系统运行正常。")]
    assert parsed.targets == []  # indicators printed as one passage are reported, not guessed
    assert [f.check for f in parsed.conflicts] == ["unread_column"]


def test_a_label_cell_deep_in_the_document_and_the_file_name_identify_a_tables_file():
    from pipeline.identify import identify

    blocks = [Block("paragraph", text=t, where=f"page {p}") for p, t in (
        (1, "预算01表 收支总表"), (1, "金额单位：万元"), (81, "预算13表 部门整体支出绩效目标表"),
        (81, "部门名称"), (81, "北京市政务服务和数据管理局"))]
    found = identify(blocks, "", "beijing-zwfw-2026-budget-part2-tables")
    assert (found.publisher, found.fiscal_year, found.kind) == (
        "北京市政务服务和数据管理局", 2026, "budget")
    assert found.found_in == "publisher:label@page 81, fiscal_year:filename, kind:tables"
    assert identify(blocks[:2] + [Block("paragraph", text="收入支出决算总表", where="page 2")]
                    ).kind == "final_accounts"


def test_figures_about_a_part_are_not_taken_for_the_whole():
    stated = narrative.figures(paragraph(
        "共组织对 0 个项目开展了重点绩效评价，涉及一般公共预算支出 0 万元。"
        "本部门当年机关运行经费预算安排1487.80万元，其中办公费618.69万元，会议费 7.61 万元。"
        "2026年会议费预算7.61万元。"))
    assert [(f.subject, f.amount_wan) for f in stated] == [
        ("机关运行经费", D("1487.80")), ("会议费", D("7.61"))]
    assert stated[1].quote == "2026年会议费预算7.61万元。"


def test_a_change_named_after_the_comparison_has_that_subject():
    changes = narrative.stated_changes("d", paragraph(
        "2017 年财政拨款预算支出 28849.38 万元。与上年相比，财政拨款支出增加 1808.29万元，增长 6.69%。"))
    assert [(c.subject, c.change_wan, c.change_pct) for c in changes] == [
        ("财政拨款支出", D("1808.29"), D("6.69"))]


def test_a_numbered_total_printed_above_its_breakdown_is_not_added_to_it():
    _, errors = read("表4：2026年市级部门财政拨款收支预算总表", ("收 入", "", "支 出", ""),
                     ("项 目", "预算数", "项 目", "预算数"),
                     ("一、财政拨款", "10.00", "一、本年支出合计", "12.00"),
                     ("一般公共预算", "10.00", "公共安全支出", "12.00"),
                     ("二、上年结转结余", "2.00", "公安", "12.00"),
                     ("一般公共预算", "2.00", "二、年终结转结余", ""),
                     ("收 入 总 计", "12.00", "支 出 总 计", "12.00"))
    assert errors == []


def test_figures_printed_at_different_precisions_agree_within_their_rounding():
    from pipeline.model import LineItem

    def item(table, key, measure, amount, side=""):
        return LineItem("d", table, side, key, measure, "", "none", key, D(amount), "p")
    # 元 with cents and 万元 to five places: the same 48,054.42216 万元
    items = [item("summary", "收入总计", "amount", "48054.422162", "income"),
             item("income", "合计", "total", "48054.42216")]
    findings, _ = check.check_document("d", items, [], [], [], [])
    assert [f for f in findings if f.check == "cross_table"] == []
    checker = check.Checker("d", [])
    checker.equal("sum_of_parts", D("85206.36058"), D("85206.360579"), "summary", "合计",
                  "amount", "m", parts=12)  # 12 parts in 元 to the 角, total to the 分
    checker.equal("sum_of_parts", D("3968.82"), D("4112.82"), "three_public", "合计", "total",
                  "m", parts=9)
    assert [f.severity for f in checker.findings] == ["rounding", "error"]
    assert [(c.seq, c.check, c.result) for c in checker.checks] == [
        (1, "sum_of_parts", "rounding"), (2, "sum_of_parts", "error")]


def test_a_generic_figure_in_a_paragraph_about_one_line_is_that_lines():
    stated = narrative.figures(paragraph(
        "1.其他支出（类）其他政府性基金及对应专项债务收入安排的支出（款）其他地方自行试点项目收益专项"
        "债券收入安排的支出（项）。本年支出决算568,051.63万元，主要用于医院新院区建设。"))
    assert stated == []


def test_a_statement_may_agree_with_another_reading_but_is_never_refuted_by_it_alone():
    from pipeline.model import LineItem

    def item(key, amount, table="appropriation_summary"):
        return LineItem("d", table, "income", key, "amount", "", "none", key, D(amount), "p")
    figures = narrative.figures(paragraph("本部门当年财政拨款收入337,741.21万元，其中：上年结转13,102.70万元。"))
    with_carried = [item("本年收入", "324638.51"), item("收入总计", "337741.21")]
    findings, _ = check.check_document("d", with_carried, [], [], figures, [])
    assert findings == []  # 上年结转 counted in: the 收入总计 reading agrees
    findings, run = check.check_document("d", with_carried[1:], [], [], figures, [])
    assert findings == [] and run == 1  # 收入总计 alone confirms the figure stated …
    other = [item("收入总计", "337741.22")]
    findings, run = check.check_document("d", other, [], [], figures, [])
    assert findings == [] and run == 0  # … and a gap to it alone is no finding
    findings, _ = check.check_document("d", [item("本年收入", "324638.51"),
                                             item("收入总计", "337741.22")], [], [], figures, [])
    assert [(f.check, f.row_key) for f in findings] == [("narrative_vs_table", "本年收入")]


def test_findings_name_the_table_row_and_column_by_their_printed_names():
    _, errors = read("预算03表 支出总表", ("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
                     ("201", "一般公共服务支出", "10.00", "4.00", "6.00"),
                     ("20101", "人大事务", "9.00", "4.00", "5.00"))
    assert [f.message for f in errors] == [
        "部门支出总表“一般公共服务支出”（201）行“合计”栏印 10.00，其 1 个分项合计 9.00",
        "部门支出总表“一般公共服务支出”（201）行“项目支出”栏印 6.00，其 1 个分项合计 5.00"]
    from pipeline import wording
    assert wording.formula("total = basic + project") == "合计 = 基本支出 + 项目支出"
    assert [wording.column(m) for m in ("amount", "grand_total", "overseas_budget",
                                        "上年实户资金余额")] == [
        "金额", "总计", "因公出国（境）费（预算数）", "上年实户资金余额"]


def test_a_line_printed_twice_is_named_by_its_label_code_and_column_heading():
    from pipeline.model import LineItem
    from pipeline.process import _printed_twice

    first, again = (LineItem("d", "expenditure", "", "2010301", "basic", "2010301", "functional",
                             "行政运行", D(amount), where)
                    for amount, where in (("4.00", "page 3"), ("5.00", "page 4")))
    assert _printed_twice("d", first, again).message == (
        "部门支出总表“行政运行”（2010301）行“基本支出”栏印了两次，金额不同：4.00（page 3）与 "
        "5.00（page 4）")


def test_a_funds_income_and_expenditure_table_is_read_by_its_two_sides():
    items, errors = read("表92021年部门综合预算政府性基金收支表（不含上年结转）",
                         ("收 入", "", "支 出", "", "", ""),
                         ("项 目", "预算数", "支出功能分类科目（按大类）", "预算数",
                          "部门预算支出经济分类科目（按大类）", "预算数"),
                         ("一、政府性基金拨款", "16.00", "一、社会保障和就业支出", "16.00",
                          "一、人员经费和公用经费支出", "1.00"),
                         ("", "", "", "", "二、专项业务经费支出", "15.00"),
                         ("收入总计", "16.00", "支出总计", "16.00", "支出总计", "16.00"),
                         unit="单位：万元")
    assert {(i.side, i.row_key, i.amount_wan) for i in items if i.row_key.endswith("总计")} == {
        ("income", "收入总计", D("16.00")), ("expenditure", "支出总计", D("16.00")),
        ("expenditure_economic", "支出总计", D("16.00"))}  # named by its stub's header
    assert {i.table for i in items} == {"government_fund_summary"} and errors == []


PROCUREMENT_HEAD = (("采购品目大类", "专项名称", "经济科目", "采购品目名称", "采购组织形式", "资金来源", "", "总计"),
                    ("", "", "", "", "", "一般公共预算资金", "其他资金", ""))


def test_a_procurement_outline_nests_rows_by_the_column_they_begin_in():
    rows = [*PROCUREMENT_HEAD,
            ("合计", "", "", "", "", "17.00", "", "17.00"),
            ("货物", "", "", "", "", "5.00", "", "5.00"),
            ("苏州市审计局", "", "", "", "", "5.00", "", "5.00"),
            ("", "定额", "办公费", "复印纸", "集中采购", "1.00", "", "1.00"),
            ("", "设备购置", "办公设备购置", "便携式计算机", "集中采购", "4.00", "", "4.00"),
            ("服务", "", "", "", "", "12.00", "", "12.00"),
            ("无锡市水利局", "", "", "", "", "12.00", "", "12.00"),
            ("（本级）", "", "", "", "", "", "", ""),  # the end of the label above, wrapped
            ("", "物业管理费", "物业管理费", "物业管理服务", "分散采购", "12.00", "", "12.00")]
    items, errors = read("公开13表 政府采购支出表", *rows)
    assert amounts(items, "total") == {
        "合计": D("17.00"), "货物": D("5.00"), "货物/苏州市审计局": D("5.00"),
        "货物/苏州市审计局/定额/办公费/复印纸/集中采购": D("1.00"),
        "货物/苏州市审计局/设备购置/办公设备购置/便携式计算机/集中采购": D("4.00"),
        "服务": D("12.00"), "服务/无锡市水利局（本级）": D("12.00"),
        "服务/无锡市水利局（本级）/物业管理费/物业管理费/物业管理服务/分散采购": D("12.00")}
    assert errors == []
    rows[6] = ("", "设备购置", "办公设备购置", "便携式计算机", "集中采购", "4.50", "", "4.50")
    _, errors = read("公开13表 政府采购支出表", *rows)
    assert {(f.check, f.row_key, f.measure) for f in errors} == {
        ("sum_of_parts", "货物/苏州市审计局", m) for m in ("total", "general_budget")}


def test_an_outline_row_whose_levels_share_a_line_heads_the_rows_below_it():
    # 专项 and its first 经济科目 on one line; the next 经济科目 of the same 专项 below it
    items, errors = read("十二、政府采购支出预算表",
                         ("采购品目大", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计"),
                         ("类", "", "", "", "", ""),
                         ("合计", "", "", "", "", "30.00"),
                         ("三、服务C", "", "", "", "", "30.00"),
                         ("", "案件审判经费", "维修（护）费", "", "", "20.00"),
                         ("", "", "", "运行维护服务", "分散自行组织", "20.00"),
                         ("", "", "会议费", "", "", "10.00"),
                         ("", "", "", "会议服务", "分散自行组织", "10.00"))
    assert amounts(items, "total")["服务/案件审判经费/会议费"] == D("10.00")
    assert "服务/案件审判经费/会议费/会议服务/分散自行组织" in amounts(items, "total")
    assert errors == []  # 服务 = its two 经济科目; each 经济科目 = its 品目


def test_rows_printed_alike_in_a_flat_outline_are_keyed_apart_and_summed():
    head = ("指导性目录", "", "", "预算金额")
    rows = [head, ("一级", "二级", "三级", ""), ("合 计", "", "", "7.00"),
            ("01-公共服务", "0101-公共安全服务", "公共安全保障服务", "3.00"),
            ("01-公共服务", "0101-公共安全服务", "公共安全保障服务", "4.00")]
    items, errors = read("预算11表 财政拨款政府购买服务明细表", *rows)
    assert amounts(items, "amount") == {
        "合计": D("7.00"), "01-公共服务/0101-公共安全服务/公共安全保障服务": D("3.00"),
        "01-公共服务/0101-公共安全服务/公共安全保障服务#2": D("4.00")}
    assert errors == []
    rows[-1] = ("01-公共服务", "0101-公共安全服务", "公共安全保障服务", "5.00")
    assert [f.row_key for f in read("预算11表 财政拨款政府购买服务明细表", *rows)[1]] == ["合计"]


def test_the_narratives_procurement_figures_are_checked_against_the_table():
    items, _ = read("预算10表 政府采购预算明细表", ("采购类别", "金额"),
                    ("A-货物", "2.000000"), ("C-服务", "8.500000"), ("合 计", "10.500000"))
    assert set(amounts(items, "amount")) == {"货物", "服务", "合计"}
    figures = narrative.figures(paragraph(
        "2026年本部门政府采购预算总额10.50万元，其中：政府采购货物预算2.00万元，"
        "政府采购工程预算0万元，拟采购服务支出8.60万元。"))
    assert [(f.subject, f.amount_wan) for f in figures] == [
        ("政府采购", D("10.50")), ("政府采购货物", D("2.00")), ("政府采购工程", D("0")),
        ("政府采购服务", D("8.60"))]
    findings, _ = check.check_document("d", items, [], [], figures, [])
    assert [(f.check, f.row_key) for f in findings if f.severity == "error"] == [
        ("narrative_vs_table", "服务")]


def test_a_row_printed_outside_the_ruling_between_pages_withholds_the_table_not_a_guess():
    head = ("项目", "金额")
    blocks = [Block("paragraph", text="三公经费支出预算表", where="page 3"),
              grid(head, ("公务接待费", "1.00"), where="page 3"),
              Block("paragraph", text="因公出国（境） 2.00费", where="page 4"),  # no ruling
              grid(("公务用车购置及运行费", "3.00"), ("合计", "6.00"), where="page 4")]
    found = recognise(blocks, "t")
    assert [t.lost for t in found] == [("page 4：因公出国（境） 2.00费",)]
    items, problems = tables.line_items("d", found[0])
    assert problems == ["表格线外的一行未能读取（page 4：因公出国（境） 2.00费）"]
    blocks[2] = Block("paragraph", text="XX局2026年部门预算", where="page 4")  # a running head
    assert [t.lost for t in recognise(blocks, "t")] == [()]


FORM = [("项目名称", "", "街道综合执法经费", "", "主管部门", "XX区城市管理委员会", ""),
        ("资金情况（万元）", "", "年度资金总额：", "", "120.50", "", ""),
        ("", "", "其中：财政资金", "", "120.50", "", ""),
        ("年度总体目标", "年度目标", "", "", "", "", ""),
        ("", "保障街道综合执法工作正常开展。", "", "", "", "", ""),
        ("绩效指标", "一级指标", "二级指标", "三级指标", "", "", "指标值"),
        ("", "产出指标", "数量指标", "执法巡查次数", "", "", "≥300次"),
        ("", "", "质量指标", "案件办结率", "", "", "≥95%"),
        ("", "成本指标", "经济成本指标", "项目总成本", "", "", "≤120.5万元")]


def test_a_performance_table_printed_as_one_form_per_project_is_read_by_its_labels():
    found = recognise([Block("paragraph", text="预算12表-1 项目支出绩效目标表", where="page 9"),
                       grid(*FORM, where="page 9"),
                       Block("paragraph", text="预算12表-2 项目支出绩效目标表", where="page 10"),
                       grid(("项目名称", "", "社区服务经费", "", "主管部门", "XX区民政局", ""),
                            *FORM[1:3], ("绩效指标", "一级指标", "二级指标", "三级指标", "", "",
                                         "指标值"),
                            ("", "满意度指标", "服务对象满意度指标", "居民满意度", "", "", "≥90%"),
                            where="page 10")], "t")
    parsed = performance.parse("d", found[0])
    assert [(p.unit_name, p.project, p.amount_wan, p.goal) for p in parsed.projects.values()] == [
        ("XX区城市管理委员会", "街道综合执法经费", D("120.50"), "保障街道综合执法工作正常开展。"),
        ("XX区民政局", "社区服务经费", D("120.50"), "")]
    assert [(t.project, t.level1, t.level2, t.level3, t.comparator, t.target)
            for t in parsed.targets] == [
        ("街道综合执法经费", "产出指标", "数量指标", "执法巡查次数", "≥", "300次"),
        ("街道综合执法经费", "产出指标", "质量指标", "案件办结率", "≥", "95%"),
        ("街道综合执法经费", "成本指标", "经济成本指标", "项目总成本", "≤", "120.5万元"),
        ("社区服务经费", "满意度指标", "服务对象满意度指标", "居民满意度", "≥", "90%")]
    transfer = [("转移支付名称", "", "教育改革发展专项转移支付", "", "市级主管部门", "市教委", ""),
                *FORM[1:]]
    parsed = performance.parse("d", recognise([
        Block("paragraph", text="预算14表-1 教育改革发展专项转移支付绩效目标表", where="page 9"),
        grid(*transfer, where="page 9")], "t")[0])
    assert [(i.table, i.row_key, i.measure, i.amount_wan) for i in parsed.items.values()] == [
        ("transfer_performance", "教育改革发展专项转移支付", "amount", D("120.50"))]
    assert parsed.projects == {} and len(parsed.targets) == 3


def test_a_stated_share_is_checked_against_the_figures_it_divides():
    from pipeline.model import LineItem

    def item(table, side, key, measure, amount):
        return LineItem("d", table, side, key, measure, "", "none", key, D(amount), "p")
    items = [item("summary", "expenditure", "本年支出合计", "amount", "30939.12"),
             item("three_public", "", "合计", "total", "508.20"),
             item("three_public", "", "合计", "vehicles", "411.20"),
             item("expenditure", "", "合计", "basic", "921.33")]

    def shares(text):
        checker = check.audit("d", items, [], [], narrative.figures(paragraph(text)), [])
        return [(c.result, c.expected, c.actual) for c in checker.checks if c.check == "share"]
    assert shares("基本支出921.33万元，占本年支出预算2.98%。") == [("pass", D("2.98"), D("2.98"))]
    assert shares("基本支出921.33万元，占总支出3.98%。") == [("error", D("2.98"), D("3.98"))]
    # 13.77 + 80.92 + 5.31 = 100: a share evened out by one unit of its last place
    assert shares("公务用车购置及运行费支出411.20万元，占“三公”经费的80.92%。") == [
        ("rounding", D("80.91"), D("80.92"))]
    assert shares("支出10685.56万元，占比73.33%。") == []  # of what, it does not say


def test_a_change_stated_as_the_same_as_last_year_is_a_change_of_zero():
    changes = narrative.stated_changes("d", paragraph(
        "（2）政府性基金预算拨款收入 0 万元，与上年预算数相同。其中会议费 0.24 万元，较上年无变化。"
        "决算数与预算数一致。机关运行经费统计口径与上年不一致。"))
    assert [(c.subject, c.amount_wan, c.change_wan, c.compared_to) for c in changes] == [
        ("政府性基金拨款", D("0"), D("0"), "上年预算"), ("会议费", D("0.24"), D("0"), "上年")]
