"""Charts drawn at build time as inline SVG: no script, no network at view time. Every mark
carries its figure as printed (`data-value`, a <title> and a text label), so a reader, a
screen reader and a test all see the same numbers."""

from __future__ import annotations

from decimal import Decimal
from html import escape

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 16, 16, 24, 40
COLOURS = ["#1f5f8b", "#c2452d", "#3c8d40", "#8a5a9e", "#b8860b"]


TENTH = Decimal("0.1")


def _at(position: Decimal) -> Decimal:
    """A drawing position, to a tenth of a unit."""
    return position.quantize(TENTH)


def _y(value: Decimal, top: Decimal) -> Decimal:
    """The vertical place of a value on a scale from 0 to `top` (drawing only: the figure
    itself is written out exactly beside the mark). Decimal all through: no float."""
    share = value / top if top else Decimal(0)
    return _at(TOP + (HEIGHT - TOP - BOTTOM) * (1 - share))


def _label(value: Decimal) -> str:
    return f"{value:f}"


def lines(title: str, years: list[int], series: dict[str, dict[int, Decimal]]) -> str:
    """One line per series over the years (万元); a year a series lacks is left out."""
    values = [v for points in series.values() for v in points.values()]
    if not years or not values:
        return ""
    top = max(max(values), Decimal(0)) or Decimal(1)
    span = WIDTH - LEFT - RIGHT
    x = {year: _at(LEFT + span * (Decimal(i) + Decimal("0.5")) / len(years))
         for i, year in enumerate(years)}
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for year in years:
        parts.append(f'<text x="{x[year]}" y="{HEIGHT - 12}" text-anchor="middle" '
                     f'class="axis">{year}</text>')
    for index, (name, points) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        placed = [(x[year], _y(points[year], top), year, points[year]) for year in years
                  if year in points]
        if len(placed) > 1:
            path = " ".join(f"{px},{py}" for px, py, _, _ in placed)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
        for px, py, year, value in placed:
            text = f"{name} {year}年 {_label(value)}万元"
            parts.append(f'<circle cx="{px}" cy="{py}" r="4" fill="{colour}" '
                         f'data-series="{escape(name)}" data-year="{year}" '
                         f'data-value="{_label(value)}"><title>{escape(text)}</title></circle>')
            parts.append(f'<text x="{px}" y="{py - 8}" text-anchor="middle" '
                         f'class="value">{_label(value)}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li><span style="background:{COLOURS[i % len(COLOURS)]}"></span>'
                     f"{escape(name)}</li>" for i, name in enumerate(series))
    return f'<figure>{"".join(parts)}<ul class="legend">{legend}</ul>' \
           f"<figcaption>{escape(title)}（万元）</figcaption></figure>"


def bars(title: str, parts: list[tuple[str, Decimal]]) -> str:
    """Horizontal bars, one per part (万元), each with its figure."""
    if not parts:
        return ""
    top = max(max(v for _, v in parts), Decimal(0)) or Decimal(1)
    row, label_width = 34, 170
    height = TOP + row * len(parts)
    span = WIDTH - label_width - 90
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, (name, value) in enumerate(parts):
        y = TOP // 2 + index * row
        width = _at(span * value / top) if value > 0 else Decimal(0)
        out.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" '
                   f'class="axis">{escape(name)}</text>')
        out.append(f'<rect x="{label_width}" y="{y + 4}" width="{width}" height="18" '
                   f'fill="{COLOURS[index % len(COLOURS)]}" data-name="{escape(name)}" '
                   f'data-value="{_label(value)}"><title>{escape(name)} {_label(value)}万元'
                   "</title></rect>")
        out.append(f'<text x="{label_width + width + 6}" y="{y + 18}" class="value">'
                   f"{_label(value)}</text>")
    out.append("</svg>")
    return f'<figure>{"".join(out)}<figcaption>{escape(title)}（万元）</figcaption></figure>'
