"""The tables a disclosure's 目录 (table of contents) lists, read from the contents page itself,
so that each listed table is either read or reported as not read."""

from __future__ import annotations

import re

from pipeline.identify import organ_name
from pipeline.model import Block
from pipeline.recognise import norm, page_number, table_kind

# where one listed item ends and the next begins: 一、 （一） 1. 表1 公开01表 预算01表
_ITEM = re.compile(r"(?=(?<![一二三四五六七八九十])[一二三四五六七八九十]+、|"
                   r"[（(][一二三四五六七八九十]+[)）]|"
                   r"(?<!\d)\d{1,2}[.．、](?!\d)|(?<![\u4e00-\u9fff])表\d|"
                   r"(?:公开|预算|部门公开)\d{1,2}表)")
_LEADER = re.compile(r"[.．…·。\s]{3,}\d*$|\d+$")
_TITLE = re.compile(r"表(?:[（(][^）)]{1,20}[)）])?$")
_PAGES = 2  # a contents page and the one after it
# a part heading, not a table: 第二部分 2026年部门预算表, 五、单位预算表, XX局预算公开表
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")
_GENERIC = re.compile(r"部门|单位|预算|决算|公开|综合|报|表")


def listed_tables(blocks: list[Block]) -> list[tuple[str, str]]:
    """(title as printed, canonical table id or '') of every table the 目录 lists."""
    start = next((i for i, b in enumerate(blocks) if b.kind != "table" and
                  "目录" in norm(b.text) and len(norm(b.text)) <= 40), None)
    if start is None:
        return []
    first = page_number(blocks[start].where)
    listed: list[tuple[str, str]] = []
    seen: set[str] = set()
    for block in blocks[start:]:
        if block.kind == "table" or "。" in block.text or norm(block.text) in seen or \
                page_number(block.where) - first >= _PAGES:
            break  # the contents end where the text begins (its headings repeat them)
        seen.add(norm(block.text))
        text = block.text.split("目录")[-1] if "目录" in norm(block.text) else block.text
        for piece in _ITEM.split(text):
            title = _LEADER.sub("", piece.strip()).strip()
            core = _NUMBER.sub("", norm(title))
            core = re.sub(r"\d{4}年度?", "", core)
            rest = _GENERIC.sub("", core)
            if not table_kind(core) and (_PART.match(core) or not rest or organ_name(rest)):
                continue
            if _TITLE.search(norm(title)) and 3 <= len(norm(title)) <= 60:
                entry = (norm(title), table_kind(title) or "")
                if entry not in listed:
                    listed.append(entry)
    return listed
