"""One archived original through extract, recognise, normalise and check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline import check
from pipeline.errors import DocumentError
from pipeline.extract import extract
from pipeline.model import Block, Extraction, Finding, LineItem, Source
from pipeline.normalise import narrative, performance, tables
from pipeline.recognise import recognise_all, templates
from pipeline.sources import Publisher


def read_blocks(sources: list[Source], root: Path) -> list[Block]:
    """The blocks of every file of a document, in reading order."""
    blocks: list[Block] = []
    for source in sources:
        data = (root / source.path).read_bytes()
        blocks += [_located(b, source, len(sources)) for b in
                   extract(data, source.media_type, source.path)]
    return blocks


def _located(block: Block, source: Source, parts: int) -> Block:
    """In a document of several files, places name the file too."""
    if parts == 1:
        return block
    prefix = f"{source.part or Path(source.path).name}: "
    return replace(block, where=prefix + block.where,
                   row_where=tuple(prefix + w for w in block.row_where))


def process(sources: Source | list[Source], root: Path, publisher: Publisher) -> Extraction:
    """Rows and findings of one document (one file or several); DocumentError listing every
    place that is wrong."""
    sources = [sources] if isinstance(sources, Source) else sources
    source = sources[0]
    name = " + ".join(s.path for s in sources)
    blocks = read_blocks(sources, root)
    notices = [Finding(source.doc_id, "extraction", "warning", "", "", "", None, None,
                       f"{name}: {b.text}", b.where) for b in blocks if b.kind == "notice"]
    found, skipped = recognise_all(blocks, name)
    notices += [Finding(source.doc_id, "extraction", "warning", "", "", "", None, None,
                        f"{name}: a table at {where} is not one of the template's tables",
                        where) for where in skipped]
    problems = _missing_tables(found, publisher)
    doc_id = source.doc_id
    items: dict[tuple[str, str, str, str], LineItem] = {}
    findings: list[Finding] = list(notices)
    projects, targets = [], []
    for table in found:
        if templates()["tables"][table.kind]["layout"] == "performance":
            parsed = performance.parse(doc_id, table)
            rows = list(parsed.items.values())
            projects += list(parsed.projects.values())
            targets += parsed.targets
            findings += parsed.conflicts
        else:
            rows, table_problems = tables.line_items(doc_id, table)
            problems += table_problems
        for item in rows:
            key = (item.table, item.side, item.row_key, item.measure)
            known = items.setdefault(key, item)
            if known.amount_wan != item.amount_wan:
                findings.append(Finding(doc_id, "duplicate_row", "error", item.table,
                                        item.row_key, item.measure, known.amount_wan,
                                        item.amount_wan, f"{item.table} prints {item.row_key} "
                                        f"{item.measure} twice: {known.amount_wan} at "
                                        f"{known.location}, {item.amount_wan} at {item.location}",
                                        item.location))
    if problems:
        raise DocumentError(name, problems)
    changes = narrative.stated_changes(doc_id, blocks)
    checked, run = check.check_document(doc_id, list(items.values()), projects, targets,
                                        narrative.figures(blocks), changes, source.kind,
                                        _printed_columns(found))
    return Extraction(source, publisher.name or source.publisher or source.publisher_id,
                      publisher.region or source.region, source.title,
                      tuple(items.values()), tuple(projects), tuple(targets), tuple(changes),
                      tuple(findings + checked), run, tuple(t.kind for t in found),
                      tuple(sources))


def _missing_tables(found: list, publisher: Publisher) -> list[str]:
    """Tables the publisher's template prints that this document lacks."""
    if not found:
        return ["no standard table found: not a budget disclosure, or an unknown template"]
    template = templates()["templates"].get(publisher.template, {})
    kinds = {t.kind for t in found}
    return [f"no {templates()['tables'][kind]['title']} ({kind}) found: the document is "
            f"truncated or not of the {template['title']} template"
            for kind in template.get("tables", []) if kind not in kinds]


def _printed_columns(found: list) -> set[tuple[str, str]]:
    """(table, measure) of every measure column the tables print, blank or not."""
    return {(t.kind, c.measure) for t in found if templates()["tables"][t.kind]["layout"] !=
            "performance" for c in tables.layout_columns(t) if c.role == "measure"}
