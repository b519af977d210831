"""Pages without a text layer (scans), read by an OCR engine into the layout a text page gives:
characters with boxes and ruling lines, which pdf_tables lays out into the same grids.

The engine is RapidOCR on ONNX Runtime (`pip install -e ".[ocr]"`): its wheel carries the
Chinese PP-OCR detection and recognition models, so nothing is downloaded when it runs. A page
is rendered by pypdfium2 at SCALE; ruling lines are the long runs of dark pixels that survive
a morphological opening (OpenCV, which the engine installs); each recognised line of text
becomes characters placed by the engine's own character boxes, each carrying the line's
confidence. Which figures read this way are published is decided later, by the document's
own arithmetic (pipeline.confirm)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from importlib import metadata
from typing import Any

import pypdfium2 as pdfium

from pipeline.extract.pdf_tables import Char, PageLayout, _edge, _line_boxes, line_text, lines

PACKAGE = "rapidocr-onnxruntime"
SCALE = 2  # 144 dpi: measured in bench/ocr.py against 3.0 (same figures, 2.2x the time)
MIN_SCORE = 3 / 10  # lines read less surely still count: reported, not used
RULE_H = 20  # points: a horizontal run of ink at least this long is a ruling line
RULE_V = 14  # points: a vertical one (a character's strokes are shorter)
INK = 25  # grey levels under the paper's (the page's median) from which a pixel is ink: light
# grey rulings (195 on white) count, a scan's grey paper does not
# The Chinese model's one frequent confusion in this vocabulary: 入 read as 人 after the verbs
# that take 入 (收入, 投入, 纳入, 转入, 列入, 录入, 输入, 深入, 流入, 汇入, 注入, 计入).
_RU = re.compile(r"(?<=[收投纳转列录输深流汇注计])人")
# and a leading 一 (a lone stroke) left out of a line that cannot begin without it: 、 (一、)
# and 般 (一般)
_YI = re.compile(r"^(?=、|般)")
# half-width brackets and colons beside Chinese text, which Chinese documents print full width
_CJK = "\u4e00-\u9fff"
_WIDE = [(re.compile(rf"\((?=[{_CJK}])"), "（"), (re.compile(rf"(?<=[{_CJK}])\)"), "）"),
         (re.compile(rf"(?<=[{_CJK}]):"), "：")]


def _corrected(text: str) -> str:
    text = _RU.sub("入", text)
    for pattern, wide in _WIDE:
        text = pattern.sub(wide, text)
    return text



def mode() -> str:
    """BUDGETWATCH_OCR: `auto` (pages without a text layer, when the engine is installed),
    `off` (never), `all` (every page, the text layer ignored: for a text layer that is
    garbage, and for measuring OCR against the text layer)."""
    value = os.environ.get("BUDGETWATCH_OCR", "auto").strip().lower() or "auto"
    return value if value in ("auto", "off", "all") else "auto"


def version() -> str:
    """The engine's installed version, '' when the extra is not installed."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return ""


def available() -> bool:
    return bool(version()) and mode() != "off"


def setting() -> str:
    """What decides how scans are read, for cache keys: a change re-reads documents."""
    return f"ocr={mode()}:{version() or 'none'}:{SCALE}"


MISSING = "未安装 OCR 扩展（pip install -e \".[ocr]\"）"
OFF = "OCR 已关闭（BUDGETWATCH_OCR=off）"


def why_not() -> str:
    return OFF if version() and mode() == "off" else MISSING


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(text_score=MIN_SCORE, max_side_len=10_000, use_cls=False,
                    print_verbose=False)


@dataclass(frozen=True)
class Line:
    """One line of text the engine recognised, in points, with its confidence (0–1)."""

    text: str
    box: tuple[float, float, float, float]  # x0, top, x1, bottom
    confidence: Decimal  # to three places, as the engine gives it (0-1)


@dataclass(frozen=True)
class OcrPage:
    layout: PageLayout
    # each line read, or, for a line read with less than HIGH confidence that holds figures,
    # each word of it read again; confidence 0 where what was read is not all there is
    lines: tuple[Line, ...]
    text: str


HIGH = Decimal("0.990")  # measured in bench/ocr_eval.py: no wrong figure read at or above it


def read(page: pdfium.PdfPage) -> OcrPage:
    """A page rendered, its text recognised and its ruling lines found. A line of text that
    a vertical ruling crosses (the detector joined the figures of two cells) is recognised
    again cell by cell, so that no character is placed in a cell by a guess of its x."""
    image = page.render(scale=SCALE).to_numpy()
    found, _ = _engine()(image, use_cls=False, return_word_box=True)
    ink = _ink(image)
    rulings, ruled = _rulings(ink, _line_height(found or []))
    marks = (ink > 0) & (ruled == 0)  # ink that is no ruling: characters, and specks
    stray = marks.copy()
    for entry in found or []:  # the ink each reading covers
        xs, ys = [int(p[0]) for p in entry[0]], [int(p[1]) for p in entry[0]]
        stray[max(min(ys) - 2, 0):max(ys) + 3, max(min(xs) - 2, 0):max(xs) + 3] = False
    chars: list[Char] = []
    read_lines = []
    for entry in found or []:
        box, text, score = entry[0], _corrected(entry[1]), _score(entry[2])
        words = [[p[0] / SCALE for p in w] for w in (entry[3] if len(entry) > 3 else [])]
        xs, ys = [p[0] / SCALE for p in box], [p[1] / SCALE for p in box]
        if _YI.match(text):  # the stroke restored, one character's width before the line
            text, width = "一" + text, max(ys) - min(ys)
            words = [[min(xs) - width, min(xs)]] + words if words else words
            xs.append(min(xs) - width)
        whole = Line(text, (min(xs), min(ys), max(xs), max(ys)), score)
        parts = _cut(image, whole, rulings)
        for line, line_words in parts or [(whole, words)]:
            figures = any(ch.isdigit() for ch in line.text)
            read = _words_again(image, line, line_words) if line.confidence < HIGH and \
                figures else [line]
            read_lines += [_complete(r, stray, rulings, marks, line_words if r is line else [])
                           for r in read] if figures else read
            chars += _chars(line, line_words)
    _line_boxes(chars)
    text = "\n".join(line_text(row) for _, row in lines(chars))
    return OcrPage(PageLayout(chars, rulings, whole_strings=False), tuple(read_lines), text)


def _line_height(found: list) -> float:
    """The median height of the page's lines of text, in points (0 with none)."""
    heights = sorted(max(p[1] for p in e[0]) - min(p[1] for p in e[0]) for e in found)
    return heights[len(heights) // 2] / SCALE if heights else 0


def _recognised(image: Any, box: tuple[float, float, float, float]) -> tuple[str, Decimal]:
    """The text of one box of the page (points) recognised alone, and its confidence."""
    x0, top, x1, bottom = box
    crop = image[max(int(top * SCALE) - 2, 0):int(bottom * SCALE) + 2,
                 max(int(x0 * SCALE) - 3, 0):int(x1 * SCALE) + 3]
    if not crop.size:
        return "", Decimal(0)
    again, _ = _engine()(crop, use_det=False, use_cls=False, use_rec=True)
    return (_corrected(again[0][0]), _score(again[0][1])) if again else ("", Decimal(0))


def _cut(image: Any, line: Line, rulings: list[Char]
         ) -> list[tuple[Line, list[list[float]]]] | None:
    """The line cut at the vertical rulings that cross it, each piece recognised alone;
    None when none crosses it."""
    x0, top, x1, bottom = line.box
    cuts = sorted(e["x0"] for e in rulings if e["orientation"] == "v"
                  and x0 + 2 < e["x0"] < x1 - 2 and e["top"] < top and e["bottom"] > bottom)
    if not cuts:
        return None
    pieces = []
    for left, right in zip([x0, *cuts], [*cuts, x1], strict=True):
        text, score = _recognised(image, (left + 1, top, right - 1, bottom))
        if text.strip():
            pieces.append((Line(text.strip(), (left + 1, top, right - 1, bottom), score), []))
    return pieces


def _score(value: Any) -> Decimal:
    """The engine's confidence (a float of its own) to three places, through its text."""
    return Decimal(str(value)).quantize(Decimal("0.001"))


_FIGURE = re.compile(r"\d[\d,.]*")  # the figures two readings of a word must agree on


def _words_again(image: Any, line: Line, words: list[list[float]]) -> list[Line]:
    """A line read with low confidence, word by word (runs of characters apart by less than
    half the line's height): each word's image recognised alone. A word gets that reading's
    confidence when the two readings give the same figures, 0 when they differ. A long row
    of figures read as one line is as sure as its least clear figure; each figure is judged
    on its own."""
    printed = [i for i, ch in enumerate(line.text) if not ch.isspace()]
    if len(words) != len(printed):
        return [line]
    x0, top, x1, bottom = line.box
    runs: list[list[int]] = []
    for k, i in enumerate(printed):
        apart = k and (min(words[k]) - max(words[k - 1]) > (bottom - top) / 2 or
                       printed[k - 1] != i - 1)
        if not runs or apart:
            runs.append([])
        runs[-1].append(k)
    found = []
    for run in runs:
        left, right = min(words[run[0]]), max(words[run[-1]])
        text = "".join(line.text[printed[k]] for k in run)
        if not any(ch.isdigit() for ch in text):  # words: as sure as their line
            found.append(Line(text, (left, top, right, bottom), line.confidence))
            continue
        reread, score = _recognised(image, (left, top, right, bottom))
        agree = _FIGURE.findall(reread.replace(" ", "")) == _FIGURE.findall(text)
        found.append(Line(text, (left, top, right, bottom), score if agree else Decimal(0)))
    return found


def _chars(line: Line, words: list[list[float]]) -> list[Char]:
    """The line's characters, each from where the engine placed it to where the next begins
    (no gap inside a run of text, so the line reads back as recognised); spread by width
    (a CJK character twice a digit's) when the engine's boxes do not match the text."""
    x0, top, x1, bottom = line.box
    printed = [i for i, ch in enumerate(line.text) if not ch.isspace()]
    if len(words) == len(printed):
        starts = {i: min(w) for i, w in zip(printed, words, strict=True)}
        ends = {i: max(w) for i, w in zip(printed, words, strict=True)}
    else:
        weights = [20 if ord(ch) > 0x2E80 else 11 for ch in line.text]  # CJK is full width
        unit = (x1 - x0) / (sum(weights) or 1)
        starts, ends, at = {}, {}, x0
        for i, weight in enumerate(weights):
            starts[i], ends[i] = at, at + weight * unit
            at += weight * unit
    chars = []
    for k, i in enumerate(printed):
        follows = k + 1 < len(printed) and printed[k + 1] == i + 1
        end = starts[printed[k + 1]] if follows else ends[i]
        right = max(end, starts[i] + 1 / 10)
        chars.append({"text": line.text[i], "x0": starts[i], "x1": right, "upright": True,
                      "baseline": bottom, "glyph": bottom - top, "width": right - starts[i],
                      "confidence": line.confidence})
    return chars


def _ink(image: Any) -> Any:
    """The page's ink: pixels darker than its paper (its median grey) by INK levels."""
    import cv2
    import numpy as np

    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    return (grey < int(np.median(grey)) - INK).astype("uint8") * 255


def _rulings(ink: Any, text_height: float = 0) -> tuple[list[Char], Any]:
    """Ruling lines: runs of ink at least RULE_H (RULE_V) points long across (down) the
    page, each connected run one edge through its middle, and the pixels they cover. A
    vertical run no longer than a line of the page's text is a character's stroke (1, 中),
    not a ruling."""
    import cv2

    edges: list[Char] = []
    covered = ink * 0
    for orientation, size in (("h", (int(RULE_H * SCALE), 1)), ("v", (1, int(RULE_V * SCALE)))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        covered |= runs
        count, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        for left, top, width, height, _ in stats[1:count]:
            x0, y0 = left / SCALE, top / SCALE
            x1, y1 = (left + width) / SCALE, (top + height) / SCALE
            if orientation == "h":
                edges.append(_edge("h", x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))
            elif y1 - y0 > text_height * 6 / 5:
                edges.append(_edge("v", (x0 + x1) / 2, y0, (x0 + x1) / 2, y1))
    return edges + _closing_sides(edges), covered


STRAY = 20  # pixels of ink beside a figure that no reading covers: the figure is incomplete


def _complete(line: Line, stray: Any, rulings: list[Char], marks: Any,
              words: list[list[float]]) -> Line:
    """The line, or, when ink that no line of text covers lies in its cell (a minus sign or
    digits the detector left out: “178.42” read as “42”, a wrapped “6”), or ink inside its
    box runs a character's width past the characters read (“1682.76” read as “1682.7”), the
    line with confidence 0: what was read is not all that is printed there."""
    x0, top, x1, bottom = line.box
    if words:
        band = marks[int(top * SCALE):int(bottom * SCALE) + 1,
                     max(int(x0 * SCALE), 0):int(x1 * SCALE) + 1].any(axis=0).nonzero()[0]
        if len(band):
            inked = (x0 + band[0] / SCALE, x0 + band[-1] / SCALE)
            read = (min(min(w) for w in words), max(max(w) for w in words))
            if inked[0] < read[0] - (bottom - top) * 7 / 20 or \
                    inked[1] > read[1] + (bottom - top) * 7 / 20:
                return replace(line, confidence=Decimal(0))
    reach = 2 * (bottom - top)
    walls = [e["x0"] for e in rulings if e["orientation"] == "v" and e["top"] < bottom
             and e["bottom"] > top]
    floors = [e["top"] for e in rulings if e["orientation"] == "h" and e["x0"] < x1
              and e["x1"] > x0]
    if not walls and not floors:
        return line  # running text, in no table: its line is all there is to compare
    # the cell's rulings, where it has them; else as far as a character might stand
    left = max([w for w in walls if w <= x0], default=x0 - reach)
    right = min([w for w in walls if w >= x1], default=x1 + reach)
    above = max([f for f in floors if f <= top + 2], default=top - (bottom - top) / 2)
    below = min([f for f in floors if f >= bottom - 2], default=bottom + (bottom - top) / 2)
    cell = stray[max(int(above * SCALE) + 2, 0):max(int(below * SCALE) - 1, 0),
                 max(int(left * SCALE) + 2, 0):max(int(right * SCALE) - 1, 0)]
    return line if int(cell.sum()) < STRAY else replace(line, confidence=Decimal(0))


SIDE = 3  # points: rulings that end within this of one another end at one side


def _closing_sides(edges: list[Char]) -> list[Char]:
    """The sides of a frame that the image lost (a table drawn to the page's edge, a faint
    border): where three or more horizontal rulings end at one x and no vertical ruling runs
    there, a vertical one joining them."""
    across = [e for e in edges if e["orientation"] == "h"]
    down = [e for e in edges if e["orientation"] == "v"]
    added = []
    for end in ("x0", "x1"):
        groups: list[list[Char]] = []
        for edge in sorted(across, key=lambda e: e[end]):
            if groups and edge[end] - groups[-1][-1][end] <= SIDE:
                groups[-1].append(edge)
            else:
                groups.append([edge])
        for group in groups:
            x = sum(e[end] for e in group) / len(group)
            top, bottom = min(e["top"] for e in group), max(e["top"] for e in group)
            if len(group) >= 3 and not any(abs(v["x0"] - x) <= SIDE and v["top"] <= top + SIDE
                                           and v["bottom"] >= bottom - SIDE for v in down):
                added.append(_edge("v", x, top, x, bottom))
    return added
