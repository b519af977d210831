"""Totals the narrative breaks down itself: “收入预算1935.36万元，其中，一般公共预算拨款
1935.36万元，财政专户管理事业收入0.00万元，…”. A 其中 list need not name every part; its parts
can never add up to more than the total."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from pipeline.model import Block
from pipeline.normalise.narrative import BREAKDOWN, decimal_of, paragraphs

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
    for p in paragraphs(blocks):
        for match in BREAKDOWN.finditer(p.text):
            parts = []
            for clause in _clauses(p.text, match.end()):
                part = _PART.fullmatch(clause)
                if _SHARE.fullmatch(clause):
                    continue
                if part is None or _COMPARED.search(part.group("name")):
                    break
                parts.append((part.group("name"), decimal_of(part.group("n"))))
            if len(parts) >= 2:
                begin, stop = p.sentence(match.start(), match.end())
                found.append(ListedParts(decimal_of(match.group("n")),
                                         tuple(parts), p.quote(begin, stop),
                                         p.where(match.start())))
    return found


@dataclass(frozen=True)
class Execution:
    """A 决算 sentence's budget and actual figures, and what it says of them: the share of
    the budget spent (“完成年初预算的118.28%”) and the comparison word (“决算数大于年初预算数”)."""
    budget: Decimal
    actual: Decimal
    percent: Decimal | None
    relation: str  # ">", "<", "=" or ""
    quote: str
    location: str


_BUDGET = re.compile(r"(?:年初)?预算(?:数)?(?:为)?(?P<n>\d[\d,]*(?:\.\d+)?)万元")
_ACTUAL = re.compile(r"决算(?:数)?(?:为)?(?P<n>\d[\d,]*(?:\.\d+)?)万元")
_DONE = re.compile(r"完成(?:年初)?预算(?:数)?的(?P<pct>\d+(?:\.\d+)?)%")
_RELATION = re.compile(r"决算数?(?P<word>大于|高于|超过|多于|小于|低于|少于|等于|与)"
                       r"(?:年初)?预算数?(?P<same>持平|相同|一致)?")
_WORDS = {"大于": ">", "高于": ">", "超过": ">", "多于": ">", "小于": "<", "低于": "<",
          "少于": "<", "等于": "="}


def executions(blocks: list[Block]) -> list[Execution]:
    """Each sentence run (to the 。 after the comparison) that states one budget and one
    actual figure and says how they compare."""
    found = []
    for p in paragraphs(blocks):
        for budget in _BUDGET.finditer(p.text):
            actual = _ACTUAL.search(p.text, budget.end(), budget.end() + 40)
            if actual is None or _BUDGET.search(p.text, budget.end(), actual.start()):
                continue
            stop = _BUDGET.search(p.text, actual.end())  # up to the next budget figure
            window = p.text[actual.end():stop.start() if stop else len(p.text)]
            window = window[:window.find("。", window.find("决算数") + 1) + 1 or None]
            done, relation = _DONE.search(window), _RELATION.search(window)
            word = "" if relation is None else (
                "=" if relation.group("same") else _WORDS.get(relation.group("word"), ""))
            if done or word:
                found.append(Execution(
                    decimal_of(budget.group("n")),
                    decimal_of(actual.group("n")),
                    decimal_of(done.group("pct")) if done else None, word,
                    p.quote(budget.start(), actual.end() + len(window)),
                    p.where(budget.start())))
    return found
