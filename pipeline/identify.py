"""What a document says it is: publisher, fiscal year, budget or final accounts, department
or unit, and where it says so. Read from every place a disclosure names itself: title lines
(year before or after the name, a title split over short lines), labels (部门名称：, 预算单位：,
编制单位：…), the PDF's metadata title and the file's name, in that order of trust."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.model import Block
from pipeline.recognise import norm, table_kind

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?:年度?|(?=部门|单位))")
_KIND = re.compile(r"(部门|单位)?(?:综合)?(预算|决算)")
# what may follow a title's 预算/决算 (公开, 说明, 报表, 目录, …); a table title or a
# sentence carries other words, and gives a year and kind at most
_TITLE_TAIL = re.compile(
    r"^(?:信息)?(?:公开)?(?:说明|报表|报告|文本|情况|的|目录|编制说明)*(?:目录)?$")
_LABEL = re.compile(r"(?:部门名称|预算单位|决算单位|单位名称|编制单位|编制部门|主管部门|填报单位|"
                    r"部门|单位)[:：](.+?)(?=[\u4e00-\u9fff]{2,8}[:：]|$)")
_FILE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")  # beijing-zwfw-2026-budget-part2-tables
_LABEL_CELLS = {"部门名称", "单位名称", "预算单位", "决算单位", "编制单位", "填报单位"}
# a publisher's name ends with the word for an organ, maybe followed by （本级）, （汇总）
_ORGAN = re.compile(
    r"(?:局|院|厅|委员会|委|办公室|办公厅|办事处|中心|部|会|所|站|队|馆|政府|署|处|社|团|校|"
    r"园|室|台|司|街道|镇|乡|集团|公司|宫|库|场|段|庭|科)(?:[（(][^（()）]{1,16}[)）])?$")
_NOT_NAME = re.compile(r"预算|决算|公开|说明|情况|报表|目录|[，。；、]|^\d|^(?:本|该|各|全)")
_PREFIX = re.compile(
    r"^(?:附件\d*[:：]?|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|\d+[.．、])")
_JOIN = "¶"  # where two lines of a title were joined
_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]")


@dataclass(frozen=True)
class Identity:
    publisher: str = ""
    fiscal_year: int | None = None
    kind: str = ""  # budget | final_accounts
    scope: str = ""  # department | unit
    found_in: str = ""  # field:source@place, comma-separated ("publisher:title@page 1, …")

    def missing(self) -> list[str]:
        return [f for f in ("publisher", "fiscal_year", "kind") if not getattr(self, f)]


@dataclass(frozen=True)
class _Reading:
    publisher: str
    year: int | None
    kind: str
    scope: str
    titled: bool  # a title line (not a table title or a sentence)


def organ_name(text: str) -> str:
    """`text` as a publisher's name, or '' when it does not read as one."""
    name = _PREFIX.sub("", text).strip("：:_-—·.。，,、　 ").removesuffix("部门")
    if not 4 <= len(name) <= 40 or _NOT_NAME.search(name) or not _ORGAN.search(name):
        return ""
    return name


def read_title(text: str) -> _Reading | None:
    """A line naming a year and 预算/决算: the year, the kind, and the publisher printed
    before the year or between the year and the kind."""
    line = norm(text).strip(_JOIN)
    year = _YEAR.search(line)
    if not year or len(line) > 80:
        return None
    after = line[year.end():].replace(_JOIN, "")  # a title may wrap inside a word (部门预 / 算)
    kind = _KIND.search(after)
    if not kind or kind.start() > 40:
        return None
    before = line[:year.start()].split(_JOIN)
    publisher = organ_name(after[:kind.start()]) or next(
        (n for k in range(1, len(before) + 1) if (n := organ_name("".join(before[-k:])))), "")
    return _Reading(publisher, int(year.group(1)),
                    "budget" if kind.group(2) == "预算" else "final_accounts",
                    "unit" if kind.group(1) == "单位" else "department",
                    bool(_TITLE_TAIL.match(after[kind.end():]))
                    and "，" not in line)


def _windows(blocks: list[Block]) -> list[tuple[str, str]]:
    """Each line, then the runs of two and three short lines that start with it on one page
    (a cover that prints '2026 年度' / 'XX市XX局' / '部门预算' on three lines)."""
    lines = [(b.text, b.where) for b in blocks if b.kind != "table" and b.text.strip()]
    out = []
    for i, (text, where) in enumerate(lines):
        out.append((text, where))
        for size in (2, 3):
            run = lines[i:i + size]
            if len(run) == size and len({_page(w) for _, w in run}) == 1 and \
                    all(len(norm(t)) <= 30 for t, _ in run):
                out.append((_JOIN.join(t for t, _ in run), where))
    return out


def _page(where: str) -> str:
    """The page of a place ('page 3'); sources without pages are one page."""
    return where.split(",")[0] if where.startswith("page") else ""


def identify(blocks: list[Block], metadata_title: str = "", filename: str = "") -> Identity:
    """Every field the document states, each with where it was found; unknown fields empty."""
    found: dict[str, tuple[object, str]] = {}

    def offer(field: str, value: object, source: str) -> None:
        if value and field not in found:
            found[field] = (value, source)

    readings = [(read_title(text), where) for text, where in _windows(blocks)]
    readings = [(r, w) for r, w in readings if r]
    for titled in (True, False):
        for reading, where in readings:
            if reading.titled == titled:
                offer("publisher", reading.publisher, f"title@{where}")
                offer("fiscal_year", reading.year, f"title@{where}")
                offer("kind", reading.kind, f"title@{where}")
                offer("scope", reading.scope if reading.titled else "", f"title@{where}")
    for block in blocks:
        for label in _LABEL.finditer(norm(block.text)) if block.kind != "table" else ():
            offer("publisher", organ_name(label.group(1)), f"label@{block.where}")
    for block, after in zip(blocks, blocks[1:], strict=False):  # a label cell, its value beside
        head, _, rest = block.text.strip().partition(" ")
        if norm(head) in _LABEL_CELLS:
            offer("publisher", organ_name(norm(rest or after.text)), f"label@{block.where}")
    for text, source in ((metadata_title, "metadata"), (filename, "filename")):
        reading = read_title(text) if text else None
        if reading:
            offer("publisher", reading.publisher, source)
            offer("fiscal_year", reading.year, source)
            offer("kind", reading.kind, source)
    year_named = _FILE_YEAR.search(filename)
    offer("fiscal_year", int(year_named.group(1)) if year_named else None, "filename")
    offer("publisher", _named_most(blocks), "text")
    titles = [norm(b.text) for b in blocks if len(b.text) <= 60 and table_kind(b.text)]
    if titles:  # the standard tables' own titles: 收入支出决算总表, 预算01表 收支总表
        offer("kind", "final_accounts" if any("决算" in t for t in titles) else "budget",
              "tables")
    years = Counter(int(m.group(1)) for b in blocks for m in _YEAR.finditer(norm(b.text)))
    if years:
        offer("fiscal_year", years.most_common(1)[0][0], "text")
    return Identity(*(found.get(f, (None, ""))[0] or default for f, default in
                      (("publisher", ""), ("fiscal_year", None), ("kind", ""), ("scope", ""))),
                    ", ".join(f"{f}:{found[f][1]}" for f in ("publisher", "fiscal_year", "kind")
                             if f in found))


_BODY_NAME = re.compile(
    r"(?:[\u4e00-\u9fff]{2,6}?(?:自治区|省|市|区|县|州|盟|旗)|国家)[\u4e00-\u9fff]{2,16}?"
    r"(?:局|委员会|办公室|办公厅|厅|中心|院|署|办)")


def _shortest(name: str) -> str:
    """'年北京市审计局' -> '北京市审计局': the shortest tail that is still a whole name."""
    return next((name[i:] for i in range(len(name) - 1, -1, -1)
                 if _BODY_NAME.fullmatch(name[i:])), name)


def _named_most(blocks: list[Block]) -> str:
    """The organ the text names most often, when it clearly outnumbers any other (at least
    three times): a narrative that never prints its name on a cover still names itself."""
    counts = Counter(_shortest(m.group()) for b in blocks
                     for m in _BODY_NAME.finditer(norm(b.text)))
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 3 or (len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]):
        return ""
    return organ_name(ranked[0][0])


def publisher_slug(name: str) -> str:
    """A readable, stable publisher id for a publisher outside the registry: its name as
    printed, without characters a file name cannot hold ('北京市审计局'), never a path."""
    slug = _UNSAFE.sub("", name).replace("（", "(").replace("）", ")")
    slug = re.sub(r"[^\w.()-]", "", slug)
    return re.sub(r"\.{2,}", ".", slug).lstrip(".()-")
