"""The archive of originals: each kept once by sha256 under data/archive/, with a manifest
row of provenance. Writes are atomic: a temporary file, then a rename."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.model import Source
from pipeline.sources import SAFE_ID

MANIFEST = Path("data/archive/manifest.csv")
EXTENSIONS = {"text/plain": "txt", "application/pdf": "pdf", "text/html": "html",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
              "application/vnd.ms-excel": "xls",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}
COLUMNS = [f.name for f in fields(Source)]
# Originals up to this size are committed with the data; larger ones are kept under
# data/archive/large/, which git ignores (the manifest, with their sha256, is always kept).
LARGE = 5 * 1024 * 1024


def retrieved_now() -> str:
    """The time an original is retrieved (UTC): now, or SOURCE_DATE_EPOCH when it is set, the
    reproducible-builds convention, so that two runs over the same portal give the same
    bytes (a simulation, a rebuild)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers see the old bytes or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_read: dict[Path, tuple[tuple[int, int], list[Source]]] = {}


def load_manifest(root: Path) -> list[Source]:
    """The manifest's rows; read again only when the file changed."""
    path = (root / MANIFEST).resolve()
    if not path.exists():
        return []
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    if path in _read and _read[path][0] == stamp:
        return list(_read[path][1])
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        lacking = [c for c in ("sha256", "path", "publisher_id", "fiscal_year", "kind", "scope",
                               "media_type", "bytes") if c not in (reader.fieldnames or [])]
        if lacking:
            raise ConfigError(f"{MANIFEST}: the header lacks {', '.join(lacking)}")
        sources = [_source(row, reader.line_num) for row in reader]
    _read[path] = (stamp, sources)
    return list(sources)


def _source(row: dict[str, str | None], line: int) -> Source:
    """One manifest row; a row that cannot be read names its line and field."""
    numbers = {}
    for name in ("fiscal_year", "bytes"):
        text = row.get(name) or ""
        if not text.isdigit():
            raise ConfigError(f"{MANIFEST} line {line}: {name} {text!r} is not a whole number; "
                              "correct the row or restore the file from git")
        numbers[name] = int(text)
    if None in row or any(row.get(c) is None for c in COLUMNS if c in row):
        raise ConfigError(f"{MANIFEST} line {line}: the row has the wrong number of fields")
    return Source(**{**{k: v or "" for k, v in row.items() if k in COLUMNS}, **numbers})


def save_manifest(root: Path, sources: list[Source]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for source in sorted(sources, key=lambda s: (s.publisher_id, s.fiscal_year, s.kind,
                                                 s.retrieved_at, s.sha256)):
        writer.writerow(asdict(source))
    write_atomic(root / MANIFEST, out.getvalue().encode("utf-8"))


def archive(root: Path, data: bytes, source: Source, revive: bool = False) -> Source:
    """Keep `data` once under its sha256 and record its provenance; returns the stored Source.
    A forgotten original given again stays forgotten, unless `revive` (ingest, by hand)."""
    if not SAFE_ID.fullmatch(source.publisher_id):  # it names a folder under data/archive
        raise ConfigError(f"publisher id {source.publisher_id!r} is not a safe name; nothing "
                          "was archived")
    digest = hashlib.sha256(data).hexdigest()
    known = {s.sha256: s for s in load_manifest(root)}
    if digest in known:
        if known[digest].forgotten and not revive:
            return known[digest]  # fetched again, still forgotten
        if not (root / known[digest].path).exists():  # a large original a clone lacks
            write_atomic(root / known[digest].path, data)
        if known[digest].forgotten:  # given again by hand: in use again
            known[digest] = replace(known[digest], forgotten="")
            save_manifest(root, list(known.values()))
        return known[digest]
    ext = EXTENSIONS.get(source.media_type, "bin")
    folder = MANIFEST.parent / ("large" if len(data) > LARGE else "") / source.publisher_id
    path = folder / f"{digest}.{ext}"
    write_atomic(root / path, data)
    stored = Source(**{**asdict(source), "sha256": digest, "path": str(path), "bytes": len(data)})
    save_manifest(root, [*known.values(), stored])
    return stored


def current(sources: list[Source]) -> list[list[Source]]:
    """Each document (publisher, year, kind, scope) as the latest revision of each of its
    parts, parts in name order; forgotten originals are not part of any."""
    latest: dict[tuple[str, str], Source] = {}
    for source in sorted((s for s in sources if not s.forgotten),
                         key=lambda s: (s.retrieved_at, s.sha256)):
        latest[(source.doc_id, source.part)] = source
    documents: dict[str, list[Source]] = {}
    for (doc_id, _), source in sorted(latest.items()):
        documents.setdefault(doc_id, []).append(source)
    return [documents[k] for k in sorted(documents)]


def by_document(sources: list[Source]) -> dict[str, list[Source]]:
    """Each document's originals (every revision, the forgotten too), by doc id: what
    `previous_revision` needs of the manifest for that document."""
    documents: dict[str, list[Source]] = {}
    for source in sources:
        documents.setdefault(source.doc_id, []).append(source)
    return documents


def previous_revision(sources: list[Source], document: list[Source]) -> list[Source] | None:
    """The document as it was before its newest original: the revision before the latest of
    its parts, the other parts as they are. None for a document with one revision."""
    newest = max(document, key=lambda s: s.retrieved_at)
    older = [s for s in sources if s.doc_id == newest.doc_id and s.part == newest.part
             and s.retrieved_at < newest.retrieved_at and s.sha256 != newest.sha256
             and not s.forgotten]
    if not older:
        return None
    before = max(older, key=lambda s: s.retrieved_at)
    return [before if s is newest else s for s in document]


def forget(root: Path, target: str) -> list[Source]:
    """Remove the originals of a document (its doc id) or one original (its sha256, or the
    first 12 or more hex digits of it) from use: the files are deleted, their manifest rows
    stay, marked with the time they were forgotten. Returns the originals forgotten."""
    sources = load_manifest(root)
    hexadecimal = len(target) >= 12 and all(c in "0123456789abcdef" for c in target)
    chosen = [s for s in sources if not s.forgotten and (
        s.doc_id == target or (hexadecimal and s.sha256.startswith(target)))]
    if not chosen:
        raise ConfigError(f"{target}: no document id or sha256 of an original in use in "
                          f"{MANIFEST}")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    gone = {s.sha256 for s in chosen}
    save_manifest(root, [replace(s, forgotten=now) if s.sha256 in gone else s
                         for s in sources])
    for source in chosen:
        (root / source.path).unlink(missing_ok=True)
    return chosen
