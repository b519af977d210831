"""The inconsistencies of 21 corpus disclosures (10 cities, one province's and the central
ministries' documents), each confirmed on the rendered page image: the check that must report
it, the table, row, column and page. A disclosure listed with none was read by hand (every
sentence that states a change, against the tables) and none was found."""

# the disclosures above that the key-figure check (corpus_figures.FILES) does not list
FILES = {
    'beijing-jw-2026-budget': ('beijing/beijing-jw-2026-budget-part1-text.pdf', 'beijing/beijing-jw-2026-budget-part2-tables.pdf'),
    'beijing-tyjr-2026-budget': ('beijing/beijing-tyjr-2026-budget-part1-text.pdf', 'beijing/beijing-tyjr-2026-budget-part2-tables.pdf'),
    'beijing-zwfw-2026-budget': ('beijing/beijing-zwfw-2026-budget-part1-text-SCANNED.pdf', 'beijing/beijing-zwfw-2026-budget-part2-tables.pdf'),
    'suzhou-zrzy-benji-2026-unit-budget': ('jiangsu/suzhou-zrzy-benji-2026-unit-budget.pdf',),
    'xian-ajj-2019-budget': ('shaanxi/xian-ajj-2019-budget.pdf',),
    'xian-qxj-2022-budget': ('shaanxi/xian-qxj-2022-budget.pdf',),
    'xian-rsj-2020-budget': ('shaanxi/xian-rsj-2020-budget.pdf',),
    'putuo-wanli-2023-budget': ('shanghai/putuo-wanli-2023-budget.pdf',),
    'js-court-2018-budget': ('jiangsu/js-court-2018-budget.pdf',),
}

ERRORS = {
    "beijing-jw-2026-budget": {
        ("cost_indicator", "project_performance", "", "amount", "46"),  # 项目支出绩效目标表：成本指标“本年总成本”为 ≤5.217万元，项目“11000024T000002843398-学生资助__本专科生国家助
        ("cost_indicator", "project_performance", "", "amount", "75"),  # 项目支出绩效目标表：成本指标“项目总成本”为 ≤236.693869万元，项目“11000025T000003326841-改善办学保障条件
        ("cost_indicator", "project_performance", "", "amount", "81"),  # 项目支出绩效目标表：成本指标“项目总成本”为 ≤34.727159万元，项目“11000022T000000461719-直属单位业务发展-
    },
    "beijing-tyjr-2026-budget": {
        ("sum_of_parts", "expenditure", "合计", "total", "4"),  # 部门支出总表“合计”行“合计”栏印 1063371.776545，其 93 个分项合计 24029.836990
        ("sum_of_parts", "expenditure", "合计", "basic", "4"),  # 部门支出总表“合计”行“基本支出”栏印 37789.361305，其 68 个分项合计 17348.069352
        ("sum_of_parts", "expenditure", "合计", "project", "4"),  # 部门支出总表“合计”行“项目支出”栏印 1025582.415240，其 28 个分项合计 6681.767638
        ("sum_of_parts", "general_budget_expenditure", "合计", "amount", "8"),  # 一般公共预算支出表“合计”行“金额”栏印 820087.414755，其 137 个分项合计 23775.282490
        ("sum_of_parts", "general_budget_expenditure", "合计", "basic", "8"),  # 一般公共预算支出表“合计”行“基本支出”栏印 37615.859058，其 127 个分项合计 17337.352252
        ("sum_of_parts", "general_budget_expenditure", "合计", "public_funds", "8"),  # 一般公共预算支出表“合计”行“公用经费”栏印 5590.458153，其 37 个分项合计 1764.493979
        ("sum_of_parts", "general_budget_expenditure", "合计", "project", "8"),  # 一般公共预算支出表“合计”行“项目支出”栏印 782471.555697，其 15 个分项合计 6437.930238
        ("sum_of_parts", "general_budget_expenditure", "合计", "扣除基建项目后预算数", "8"),  # 一般公共预算支出表“合计”行“扣除基建项目后预算数”栏印 782470.937297，其 14 个分项合计 6437.311838
        ("sum_of_parts", "general_budget_expenditure", "合计", "personnel", "8"),  # 一般公共预算支出表“合计”行“人员类”栏印 32025.400905，其 109 个分项合计 15572.858273
    },
    "beijing-zwfw-2026-budget": {
        ("sum_of_parts", "general_budget_basic", "合计", "amount", "12"),  # 一般公共预算基本支出表“合计”行“金额”栏印 38186.119752，其 56 个分项合计 21225.787973
        ("sum_of_parts", "general_budget_basic", "合计", "personnel", "12"),  # 一般公共预算基本支出表“合计”行“人员类”栏印 36546.620316，其 23 个分项合计 19586.288537
    },
    "changsha-xfj-2026-budget": {
        ("projects_vs_units", "project_performance", "126001", "project", ""),  # 单位“长沙市信访局”（126001）：项目支出绩效目标表所列项目合计 286.91，其小计为 417.41
    },
    "suzhou-zrzy-benji-2026-unit-budget": {
        ("sum_of_parts", "appropriation_basic", "303", "total", "18"),  # 财政拨款基本支出表“对个人和家庭的补助”（303）行“合计”栏印 510.41，其 3 个分项合计 504.41
        ("sum_of_parts", "appropriation_basic", "303", "personnel", "18"),  # 财政拨款基本支出表“对个人和家庭的补助”（303）行“人员类”栏印 510.41，其 3 个分项合计 504.41
        ("sum_of_parts", "general_budget_expenditure", "合计", "total", "20"),  # 一般公共预算支出表“合计”行“合计”栏印 9078.52，其 4 个分项合计 9466.77
        ("sum_of_parts", "general_budget_expenditure", "合计", "project", "20"),  # 一般公共预算支出表“合计”行“项目支出”栏印 4256.30，其 2 个分项合计 4644.55
        ("sum_of_parts", "general_budget_basic", "303", "total", "22"),  # 一般公共预算基本支出表“对个人和家庭的补助”（303）行“合计”栏印 510.41，其 3 个分项合计 504.41
        ("sum_of_parts", "general_budget_basic", "303", "personnel", "22"),  # 一般公共预算基本支出表“对个人和家庭的补助”（303）行“人员类”栏印 510.41，其 3 个分项合计 504.41
    },
    "xian-ajj-2019-budget": {
        ("cross_table", "expenditure", "合计", "total", ""),  # 收支总表本年支出合计 = 支出总表合计：前者 3643.37，后者 3695.91
    },
    "xian-qxj-2022-budget": {
        ("narrative_vs_table", "three_public", "合计", "total", "13"),  # 说明称“三公”经费 0.27万元（“第三部分 其他说明情况六、部门预算“三公”经费等预算情况说明2022 年本部门当年一般公共预算“三公”经
        ("narrative_vs_table", "three_public", "合计", "meeting", "13"),  # 说明称会议费 0.24万元（“第三部分 其他说明情况六、部门预算“三公”经费等预算情况说明2022 年本部门当年一般公共预算“三公”经费预算
        ("narrative_vs_table", "three_public", "合计", "training", "13"),  # 说明称培训费 0.71万元（“第三部分 其他说明情况六、部门预算“三公”经费等预算情况说明2022 年本部门当年一般公共预算“三公”经费预算
    },
    "xian-rsj-2020-budget": {
        ("column_identity", "income", "242001", "total", "30"),  # 部门收入总表“西安市人力资源和社会保障局”（242001）行：按“合计 = general（预算数） + 政府性基金预算 + 国有资本经营预
        ("column_identity", "income", "242005", "total", "30"),  # 部门收入总表“西安市就业服务中心”（242005）行：按“合计 = general（预算数） + 政府性基金预算 + 国有资本经营预算 +
        ("column_identity", "income", "242010", "total", "30"),  # 部门收入总表“西安市职业介绍服务中心”（242010）行：按“合计 = general（预算数） + 政府性基金预算 + 国有资本经营预算
        ("sum_of_parts", "summary", "支出总计", "amount", "29"),  # 部门收支总表“支出总计”印 182157.13，其上各项合计 182066.56
        ("sum_of_parts", "appropriation_summary", "支出总计", "amount", "32"),  # 财政拨款收支总表“支出总计”印 181807.13，其上各项合计 181716.56
        ("cross_table", "expenditure", "合计", "total", ""),  # 收支总表本年支出合计 = 支出总表合计：前者 182066.56，后者 182157.13
        ("narrative_vs_table", "summary", "支出总计", "amount", "12"),  # 说明称支出 181807.13万元（“支出预算总计181807.13 万元，全部为一般公共预算拨款。”），部门收支总表按说明的位数印 182
    },
    "putuo-wanli-2023-budget": {
        ("stated_change_base", "", "政府性基金拨款", "change_wan", "6"),  # 政府性基金拨款：0万元，较2022年预算增加1421.25万元，则2022年预算应为 -1421.25万元，不可能（“政府性基金拨款支出预算
    },
    "hangzhou-gaj-2026-budget": {
        ("sum_of_parts", "three_public", "合计", "total", "29"),  # 一般公共预算“三公”经费支出表“合计”印 4112.82，其上各项合计 3968.82
        ("sum_of_parts", "three_public", "合计", "vehicles", "29"),  # 一般公共预算“三公”经费支出表“合计”印 4011.89，其上各项合计 3867.89
        ("sum_of_parts", "three_public", "合计", "vehicle_operation", "29"),  # 一般公共预算“三公”经费支出表“合计”印 2987.20，其上各项合计 2843.20
    },
    "beijing-tjj-2026-budget": set(),
    # page 19 “2014099其他信访事务支出，2026年预算数3,623.98为万元，比2025年执行减少21,519.26万元，
    # 减少85.59%” against page 21, the same line “2026年预算数为3,623.98万元，比2025年执行数增加
    # 2,022.94万元，增幅126.35%”
    "central-gjxfj-2026-budget": {("restated_change", "", "一般公共服务支出（类）信访事务（款）"
                                   "其他信访事务支出（项）", "change_wan", "21")},
    "guangzhou-kjj-2026-budget": set(),
    "hangzhou-sfj-2026-budget": set(),
    "js-court-2018-budget": set(),
    "shanghai-city-sjj-2026-unit-budget": set(),
    "shenzhen-gzw-2026-budget": set(),
    "suzhou-yjj-2026-budget": set(),
    "wuxi-tjj-2026-budget": set(),
    "xian-tjj-2026-budget": set(),
    "zhuhai-swj-2026-budget": set(),
}

