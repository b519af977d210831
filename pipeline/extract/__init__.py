"""One extractor per format, all with one signature: (bytes, name) -> ordered Blocks.

The format is decided by the bytes, not by the file name or the server's word: an HTML page
served as .xlsx is read as HTML."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from pipeline.errors import DocumentError
from pipeline.extract import docx, html, pdf, text, xls, xlsx
from pipeline.model import Block

Extractor = Callable[[bytes, str], list[Block]]

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"
MAX_BYTES = 100 * 1024 * 1024

EXTRACTORS: dict[str, Extractor] = {
    TEXT: lambda data, name: text.extract(data),
    HTML: lambda data, name: html.extract(data),
    DOCX: lambda data, name: docx.extract(data),
    XLSX: xlsx.extract,
    XLS: xls.extract,
    PDF: pdf.extract,
}


def sniff(data: bytes) -> str:
    """The media type the bytes are, whatever their name says."""
    if data.startswith(b"%PDF"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "application/zip"
        if "word/document.xml" in names:
            return DOCX
        return XLSX if "xl/workbook.xml" in names else "application/zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return XLS if "Workbook".encode("utf-16-le") in data or b"Book" in data[:4096] \
            else "application/msword"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<head", b"<meta")):
        return HTML
    if b"\x00" in data[:4096]:
        return "application/octet-stream"
    return TEXT


def extract(data: bytes, media_type: str, name: str) -> list[Block]:
    """Extract the blocks of a document; raise DocumentError naming it when that is impossible."""
    if len(data) > MAX_BYTES:
        raise DocumentError(name, [f"{len(data)} bytes is over the {MAX_BYTES}-byte limit"])
    if not data.strip():
        raise DocumentError(name, ["the file is empty"])
    actual = sniff(data)
    extractor = EXTRACTORS.get(actual)
    if extractor is None:
        said = f" (declared {media_type})" if media_type != actual else ""
        known = ", ".join(sorted(EXTRACTORS))
        raise DocumentError(name, [f"its content is {actual}{said}; no extractor for it "
                                   f"(known: {known})"])
    return extractor(data, name)
