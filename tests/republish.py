"""A real PDF published again with changes, edited in place with pdfium: the glyphs of two
adjacent digits of one amount swap places (one amount changes, nothing else on the page
moves) and the pages of one table are dropped."""

from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as raw


def _text(glyph: pdfium.PdfObject, textpage: pdfium.PdfTextPage) -> str:
    size = raw.FPDFTextObj_GetText(glyph.raw, textpage.raw, None, 0)
    buffer = (ctypes.c_ushort * size)()
    raw.FPDFTextObj_GetText(glyph.raw, textpage.raw, buffer, size)
    return bytes(buffer).decode("utf-16-le").rstrip("\x00").strip()


def _runs(page: pdfium.PdfPage) -> list[list[tuple]]:
    """The page's text objects as runs along a line (one glyph per object in these PDFs)."""
    textpage = page.get_textpage()
    glyphs = [(o, _text(o, textpage), o.get_bounds()) for o in page.get_objects()
              if o.type == raw.FPDF_PAGEOBJ_TEXT]
    glyphs = sorted((g for g in glyphs if g[1]), key=lambda g: (-round(g[2][1]), g[2][0]))
    runs: list[list[tuple]] = [[]]
    for glyph in glyphs:
        last = runs[-1][-1] if runs[-1] else None
        if last and (round(glyph[2][1]) != round(last[2][1]) or glyph[2][0] - last[2][2] > 9):
            runs.append([])
        runs[-1].append(glyph)
    return runs


def republish(data: bytes, amount_page: int, drop_pages: list[int]) -> tuple[bytes, str, str]:
    """The PDF with the first amount on `amount_page` that has two different adjacent digits
    changed by swapping its last such pair, and `drop_pages` removed (numbered from 1).
    Returns the new bytes, and the amount as printed before and after."""
    pdf = pdfium.PdfDocument(data)
    page = pdf[amount_page - 1]
    for run in _runs(page):
        text = "".join(g[1] for g in run)
        digits = [g for g in run if g[1].isdigit()]
        pairs = [i for i in range(len(digits) - 1) if digits[i][1] != digits[i + 1][1]]
        if len(digits) >= 5 and all(c.isdigit() or c in ".," for c in text) and pairs:
            first, second = digits[pairs[-1]], digits[pairs[-1] + 1]
            matrix = first[0].get_matrix()
            first[0].set_matrix(second[0].get_matrix())
            second[0].set_matrix(matrix)
            page.gen_content()
            printed = [g[1] for g in run]
            a, b = run.index(first), run.index(second)
            printed[a], printed[b] = printed[b], printed[a]
            break
    else:
        raise ValueError(f"no amount to change on page {amount_page}")
    for number in sorted(drop_pages, reverse=True):
        pdf.del_page(number - 1)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue(), text, "".join(printed)
