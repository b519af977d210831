"""One archived original through extract, recognise, normalise and check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pipeline import check, confirm, contents
from pipeline.errors import DocumentError
from pipeline.extract import extract, pdf
from pipeline.model import Block, Extraction, Finding, LineItem, Source, Table
from pipeline.normalise import columns, narrative, parts, performance, tables
from pipeline.recognise import BY_HEADER, recognise_all, table_layout, templates
from pipeline.sources import Publisher
from pipeline.wording import column, row, table_title


def read_blocks(sources: list[Source], root: Path) -> list[Block]:
    """The blocks of every file of a document, in reading order. In a document of several
    files, a file that cannot be read at all (a scan) becomes a notice; the others are read."""
    blocks: list[Block] = []
    for source in sources:  # run.processed has said which originals are missing
        data = (root / source.path).read_bytes()
        try:
            found = extract(data, source.media_type, source.path)
        except DocumentError as error:
            if len(sources) == 1:
                raise
            found = [Block("notice", text="；".join(error.problems), where="page 1")]
        blocks += [_located(b, source, len(sources)) for b in found]
    return blocks


def _located(block: Block, source: Source, parts: int) -> Block:
    """In a document of several files, places name the file too."""
    if parts == 1:
        return block
    prefix = f"{source.part or Path(source.path).name}: "
    return replace(block, where=prefix + block.where,
                   row_where=tuple(prefix + w for w in block.row_where))


def _printed_twice(doc_id: str, known: LineItem, item: LineItem) -> Finding:
    """One line and column of a table printed twice with different amounts."""
    return Finding(doc_id, "duplicate_row", "error", item.table, item.row_key, item.measure,
                   known.amount_wan, item.amount_wan,
                   f"{table_title(item.table)}{row(item, item.row_key)}行“{column(item.measure)}”栏"
                   f"印了两次，金额不同：{known.amount_wan}（{known.location}）与 "
                   f"{item.amount_wan}（{item.location}）", item.location)


def _unread(doc_id: str, kind: str, where: str, reason: str) -> Finding:
    """A table, or part of one, that could not be read: reported, never guessed."""
    return Finding(doc_id, "unread_table", "warning", kind, "", "", None, None,
                   f"{table_title(kind)}未能读取：{reason}", where)


def _table_rows(doc_id: str, table: Table, read: confirm.Read
                ) -> tuple[list[LineItem], list[Finding], list, list]:
    """Line items, findings, projects and targets of one table. A table with an amount that
    cannot be placed yields no rows and a finding naming the first such place; on a page read
    by OCR an amount that is not a number is that cell's problem alone (`ocr_unconfirmed`)."""
    if table_layout(table.kind) == "performance":
        parsed = performance.parse(doc_id, table)
        return (list(parsed.items.values()), list(parsed.conflicts),
                list(parsed.projects.values()), list(parsed.targets))
    by_ocr = any(where in read for where in table.row_where)
    unreadable: list[str] = []
    rows, problems = tables.line_items(doc_id, table, unreadable if by_ocr else None)
    if problems:
        more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        return [], [_unread(doc_id, table.kind, table.where, problems[0] + more)], [], []
    return rows, [confirm.misread_cell(doc_id, table.kind, text) for text in unreadable], [], []


def process(sources: Source | list[Source], root: Path, publisher: Publisher) -> Extraction:
    """Rows and findings of one document (one file or several). A table that cannot be read
    is a finding and the rest is kept (status `partial`); DocumentError only when nothing
    standard can be read."""
    sources = [sources] if isinstance(sources, Source) else sources
    return from_blocks(read_blocks(sources, root), sources, publisher)


def from_blocks(blocks: list[Block], sources: list[Source], publisher: Publisher) -> Extraction:
    """`process` of the blocks read from the document's files."""
    source = sources[0]
    name = " + ".join(s.path for s in sources)
    doc_id = source.doc_id
    notices = [Finding(doc_id, "extraction", "warning", "", "", "", None, None,
                       f"{name}: {b.text}", b.where) for b in blocks if b.kind == "notice"]
    ocr_read = confirm.read_by_ocr(blocks)
    found, skipped, broken = recognise_all(blocks, name)
    if not found:
        raise DocumentError(name, ["no standard table found: not a budget disclosure, or "
                                   "an unknown template"])
    notices += [Finding(doc_id, "extraction", "warning", "", "", "", None, None,
                        f"{where} 的表格不是本项目读取的标准表，未读取",
                        where) for where in skipped]
    unread = [_unread(doc_id, kind, where, reason) for kind, where, reason in broken]
    unread += _missing_tables(doc_id, found, publisher)
    items: dict[tuple[str, str, str, str], LineItem] = {}
    findings: list[Finding] = list(notices)
    projects_of: dict[str, list] = {}
    targets, read = [], []
    for table in found:
        rows, table_findings, table_projects, table_targets = _table_rows(doc_id, table,
                                                                          ocr_read)
        if any(f.check == "unread_table" for f in table_findings):
            unread += table_findings
            continue
        unread += [f for f in table_findings if f.check == "ocr_unconfirmed"]
        table_findings = [f for f in table_findings if f.check != "ocr_unconfirmed"]
        read.append(table)
        findings += table_findings
        projects_of.setdefault(table.kind, []).extend(table_projects)
        targets += table_targets
        for item in rows:
            key = (item.table, item.side, item.row_key, item.measure)
            known = items.setdefault(key, item)
            if known.amount_wan != item.amount_wan:
                findings.append(_printed_twice(doc_id, known, item))
    changes, figures = narrative.stated_changes(doc_id, blocks), narrative.figures(blocks)
    projects = [p for ps in projects_of.values() for p in ps]

    listed, executed = parts.listed_parts(blocks), parts.executions(blocks)

    def checks() -> check.Checker:
        return check.audit(doc_id, list(items.values()), projects, targets, figures, changes,
                           source.kind, *_printed_columns(read), listed, executed)
    checker = checks()
    misread = _misread(items, findings + checker.findings)
    if misread:
        unread += [_unread(doc_id, t.kind, t.where, misread[t.kind]) for t in read
                   if t.kind in misread]
        read = [t for t in read if t.kind not in misread]
        items = {k: v for k, v in items.items() if v.table not in misread}
        findings = [f for f in findings if f.table not in misread]
        projects = [p for kind, ps in projects_of.items() if kind not in misread for p in ps]
        targets = [t for t in targets if t.table not in misread]
        checker = checks()
    if not read:
        raise DocumentError(name, [f.message + f"（{f.location}）" for f in unread])
    listed = contents.listed_tables(blocks)
    unread += _listed_not_read(doc_id, listed, {t.kind for t in read} | {f.table for f in unread})
    skipped_listed = [f for f in unread if f.check == "listed_table"]
    scans = tuple(f.message for f in notices if pdf.SCAN in f.message or
                  pdf.UNREAD_SCAN in f.message)
    sure = confirm.confirm(doc_id, list(items.values()), changes, checker, ocr_read)
    return Extraction(source, publisher.name or source.publisher or source.publisher_id,
                      publisher.region or source.region, source.title,
                      tuple(sure.items), tuple(projects), tuple(targets), tuple(sure.changes),
                      tuple(findings + unread + sure.findings), len(sure.checks),
                      tuple(t.kind for t in read),
                      tuple(sources),
                      "partial" if len(unread) > len(skipped_listed) or scans or sure.withheld
                      else "complete",
                      tuple(f"{f.message}（{f.location}）" for f in unread) + scans +
                      tuple(sure.withheld),
                      tuple(title for title, _ in listed),
                      tuple(t.kind for t in read if t.title == BY_HEADER), tuple(sure.checks),
                      _pages(b.where for b in blocks if b.ocr))


def _pages(places: Iterable[str]) -> tuple[str, ...]:
    """Pages as runs, per file: 'page 1-8', 'part1.pdf: page 3 5-6'."""
    numbers: dict[str, list[int]] = {}
    for place in places:
        file, _, page = place.rpartition("page ")
        if page.isdigit() and int(page) not in numbers.setdefault(file, []):
            numbers[file].append(int(page))
    out = []
    for file, pages in numbers.items():
        runs: list[list[int]] = []
        for page in sorted(pages):
            if runs and page == runs[-1][-1] + 1:
                runs[-1].append(page)
            else:
                runs.append([page])
        out.append(file + "page " + " ".join(
            f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs))
    return tuple(out)


_INTERNAL = {"column_identity", "sum_of_parts", "duplicate_row"}


def _misread(items: dict, findings: list[Finding]) -> dict[str, str]:
    """Tables whose figures, as read, break the table's own arithmetic on many rows: their
    columns or rows were not understood, so none of their figures is published. A document's
    genuine mistakes touch a few rows; a misread layout touches most."""
    rows: dict[str, set[str]] = {}
    for table, _, key, _ in items:
        rows.setdefault(table, set()).add(key)
    failed: dict[str, set[str]] = {}
    for f in findings:
        if f.severity == "error" and f.check in _INTERNAL and f.table in rows:
            failed.setdefault(f.table, set()).add(f.row_key)
    return {table: f"读出的 {len(keys)} 行（共 {len(rows[table])} 行）与本表合计、栏目关系不符，"
                   "表格结构未能确认" for table, keys in failed.items()
            if len(keys) >= 3 and len(keys) * 10 > len(rows[table]) * 3}


def _listed_not_read(doc_id: str, listed: list[tuple[str, str]], seen: set[str]
                     ) -> list[Finding]:
    """A table the 目录 lists that was not read: a standard table not found is `unread_table`
    (the document is partial); a table the project does not read yet is `listed_table`."""
    out = []
    for title, kind in listed:
        if kind and kind not in seen:
            out.append(Finding(doc_id, "unread_table", "warning", kind, "", "", None, None,
                               f"目录所列《{title}》未找到或未能识别", "目录"))
        elif not kind:
            out.append(Finding(doc_id, "listed_table", "warning", "", title, "", None, None,
                               f"目录所列《{title}》不是本项目读取的标准表，未读取", "目录"))
    return out


def _missing_tables(doc_id: str, found: list, publisher: Publisher) -> list[Finding]:
    """Tables the publisher's template prints that this document lacks."""
    template = templates()["templates"].get(publisher.template, {})
    kinds = {t.kind for t in found}
    return [Finding(doc_id, "unread_table", "warning", kind, "", "", None, None,
                    f"{templates()['tables'][kind]['title']}未找到：文件不完整，或不是"
                    f"{template['title']}模板", "")
            for kind in template.get("tables", []) if kind not in kinds]


def _printed_columns(found: list) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(table, measure) of every measure column the tables print, blank or not, and of those
    printed under a 其中 head."""
    printed = [(t.kind, c) for t in found if table_layout(t.kind) != "performance"
               for c in columns.layout_columns(t) if c.role == "measure"]
    return ({(kind, c.measure) for kind, c in printed},
            {(kind, c.measure) for kind, c in printed if c.within})
