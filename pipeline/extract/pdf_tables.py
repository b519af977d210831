"""Ruled tables of a PDF page from pypdfium2's vector paths and character boxes, laid out by
pdfplumber's own table algorithm (edges -> intersections -> cells -> tables). pdfium reads a
page in a few milliseconds where pdfplumber's pdfminer parse takes a quarter of a second."""

from __future__ import annotations

import bisect
import ctypes
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from pdfplumber import table as plumber_table
from pdfplumber import utils as plumber_utils

THIN = 2  # points: a path this thin is a ruling line
TOLERANCE = 3  # pdfplumber's default snap, join and intersection tolerances
MIN_EDGE = 3
# A page whose only drawings are more invisible boxes than a frame (and its title's box) has
# them behind runs of its text (a word processor's white shading): no ruling a reader sees.
FRAME = 2

Char = dict[str, Any]
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom (top-left origin)


@dataclass(frozen=True)
class PageLayout:
    chars: list[Char]
    edges: list[Char]
    # a word drawn past a ruling is moved whole into one cell (a text layer's overflowing
    # label); False for characters placed by OCR, whose lines can run over two cells
    whole_strings: bool = True


class _CharSource:
    """What pdfplumber's Table.extract reads from a page: its characters."""

    def __init__(self, chars: list[Char]) -> None:
        self.chars = chars


@dataclass(frozen=True)
class Frame:
    """From pdfium's page space (unrotated, y up) to the page as it is shown (turned by its
    /Rotate, clockwise) with a top-left origin, as pdfplumber places objects: a landscape
    table printed on a portrait page turned 90 degrees reads left to right."""

    rotation: int
    width: float  # of the unrotated page
    height: float

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> Frame:
        rotation = page.get_rotation() % 360
        shown = page.get_width(), page.get_height()  # pdfium gives the turned size
        width, height = (shown[1], shown[0]) if rotation in (90, 270) else shown
        return cls(rotation, width, height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """(x, top) of a point as shown."""
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.width - x, y
        if self.rotation == 270:
            return self.height - y, self.width - x
        return x, self.height - y

    def box(self, left: float, bottom: float, right: float, top: float) -> BBox:
        """(x0, top, x1, bottom) of a box as shown."""
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def layout(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> PageLayout:
    """Characters (with boxes) and ruling edges of a page, in pdfplumber's coordinates."""
    frame = Frame.of(page)
    chars = _chars(textpage.raw, frame)
    _line_boxes(chars)
    edges: list[Char] = []
    shading: list[BBox] = []  # invisible boxes: cell backgrounds, a frame, or run shading
    for path, form in _paths(page.raw):
        bounds = [ctypes.c_float() for _ in range(4)]
        pdfium_raw.FPDFPageObj_GetBounds(path, *map(ctypes.byref, bounds))
        corners = [_apply(form, bounds[i].value, bounds[j].value) for i in (0, 2)
                   for j in (1, 3)]
        left, right = min(x for x, _ in corners), max(x for x, _ in corners)
        bottom, top = min(y for _, y in corners), max(y for _, y in corners)
        count = pdfium_raw.FPDFPath_CountSegments(path)
        if count > 5 and right - left >= THIN and top - bottom >= THIN:
            edges += _segment_edges(path, form, count, frame)  # a grid drawn as one path
        elif right - left >= THIN and top - bottom >= THIN and _invisible(path):
            shading.append(frame.box(left, bottom, right, top))
        else:
            edges += _edges(*frame.box(left, bottom, right, top))
    if edges or len(shading) <= FRAME:
        for box in shading:
            edges += _edges(*box)
    return PageLayout(chars, edges)


def _chars(textpage: Any, frame: Frame) -> list[Char]:
    """Every printed character of a text page with its loose box (x), its baseline and the
    height of its own glyph, read through pdfium's C calls into buffers made once: the
    layout's one pass over the characters. A character is what the page's text gives at its
    place (pdfium's text, not the font's raw code: a soft hyphen reads as U+FFFE)."""
    chars = []
    count = pdfium_raw.FPDFText_CountChars(textpage)
    units = (ctypes.c_ushort * (count + 1))()
    pdfium_raw.FPDFText_GetText(textpage, 0, count, units)
    loose = pdfium_raw.FS_RECTF()
    left, right, low, high = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    loose_ref = ctypes.byref(loose)
    tight = [ctypes.byref(v) for v in (left, right, low, high)]  # pdfium's order: l r b t
    origin = ctypes.byref(x), ctypes.byref(y)
    for index in range(count):
        at = pdfium_raw.FPDFText_GetTextIndexFromCharIndex(textpage, index)
        if at < 0 or 0xD800 <= units[at] < 0xE000:
            continue  # left out of the text layer, or half of a pair UCS-2 cannot hold
        text = chr(units[at])
        if text.isspace():
            continue
        pdfium_raw.FPDFText_GetLooseCharBox(textpage, index, loose_ref)
        pdfium_raw.FPDFText_GetCharBox(textpage, index, *tight)
        pdfium_raw.FPDFText_GetCharOrigin(textpage, index, *origin)
        if frame.rotation:
            x0, _, x1, _ = frame.box(loose.left, loose.bottom, loose.right, loose.top)
            _, glyph_top, _, glyph_bottom = frame.box(left.value, low.value, right.value,
                                                      high.value)
            chars.append({"text": text, "x0": x0, "x1": x1, "upright": True,
                          "baseline": frame.point(x.value, y.value)[1],
                          "glyph": glyph_bottom - glyph_top, "width": x1 - x0})
            continue
        chars.append({"text": text, "x0": loose.left, "x1": loose.right,
                      "baseline": frame.height - y.value, "glyph": high.value - low.value,
                      "upright": True, "width": loose.right - loose.left})
    return chars


Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as PDF writes them
_IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _then(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix that applies `inner`, then `outer`."""
    a, b, c, d, e, f = inner
    return (a * outer[0] + b * outer[2], a * outer[1] + b * outer[3],
            c * outer[0] + d * outer[2], c * outer[1] + d * outer[3], *_apply(outer, e, f))


def _matrix(obj: Any) -> Matrix:
    m = pdfium_raw.FS_MATRIX()
    pdfium_raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m))
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _paths(page: Any, depth: int = 3) -> Iterator[tuple[Any, Matrix]]:
    """Every path object of a page, with the matrix of the forms it is drawn in: a browser's
    print of a table draws its ruling inside a form XObject placed by its own matrix, and a
    path's bounds are in its form's space."""
    def walk(objects: list[Any], form: Matrix, depth: int) -> Iterator[tuple[Any, Matrix]]:
        for obj in objects:
            kind = pdfium_raw.FPDFPageObj_GetType(obj)
            if kind == pdfium_raw.FPDF_PAGEOBJ_PATH:
                yield obj, form
            elif kind == pdfium_raw.FPDF_PAGEOBJ_FORM and depth:
                children = [pdfium_raw.FPDFFormObj_GetObject(obj, i)
                            for i in range(pdfium_raw.FPDFFormObj_CountObjects(obj))]
                yield from walk(children, _then(_matrix(obj), form), depth - 1)
    top = [pdfium_raw.FPDFPage_GetObject(page, i)
           for i in range(pdfium_raw.FPDFPage_CountObjects(page))]
    yield from walk(top, _IDENTITY, depth)


def _invisible(path: Any) -> bool:
    """A path that paints nothing on white paper: unstroked (or stroked white) and unfilled
    (or filled white), like the white shading a word processor puts behind runs of a
    paragraph. Its edges are not ruling lines."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_raw.FPDFPath_GetDrawMode(path, ctypes.byref(fill), ctypes.byref(stroke))
    return not (fill.value and _painted(path, pdfium_raw.FPDFPageObj_GetFillColor)) and \
        not (stroke.value and _painted(path, pdfium_raw.FPDFPageObj_GetStrokeColor))


def _painted(path: Any, colour_of: Any) -> bool:
    """The colour is visible on white: not white, not fully transparent."""
    rgba = [ctypes.c_uint() for _ in range(4)]
    if not colour_of(path, *map(ctypes.byref, rgba)):
        return True  # no colour known: assume it shows
    red, green, blue, alpha = (c.value for c in rgba)
    return alpha > 0 and (red, green, blue) != (255, 255, 255)


def _segment_edges(path: Any, form: Matrix, count: int, frame: Frame) -> list[Char]:
    """The ruling lines of one path that draws many: each straight horizontal or vertical
    segment, in page coordinates (the path's own matrix and its forms' applied)."""
    matrix = _then(_matrix(path), form)
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float, bool]] = []  # x, top, starts a new subpath
    for index in range(count):
        segment = pdfium_raw.FPDFPath_GetPathSegment(path, index)
        pdfium_raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        page_x, page_y = _apply(matrix, x.value, y.value)
        move = pdfium_raw.FPDFPathSegment_GetType(segment) == pdfium_raw.FPDF_SEGMENT_MOVETO
        points.append((*frame.point(page_x, page_y), move))
        if pdfium_raw.FPDFPathSegment_GetClose(segment):
            start = next(p for p in reversed(points) if p[2])
            points.append((start[0], start[1], False))
    edges = []
    for (x0, y0, _), (x1, y1, move) in zip(points, points[1:], strict=False):
        if move:
            continue
        left, right, top, bottom = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
        if bottom - top < THIN and right - left >= MIN_EDGE:
            edges.append(_edge("h", left, (top + bottom) / 2, right, (top + bottom) / 2))
        elif right - left < THIN and bottom - top >= MIN_EDGE:
            edges.append(_edge("v", (left + right) / 2, top, (left + right) / 2, bottom))
    return edges


def _line_boxes(chars: list[Char]) -> None:
    """Give the characters of a line one box height, from their common baseline and the
    line's tallest glyph, as pdfminer does from the font: a glyph's own box (、 sits low,
    一 is thin) would otherwise split the line."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c["baseline"]):
        if not lines or char["baseline"] - lines[-1][0]["baseline"] > TOLERANCE:
            lines.append([])
        lines[-1].append(char)
    for line in lines:
        size = max(c["glyph"] for c in line) or 1
        for member in line:
            member.update(top=member["baseline"] - size, bottom=member["baseline"] + size / 5,
                          doctop=member["baseline"] - size, size=size, height=size * 6 / 5)


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> Char:
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "object_type": "line"}


def _edges(x0: float, top: float, x1: float, bottom: float) -> list[Char]:
    """A thin path is one ruling line; a box is the four sides of a cell."""
    wide, tall = x1 - x0 >= THIN, bottom - top >= THIN
    if wide and not tall:
        middle = (top + bottom) / 2
        return [_edge("h", x0, middle, x1, middle)]
    if tall and not wide:
        middle = (x0 + x1) / 2
        return [_edge("v", middle, top, middle, bottom)]
    if wide and tall:
        return [_edge("h", x0, top, x1, top), _edge("h", x0, bottom, x1, bottom),
                _edge("v", x0, top, x0, bottom), _edge("v", x1, top, x1, bottom)]
    return []


def tables(page: PageLayout) -> list[plumber_table.Table]:
    """The page's ruled tables, top to bottom, ready for grid()."""
    edges = plumber_table.merge_edges(page.edges, TOLERANCE, TOLERANCE, TOLERANCE, TOLERANCE)
    edges = plumber_utils.filter_edges(edges, min_length=MIN_EDGE)
    points = plumber_table.edges_to_intersections(edges, TOLERANCE, TOLERANCE)
    found = [plumber_table.Table(
        _CharSource(_strings_kept_whole(page.chars, group) if page.whole_strings
                    else page.chars), group)  # type: ignore[arg-type]
        for group in plumber_table.cells_to_tables(cells(points))]
    return sorted(found, key=lambda t: t.bbox[1])


def cells(intersections: dict) -> list[BBox]:
    """pdfplumber's intersections_to_cells, the same cells in the same order: from each
    point, the smallest rectangle whose four corners are points joined by ruling edges. The
    points below and right of each point, and the edges at each, are looked up once instead
    of being searched for every pair."""
    points = sorted(intersections)
    vertical = {p: {plumber_utils.obj_to_bbox(e) for e in intersections[p]["v"]} for p in points}
    horizontal = {p: {plumber_utils.obj_to_bbox(e) for e in intersections[p]["h"]}
                  for p in points}
    by_x: dict[float, list] = {}
    by_top: dict[float, list] = {}
    for point in points:  # sorted by x, then top: each list runs down or right
        by_x.setdefault(point[0], []).append(point)
        by_top.setdefault(point[1], []).append(point)

    def joined(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return (a[0] == b[0] and not vertical[a].isdisjoint(vertical[b])) or \
            (a[1] == b[1] and not horizontal[a].isdisjoint(horizontal[b]))

    found = []
    for point in points:
        column, row = by_x[point[0]], by_top[point[1]]
        below = column[column.index(point) + 1:]
        right = [p for p in row[row.index(point) + 1:] if joined(point, p)]
        for down in below:
            if not joined(point, down):
                continue
            corner = next((c for across in right if (c := (across[0], down[1])) in
                           intersections and joined(c, across) and joined(c, down)), None)
            if corner is not None:
                found.append((point[0], point[1], corner[0], corner[1]))
                break
    return found


class _Slots:
    """Where a point falls among a table's cells: the cells' edges cut the page into slots,
    each slot knows the cells that cover it, a point finds its slot by bisection."""

    def __init__(self, boxes: list[BBox | None]) -> None:
        self.xs = sorted({v for b in boxes if b for v in (b[0], b[2])})
        self.ys = sorted({v for b in boxes if b for v in (b[1], b[3])})
        self.covering: dict[tuple[int, int], list[int]] = {}
        for number, box in enumerate(boxes):
            if box is None:
                continue
            across = range(bisect.bisect_left(self.xs, box[0]), bisect.bisect_left(self.xs, box[2]))
            down = range(bisect.bisect_left(self.ys, box[1]), bisect.bisect_left(self.ys, box[3]))
            for slot in ((i, j) for i in across for j in down):
                self.covering.setdefault(slot, []).append(number)

    def of(self, char: Char) -> list[int]:
        """The cells whose box holds the character's middle (pdfplumber's char_in_bbox)."""
        middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        i = bisect.bisect_right(self.xs, middle_x) - 1
        j = bisect.bisect_right(self.ys, middle_y) - 1
        if i < 0 or j < 0 or i >= len(self.xs) - 1 or j >= len(self.ys) - 1:
            return []
        return self.covering.get((i, j), [])


def grid(table: plumber_table.Table) -> list[list[str | None]]:
    """The table's cell texts, as pdfplumber's Table.extract gives them (a cell's characters
    in page order, joined by its extract_text; None where a row has no cell), with each
    character sorted into its cell through the grid once instead of tested against every
    cell."""
    rows = table.rows
    boxes = [cell for row in rows for cell in row.cells]
    slots = _Slots(boxes)
    held: list[list[Char]] = [[] for _ in boxes]
    for char in table.page.chars:  # the table's own characters: strings kept whole
        for number in slots.of(char):
            held[number].append(char)
    out: list[list[str | None]] = []
    number = 0
    for row in rows:
        line: list[str | None] = []
        for cell in row.cells:
            line.append(None if cell is None else cell_text(held[number]))
            number += 1
        out.append(line)
    return out


_LIGATURES = plumber_utils.text.LIGATURES


def cell_text(chars: list[Char]) -> str:
    """pdfplumber's extract_text of a cell's characters. A cell on one line (every character
    with one top, as _line_boxes gives a line) is its characters left to right, a space where
    the gap is over the tolerance: the same text, without building words and lines."""
    if not chars:
        return ""
    top = chars[0]["top"]
    if any(c["top"] != top or c["text"] in _LIGATURES for c in chars):
        return plumber_utils.extract_text(chars)
    text, last = "", None
    for char in sorted(chars, key=lambda c: c["x0"]):
        if last is not None and char["x0"] > last["x1"] + TOLERANCE:
            text += " "
        text += char["text"]
        last = char
    return text


def _figure(char: Char) -> bool:
    return char["text"] in "0123456789,.-"


def _strings(chars: list[Char]) -> list[list[Char]]:
    """Words drawn as one string: consecutive in the page's text order, on one line, each
    character beginning where the one before ends. A figure is a string of its own (a right-
    set figure can touch the label of the next cell: '48,362.82本年支出合计')."""
    runs: list[list[Char]] = []
    for char in chars:
        last = runs[-1][-1] if runs else None
        if last is not None and abs(char["baseline"] - last["baseline"]) < 1 and \
                _figure(char) == _figure(last) and \
                -1 <= char["x0"] - last["x1"] <= char["size"] / 4:
            runs[-1].append(char)
        else:
            runs.append([char])
    return runs


def _strings_kept_whole(chars: list[Char], cells: list[BBox]) -> list[Char]:
    """Words drawn past their cell's ruling belong to the one cell that holds most of them:
    a label too long for its column runs into the figure beside it ('（1）对个人和家庭的补' |
    '助 4.82'), a head runs over the column before it. Its other characters are placed at
    that cell's edge, in their order, so that no cell mixes two strings ('算0的.0项0 目')."""
    slots = _Slots(list(cells))

    def cell_of(char: Char) -> int | None:
        return next(iter(slots.of(char)), None)

    moved = list(chars)
    place = {id(c): i for i, c in enumerate(chars)}
    for run in _strings(chars):
        if len(run) < 2 or _figure(run[0]) or \
                cell_of(run[0]) == cell_of(run[-1]):
            continue  # figures that touch across a ruling are two figures, never joined
        owners = [cell_of(c) for c in run]
        owner = max(dict.fromkeys(owners), key=owners.count)  # a tie: where it begins
        if owner is None:
            continue
        box = cells[owner]
        for k, (char, cell) in enumerate(zip(run, owners, strict=True)):
            if cell != owner:
                x = box[2] - (len(run) - k) / 100 if char["x0"] + char["x1"] > box[0] + box[2] \
                    else box[0] + (k + 1) / 100  # past its right edge, or before its left
                moved[place[id(char)]] = char | {"x0": x, "x1": x}
    return moved


def inside(char: Char, box: BBox) -> bool:
    middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= middle_x < box[2] and box[1] <= middle_y < box[3]


def lines(chars: list[Char]) -> list[tuple[float, list[Char]]]:
    """Characters grouped into lines (by their vertical middle), each in reading order."""
    grouped: list[tuple[float, list[Char]]] = []
    for char in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        if grouped and abs(grouped[-1][0] - middle) <= TOLERANCE:
            grouped[-1][1].append(char)
        else:
            grouped.append((middle, [char]))
    return [(min(c["top"] for c in line), sorted(line, key=lambda c: c["x0"]))
            for _, line in grouped]


def line_text(line: list[Char]) -> str:
    """A line's text, with a space where the gap between characters is wide."""
    text = ""
    for previous, char in zip([None, *line], line, strict=False):
        if previous is not None and char["x0"] - previous["x1"] > TOLERANCE:
            text += " "
        text += char["text"]
    return text
