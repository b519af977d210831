"""A static website in Chinese, built from the package only: a home page (publishers by
region and year, the latest significant changes, counts of findings, a search over
publishers, lines and quotes), a page per publisher (its documents, charts of its totals,
“三公”经费 and 机关运行经费 over the years) and a page per document (headline changes stated
and computed, a “三公” chart, significant changes, findings with a link to the original at
its page, the tables, downloads). No script or style from elsewhere, nothing fetched at view
time; pages read without JavaScript (the search box alone uses a few lines of our own)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from html import escape
from pathlib import Path
from urllib.parse import quote

from pipeline.report import CHECK_TITLES, KIND_TITLES
from pipeline.schema import RESOURCES
from pipeline.site import charts
from pipeline.site.data import OVERHEADS, TOTALS, Document, figure, load, page_of, three_public
from pipeline.wording import column, place, table_title

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0 auto;max-width:60rem;padding:0 1rem 3rem;line-height:1.6;color:#222}
header{border-bottom:1px solid #ccc;margin-bottom:1rem}nav a{margin-right:1rem}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.2rem .5rem}
td.n{text-align:right;font-variant-numeric:tabular-nums}.wide{overflow-x:auto}
.chart{width:100%;height:auto}.chart .axis{font-size:12px;fill:#555}
.chart .value{font-size:11px;fill:#222}.legend{list-style:none;padding:0;display:flex;gap:1rem}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}
.error{color:#a00}#results li{margin:.2rem 0}input[type=search]{width:100%;font-size:1rem;
padding:.4rem}
"""
SEARCH = """
const index = window.SEARCH_INDEX || [];
const box = document.getElementById('q'), list = document.getElementById('results');
box.addEventListener('input', () => {
  const q = box.value.trim().toLowerCase();
  list.replaceChildren();
  if (!q) return;
  for (const [text, kind, url] of index) {
    if (!text.toLowerCase().includes(q)) continue;
    const item = document.createElement('li'), link = document.createElement('a');
    link.href = url; link.textContent = text;
    item.append(kind + '：', link); list.append(item);
    if (list.children.length >= 50) break;
  }
});
"""
HOME = "index.html"
INDEX = "search-index.js"  # its own file: the home page stays small, the index is cached
_PLACE = re.compile(r"^(?:中共)?(.{2,7}?(?:自治区|省|市))")
STATUS = {"complete": "全部读取", "partial": "部分读取"}


def _page(title: str, body: str, depth: int) -> str:
    up = "../" * depth
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · 预算观察</title><style>{STYLE}</style></head><body>"
            f'<header><nav><a href="{up}{HOME}">预算观察</a>'
            f'<a href="{up}downloads/budget-watch-data.zip">下载数据包</a></nav>'
            f"<h1>{escape(title)}</h1></header>{body}</body></html>\n")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def document_path(document: Document) -> str:
    return f"documents/{_slug(document.doc_id)}.html"


def publisher_path(publisher_id: str) -> str:
    return f"publishers/{_slug(publisher_id)}.html"


def _href(path: str, depth: int) -> str:
    return "../" * depth + quote(path)


def _kind(document: Document) -> str:
    return KIND_TITLES.get(document.row["kind"], document.row["kind"])


def _name(document: Document) -> str:
    return f"{document.row['publisher']} {document.year}年{_kind(document)}"


def _original(document: Document, location: str, depth: int) -> str:
    """A link to the original at the place named: the archived copy in the site (its page
    for a PDF; a large original a clone lacks is not there), and the publisher's address
    when it has one."""
    page = page_of(location)
    links = []
    for path in document.originals:
        name = f"originals/{Path(path).name}"
        anchor = f"#page={page}" if page and name.endswith(".pdf") else ""
        links.append(f'<a href="{_href(name, depth)}{anchor}">原文件'
                     f'{f"第{page}页" if page else ""}</a>')
    for url in document.row["source_url"].split():
        if url.startswith(("http://", "https://")):
            anchor = f"#page={page}" if page and url.lower().endswith(".pdf") else ""
            links.append(f'<a href="{escape(url)}{anchor}">发布网址</a>')
    return f"{escape(place(location)) if location else ''} {' · '.join(links)}".strip()


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(
        f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
        for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<div class="wide"><table><thead><tr>{cells}</tr></thead><tbody>{body}' \
           "</tbody></table></div>"


def _headlines(document: Document, depth: int) -> str:
    rows = []
    for s in document.stated:
        computed = s["computed_change_wan"]
        agree = "" if not computed else "一致" if Decimal(computed) == Decimal(
            s["change_wan"] or "0") else '<span class="error">不一致</span>'
        rows.append([escape(s["subject"]), escape(s["amount_wan"]),
                     escape(s["change_wan"]), escape(computed), agree,
                     escape(s["quote"]), _original(document, s["location"], depth)])
    if not rows:
        return "<p>文字说明中没有读到与上年比较的数字。</p>"
    return _table(["项目", "金额（万元）", "说明所述增减（万元）", "两年表格算得增减（万元）", "",
                   "原文", "出处"], rows, {1, 2, 3})


def _tables(document: Document) -> str:
    by_table: dict[str, list] = defaultdict(list)
    for item in document.items:
        by_table[item.table].append(item)
    out = []
    for table, items in by_table.items():
        measures = list(dict.fromkeys(i.measure for i in items))
        rows: dict[tuple[str, str], dict] = {}
        for i in items:
            row = rows.setdefault((i.side, i.row_key), {"label": i.label, "code": i.code})
            row[i.measure] = format(i.amount_wan, "f")
        body = [[escape(r["code"]), escape(r["label"]), *[r.get(m, "") for m in measures]]
                for r in rows.values()]
        out.append(f"<h3>{escape(table_title(table))}（{escape(place(items[0].location))}）</h3>"
                   + _table(["编码", "项目", *[column(m) for m in measures]], body,
                            set(range(2, 2 + len(measures)))))
    return "".join(out)


def _changes(changes: list[dict[str, str]], depth: int, documents: dict[str, Document]
             ) -> str:
    rows = [[escape(c["label"] or c["row_key"]), escape(table_title(c["table"])),
             escape(column(c["measure"])), escape(c["amount_from"]), escape(c["amount_to"]),
             escape(c["change_wan"]), escape(c["change_pct"]), escape(c["significance"]),
             f'<a href="{_href(document_path(documents[c["to_doc"]]), depth)}">'
             f'{escape(_name(documents[c["to_doc"]]))}</a>']
            for c in changes]
    if not rows:
        return "<p>没有重要变化。</p>"
    return _table(["项目", "表", "栏目", "原金额", "新金额", "增减（万元）", "增减（%）",
                   "为何重要", "文件"], rows, {3, 4, 5, 6})


def _document_page(document: Document, documents: dict[str, Document]) -> str:
    depth = 1
    row = document.row
    said = [row["publisher"], row["region"], f"{document.year}年", _kind(document), row["title"]]
    parts = [f"<p>{escape(' · '.join(s for s in said if s))}</p>",
             f"<p>{_original(document, '', depth)} · "
             f'<a href="{_href(f"downloads/{_slug(document.doc_id)}.csv", depth)}">'
             "本文件的表格金额（CSV）</a> · "
             f'<a href="{_href("downloads/budget-watch-data.zip", depth)}">全部数据（zip）</a> · '
             f'<a href="{_href("downloads/budget-watch.xlsx", depth)}">全部数据（XLSX）</a> · '
             f'<a href="{_href(publisher_path(row["publisher_id"]), depth)}">'
             f"{escape(row['publisher'])}的全部文件</a></p>"]
    figures = [(s, f) for s in TOTALS + OVERHEADS if (f := figure(document, s))]
    if figures:
        parts.append("<h2>表格中的主要数字</h2>" + _table(
            ["项目", "金额（万元）", "出处"],
            [[escape(s), format(f[0], "f"), _original(document, f[1], depth)]
             for s, f in figures], {1}))
    parts.append("<h2>要点：说明所述变化与表格算得的变化</h2>" + _headlines(document, depth))
    parts.append(charts.bars("“三公”经费构成", three_public(document)))
    significant = [c for c in document.changes if c["significance"]]
    parts.append("<h2>重要变化</h2>" + _changes(significant, depth, documents))
    findings = [[escape(CHECK_TITLES.get(f["check"], f["check"])),
                 '<span class="error">错误</span>' if f["severity"] == "error" else "提示",
                 escape(f["message"]), _original(document, f["location"], depth)]
                for f in document.findings]
    parts.append("<h2>核对发现</h2>" + (_table(["核对", "程度", "发现", "出处"], findings)
                                        if findings else "<p>没有核对发现。</p>"))
    parts.append("<h2>表格</h2>" + _tables(document))
    return _page(_name(document), "".join(parts), depth)


def _publisher_page(documents: list[Document], by_id: dict[str, Document]) -> str:
    depth = 1
    first = documents[0].row
    years = sorted({d.year for d in documents})
    rows = [[str(d.year), f'<a href="{_href(document_path(d), depth)}">{escape(_name(d))}</a>',
             STATUS.get(d.row["status"], escape(d.row["status"])), str(len(d.findings))]
            for d in documents]
    body = [f"<p>{escape(first['region'])}</p>",
            _table(["年度", "文件", "读取", "核对发现"], rows)]
    for title, subjects in (("收支总计", TOTALS), ("“三公”经费与机关运行经费", OVERHEADS)):
        for kind in sorted({d.row["kind"] for d in documents}):
            series = {f"{s}（{KIND_TITLES.get(kind, kind)}）": {
                d.year: f[0] for d in documents if d.row["kind"] == kind
                and (f := figure(d, s)) is not None} for s in subjects}
            series = {k: v for k, v in series.items() if v}
            body.append(charts.lines(f"{first['publisher']}{title}", years, series))
    changes = [c for d in documents for c in d.changes if c["significance"]]
    body.append("<h2>重要变化</h2>" + _changes(changes, depth, by_id))
    return _page(first["publisher"], "".join(body), depth)


def _home(documents: list[Document], by_id: dict[str, Document]) -> str:
    regions: dict[str, dict[str, list[Document]]] = defaultdict(lambda: defaultdict(list))
    for d in documents:
        regions[_region(d.row)][d.row["publisher_id"]].append(d)
    parts = ['<p>从政府部门预算、决算公开文件中提取的数字、核对发现与逐年变化。'
             f'共 {len({d.row["publisher_id"] for d in documents})} 个发布单位、'
             f"{len(documents)} 份文件。</p>",
             '<h2>搜索</h2><input id="q" type="search" placeholder="发布单位、科目或原文中的词">'
             '<ul id="results"></ul><noscript>搜索需要浏览器运行脚本；下面的列表不需要。'
             "</noscript>"]
    parts.append("<h2>发布单位</h2>")
    for region in sorted(regions):
        items = []
        for publisher_id, docs in sorted(regions[region].items()):
            years = " ".join(f'<a href="{_href(document_path(d), 0)}">{d.year}年'
                             f"{escape(_kind(d))}</a>" for d in docs)
            items.append(f'<li><a href="{_href(publisher_path(publisher_id), 0)}">'
                         f"{escape(docs[0].row['publisher'])}</a>：{years}</li>")
        parts.append(f"<h3>{escape(region)}</h3><ul>{''.join(items)}</ul>")
    latest = sorted((c for d in documents for c in d.changes if c["significance"]),
                    key=lambda c: (-by_id[c["to_doc"]].year, c["to_doc"], c["table"],
                                   c["row_key"], c["measure"]))[:20]
    parts.append("<h2>最新的重要变化</h2>" + _changes(latest, 0, by_id))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for d in documents:
        for f in d.findings:
            counts[(CHECK_TITLES.get(f["check"], f["check"]), f["severity"])] += 1
    parts.append("<h2>核对发现</h2>" + (_table(["核对", "错误", "提示"], [
        [escape(check), str(counts.get((check, "error"), 0)),
         str(counts.get((check, "warning"), 0))]
        for check in sorted({c for c, _ in counts})], {1, 2}) if counts else
        "<p>没有核对发现。</p>"))
    parts.append(f'<script src="{INDEX}"></script><script>{SEARCH}</script>')
    return _page("预算观察：部门预算与决算", "".join(parts), 0)


def _region(row: dict[str, str]) -> str:
    """The registry's region; else the place the publisher's printed name opens with
    (江苏省高级人民法院: 江苏省), a national organ's 中央; else 未注明地区."""
    if row["region"]:
        return row["region"]
    if row["publisher"].startswith(("国家", "中共中央", "国务院", "中华人民共和国")):
        return "中央"
    found = _PLACE.match(row["publisher"])
    return found.group(1) if found else "未注明地区"


def _index(documents: list[Document]) -> list[list[str]]:
    """[text, kind, url]: publishers, lines (once per document) and quotes."""
    entries: list[list[str]] = []
    seen_publishers = set()
    for d in documents:
        url = document_path(d)  # a browser encodes it when it follows the link
        if d.row["publisher_id"] not in seen_publishers:
            seen_publishers.add(d.row["publisher_id"])
            entries.append([d.row["publisher"], "发布单位",
                            publisher_path(d.row["publisher_id"])])
        entries.append([_name(d), "文件", url])
        for label in dict.fromkeys(i.label for i in d.items if i.label):
            entries.append([f"{label}（{_name(d)}）", "科目", url])
        entries += [[s["quote"], "原文", url] for s in d.stated if s["quote"]]
    return entries


def _document_csv(document: Document) -> str:
    fields = [c[0] for c in RESOURCES["line_items"][3]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for i in document.items:
        writer.writerow([i.doc_id, i.table, i.side, i.row_key, i.measure, i.code,
                         i.classification, i.label, format(i.amount_wan, "f"), i.location])
    return out.getvalue()


def build(root: Path, out: Path) -> list[str]:
    """Write the site into `out` (emptied first); returns the pages written."""
    from pipeline.publish.export import export, workbook

    documents = load(root)
    by_id = {d.doc_id: d for d in documents}
    if out.exists():
        shutil.rmtree(out)
    for folder in ("documents", "publishers", "downloads", "originals"):
        (out / folder).mkdir(parents=True)
    pages = {HOME: _home(documents, by_id)}
    by_publisher: dict[str, list[Document]] = defaultdict(list)
    for d in documents:
        by_publisher[d.row["publisher_id"]].append(d)
        pages[document_path(d)] = _document_page(d, by_id)
        (out / "downloads" / f"{_slug(d.doc_id)}.csv").write_text(_document_csv(d),
                                                                   encoding="utf-8")
        for path in d.originals:
            shutil.copyfile(root / path, out / "originals" / Path(path).name)
    for publisher_id, docs in by_publisher.items():
        pages[publisher_path(publisher_id)] = _publisher_page(docs, by_id)
    for path, html in pages.items():
        (out / path).write_text(html, encoding="utf-8")
    (out / INDEX).write_text("window.SEARCH_INDEX = " + json.dumps(
        _index(documents), ensure_ascii=False) + ";\n", encoding="utf-8")
    export(root, out / "downloads/budget-watch-data.zip")
    (out / "downloads/budget-watch.xlsx").write_bytes(workbook(root))
    return sorted(pages)
