"""What a document says it is: publisher, fiscal year, budget or final accounts, department
or unit. Read from its opening lines (cover, title, 部门名称 / 编制部门)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import Block
from pipeline.recognise import norm

_TITLE = re.compile(r"(20\d{2})年度?[^，。：:]{0,4}?(?:部门|单位)?(预算|决算)")
_YEAR = re.compile(r"(20\d{2})年")
_NAMED = re.compile(r"(?:部门名称|编制部门|编制单位|单位名称|主管部门)[:：](.+?)(?:单位[:：]|$)")
_ORGAN = re.compile(
    r"(局|院|厅|委员会|委|办公室|办公厅|办事处|中心|部|会|所|站|队|馆|政府|法院|检察院)$")
_PREFIX = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")


@dataclass(frozen=True)
class Identity:
    publisher: str = ""
    fiscal_year: int | None = None
    kind: str = ""  # budget | final_accounts
    scope: str = ""  # department | unit


def identify(blocks: list[Block]) -> Identity:
    """Best reading of the opening lines; fields it cannot tell are left empty."""
    texts = [norm(b.text) for b in blocks[:80] if b.kind != "table" and b.text]
    publisher, year, kind, scope = "", None, "", ""
    for index, text in enumerate(texts):
        title = _TITLE.search(text)
        if title and not year:
            year, kind = int(title.group(1)), ("budget" if title.group(2) == "预算"
                                               else "final_accounts")
            scope = "unit" if f"单位{title.group(2)}" in text else "department"
            before = _PREFIX.sub("", text[:title.start()])
            if _ORGAN.search(before):
                publisher = before
            elif index and _ORGAN.search(texts[index - 1]) and len(texts[index - 1]) <= 30:
                publisher = texts[index - 1]
        named = _NAMED.search(text)
        if named and not publisher and _ORGAN.search(named.group(1).strip()):
            publisher = named.group(1).strip()
    if not year:
        years = [int(m.group(1)) for t in texts for m in _YEAR.finditer(t)]
        year = max(set(years), key=years.count) if years else None
    return Identity(publisher, year, kind, scope)
