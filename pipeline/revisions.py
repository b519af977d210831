"""Parts and revisions of one disclosure. Files of one document (same publisher, year, kind,
scope) are parts only when they hold different things (the narrative, the tables, an annex
of performance tables); a file that holds what a part already holds is that part published
again: a new revision, which replaces it and is compared with it cell by cell. The manifest's
`part` column records the decision: files with the same `part` are revisions of each other,
so a user who disagrees gives the part explicitly (`ingest --part`)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from pipeline.archive import current, load_manifest
from pipeline.errors import DocumentError
from pipeline.extract import extract
from pipeline.model import Source
from pipeline.normalise import narrative
from pipeline.recognise import recognise_all

NARRATIVE = "narrative"


def holdings(data: bytes, media_type: str, name: str) -> frozenset[str] | None:
    """What a file holds: the standard tables it prints (read or not) and `narrative` when
    its text states figures; None when it cannot be read at all (corrupt, or a scan)."""
    try:
        blocks = extract(data, media_type, name)
    except DocumentError:
        return None
    found, _, broken = recognise_all(blocks, name)
    held = {t.kind for t in found} | {kind for kind, _, _ in broken}
    if narrative.figures(blocks):
        held.add(NARRATIVE)
    return frozenset(held) if blocks else None


def same_part(old: frozenset[str] | None, new: frozenset[str] | None) -> bool:
    """Whether `new` is `old` published again: it replaces a file that could not be read;
    two narratives without tables are one narrative; otherwise more than half of the larger
    file's tables are in both (a corrected file may add or drop a table)."""
    if old is None:
        return True
    if new is None:
        return False
    tables = [h - {NARRATIVE} for h in (old, new)]
    if not any(tables):
        return NARRATIVE in old and NARRATIVE in new
    return len(tables[0] & tables[1]) * 2 > max(len(t) for t in tables)


def assign_part(root: Path, source: Source, data: bytes, given: str = "") -> Source:
    """`source` with its `part`: the part given; else the current part of its document that
    it publishes again (it becomes that part's new revision); else a part of its own."""
    if given:
        return replace(source, part=given)
    manifest = load_manifest(root)
    if hashlib.sha256(data).hexdigest() in {s.sha256 for s in manifest}:
        return source  # archived already: nothing new
    document = next((d for d in current(manifest) if d[0].doc_id == source.doc_id),
                    [])
    if not document or any(s.part == source.part for s in document):
        return source  # a new document, or a file that keeps its part's name (same URL)
    held = holdings(data, source.media_type, source.part or source.source_url)
    for part in document:
        before = holdings((root / part.path).read_bytes(), part.media_type, part.path)
        if same_part(before, held):
            return replace(source, part=part.part)
    return source
