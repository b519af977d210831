"""How findings name what they speak of, in the document's own words: a table by its
standard title, a row by its printed label (and code), a column by its printed heading."""

from __future__ import annotations

import re

from pipeline.model import LineItem
from pipeline.recognise import templates

# the ids whose first heading is not their name
_NAMES = {"amount": "金额", "total": "合计", "share_pct": "占比（%）"}
_SUFFIXES = (("_budget", "（预算数）"), ("_prior", "（上年）"), ("_change", "（增减）"))


def table_title(kind: str) -> str:
    """部门收入总表 for `income`; the id itself for a table no template names."""
    return templates()["tables"].get(kind, {}).get("title", kind)


def column(measure: str) -> str:
    """合计, 基本支出, 公务接待费（预算数）…; a column read under its printed heading keeps it."""
    if not measure.isascii():
        return measure
    suffix = ""
    known = templates()["measures"]
    for end, words in _SUFFIXES:  # general_budget is a measure, not general's budget
        if measure.endswith(end) and measure not in known and \
                measure.removesuffix(end).removeprefix("grand_") in {*known, *_NAMES}:
            measure, suffix = measure.removesuffix(end), words
    grand = measure.startswith("grand_")
    measure = measure.removeprefix("grand_")
    aliases = templates()["measures"].get(measure, [measure])
    name = _NAMES.get(measure) or next((a for a in aliases if not a.startswith("其中")),
                                       aliases[0])
    return ("总计" if grand and measure == "total" else name) + suffix


def row(found: LineItem | None, key: str) -> str:
    """“行政运行”（2010301）: the printed label of a row, with its code where it has one."""
    if found is None or not found.label:
        return f"“{key}”"
    return f"“{found.label}”（{key}）" if found.code or key != found.label else f"“{found.label}”"


def formula(text: str) -> str:
    """'total = basic + project' as 合计 = 基本支出 + 项目支出."""
    return re.sub(r"[a-z_]+", lambda m: column(m.group()), text)


_PLACE = re.compile(r"\b(page|line) (\d+)")


def place(location: str) -> str:
    """'x.pdf: page 9' as x.pdf 第 9 页, 'line 9' as 第 9 行: where in the original."""
    return _PLACE.sub(lambda m: f"第 {m.group(2)} {'页' if m.group(1) == 'page' else '行'}",
                      location).replace(": 第", " 第")
