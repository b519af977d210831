"""The narrative read sentence by sentence: lines by 类/款/项 or by code, changes stated for
two subjects at once, asides in brackets, 持平 that restates a change, and the layout faults
of real PDFs that cut sentences (white shading read as a table, running heads)."""

import io
from decimal import Decimal as D

from pipeline import check
from pipeline.check_lines import line_path
from pipeline.extract import extract
from pipeline.model import LineItem
from pipeline.normalise.narrative import figures, stated_changes


def changes_of(text: str):
    return [(c.subject, c.amount_wan, c.change_wan, c.change_pct, c.compared_to)
            for c in stated_changes("d", extract(text.encode(), "text/plain", "t"))]


def test_a_line_named_by_class_and_item_gives_its_change_in_the_next_sentence():
    assert changes_of(
        "（1）一般公共服务支出（类）社会工作事务（款）其他社会工作事务支出（项）0.19万元，主要用于"
        "两新组织党建事务的支出。比上年执行数增加0.09万元，增长90.0%，主要原因是补助增加。\n") == [
        ("一般公共服务支出（类）社会工作事务（款）其他社会工作事务支出（项）", D("0.19"), D("0.09"),
         D("90.0"), "上年执行数")]


def test_the_last_line_named_before_a_change_is_its_subject():
    found = changes_of(
        "1.住房改革支出（款）购房补贴（项）支出250.11万元，与上年相比增加3万元。"
        "（七）国有资本经营预算支出（类）其他国有资本经营预算支出（款）其他国有资本经营预算支出（项）"
        "支出32,640万元，与上年相比增加32640万元。\n")
    assert [(s, a, c) for s, a, c, _, _ in found] == [
        ("住房改革支出（款）购房补贴（项）支出", D("250.11"), D("3")),
        ("国有资本经营预算支出（类）其他国有资本经营预算支出（款）其他国有资本经营预算支出（项）支出",
         D("32640"), D("32640"))]


def test_a_line_named_by_its_code_is_the_subject():
    assert changes_of("1.行政运行（2010501）2,542.46万元，较上年增加116.55万元，增长4.80%，"
                      "增长的主要原因是：实有人数增加；\n") == [
        ("行政运行（2010501）", D("2542.46"), D("116.55"), D("4.80"), "上年")]
    assert line_path("行政运行（2010501）") == ("2010501", [])
    assert line_path("政府办公厅（室）及相关机构事务（款）行政运行（项）") == (
        "", ["政府办公厅（室）及相关机构事务", "行政运行"])


def test_one_change_stated_for_income_and_spending_is_two_rows():
    assert changes_of("2026年度收入、支出预算总计7,062.8万元，与上年相比收、支预算总计各减少913.48万元，"
                      "减少11.45%。\n") == [
        ("收入", D("7062.8"), D("-913.48"), D("-11.45"), "上年"),
        ("支出", D("7062.8"), D("-913.48"), D("-11.45"), "上年")]
    assert [c[0] for c in changes_of("与上年相比，财政拨款收、支总计各增加242.3万元，增长8.16%。\n")] \
        == ["财政拨款收入", "财政拨款支出"]


def test_roughly_flat_or_flat_after_a_stated_change_is_no_second_row():
    assert changes_of("因公出国（境）费127万元，比上年增加0万元，增长0%，主要原因是与上年持平。\n") == [
        ("因公出国（境）费", D("127"), D("0"), D("0"), "上年")]
    assert [c[2] for c in changes_of(
        "（20）公共安全支出（类）强制隔离戒毒（款）一般行政管理事务（项）143.47万元。"
        "比上年执行数减少1.26万元，下降0.9%，与上年基本持平。\n")] == [D("-1.26")]


def test_an_aside_in_brackets_is_not_the_subject_after_it():
    found = changes_of("公务用车购置及运行维护费12.88万元（公务用车购置费0万元，比上年增加0万元；公务用车"
                       "运行维护费12.88万元，比上年减少0.62万元。）比上年减少0.62万元，下降4.6%。\n")
    assert [(s, c, p) for s, _, c, p, _ in found] == [
        ("公务用车购置费", D("0"), None), ("公务用车运行费", D("-0.62"), None),
        ("公务用车购置及运行费", D("-0.62"), D("-4.6"))]


def test_a_unit_or_department_budget_total_is_a_subject():
    assert changes_of("2026年本单位收入预算1935.36万元。收入较去年增加54.13万元，上升2.88%。\n")[0][:3] \
        == ("收入", D("1935.36"), D("54.13"))
    assert changes_of("2026年某委员会部门预算收入418,487.59万元，较2025年年初预算增加34,775.26万元，"
                      "增长9.1%。\n") == [
        ("收入", D("418487.59"), D("34775.26"), D("9.1"), "2025年预算")]


def _item(table, key, label, amount, code="", measure="total"):
    return LineItem("d", table, "", key, measure, code, "function", label, D(amount), "p")


def _line_findings(items, text):
    found = stated_changes("d", extract(text.encode(), "text/plain", "t"))
    checker = check.audit("d", items, [], [], [], found)
    return ([(f.check, f.row_key, f.expected, f.actual) for f in checker.findings
             if f.check == "line_vs_table"],
            [c.result for c in checker.checks if c.check == "line_vs_table"])


def test_a_line_amount_is_checked_against_the_row_its_code_and_names_find():
    rows = [_item("general_budget_expenditure", k, label, amount, k) for k, label, amount in [
        ("201", "一般公共服务支出", "2404.17"), ("20105", "统计信息事务", "2404.17"),
        ("2010501", "行政运行", "1429.11"), ("2010502", "一般行政管理事务", "975.06")]]
    said = "1.统计信息事务（款）行政运行（项）支出{}万元，与上年相比增加50.65万元，增长3.67%。\n"
    assert _line_findings(rows, said.format("1,429.11")) == ([], ["pass"])
    findings, results = _line_findings(rows, said.format("1,492.11"))
    assert findings == [("line_vs_table", "2010501", D("1492.11"), D("1429.11"))]
    # the same 项 under another 款 is not this line: nothing to compare with, no finding
    other = "1.林业和草原（款）一般行政管理事务（项）支出0万元，与上年相比减少94.61万元，减少100%。\n"
    assert _line_findings(rows, other) == ([], [])


def test_a_line_found_only_by_printed_order_can_confirm_but_never_refute():
    rows = [_item("general_budget_expenditure", label, label, amount) for label, amount in [
        ("公共安全支出", "69081.15"), ("司法", "8553.80"), ("行政运行", "8553.80"),
        ("监狱", "48375.27"), ("行政运行#2", "48375.27")]]
    rows[-1] = _item("general_budget_expenditure", "行政运行#2", "行政运行", "48375.27")
    said = "（13）公共安全支出（类）监狱（款）行政运行（项）{}万元，主要用于监狱的日常运行支出。" \
           "比上年执行数增加1,929.00万元，增长4.2%。\n"
    assert _line_findings(rows, said.format("48,375.27")) == ([], ["pass"])
    assert _line_findings(rows, said.format("48,375.72")) == ([], [])


def test_a_budget_figure_in_final_accounts_is_compared_with_the_budget_column():
    stated = figures(extract("“三公”经费财政拨款支出预算为76.43万元，2024年度支出决算为46.21万元。\n"
                             .encode(), "text/plain", "t"))
    items = [_item("three_public", "合计", "合计", "46.21"),
             _item("three_public", "合计", "合计", "76.43", measure="total_budget")]
    checker = check.audit("d", items, [], [], stated, [], "final_accounts")
    assert checker.findings == []
    assert [(c.check, c.measure, c.result) for c in checker.checks] == [
        ("narrative_vs_table", "total_budget", "pass")]


def _pdf(pages: list[list[str]], boxes: str = "white") -> bytes:
    """Pages of prose lines; behind each line, per run of 12 characters, a box: white and
    unstroked (a word processor's shading), or stroked black."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    for lines in pages:
        y = 780
        for line in lines:
            for start in range(0, len(line), 12):
                run = line[start:start + 12]
                x = 60 + 12 * start
                if boxes == "white":
                    pdf.setFillColorRGB(1, 1, 1)
                    pdf.rect(x, y - 4, 12 * len(run), 16, stroke=0, fill=1)
                elif boxes == "black":
                    pdf.setStrokeColorRGB(0, 0, 0)
                    pdf.rect(x, y - 4, 12 * len(run), 16, stroke=1, fill=0)
                pdf.setFillColorRGB(0, 0, 0)
                pdf.setFont("STSong-Light", 12)
                pdf.drawString(x, y, run)
            y -= 24
        pdf.showPage()
    pdf.save()
    return out.getvalue()


PROSE = ["2026年本单位收入预算1935.36万元，其中一般公共预算", "拨款1935.36万元，上年结转0.00万元。",
         "收入较去年增加54.13万元，上升2.88%。主要是本年", "较上年增加两人，人员经费增加。"]


def test_white_shading_behind_prose_is_no_table():
    blocks = extract(_pdf([PROSE]), "application/pdf", "shaded.pdf")
    assert {b.kind for b in blocks} == {"paragraph"}
    assert [(c.subject, c.amount_wan, c.change_wan) for c in stated_changes("d", blocks)] == [
        ("收入", D("1935.36"), D("54.13"))]
    ruled = extract(_pdf([PROSE], boxes="black"), "application/pdf", "ruled.pdf")
    assert "table" in {b.kind for b in ruled}  # the same boxes drawn visibly are cells


def test_a_running_head_does_not_cut_the_sentence_across_pages():
    head = "某某局2026年度部门预算公开"
    pages = [[head, "一、说明"], [head, "本局2026年度一般公共预算拨款安排的培训费"],
             [head, "预算支出105万元，比上年预算减少34万元，主要原因是合并培训项目。"], [head, "完"]]
    blocks = extract(_pdf(pages, boxes="none"), "application/pdf", "heads.pdf")
    assert not any(head in b.text for b in blocks)
    assert [(c.subject, c.amount_wan, c.change_wan) for c in stated_changes("d", blocks)] == [
        ("培训费", D("105"), D("-34"))]


def _parts_findings(text: str):
    from pipeline.check_lines import listed_sums
    from pipeline.normalise.parts import listed_parts

    checker = check.Checker("d", [])
    listed_sums(checker, listed_parts(extract(text.encode(), "text/plain", "t")))
    return ([(f.check, f.expected, f.actual) for f in checker.findings],
            [c.result for c in checker.checks])


def test_listed_parts_may_fall_short_of_their_total_but_never_exceed_it():
    three = "“三公”经费预算数为8.00万元，其中，公务接待费3.00万元，公务用车购置及运行费{}万元（其中，" \
            "公务用车购置费0.00万元，公务用车运行费5.00万元），因公出国（境）费0.00万元。\n"
    assert _parts_findings(three.format("5.00")) == ([], ["pass"])
    assert _parts_findings(three.format("6.00")) == (
        [("stated_parts", D("8.00"), D("9.00"))], ["error"])
    # a 其中 list need not be whole; a change after the first part ends the list
    assert _parts_findings("支出预算1935.36万元，其中：一般公共服务支出1000.00万元，教育支出20.00万元。\n") \
        == ([], ["pass"])
    assert _parts_findings("当年预算收入6,210.93万元，其中：一般公共预算拨款6,210.93万元，较上年增加"
                           "2,171.76万元，增长53.77%。\n") == ([], [])
    # an item listed with its own parts (not in brackets): some of them make the total exactly
    assert _parts_findings("“三公”经费8万元，其中：公务接待费3万元，公务用车购置及运行费5万元，"
                           "公务用车运行费5万元。\n") == ([], [])


def test_a_change_after_a_breakdown_is_the_totals():
    assert changes_of("本部门当年财政拨款支出13,650.79万元，其中：一般公共预算拨款支出13,650.79万元，"
                      "较上年减少183.49万元，下降1.33%。\n") == [
        ("财政拨款支出", D("13650.79"), D("-183.49"), D("-1.33"), "上年")]


def _restated(text: str, items=()):
    from pipeline.check_lines import restated

    checker = check.Checker("d", list(items))
    restated(checker, stated_changes("d", extract(text.encode(), "text/plain", "t")))
    return [(f.check, f.row_key, f.expected, f.actual) for f in checker.findings], \
        [c.result for c in checker.checks]


def test_one_line_stated_twice_against_one_base_states_one_change():
    rows = [_item("general_budget_expenditure", k, label, amount, k) for k, label, amount in [
        ("201", "一般公共服务支出", "3623.98"), ("20140", "信访事务", "3623.98"),
        ("2014099", "其他信访事务支出", "3623.98")]]
    line = "一般公共服务支出（类）信访事务（款）其他信访事务支出（项）"
    said = "按照支出功能分类，较为明显的项级支出科目为2014099其他信访事务支出，2026年预算数3,623.98为" \
           "万元，比2025年执行{}。\n\n" \
           f"6.{line}2026年预算数为3,623.98万元，比2025年执行数增加2,022.94万元，增幅126.35%。\n"
    assert _restated(said.format("数增加2,022.94万元"), rows) == ([], ["pass"])
    assert _restated(said.format("减少21,519.26万元，减少85.59%"), rows) == (
        [("restated_change", line, D("-21519.26"), D("2022.94"))], ["error"])
    assert _restated(said.format("减少21,519.26万元"), []) == ([], [])  # no row: not one line


def test_one_amount_stated_twice_against_one_base_implies_one_prior_figure():
    said = "“三公”经费预算数为18.34万元，比上年增加2.14万元。\n\n“三公”经费18.34万元，比上年{}。\n"
    assert _restated(said.format("增加2.14万元")) == ([], ["pass"])
    assert _restated(said.format("减少2.14万元")) == (
        [("restated_change", "“三公”经费", D("16.20"), D("20.48"))], ["error"])
    # a name of the narrative's own, under two lines, is two things
    assert _restated("专项业务经费50.00万元，较上年无变化。\n\n专项业务经费50.00万元，较上年增加50.00万元。\n") \
        == ([], [])


def _execution(text: str):
    from pipeline.check_lines import executions
    from pipeline.normalise.parts import executions as read

    checker = check.Checker("d", [], "final_accounts")
    executions(checker, read(extract(text.encode(), "text/plain", "t")))
    return [(f.check, f.severity, f.expected, f.actual) for f in checker.findings], \
        [c.result for c in checker.checks]


def test_a_stated_completion_rate_and_comparison_hold_for_the_figures_stated():
    said = "2.教育支出（类）普通教育（款）学前教育（项）。年初预算999.83万元，支出决算1,182.59万元，" \
           "完成年初预算的{}%。决算数{}年初预算数的主要原因是：业务增长追加了经费。\n"
    assert _execution(said.format("118.28", "大于")) == ([], ["pass", "pass"])
    assert _execution(said.format("118.27", "大于"))[0] == [
        ("stated_execution", "rounding", D("118.27"), D("118.28"))]
    assert _execution(said.format("128.28", "小于"))[0] == [
        ("stated_execution", "error", D("128.28"), D("118.28")),
        ("stated_execution", "error", D("1182.59"), D("999.83"))]
    assert _execution("年初预算为0万元，支出决算为497.53万元。决算数大于预算数的主要原因是调剂了预算。\n") \
        == ([], ["pass"])


def test_a_comparison_word_belongs_to_its_own_budget_and_actual_figures():
    said = "1.行政运行（项）。年初预算100万元，支出决算90万元。2.机关服务（项）。年初预算50万元，" \
           "支出决算60万元，决算数大于年初预算数的主要原因是追加了经费。\n"
    assert _execution(said) == ([], ["pass"])  # 60 > 50; nothing said of 90 against 100
