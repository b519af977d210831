"""The narrative's own numbers: changes it states ("较去年减少199.05万元，下降3.78%") and the
figures it states for subjects that the tables also print ("“三公”经费预算数为18.34万元")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.model import Block, StatedChange

# Subjects, longest first so that "“三公”经费" wins over "经费". Text is compared after
# norm(), which drops white space and quotation marks.
SUBJECTS = {
    "公务用车购置及运行费": "公务用车购置及运行费",
    "公务用车购置费": "公务用车购置费",
    "公务用车运行费": "公务用车运行费",
    "因公出国（境）费": "因公出国（境）费",
    "公务接待费": "公务接待费",
    "“三公”经费": "“三公”经费",
    "\"三公\"经费": "“三公”经费",
    "三公经费": "“三公”经费",
    "机关运行经费": "机关运行经费",
    "一般公共预算拨款": "一般公共预算拨款",
    "基本支出": "基本支出",
    "项目支出": "项目支出",
    "收入": "收入",
    "支出": "支出",
}
_SUBJECT = re.compile("|".join(re.escape(s) for s in sorted(SUBJECTS, key=len, reverse=True)))
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
_CHANGE = re.compile(
    r"(?P<cmp>较|比|与)(?P<base>[^，,。；;增减持]{0,14}?)(?:相比)?[，,]?"
    r"(?P<dir>增加|减少|增长|下降|上升|持平)"
    r"(?:" + _NUMBER + r"万元)?"
    r"(?:[，,]?(?:增长|下降|上升|减少|降低)" + r"(\d+(?:\.\d+)?)%)?"
)
_FIGURE = re.compile(r"(?P<subject>" + _SUBJECT.pattern + r")(?:预算数?|决算数?|为|共计|合计|总额)*"
                     + r"(?P<n>\d[\d,]*(?:\.\d+)?)万元")
_DOWN = {"减少", "下降", "降低"}
_SENTENCE_END = re.compile(r"[。；;]")


@dataclass(frozen=True)
class StatedFigure:
    subject: str
    amount_wan: Decimal
    quote: str
    location: str


_GENERIC = {"收入", "支出"}
_BEFORE_GENERIC = set("门年本的，,：:、（(")


def _squash(text: str) -> tuple[str, list[int]]:
    """Text without white space, and each kept character's index in the original."""
    kept = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(ch for _, ch in kept), [i for i, _ in kept]


def _quote(original: str, index: list[int], start: int, end: int) -> str:
    return original[index[start]:index[end - 1] + 1] if end > start else ""


def _is_subject(text: str, start: int, subject: str) -> bool:
    """收入 / 支出 alone are subjects only where they are not the tail of another term."""
    return subject not in _GENERIC or start == 0 or text[start - 1] in _BEFORE_GENERIC \
        or bool(_SENTENCE_END.match(text[start - 1]))


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    return begin, stop.end() if stop else len(text)


def _paragraphs(blocks: list[Block]):
    """(block, squashed text, index map, squashed text of the section before it)."""
    section = ""
    for block in blocks:
        if block.kind == "heading":
            section = ""
        if block.kind != "paragraph":
            continue
        text, index = _squash(block.text)
        yield block, text, index, section
        section += text


def _subjects(text: str, start: int, end: int) -> list[re.Match[str]]:
    return [m for m in _SUBJECT.finditer(text, start, end)
            if _is_subject(text, m.start(), m.group())]


def figures(blocks: list[Block]) -> list[StatedFigure]:
    """Every 'subject … N万元' the narrative states, in order."""
    found = []
    for block, text, index, _ in _paragraphs(blocks):
        for match in _FIGURE.finditer(text):
            if not _is_subject(text, match.start(), match.group("subject")):
                continue
            begin, stop = _sentence_bounds(text, match.start(), match.end())
            found.append(StatedFigure(SUBJECTS[match.group("subject")], _amount(match.group("n")),
                                      _quote(block.text, index, begin, stop), block.where))
    return found


def stated_changes(doc_id: str, blocks: list[Block]) -> list[StatedChange]:
    """Each change the narrative states, with its subject, amount, signed change and percent."""
    changes: list[StatedChange] = []
    for block, text, index, section in _paragraphs(blocks):
        for match in _CHANGE.finditer(text):
            begin, stop = _sentence_bounds(text, match.start(), match.end())
            subjects = _subjects(text, begin, match.start())
            if not subjects:
                continue
            subject = SUBJECTS[subjects[-1].group()]
            amount = _stated_amount(section + text[:match.start()], subject)
            sign = Decimal(-1) if match.group("dir") in _DOWN else Decimal(1)
            change = None if match.group(4) is None else sign * _amount(match.group(4))
            if match.group("dir") == "持平":
                change = Decimal(0)
            pct = None if match.group(5) is None else sign * Decimal(match.group(5))
            changes.append(StatedChange(doc_id, subject, amount, change, pct,
                                        _compared_to(match.group("base") or ""),
                                        _quote(block.text, index, begin, stop), block.where))
    return changes


def _stated_amount(before: str, subject: str) -> Decimal | None:
    """The last figure stated for the subject before the change, within its section."""
    last = None
    for match in _FIGURE.finditer(before):
        if SUBJECTS[match.group("subject")] == subject and \
                _is_subject(before, match.start(), match.group("subject")):
            last = _amount(match.group("n"))
    return last


def _compared_to(base: str) -> str:
    """上年 (last year's budget), 上年执行数 / 上年决算数 (actuals), or the year named."""
    base = base.replace("去年", "上年")
    year = re.search(r"\d{4}年", base)
    if "执行" in base or "决算" in base:
        return (year.group() if year else "上年") + ("执行数" if "执行" in base else "决算数")
    if year:
        return year.group() + ("预算" if "预算" in base else "")
    return "上年预算" if "预算" in base else "上年"
