"""Typed values handed from one stage to the next. All frozen: no stage mutates another's data."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table", "notice"]


@dataclass(frozen=True)
class Block:
    """One item of a document's intermediate form: a heading, a paragraph or a table grid.

    Every extractor (text, PDF, spreadsheet, HTML, DOCX) produces an ordered list of these.
    `where` says where the block stands in the original ("line 146", "page 9",
    "sheet 收支总表 row 3"); `row_where` says it for each row of a grid, so that every
    problem can be located by a reader.
    """

    kind: BlockKind
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    level: int = 0
    where: str = ""
    row_where: tuple[str, ...] = ()
    columns_x: tuple[tuple[float, float], ...] = ()  # x extent of each grid column (PDF)
    # on a page read by OCR: every line the engine read there, (text, confidence 0-1, top,
    # bottom in points)
    ocr: tuple[tuple[str, Decimal, float, float], ...] = ()


@dataclass(frozen=True)
class Source:
    """An archived original with its provenance."""

    sha256: str
    path: str  # relative to the project root
    publisher_id: str
    fiscal_year: int
    kind: str  # budget | final_accounts
    scope: str  # department | unit
    media_type: str
    bytes: int
    title: str = ""
    source_url: str = ""
    retrieved_at: str = ""
    etag: str = ""
    last_modified: str = ""
    publisher: str = ""  # the publisher's name as the document or the registry gives it
    region: str = ""
    part: str = ""  # which file of a disclosure published as several (e.g. text, tables)
    identified_from: str = ""  # where publisher, year and kind were read (field:source@place)
    forgotten: str = ""  # when `budgetwatch forget` removed it (UTC); "" for an original in use
    listed_by: str = ""  # the registry entry whose listing linked it; "" when ingested by hand

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.publisher_id, self.fiscal_year, self.kind, self.scope)


def doc_id_for(publisher_id: str, year: int, kind: str, scope: str) -> str:
    suffix = "" if scope == "department" else f"-{scope}"
    return f"{publisher_id}-{year}-{kind}{suffix}"


@dataclass(frozen=True)
class Table:
    """A recognised table: canonical kind, unit, header paths per column and data rows."""

    kind: str
    title: str
    unit: str  # 元 | 万元
    columns: tuple[tuple[str, ...], ...]  # header path per column
    rows: tuple[tuple[str, ...], ...]
    row_where: tuple[str, ...]
    where: str
    columns_x: tuple[tuple[float, float], ...] = ()
    lost: tuple[str, ...] = ()  # lines of the table printed outside its ruling, not read


@dataclass(frozen=True)
class LineItem:
    doc_id: str
    table: str
    side: str
    row_key: str
    measure: str
    code: str
    classification: str
    label: str
    amount_wan: Decimal
    location: str
    read_by: str = "text"  # text (a text layer, sheet or page) | ocr (an image, by OCR)
    confidence: Decimal | None = None  # the OCR engine's, for the line the figure is on


@dataclass(frozen=True)
class Project:
    doc_id: str
    unit_code: str
    unit_name: str
    project: str
    amount_wan: Decimal
    goal: str
    location: str


@dataclass(frozen=True)
class Target:
    doc_id: str
    table: str
    seq: int
    unit_code: str
    project: str
    level1: str
    level2: str
    level3: str
    target: str
    comparator: str
    measure_unit: str
    weight: Decimal | None
    description: str
    scoring: str
    location: str


@dataclass(frozen=True)
class StatedChange:
    doc_id: str
    subject: str
    amount_wan: Decimal | None
    change_wan: Decimal | None
    change_pct: Decimal | None
    compared_to: str
    quote: str
    location: str
    base_wan: Decimal | None = None  # the prior-year figure the sentence states, if any
    read_by: str = "text"  # as LineItem
    confidence: Decimal | None = None


@dataclass(frozen=True)
class Finding:
    doc_id: str
    check: str
    severity: str  # error | warning | rounding (a gap the rounding of the inputs allows)
    table: str
    row_key: str
    measure: str
    expected: Decimal | None
    actual: Decimal | None
    message: str
    location: str = ""


@dataclass(frozen=True)
class CheckRun:
    """One check run on a document, passed or not: what `checks_run` counts."""

    doc_id: str
    seq: int
    check: str
    table: str
    row_key: str
    measure: str
    expected: Decimal | None
    actual: Decimal | None
    result: str  # pass | error | warning | rounding
    location: str


@dataclass(frozen=True)
class Extraction:
    """Everything one document yields: its rows for every resource, and its findings.

    `source` is the document's first file; `sources` all of them, in reading order."""

    source: Source
    publisher: str
    region: str
    title: str
    line_items: tuple[LineItem, ...] = ()
    projects: tuple[Project, ...] = ()
    targets: tuple[Target, ...] = ()
    stated_changes: tuple[StatedChange, ...] = ()
    findings: tuple[Finding, ...] = ()
    checks_run: int = 0
    tables: tuple[str, ...] = field(default=())
    sources: tuple[Source, ...] = field(default=())
    status: str = "complete"  # complete | partial (some table or page could not be read)
    not_read: tuple[str, ...] = ()  # what could not be read, and why, with its place
    listed: tuple[str, ...] = ()  # the tables its 目录 lists, titles as printed
    by_header: tuple[str, ...] = ()  # tables printed without a title, known by their header
    checks: tuple[CheckRun, ...] = ()  # every check run, in order (checks_run of them)
    ocr_pages: tuple[str, ...] = ()  # the pages read by OCR ("page 3", "part1.pdf: page 3")


@dataclass
class FetchResult:
    """What fetching one publisher did: documents new, re-published, unchanged, failed."""

    publisher_id: str
    new: list[str] = field(default_factory=list)
    republished: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    offline: bool = False
    notes: list[str] = field(default_factory=list)  # where a document and the registry differ
