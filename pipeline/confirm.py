"""Figures read by OCR are published only when the document confirms them.

A figure read from an image carries the engine's confidence for its line. It is kept when no
check of the document's own arithmetic that reads it fails (a sum of parts, a column
identity, the same figure in two tables, the narrative against a table), and one of them
holds exactly or its confidence is HIGH; a confidence of 0 (the reading is incomplete, or a
second reading differs: see ocr.py) is never published. Otherwise it is withheld: reported
as a finding with the page, the text as read and the confidence, never published as an
amount; the checks that read it are dropped with it, so no check in the package rests on
it."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from pipeline.check import Cell, Checker
from pipeline.extract.ocr import HIGH
from pipeline.model import Block, CheckRun, Finding, LineItem, StatedChange
from pipeline.wording import column, row, table_title

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

# place -> the lines OCR read there: text, confidence, top and bottom (points)
Read = dict[str, tuple[tuple[str, Decimal, float, float], ...]]


def read_by_ocr(blocks: list[Block]) -> Read:
    """Every place (a page, a table row's page) read by OCR, with the lines read there."""
    read: Read = {}
    for block in blocks:
        if block.ocr:
            for where in (block.where, *block.row_where):
                read[where] = block.ocr
    return read


def _values(text: str) -> set[Decimal]:
    found = set()
    for token in _NUMBER.findall(text):
        try:
            found.add(Decimal(token.replace(",", "")))
        except InvalidOperation:
            continue
    return found


def confidence(figures: list[Decimal], lines: tuple[tuple[str, Decimal, float, float], ...],
               names: tuple[str, ...] = (), quote: str = "") -> Decimal:
    """The lowest confidence of the lines that print any of the figures (in 万元, or in 元
    for a table printed in 元): of those in the `quote` (a stated change's sentence) or level
    with a line that prints one of `names` (the row's code or label) when there are such; the
    page's lowest when none prints them."""
    wanted = {abs(f) for f in figures} | {abs(f) * 10000 for f in figures}
    matched = [line for line in lines if _values(line[0]) & wanted]
    squashed = "".join(quote.split())
    quoted = [line for line in matched if squashed and "".join(line[0].split()) in squashed]
    matched = quoted or matched  # a sentence's figures: the lines of that sentence
    heads = [line for line in lines if any(n and n[:6] in line[0].replace(" ", "")
                                           for n in names)]  # a label's start: it may wrap
    level = [line for line in matched
             if any(line[2] < head[3] and head[2] < line[3] for head in heads)]
    return min(line[1] for line in level or matched or lines) if lines else Decimal(0)


@dataclass(frozen=True)
class Confirmed:
    items: list[LineItem]
    changes: list[StatedChange]
    checks: list[CheckRun]
    findings: list[Finding]  # the checks' findings kept, then one per figure withheld
    withheld: list[str]  # what was not published, with its place, for `not_read`


def confirm(doc_id: str, items: list[LineItem], changes: list[StatedChange],
            checker: Checker, read: Read) -> Confirmed:
    """The figures of `items` and `changes` read on OCR pages marked, confirmed or withheld."""
    results: dict[Cell, list[str]] = defaultdict(list)
    anchored: set[Cell] = set()  # read by a check that holds with a figure of another kind
    for run, cells in zip(checker.checks, checker.cells, strict=True):
        for cell in cells:
            results[cell].append(run.result)
        if run.result == "pass" and any(not _signed(c) for c in cells):
            anchored |= cells
    kept, withheld, gone = [], [], set()
    for item in items:
        lines = read.get(item.location)
        if lines is None:
            kept.append(item)
            continue
        sure = confidence([item.amount_wan], lines, (item.code, item.label))
        item = replace(item, read_by="ocr", confidence=sure)
        cell = (item.table, item.row_key, item.measure)
        if _trusted(results.get(cell, []), sure) and (not _signed(cell) or cell in anchored):
            kept.append(item)
            continue
        gone.add(cell)
        withheld.append(_withheld(doc_id, item, results.get(cell, []),
                                  _signed(cell) and _trusted(results.get(cell, []), sure)))
    stated = []
    for change in changes:
        lines = read.get(change.location)
        if lines is None:
            stated.append(change)
            continue
        numbers = [n for n in (change.amount_wan, change.change_wan, change.change_pct,
                               change.base_wan) if n is not None]
        sure = confidence(numbers, lines, quote=change.quote)
        change = replace(change, read_by="ocr", confidence=sure)
        said = [r.result for r in checker.checks if r.location == change.location and
                {r.expected, r.actual} & set(numbers)]
        if _trusted(said, sure):
            stated.append(change)
        else:
            withheld.append(_change_withheld(doc_id, change, said))
    checks = [replace(run, seq=n) for n, run in enumerate(
        (r for r, cells in zip(checker.checks, checker.cells, strict=True)
         if not cells & gone), 1)]
    findings = [f for n, f in enumerate(checker.findings)
                if not checker.finding_cells.get(n, frozenset()) & gone]
    return Confirmed(kept, stated, checks, findings + withheld,
                     [f"{f.message}（{f.location}）" for f in withheld])


def _signed(cell: Cell) -> bool:
    """A column of differences (增减, 比上年: measures `…_change`), whose figures may be
    negative: a minus sign OCR left out makes every figure of the column wrong alike, which
    their own sums cannot see. Such a figure needs a check that holds with figures of another
    column (this year's less last year's)."""
    return cell[2].endswith("_change")


def _trusted(results: list[str], sure: Decimal) -> bool:
    """Read completely (confidence above 0), contradicted by no check that reads it (a gap
    within rounding contradicts: a misread last digit can hide there), and confirmed by one
    that holds exactly or read with high confidence. A figure that one check confirms and
    another refutes is withheld: a row and its only part misread alike agree with each other
    and with nothing else."""
    return sure > 0 and all(r == "pass" for r in results) and \
        ("pass" in results or sure >= HIGH)


def _why(results: list[str], sure: Decimal, signed: bool = False) -> str:
    if not sure:
        return "识别不完整（旁边有未读出的笔画，或两次识别结果不同）"
    if any(r != "pass" for r in results):
        return "与本文件的核对不符"
    if signed:
        return "增减数的正负号无法由本栏的合计确认，且没有与其他栏目的核对"
    return f"置信度 {sure} 低于 {HIGH}，且没有核对能确认"


def _withheld(doc_id: str, item: LineItem, results: list[str], signed: bool) -> Finding:
    sure = item.confidence or Decimal(0)
    return Finding(doc_id, "ocr_unconfirmed", "warning", item.table, item.row_key, item.measure,
                   None, None,
                   f"{table_title(item.table)}{row(item, item.row_key)}行“{column(item.measure)}”栏"
                   f"由 OCR 读作 {item.amount_wan}万元（置信度 {sure}），"
                   f"{_why(results, sure, signed)}，"
                   "未发布，请以原件为准", item.location)


def _change_withheld(doc_id: str, change: StatedChange, results: list[str]) -> Finding:
    sure = change.confidence or Decimal(0)
    return Finding(doc_id, "ocr_unconfirmed", "warning", "", change.subject, "", None, None,
                   f"说明中关于{change.subject}的变化由 OCR 读出（“{change.quote}”，"
                   f"置信度 {sure}），{_why(results, sure)}，未发布，请以原件为准",
                   change.location)


def misread_cell(doc_id: str, table: str, problem: str) -> Finding:
    """A cell read by OCR that is not a number: that cell withheld, the table kept."""
    where, _, what = problem.partition("：")
    return Finding(doc_id, "ocr_unconfirmed", "warning", table, "", "", None, None,
                   f"{table_title(table)}{what}（由 OCR 读出），未发布，请以原件为准", where)
