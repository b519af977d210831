"""One extractor per format, all with one signature: (bytes, name) -> ordered Blocks.

The format is decided by the bytes, not by the file name or the server's word: an HTML page
served as .xlsx is read as HTML."""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import zipfile
from collections import OrderedDict
from collections.abc import Callable

from pipeline.errors import DocumentError
from pipeline.model import Block

Extractor = Callable[[bytes, str], list[Block]]

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"
MAX_BYTES = 100 * 1024 * 1024

# the module of pipeline.extract that reads each format, imported when a file needs it: a run
# over PDFs never loads the HTML, DOCX or spreadsheet libraries
EXTRACTORS: dict[str, str] = {TEXT: "text", HTML: "html", DOCX: "docx", XLSX: "xlsx",
                              XLS: "xls", PDF: "pdf"}


def extractor(media_type: str) -> Extractor:
    module = importlib.import_module(f"pipeline.extract.{EXTRACTORS[media_type]}")
    if media_type in (XLSX, XLS, PDF):
        return module.extract
    return lambda data, name: module.extract(data)


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


RECENT = 8  # documents whose blocks are kept in memory: read once, handed to every stage
_recent: OrderedDict[str, tuple[Block, ...]] = OrderedDict()


def extract(data: bytes, media_type: str, name: str) -> list[Block]:
    """The blocks of a document; DocumentError naming it when that is impossible. The same
    bytes read again in this process (a new file's part decided, then the file processed)
    are not read again: the last few documents' blocks are kept by sha256."""
    # the same bytes read under another OCR setting (BUDGETWATCH_OCR) are another reading
    digest = hashlib.sha256(data).hexdigest() + os.environ.get("BUDGETWATCH_OCR", "")
    if digest in _recent:
        _recent.move_to_end(digest)
        return list(_recent[digest])
    blocks = _extract(data, media_type, name)
    _recent[digest] = tuple(blocks)
    if len(_recent) > RECENT:
        _recent.popitem(last=False)
    return blocks


def _extract(data: bytes, media_type: str, name: str) -> list[Block]:
    if len(data) > MAX_BYTES:
        raise DocumentError(name, [f"{len(data)} bytes is over the {MAX_BYTES}-byte limit"])
    if not data.strip():
        raise DocumentError(name, ["the file is empty"])
    actual = sniff(data)
    if actual not in EXTRACTORS:
        said = f" (declared {media_type})" if media_type != actual else ""
        known = ", ".join(sorted(EXTRACTORS))
        raise DocumentError(name, [f"its content is {actual}{said}; no extractor for it "
                                   f"(known: {known})"])
    return extractor(actual)(data, name)
