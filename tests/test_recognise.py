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


def test_titles_are_recognised_however_they_are_numbered_and_worded():
    assert table_kind("表1收支总体情况表") == "summary"  # Guangdong
    assert table_kind("预算01表 收支总表") == "summary"  # Beijing
    assert table_kind("表1.2026年市级部门收支预算总表") == "summary"  # Zhejiang
    assert table_kind("（三）支出总表") == "expenditure"  # Shenzhen
    assert table_kind("五、一般公共预算支出情况表（按功能分类科目）") == \
        "general_budget_expenditure"
    assert table_kind("七、一般公共预算项目支出情况表（按经济分类科目）") == \
        "general_budget_project"
    assert table_kind("十二、部门预算项目支出及其他支出预算表") == "project_expenditure"
    # a subject decides the table whatever else the title names
    assert table_kind("八、财政拨款安排的行政经费及“三公”经费预算表") == "three_public"
    assert table_kind("政府性基金预算财政拨款支出预算表") == "government_fund"
    assert table_kind("十、政府采购预算明细表") == "procurement"
    assert table_kind("十一、财政拨款政府购买服务明细表") == "purchased_services"
    assert table_kind("十四、专项或共同事权转移支付绩效目标表") == "transfer_performance"
    assert table_kind("十五、项目支出绩效自评表") is None


def grid(*rows: tuple[str, ...], where: str = "page 3"):
    from pipeline.model import Block

    return Block("table", rows=tuple(rows), where=where, row_where=(where,) * len(rows))


def test_a_title_drawn_in_the_first_rows_of_a_table_under_its_number():
    found = recognise([grid(("公开02表", "", ""), ("收入总表", "", ""),
                            ("部门：苏州市审计局", "", "单位：元"),
                            ("科目编码", "科目名称", "合计"), ("201", "一般公共服务支出", "46,516,700"))],
                      "t")
    assert [(t.kind, t.unit, t.rows) for t in found] == [
        ("income", "元", (("201", "一般公共服务支出", "46,516,700"),))]


def test_a_table_without_a_title_is_known_by_its_header_and_rows():
    from pipeline.model import Block
    from pipeline.recognise import BY_HEADER

    untitled = grid(("收入", "", "支出", ""), ("项目", "预算数", "项目", "预算数"),
                    ("一、一般公共预算拨款收入", "100.00", "一、一般公共服务支出", "100.00"))
    coded = grid(("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
                 ("201", "一般公共服务支出", "10.00", "4.00", "6.00"),
                 ("20101", "人大事务", "10.00", "4.00", "6.00"), where="page 4")
    found = recognise([Block("heading", text="第二部分 预算表", where="page 2"), untitled,
                       Block("heading", text="说明", where="page 3"), coded], "t")
    assert [(t.kind, t.title) for t in found] == [("summary", BY_HEADER),
                                                  ("expenditure", BY_HEADER)]
    # after the title of a table no template knows, a grid is that table's, not guessed
    assert recognise([Block("paragraph", text="十五、项目支出绩效自评表", where="page 2"), coded], "t") == []


def test_the_contents_page_lists_the_tables_to_read():
    from pipeline.contents import listed_tables
    from pipeline.model import Block

    page = [Block("paragraph", text=t, where="page 2") for t in (
        "目 录", "第一部分 部门概况", "第二部分 2026年部门预算表", "一、收支总表 ........ 5",
        "二、收入总表", "十、政府采购预算明细表", "十五、项目支出绩效自评表")]
    body = [Block("paragraph", text="第一部分 部门概况", where="page 3")]
    assert listed_tables(page + body) == [("一、收支总表", "summary"), ("二、收入总表", "income"),
                                          ("十、政府采购预算明细表", "procurement"),
                                          ("十五、项目支出绩效自评表", "")]


def test_amounts_as_printed_anywhere():
    from decimal import Decimal as D

    from pipeline.normalise.tables import parse_amount, to_wan

    assert parse_amount("(1,234.50)") == D("-1234.50")  # negative in parentheses
    assert parse_amount("－3.20") == D("-3.20")
    assert [parse_amount(c) for c in ("-", "—", "", "/")] == [None] * 4
    assert parse_amount("116,200.000000") == D("116200.000000")  # 万元 to six decimals
    assert to_wan(D("164978640"), "元") == D("16497.8640")
    assert to_wan(D("12345.6"), "千元") == D("1234.56")


def test_a_table_that_states_no_unit_takes_its_documents_unit():
    from pipeline.model import Block

    page = [Block("paragraph", text="1. 2026年预算单位财务收支预算总表", where="page 7"),
            Block("paragraph", text="编制单位：上海市数据局 单位：元", where="page 7"),
            grid(("收入", "", "支出", ""), ("项目", "预算数", "项目", "预算数"),
                 ("一、财政拨款收入", "4,651,670", "一、一般公共服务支出", "4,651,670"),
                 where="page 7"),
            Block("paragraph", text="2. 2026年预算单位收入预算总表", where="page 8"),
            grid(("功能分类科目编码", "功能分类科目名称", "合计"), ("201", "一般公共服务支出", "4,651,670"),
                 where="page 8")]
    assert [(t.kind, t.unit) for t in recognise(page, "t")] == [("summary", "元"), ("income", "元")]


def test_a_grid_drawn_as_one_path_is_read(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import pdf

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "one-path.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 10)
    page.drawString(72, 760, "2026年部门收入总表")
    rows = [("科目编码", "科目名称", "合计"), ("201", "一般公共服务支出", "12.50"),
            ("205", "教育支出", "7.50")]
    xs, top, height = [72, 172, 372, 472], 740, 20
    grid_path = page.beginPath()
    for i in range(len(rows) + 1):  # every ruling of the grid in one path object
        grid_path.moveTo(xs[0], top - i * height)
        grid_path.lineTo(xs[-1], top - i * height)
    for x in xs:
        grid_path.moveTo(x, top)
        grid_path.lineTo(x, top - len(rows) * height)
    page.drawPath(grid_path, stroke=1, fill=0)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            page.drawString(xs[c] + 4, top - (r + 1) * height + 6, text + " ")
    page.save()
    tables = [b for b in pdf.extract(path.read_bytes(), "one-path.pdf") if b.kind == "table"]
    assert [tuple(c.strip() for c in r) for r in tables[0].rows] == rows


def test_a_grid_drawn_inside_a_placed_form_and_a_table_printed_empty_are_read(tmp_path):
    """A browser's print draws a table's ruling inside a form XObject moved by its own
    matrix; a unit with no such funds prints the table's header and 合计 over no figures."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import pdf

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "form.pdf"
    page = canvas.Canvas(str(path))
    xs, top, height = [72, 172, 372, 472], 740, 20
    for number, rows in enumerate(([("科目编码", "科目名称", "合计"), ("201", "一般公共服务支出", "12.50")],
                                   [("科目编码", "科目名称", "合计"), ("合计", "", "")])):
        page.beginForm(f"ruling{number}")  # drawn at the origin, placed by the form's matrix
        for i in range(len(rows) + 1):
            page.line(0, -i * height, xs[-1] - xs[0], -i * height)
        for x in xs:
            page.line(x - xs[0], 0, x - xs[0], -len(rows) * height)
        page.endForm()
        page.saveState()
        page.translate(xs[0], top)
        page.doForm(f"ruling{number}")
        page.restoreState()
        page.setFont("STSong-Light", 10)
        page.drawString(72, 760, ("2026年一般公共预算支出表 ", "2026年政府性基金预算支出表 ")[number])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                page.drawString(xs[c] + 4, top - (r + 1) * height + 6, text + " ")
        page.showPage()
    page.save()
    blocks = pdf.extract(path.read_bytes(), "form.pdf")
    grids = [tuple(tuple(c.strip() for c in r) for r in b.rows) for b in blocks
             if b.kind == "table"]
    assert grids == [(("科目编码", "科目名称", "合计"), ("201", "一般公共服务支出", "12.50")),
                     (("科目编码", "科目名称", "合计"), ("合计", "", ""))]
    assert [t.kind for t in recognise(blocks, "form.pdf")] == ["general_budget_expenditure",
                                                               "government_fund"]


def test_a_wrapped_row_cut_from_the_top_of_a_continuation_page_is_read_whole(tmp_path):
    """A page break can leave a table's first row above its ruling, its name wrapped over
    the lines above and below its figure ('计算机设备维修和保' / '2.00' / '养服务')."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import pdf

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "wrapped.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 10)
    xs, top, height = [72, 172, 372, 472], 700, 20
    for text, x, y in (("计算机设备维修和保", 176, 719), ("分散自行组织", 376, 711),
                       ("2.00", 476, 711), ("养服务", 176, 703)):
        page.drawString(x, y, text)  # no ruling around the first row
    rows = [("会议费", "", "1.51"), ("会议服务", "分散自行组织", "1.51"), ("印刷费", "", "9.00"),
            ("其他服务", "分散自行组织", "9.00")]
    for i in range(len(rows) + 1):
        page.line(xs[0], top - i * height, xs[-1] + 100, top - i * height)
    for x in xs + [xs[-1] + 100]:
        page.line(x, top, x, top - len(rows) * height)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            page.drawString(xs[c + 1] + 4, top - (r + 1) * height + 6, text)
    page.save()
    grids = [[tuple(c.strip() for c in r) for r in b.rows]
             for b in pdf.extract(path.read_bytes(), "wrapped.pdf") if b.kind == "table"]
    assert grids[0][0] == ("", "计算机设备维修和保养服务", "分散自行组织", "2.00")
    assert grids[0][1:] == [("", *row) for row in rows]


def test_a_label_drawn_past_its_column_goes_back_to_its_cell_and_the_figure_stays(tmp_path):
    """A label too long for its column runs on into the figure cell beside it, as one string
    ('其中：专项资金列入部门预算的项目' over the ruling into '0.00'): the cell that holds most of
    the string keeps all of it, and the figure cell keeps its figure alone."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import pdf

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "overflow.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 10)
    page.drawString(72, 760, "2026年部门收入总表")
    xs, top, height = [72, 172, 262, 352], 740, 20
    rows = [("科目编码", "科目名称", "合计"), ("201", "一般公共服务支出", "12.50"),
            ("205", "其中：专项资金列入部门预算的项目", "7.50"), ("", "合计", "20.00")]
    for i in range(len(rows) + 1):
        page.line(xs[0], top - i * height, xs[-1], top - i * height)
    for x in xs:
        page.line(x, top, x, top - len(rows) * height)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            width = pdfmetrics.stringWidth(text, "STSong-Light", 10)
            x = xs[c + 1] - 4 - width if text[:1].isdigit() and c == 2 else xs[c] + 4
            page.drawString(x, top - (r + 1) * height + 6, text)
    page.save()
    tables = [b for b in pdf.extract(path.read_bytes(), "overflow.pdf") if b.kind == "table"]
    assert [tuple(c.strip() for c in r) for r in tables[0].rows] == rows
