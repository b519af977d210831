"""Reports a journalist can read: compute a plain summary, then render it as Markdown."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from pipeline.compare import Change
from pipeline.model import Extraction, Finding, StatedChange
from pipeline.wording import column, place, table_title

KIND_TITLES = {"budget": "部门预算", "final_accounts": "部门决算"}
HEADLINE_ORDER = ["收入", "支出", "“三公”经费", "机关运行经费", "一般公共预算拨款", "基本支出",
                  "项目支出", "公务接待费", "因公出国（境）费", "公务用车购置及运行费"]
CHECK_TITLES = {
    "sum_of_parts": "合计与分项", "column_identity": "栏目合计", "side_totals": "收支平衡",
    "cross_table": "表间一致", "row_by_row": "表间逐行一致", "narrative_vs_table": "说明与表格",
    "line_vs_table": "说明所列科目与表格行", "stated_parts": "说明所列分项与合计",
    "restated_change": "同一增减两处说法", "stated_execution": "决算完成率与比较",
    "stated_percent": "增减幅度", "share": "占比", "units_vs_department": "单位与部门",
    "projects_vs_units": "项目与单位", "cost_indicator": "成本指标与预算",
    "duplicate_row": "重复行", "unread_table": "未能读取的表", "listed_table": "目录所列未读表",
    "extraction": "读取提示", "unread_column": "未逐条读取的栏",
    "stated_change_base": "自述增减与上年数", "stated_vs_computed": "自述增减与两年表格",
}
MINUS = "\u2212"
HEADLINE_RULES = ("收支总计", "“三公”经费", "机关运行经费")  # compare.significance's reasons
SEVERITY_ORDER = ("error", "warning", "rounding")  # rounding: kept, listed last, never headlined


@dataclass(frozen=True)
class DocumentSummary:
    doc_id: str
    heading: str
    title: str
    archive_path: str
    sha256: str
    source_url: str
    headlines: tuple[StatedChange, ...]
    findings: tuple[Finding, ...]
    checks_run: int
    counts: tuple[tuple[str, int], ...]
    changes: tuple[Change, ...] = ()  # significant changes from the previous year's document
    not_read: tuple[str, ...] = ()  # tables and pages that could not be read, with places
    computed: tuple[Decimal | None, ...] = ()  # each headline's change by the two years' tables
    agree: tuple[str, ...] = ()  # each headline against that change: 一致 | 四舍五入 | 不一致 | ""
    unstated: tuple[Change, ...] = ()  # headline changes of the tables the narrative leaves out


def headline_subject(change: Change) -> str:
    """The subject a headline change of the tables is stated under: 收入, 支出, “三公”经费 or
    one of its parts, 机关运行经费."""
    if change.significance == "收支总计":
        return "收入" if "income" in (change.table, change.side) or "收入" in change.row_key \
            else "支出"
    if change.significance == "机关运行经费":
        return "机关运行经费"
    if change.measure in ("total", "amount"):
        return "“三公”经费"
    name = column(change.measure)
    return name if name not in ("合计", "总计") else f"{table_title(change.table)}“{name}”栏"


def _agreement(stated: StatedChange, computed: Decimal | None, findings: tuple[Finding, ...]
               ) -> str:
    if computed is None or stated.change_wan is None:
        return ""
    if computed == stated.change_wan:
        return "一致"
    refuted = any(f.check == "stated_vs_computed" and f.severity == "error" and
                  f.location == stated.location for f in findings)
    return "不一致" if refuted else "四舍五入"


def summarise(extraction: Extraction, changes: list[Change] | None = None,
              findings: list[Finding] | None = None,
              computed: dict[tuple[str, ...], Decimal] | None = None) -> DocumentSummary:
    """What the report says of one document; `changes` and `findings` come from comparing it
    with the previous year's document and its own earlier revision, `computed` holds the
    change the two years' tables give for each stated change (run.Comparisons.computed)."""
    source = extraction.source
    extraction = replace(extraction, findings=extraction.findings + tuple(findings or ()))
    order = {s: i for i, s in enumerate(HEADLINE_ORDER)}
    headlines = sorted(extraction.stated_changes,
                       key=lambda c: (order.get(c.subject, len(order)), c.location))
    against = tuple((computed or {}).get((source.doc_id, c.subject, c.compared_to, c.location))
                    for c in headlines)
    stated = {c.subject for c in headlines}
    unstated = tuple(c for c in changes or () if c.significance in HEADLINE_RULES and
                     "@" not in c.from_doc and c.change_wan is not None and
                     headline_subject(c) not in stated)
    return DocumentSummary(
        source.doc_id,
        f"{extraction.publisher} {source.fiscal_year}年{KIND_TITLES.get(source.kind, source.kind)}",
        extraction.title, source.path, source.sha256, source.source_url, tuple(headlines),
        tuple(sorted(extraction.findings, key=lambda f: (SEVERITY_ORDER.index(f.severity),
                                                          f.check, f.table, f.row_key))),
        extraction.checks_run,
        (("表", len(extraction.tables)), ("金额", len(extraction.line_items)),
         ("项目", len(extraction.projects)), ("绩效指标", len(extraction.targets))),
        tuple(c for c in changes or () if c.significance), extraction.not_read, against,
        tuple(_agreement(c, v, extraction.findings) for c, v in zip(headlines, against,
                                                                    strict=True)),
        unstated)


def wan(amount: Decimal) -> str:
    return format(amount, "f") + "万元"


def signed_pct(pct: Decimal) -> str:
    return (MINUS if pct < 0 else "+") + format(abs(pct), "f") + "%"


def headline(change: StatedChange) -> str:
    """收入5073.08万元，较上年减少199.05万元（−3.78%）"""
    text = change.subject + (wan(change.amount_wan) if change.amount_wan is not None else "")
    if change.change_wan is not None:
        if change.change_wan == 0:
            text += f"，与{change.compared_to}持平"
        else:
            verb = "减少" if change.change_wan < 0 else "增加"
            text += f"，较{change.compared_to}{verb}{wan(abs(change.change_wan))}"
    if change.change_pct is not None:
        text += f"（{signed_pct(change.change_pct)}）"
    return text


def _verb(change: Decimal) -> str:
    return "持平" if change == 0 else ("减少" if change < 0 else "增加") + wan(abs(change))


def _beside(stated: StatedChange, computed: Decimal | None, agree: str) -> str:
    """What the two years' tables give for a stated change, and whether they agree."""
    if computed is None:
        return ""
    words = {"一致": "，一致", "四舍五入": "，在四舍五入范围内一致", "不一致": "，不一致（见核对）"}
    return f"；上年文件表格算得{_verb(computed)}{words.get(agree, '')}"


def _unstated(change: Change) -> str:
    """A headline change of the tables that the narrative does not state."""
    pct = f"（{signed_pct(change.change_pct)}）" if change.change_pct is not None else ""
    return (f"{headline_subject(change)}{wan(change.amount_to or Decimal(0))}，较上年"
            f"{_verb(change.change_wan or Decimal(0))}{pct}"
            "（上年文件表格算得；说明未见此项陈述）。")


_AUTOLINK = re.compile(r"(?i)(://|www\.|javascript:|mailto:|#(?=\d))")


def inert(text: str) -> str:
    """Text from a document as Markdown that only shows it: no HTML, no mention, no link of
    any kind (inline, reference-style, bare URL, issue number), no image."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("@", "@\u200b").replace("[", "\\[").replace("]", "\\]")
    return _AUTOLINK.sub(lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], text)


def _escape(text: str) -> str:
    """Document text in a Markdown line or table cell."""
    return inert(text).replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    """Text shown as it is, never linked or formatted: a code span."""
    return "`" + text.replace("`", "'") + "`"


def render(summary: DocumentSummary, files: str = "../..") -> str:
    """The Markdown report of one document; `files` is where links to the repository's files
    start (the report's folder by default; an absolute URL in an issue body). Every text from
    the document is inert."""
    lines = [f"# {_escape(summary.heading)}", ""]
    if summary.headlines or summary.unstated:
        lines += ["## 要点", ""]
        lines += [f"- {_escape(headline(c))}{_beside(c, v, agree)}。" for c, v, agree in
                  zip(summary.headlines, summary.computed or [None] * len(summary.headlines),
                      summary.agree or [""] * len(summary.headlines), strict=True)]
        lines += [f"- {_unstated(c)}" for c in summary.unstated]
        lines += ["", "说明部分自述的变化（原文见下）与上年文件表格算出的变化并列；"
                  "无上年文件时只列自述。", ""]
    lines += changes_table(summary.changes)
    if summary.not_read:
        lines += ["## 未读取的部分", "", "以下表格或页面未能读取，本文件的数据不含其内容：", ""]
        lines += [f"- {_escape(place(text))}" for text in summary.not_read]
        lines.append("")
    count = {s: sum(1 for f in summary.findings if f.severity == s) for s in SEVERITY_ORDER}
    rounding = f"，仅差四舍五入 {count['rounding']}" if count["rounding"] else ""
    lines += ["## 核对", "",
              f"共核对 {summary.checks_run} 项，{len(summary.findings)} 项未通过"
              f"（错误 {count['error']}，提示 {count['warning']}{rounding}）。", ""]
    if summary.findings:
        lines += ["| 核对 | 表 | 行 | 栏目 | 应为 | 实为 | 位置 | 说明 |",
                  "|---|---|---|---|---|---|---|---|"]
        for f in summary.findings:
            cells = [CHECK_TITLES.get(f.check, f.check), f.table and table_title(f.table),
                     f.row_key, f.measure and column(f.measure),
                     "" if f.expected is None else format(f.expected, "f"),
                     "" if f.actual is None else format(f.actual, "f"), place(f.location),
                     place(f.message)]
            lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
        lines.append("")
    if summary.headlines:
        lines += ["## 原文", ""]
        lines += [f"- {_escape(c.subject)}（{place(c.location)}）：“{_escape(c.quote)}”"
                  for c in summary.headlines]
        lines.append("")
    counts = "，".join(f"{name} {n}" for name, n in summary.counts)
    lines += ["## 来源", "",
              f"- 文件：{_escape(summary.title)}（{code(summary.doc_id)}）",
              f"- 原件：[{_escape(summary.archive_path)}]({files}/{quote(summary.archive_path)})，"
              f"sha256 `{summary.sha256}`",
              f"- 来源地址：{code(summary.source_url) if summary.source_url else '未记录'}",
              f"- 提取：{counts}", ""]
    return "\n".join(lines)


def render_json(summary: DocumentSummary) -> str:
    """The same summary for machines: amounts as exact decimal strings."""
    def plain(value: object) -> object:
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    return json.dumps(asdict(summary), ensure_ascii=False, indent=2, default=plain) + "\n"


MAX_ROWS = 60
WHOLE = {"table_added": "（整表为新版本新增）", "table_removed": "（整表在新版本中删去）"}


def changes_table(changes: tuple[Change, ...], limit: int | None = None,
                  yearly: str = "与上年文件比较") -> list[str]:
    """The significant changes against the previous year (or the document `yearly` names)
    and the previous revision; at most `limit` rows of each (MAX_ROWS by default)."""
    limit = MAX_ROWS if limit is None else limit
    lines: list[str] = []
    for kind, title in (("yearly", yearly), ("revision", "与上一版本比较")):
        chosen = [c for c in changes if ("@" in c.from_doc) == (kind == "revision")]
        if not chosen:
            continue
        lines += [f"## {title}（{chosen[0].from_doc}）", "",
                  f"重要变化 {len(chosen)} 项" + (f"，列出前 {limit} 项" if len(chosen) >
                                                 limit else "") + "。", "",
                  "| 表 | 行 | 栏目 | 原 | 新 | 增减 | 幅度 | 规则 |",
                  "|---|---|---|---|---|---|---|---|"]
        for c in chosen[:limit]:
            row = WHOLE.get(c.kind) or (f"{c.row_key} {c.label}" if c.row_key.isdigit()
                                        else (c.label or c.row_key))
            cells = [table_title(c.table), row, column(c.measure), _number(c.amount_from),
                     _number(c.amount_to), _number(c.change_wan),
                     "" if c.change_pct is None else signed_pct(c.change_pct), c.significance]
            lines.append("| " + " | ".join(_escape(x) for x in cells) + " |")
        lines.append("")
    return lines


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def report_path(extraction: Extraction) -> Path:
    source = extraction.source
    suffix = "" if source.scope == "department" else f"-{source.scope}"
    return Path("reports") / source.publisher_id / f"{source.fiscal_year}-{source.kind}{suffix}.md"
