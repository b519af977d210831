"""Totals the narrative breaks down itself: “收入预算1935.36万元，其中，一般公共预算拨款
1935.36万元，财政专户管理事业收入0.00万元，…”. A 其中 list need not name every part; its parts
can never add up to more than the total."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from pipeline.model import Block
from pipeline.normalise.narrative import _paragraphs

_LISTED = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)万元[，,]?其中[：:，,]?")
_PART = re.compile(r"(?P<name>[\u4e00-\u9fff“”\"]{2,30}?)(?:为|是)?(?P<n>\d[\d,]*(?:\.\d+)?)万元")
_SHARE = re.compile(r"约?占[^，,；;]*%")
_COMPARED = re.compile(r"较|比|与|增加|减少|增长|下降|持平|上升|其中")


@dataclass(frozen=True)
class ListedParts:
    total: Decimal
    parts: tuple[tuple[str, Decimal], ...]
    quote: str
    location: str


def _clauses(text: str, start: int) -> Iterator[str]:
    """The clauses of text from `start` to the end of its sentence, asides in brackets left
    out (“公务用车购置及运行费5.00万元（其中，公务用车购置费0.00万元…）” is one part)."""
    depth, clause = 0, []
    for ch in text[start:]:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(depth - 1, 0)
        elif depth:
            continue
        elif ch in "。":
            break
        elif ch in "，,；;、":
            yield "".join(clause)
            clause = []
        else:
            clause.append(ch)
    yield "".join(clause)


def listed_parts(blocks: list[Block]) -> list[ListedParts]:
    """Each 'total 万元，其中 part 万元，part 万元…' of the narrative with two parts or more."""
    found = []
    for p in _paragraphs(blocks):
        for match in _LISTED.finditer(p.text):
            parts = []
            for clause in _clauses(p.text, match.end()):
                part = _PART.fullmatch(clause)
                if _SHARE.fullmatch(clause):
                    continue
                if part is None or _COMPARED.search(part.group("name")):
                    break
                parts.append((part.group("name"), Decimal(part.group("n").replace(",", ""))))
            if len(parts) >= 2:
                begin, stop = p.sentence(match.start(), match.end())
                found.append(ListedParts(Decimal(match.group("n").replace(",", "")),
                                         tuple(parts), p.quote(begin, stop),
                                         p.where(match.start())))
    return found
