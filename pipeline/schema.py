"""The data contract: resources, their fields (ASCII names, Chinese titles), keys."""

from __future__ import annotations

from typing import Any

S, N, INT = "string", "number", "integer"
DESCRIPTOR = "datapackage.json"  # the package's descriptor, at the project's root

READ_BY = ("text 文字层、表格文件或网页 / ocr 扫描页经图像识别（OCR）读出；"
           "OCR 读出的金额只在没有核对与之矛盾、且有核对确认或置信度高时发布")
CONFIDENCE = "OCR 引擎对该数字所在文字行的识别置信度（0–1）；text 为空"

# resource: (title, description, primary key, [(field, type, title, description)])
RESOURCES: dict[str, tuple[str, str, list[str], list[tuple[str, str, str, str]]]] = {
    "documents": ("公开文件", "每份部门预算或决算公开文件一行，附来源与存档信息", ["doc_id"], [
        ("doc_id", S, "文件编号", "发布者编号-年度-类型（-范围）"),
        ("publisher_id", S, "发布者编号", "登记表中的发布者编号"),
        ("publisher", S, "发布者", "发布文件的部门或单位"),
        ("region", S, "地区", "省、市、区"),
        ("fiscal_year", INT, "年度", "预算或决算所属财政年度"),
        ("kind", S, "类型", "budget 部门预算 / final_accounts 部门决算"),
        ("scope", S, "范围", "department 部门 / unit 单位"),
        ("title", S, "标题", "文件标题"),
        ("source_url", S, "来源地址",
         "原件下载地址；bundled: 表示随项目提供的样本；多个文件以空格分隔"),
        ("retrieved_at", S, "获取时间", "原件获取时间（UTC，ISO 8601）"),
        ("sha256", S, "SHA-256",
         "原件字节的 SHA-256；一份公开分为多个文件时以空格分隔，按阅读顺序"),
        ("media_type", S, "媒体类型", "原件的 MIME 类型（多个文件以空格分隔）"),
        ("archive_path", S, "存档路径", "原件在本仓库中的存档位置（多个文件以空格分隔）"),
        ("tables", S, "识别出的表", "识别出的标准表编号，以空格分隔"),
        ("checks_run", INT, "核对次数", "对本文件运行的核对项数"),
        ("status", S, "读取状态",
         "complete 本项目读取的各类标准表均已读出 / partial 有标准表或页面未能读取"
         "（见 not_read 与 findings）"),
        ("not_read", S, "未读取部分",
         "未能读取的表格或页面及原因、位置，以“；”分隔；包括目录列出而本项目尚不读取的表"),
        ("tables_listed", S, "目录所列表格", "文件目录列出的表格标题（按原文），以“；”分隔"),
        ("tables_by_header", S, "按表头识别的表",
         "没有标题、按表头与行内容识别的标准表编号，以空格分隔；其余按标题识别"),
        ("ocr_pages", S, "OCR 读取的页",
         "没有文字层、由图像识别读取的页，以空格分隔（多个文件时带文件名）；空为没有"),
        ("identified_from", S, "识别依据",
         "发布者、年度、类型从何处读出：字段:来源@位置（以“, ”分隔），来源为 title 标题、label 标注"
         "（部门名称：等）、metadata PDF 元数据、filename 文件名、text 正文、option 命令行选项、"
         "registry 登记表、listing 栏目页、companion 同批文件；多个文件以“；”分隔"),
    ]),
    "line_items": ("表格金额", "标准表中每个印出的金额一行，单位万元", [
        "doc_id", "table", "side", "row_key", "measure"], [
        ("doc_id", S, "文件编号", "所属文件"),
        ("table", S, "表", "标准表编号，如 summary、income、three_public"),
        ("side", S, "收支方", "收支表的 income 收入方 / expenditure 支出方（按功能分类）；同表再列"
         "的支出方为 expenditure_economic（部门经济分类）、expenditure_government_economic"
         "（政府经济分类）；其他表为空"),
        ("row_key", S, "行键", "有科目编码的行为完整编码（如 2010301），否则为去掉序号的行名；"
         "分块印出的表中第 n 块的行、或再次印出的同一单位编码加 #n（如 2010501#2）；"
         "分级列出的表（政府采购、政府购买服务）为各级行名以 / 连写的路径"
         "（如 货物/苏州市审计局/定额/办公费/复印纸/集中采购），同一路径再次印出加 #n"),
        ("measure", S, "栏目", "栏目编号，如 total 合计、basic 基本支出、project 项目支出；"
         "模板未收的栏目用印出的栏名（如 上年实户资金余额）"),
        ("code", S, "科目编码", "类款项连写的功能分类或经济分类编码"),
        ("classification", S, "分类", "functional 功能分类 / economic 经济分类 / none"),
        ("label", S, "行名", "表中印出的行名"),
        ("amount_wan", N, "金额（万元）", "以万元计的精确金额"),
        ("location", S, "位置", "原件中的行号或页码"),
        ("read_by", S, "读取方式", READ_BY),
        ("confidence", N, "识别置信度", CONFIDENCE),
    ]),
    "projects": ("项目", "项目支出绩效目标表中的每个项目",
                 ["doc_id", "unit_code", "unit_name", "project"], [
        ("doc_id", S, "文件编号", "所属文件"),
        ("unit_code", S, "单位编码", "预算单位编码"),
        ("unit_name", S, "单位名称", "预算单位名称"),
        ("project", S, "项目名称", "项目名称"),
        ("amount_wan", N, "资金总额（万元）", "项目资金总额"),
        ("goal", S, "绩效目标", "项目年度绩效目标"),
        ("location", S, "位置", "原件中的行号或页码"),
    ]),
    "performance_targets": ("绩效指标", "项目、转移支付及部门整体绩效目标表中的每条指标",
                            ["doc_id", "table", "seq"], [
        ("doc_id", S, "文件编号", "所属文件"),
        ("table", S, "表", "project_performance 项目 / transfer_performance 转移支付 / "
                                     "department_performance 部门整体"),
        ("seq", INT, "序号", "指标在表中的顺序"),
        ("unit_code", S, "单位编码", "预算单位编码"),
        ("project", S, "项目名称", "所属项目或转移支付；部门整体指标为空"),
        ("level1", S, "一级指标", "如 产出指标"),
        ("level2", S, "二级指标", "如 数量指标"),
        ("level3", S, "三级指标", "指标名称"),
        ("target", S, "指标值", "指标值，按原文"),
        ("comparator", S, "指标值类型", "≥ ≤ = 定性 定量 等"),
        ("measure_unit", S, "度量单位", "指标的度量单位"),
        ("weight", N, "分值", "指标分值（权重）"),
        ("description", S, "指标说明", "指标值内容或指标解释"),
        ("scoring", S, "评（扣）分标准", "评分标准"),
        ("location", S, "位置", "原件中的行号或页码"),
    ]),
    "stated_changes": ("文字说明中的变化", "说明部分陈述的增减变化",
                       ["doc_id", "subject", "compared_to", "location"], [
        ("doc_id", S, "文件编号", "所属文件"),
        ("subject", S, "事项", "如 收入、支出、“三公”经费、机关运行经费"),
        ("amount_wan", N, "本年金额（万元）", "说明中陈述的本年金额"),
        ("change_wan", N, "增减额（万元）", "增加为正，减少为负"),
        ("change_pct", N, "增减幅度（%）", "说明中陈述的百分比，带符号；未陈述为空"),
        ("compared_to", S, "比较基准", "上年、上年预算、上年执行数或具体年度"),
        ("base_wan", N, "基数（万元）", "同一句中陈述的比较基数，如上年预算执行数；未陈述为空"),
        ("computed_change_wan", N, "表格计算的增减（万元）",
         "本年与上年文件表格中同一数字之差；无上年文件或无可比数字时为空"),
        ("quote", S, "原文", "陈述变化的原句"),
        ("location", S, "位置", "原件中的行号或页码"),
        ("read_by", S, "读取方式", READ_BY),
        ("confidence", N, "识别置信度", CONFIDENCE),
    ]),
    "findings": ("核对发现", "未通过的核对：合计与分项、表间一致、说明与表格",
                 ["doc_id", "check", "table", "row_key", "measure", "location", "message"], [
        ("doc_id", S, "文件编号", "所属文件"),
        ("check", S, "核对项", "sum_of_parts、column_identity、cross_table、narrative_vs_table、"
         "line_vs_table、stated_parts、restated_change、stated_execution 等"),
        ("severity", S, "严重程度",
         "error 错误 / warning 提示 / rounding 差额在所涉数字的四舍五入范围内（保留，不作为错误）"),
        ("table", S, "表", "涉及的标准表"),
        ("row_key", S, "行键", "涉及的行"),
        ("measure", S, "栏目", "涉及的栏目"),
        ("expected", N, "应为（万元）", "由其他数字推出的值"),
        ("actual", N, "实为（万元）", "文件印出的值"),
        ("message", S, "说明", "问题说明"),
        ("location", S, "位置", "原件中的行号或页码"),
    ]),
    "checks": ("核对记录",
               "对每份文件运行的每一项核对及其结果，通过与否；documents.checks_run 即其行数",
               ["doc_id", "seq"], [
        ("doc_id", S, "文件编号", "所属文件"),
        ("seq", INT, "序号", "核对在本文件中的顺序"),
        ("check", S, "核对项", "sum_of_parts、column_identity、cross_table、narrative_vs_table、"
         "line_vs_table、stated_parts、restated_change、stated_execution 等"),
        ("table", S, "表", "涉及的标准表"),
        ("row_key", S, "行键", "涉及的行"),
        ("measure", S, "栏目", "涉及的栏目"),
        ("expected", N, "应为（万元）", "由其他数字推出的值"),
        ("actual", N, "实为（万元）", "文件印出的值"),
        ("result", S, "结果", "pass 通过 / error 错误 / warning 提示 / rounding 仅差四舍五入"),
        ("location", S, "位置", "原件中的行号或页码"),
    ]),
    "changes": ("两份文件之间的变化",
                "同一发布者相邻年度文件逐行比较得到的增减，以及同一文件新旧版本逐格比较得到的改动",
                ["from_doc", "to_doc", "table", "side", "row_key", "measure", "kind"], [
        ("publisher_id", S, "发布者编号", "登记表中的发布者编号"),
        ("from_doc", S, "原文件",
         "较早的文件：上一年度的文件编号；或被新版本取代的版本，写作 文件编号@原件SHA-256前12位"
         "（见 data/archive/manifest.csv）"),
        ("to_doc", S, "新文件", "较新的文件（当前版本）"),
        ("table", S, "表", "标准表编号"),
        ("side", S, "收支方", "收支总表的收入方或支出方；其他表为空"),
        ("row_key", S, "行键", "科目编码或行名"),
        ("measure", S, "栏目", "栏目编号"),
        ("label", S, "行名", "新文件（或原文件）印出的行名"),
        ("amount_from", N, "原金额（万元）", "较早文件的金额；新增行为空"),
        ("amount_to", N, "新金额（万元）", "较新文件的金额；删除行为空"),
        ("change_wan", N, "增减额（万元）", "新金额减原金额"),
        ("change_pct", N, "增减幅度（%）", "相对原金额的百分比；原金额为零或为空时为空"),
        ("kind", S, "类型", "added 新增 / removed 删除 / changed 变化 / moved 同一行换了编码 / "
         "revised 新版本改动 / table_added 新版本新增的表 / table_removed 新版本删去的表 / "
         "restated 新文件对上年数字的重述与原文件不同"),
        ("significance", S, "重要性", "使该变化被列为重要的规则；空为一般变化"),
    ]),
}

FOREIGN = {name: "documents" for name in RESOURCES if name not in ("documents", "changes")}


# A package holding no publisher lists one header-only file per resource; no publisher id
# begins with "-" (sources.SAFE_ID), so it never names a publisher's partition.
EMPTY = "-none"


def partition(name: str, publisher_id: str) -> str:
    """The file holding one publisher's rows of a resource: every resource is split by
    publisher, so that one new document changes only its publisher's small files, and all
    the rows a check or a comparison needs (a publisher's years) are in one file."""
    return f"data/{name}/{publisher_id}.csv"


def resource_descriptor(name: str, publishers: list[str]) -> dict[str, Any]:
    """A multi-file resource: one CSV per publisher, each with the header, in id order."""
    title, description, key, columns = RESOURCES[name]
    schema: dict[str, Any] = {
        "fields": [{"name": f, "type": t, "title": ti, "description": d}
                   for f, t, ti, d in columns],
        "missingValues": [""],
        "primaryKey": key,
    }
    if name in FOREIGN:
        schema["foreignKeys"] = [{"fields": ["doc_id"],
                                  "reference": {"resource": "documents", "fields": ["doc_id"]}}]
    if name == "changes":
        schema["foreignKeys"] = [{"fields": [f], "reference": {"resource": "documents",
                                                               "fields": ["doc_id"]}}
                                 for f in ("to_doc",)]  # from_doc may name a revision
    return {"name": name, "path": [partition(name, p) for p in publishers or [EMPTY]],
            "profile": "tabular-data-resource",
            "title": title, "description": description, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "schema": schema}


def package_descriptor(publishers: list[str]) -> dict[str, Any]:
    """The descriptor of a package holding these publishers' partitions."""
    return {
        "profile": "tabular-data-package",
        "name": "budget-watch",
        "title": "预算观察：部门预算与决算公开数据",
        "description": "从中国政府部门预算、决算公开文件中提取的标准表格、绩效目标、"
                       "文字说明中的变化与核对发现。金额单位均为万元。",
        "licenses": [{"name": "ODC-PDDL-1.0", "title": "Open Data Commons Public Domain "
                      "Dedication and License"}],
        "resources": [resource_descriptor(name, sorted(publishers)) for name in RESOURCES],
    }


def data_dictionary() -> str:
    """The README's section per resource, made from RESOURCES so that the two never differ."""
    parts = []
    for name, (title, description, key, columns) in RESOURCES.items():
        rows = "\n".join(f"| `{f}` | {t} | {ti} | {d} |" for f, t, ti, d in columns)
        parts.append(f"### `{name}` — {title}\n\n{description}. Primary key: "
                     + ", ".join(f"`{k}`" for k in key) + ".\n\n"
                     "| field | type | 标题 | description |\n|---|---|---|---|\n" + rows + "\n")
    return "\n".join(parts)
