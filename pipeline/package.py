"""Write the data package: sorted CSVs under data/, datapackage.json at the root, validated
with frictionless in a staging folder before anything replaces the last good version."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import fields
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.archive import write_atomic
from pipeline.errors import ConfigError, PackageError
from pipeline.model import Extraction
from pipeline.schema import DESCRIPTOR, EMPTY, RESOURCES, package_descriptor, partition

if TYPE_CHECKING:
    from frictionless import Report


def cell(value: Any) -> str:
    """CSV text of a value: Decimals in plain notation, never through float."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def rows_of(extraction: Extraction) -> dict[str, list[dict[str, Any]]]:
    """The rows one document contributes to each resource."""
    source = extraction.source
    files = extraction.sources or (source,)
    document = {
        "doc_id": source.doc_id, "publisher_id": source.publisher_id,
        "publisher": extraction.publisher, "region": extraction.region,
        "fiscal_year": source.fiscal_year, "kind": source.kind, "scope": source.scope,
        "title": extraction.title, "source_url": " ".join(s.source_url for s in files),
        "retrieved_at": max(s.retrieved_at for s in files),
        "sha256": " ".join(s.sha256 for s in files),
        "media_type": " ".join(s.media_type for s in files),
        "archive_path": " ".join(s.path for s in files),
        "tables": " ".join(extraction.tables), "checks_run": extraction.checks_run,
        "status": extraction.status, "not_read": "；".join(extraction.not_read),
        "tables_listed": "；".join(extraction.listed),
        "tables_by_header": " ".join(extraction.by_header),
        "ocr_pages": " ".join(extraction.ocr_pages),
        "identified_from": "；".join(dict.fromkeys(s.identified_from for s in files
                                                    if s.identified_from)),
    }
    return {
        "documents": [document],
        "line_items": records(extraction.line_items),
        "projects": records(extraction.projects),
        "performance_targets": records(extraction.targets),
        "stated_changes": records(extraction.stated_changes),
        "findings": records(extraction.findings),
        "checks": records(extraction.checks),
    }


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def records(rows: tuple | list) -> list[dict[str, Any]]:
    """Rows (flat dataclasses: every field a scalar) as dicts, field by field: what
    dataclasses.asdict gives them, without its deep copy."""
    return [{name: getattr(row, name) for name in _field_names(type(row))} for row in rows]


def unique_keys(name: str, rows: list[list[str]], fields: list[str]) -> list[list[str]]:
    """Rows whose primary keys are all distinct: a row repeated whole is kept once, and two
    different rows under one key (two sentences on one subject on one page) are told apart
    by numbering the later ones' location ('page 5 #2'), so a package never fails on them."""
    _, _, key, _ = RESOURCES[name]
    positions = [fields.index(k) for k in key]
    seen: dict[tuple[str, ...], int] = {}
    whole: set[tuple[str, ...]] = set()
    out = []
    for row in rows:
        if tuple(row) in whole:
            continue
        whole.add(tuple(row))
        ident = tuple(row[i] for i in positions)
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1 and "location" in fields:
            row = list(row)
            row[fields.index("location")] += f" #{seen[ident]}"
        out.append(row)
    return out


def repeated_keys(extraction: Extraction) -> list[str]:
    """Keys a document's own rows repeat with different content even after `unique_keys`
    (a damaged file can print one project twice): that document's problem, never the
    package's. One line per resource and key."""
    problems = []
    for name, rows in rows_of(extraction).items():
        _, _, key, columns = RESOURCES[name]
        fields = [c[0] for c in columns]
        positions = [fields.index(k) for k in key]
        seen: set[tuple[str, ...]] = set()
        for row in unique_keys(name, [[cell(r.get(f)) for f in fields] for r in rows], fields):
            ident = tuple(row[i] for i in positions)
            if ident in seen:
                problems.append(f"{name}: the key {' / '.join(ident)} is given to two rows")
            seen.add(ident)
    return problems


def csv_text(name: str, rows: list[dict[str, Any]]) -> str:
    """Rows as CSV, sorted by the primary key, columns in schema order, LF line ends."""
    _, _, key, columns = RESOURCES[name]
    fields = [c[0] for c in columns]
    text_rows = unique_keys(name, [[cell(row.get(f)) for f in fields] for row in rows], fields)
    positions = [fields.index(k) for k in key]
    text_rows.sort(key=lambda r: [_sort_key(r[i]) for i in positions])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows(text_rows)
    return out.getvalue()


def _sort_key(text: str) -> tuple[int, str]:
    return (0, f"{int(text):012d}") if text.isdigit() else (1, text)


def merge(extractions: list[Extraction], kept: dict[str, list[dict[str, str]]],
          extra: dict[str, list[dict[str, Any]]] | None = None,
          computed: dict[tuple[str, ...], Decimal] | None = None) -> dict[str, str]:
    """CSV text per resource from fresh extractions, rows computed across documents
    (`extra`: changes, cross-document findings; `computed`: the change each stated change
    should be, from the two years' tables) and rows kept from the last package."""
    texts = {}
    contributed = [rows_of(e) for e in extractions]
    for name in RESOURCES:
        rows = [row for rows in contributed for row in rows.get(name, [])]
        if name == "stated_changes":
            rows = [r | {"computed_change_wan": (computed or {}).get(
                (r["doc_id"], r["subject"], r["compared_to"], r["location"]))} for r in rows]
        rows += (extra or {}).get(name, []) + kept.get(name, [])
        texts[name] = csv_text(name, rows)
    return texts


def publishers_in(root: Path) -> list[str]:
    """The publishers whose partitions the package in `root` holds, from its descriptor."""
    path = root / DESCRIPTOR
    if not path.exists():
        return []
    try:
        resources = json.loads(path.read_text(encoding="utf-8"))["resources"]
        paths = next(r["path"] for r in resources if r["name"] == "documents")
    except (ValueError, KeyError, StopIteration, TypeError) as error:
        raise ConfigError(f"{path}: not a Budget Watch descriptor ({error})") from error
    paths = [paths] if isinstance(paths, str) else paths
    return [Path(p).stem for p in paths
            if Path(p).parent == Path("data/documents") and Path(p).stem != EMPTY]


def partition_rows(root: Path, name: str, publisher_id: str) -> list[dict[str, str]]:
    """One publisher's rows of a resource as the package holds them; [] when it has none."""
    path = root / partition(name, publisher_id)
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_rows(root: Path, publisher_id: str, doc_ids: set[str]) -> dict[str, list[dict[str, str]]]:
    """Rows of the current package that belong to the given documents of one publisher (to
    keep them)."""
    kept: dict[str, list[dict[str, str]]] = {}
    for name in RESOURCES:
        if doc_ids:
            kept[name] = [r for r in partition_rows(root, name, publisher_id)
                          if r.get("doc_id", r.get("to_doc")) in doc_ids]
    return kept


def resource_rows(root: Path, name: str) -> list[dict[str, str]]:
    """A resource's rows as the package holds them (text), every partition in order;
    ConfigError when the folder holds no package."""
    if not (root / DESCRIPTOR).exists():
        raise ConfigError(f"{root / DESCRIPTOR}: no data package here (run `budgetwatch run` "
                          "first)")
    rows = []
    for publisher_id in publishers_in(root):
        path = root / partition(name, publisher_id)
        if not path.exists():
            raise ConfigError(f"{path}: a partition the descriptor lists is missing")
        rows += partition_rows(root, name, publisher_id)
    return rows


def resource_text(root: Path, name: str) -> str:
    """A resource's CSV text over all its partitions: the header once, then each
    partition's rows in the descriptor's order."""
    texts = [(root / partition(name, p)).read_text(encoding="utf-8")
             for p in publishers_in(root) or [EMPTY]]
    return texts[0] + "".join(t.split("\n", 1)[1] for t in texts[1:])


def validate(descriptor: Path) -> Report:
    from frictionless import Package  # a third of a second to import: only when validating

    return Package(str(descriptor)).validate()


def report_errors(report: Report, limit: int = 20) -> list[str]:
    lines = []
    for task in report.tasks:
        for error in task.errors[:limit]:
            lines.append(f"{task.name}: {error.message}")
    lines += [f"package: {e.message}" for e in report.errors[:limit]]
    return lines


def dangling(texts: dict[str, str]) -> list[str]:
    """`changes.from_doc` values that name no document: a foreign key frictionless cannot
    state, since a replaced revision is `doc_id@sha12` of a document in `documents`."""
    def column(name: str, field: str) -> set[str]:
        return {row[field] for row in csv.DictReader(io.StringIO(texts.get(name, "")))}
    known = column("documents", "doc_id")
    return sorted(d for d in column("changes", "from_doc") if d.split("@")[0] not in known)


def write(root: Path, texts: dict[str, dict[str, str]], publishers: list[str]) -> list[str]:
    """Write the partitions of the publishers in `texts` (resource -> CSV text each) and the
    descriptor of a package holding `publishers`; partitions of publishers no longer held are
    removed. Only what changed is touched, and only the changed publishers' partitions are
    validated (as a package of their own: every key names its document, every document is in
    its publisher's partition, so nothing they must agree with lies elsewhere). Returns the
    paths written or removed.

    Raises PackageError (and leaves the package as it was) when validation fails."""
    if not publishers:
        publishers, texts = [EMPTY], {EMPTY: merge([], {})}
    descriptor = json.dumps(package_descriptor([p for p in publishers if p != EMPTY]),
                            ensure_ascii=False, indent=2) + "\n"
    files = {partition(n, p): text for p, resources in texts.items()
             for n, text in resources.items()} | {DESCRIPTOR: descriptor}
    changed: dict[str, bytes | None] = {
        path: text.encode("utf-8") for path, text in files.items()
        if not (root / path).exists() or (root / path).read_bytes() != text.encode()}
    held = set(publishers)
    gone = [partition(n, p) for p in [*publishers_in(root), EMPTY] if p not in held
            for n in RESOURCES] + [f"data/{n}.csv" for n in RESOURCES]  # before partitions
    changed |= {path: None for path in gone if (root / path).exists()}
    if not changed:
        return []
    touched = sorted(p for p in texts if any(partition(n, p) in changed for n in RESOURCES))
    for publisher_id in touched:
        if dangling(texts[publisher_id]):
            raise PackageError("the data package did not validate; nothing was written:\n  "
                               "changes.from_doc names no document: "
                               + ", ".join(dangling(texts[publisher_id])))
    if touched:
        _validate_partitions(touched, texts)
    replace_together(root, changed)
    return sorted(changed, key=lambda path: (path == DESCRIPTOR, path))


def _validate_partitions(publishers: list[str], texts: dict[str, dict[str, str]]) -> None:
    """Validate these publishers' partitions as a package of their own, in a staging folder."""
    staging = Path(tempfile.mkdtemp(prefix="budgetwatch-package-"))
    try:
        descriptor = package_descriptor([p for p in publishers if p != EMPTY])
        (staging / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False),
                                          encoding="utf-8")
        for publisher_id in publishers:
            for name in RESOURCES:
                path = staging / partition(name, publisher_id)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(texts[publisher_id].get(name, ""), encoding="utf-8")
        report = validate(staging / DESCRIPTOR)
        if not report.valid:
            raise PackageError("the data package did not validate; nothing was written:\n  "
                               + "\n  ".join(report_errors(report)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


JOURNAL = Path(".cache/package-journal.json")
_NEW = ".new-"  # a file's next version waits beside it as .<name>.new-<generation>
# what archive.write_atomic leaves when killed: .<name>.<8 characters of tempfile.mkstemp>
_TEMPORARY = re.compile(r"\.[^/]+\.(?:csv|json|md|txt|pdf|xlsx|xls|html|docx|bin)\.\w{8}")


def replace_together(root: Path, files: dict[str, bytes | None]) -> None:
    """Replace (or, for None, remove) several files as one unit: each new version is written
    in full beside its file, then a journal naming them all is written, then each is renamed
    into place or removed, then the journal is removed. A run killed after the journal was
    written is completed by `recover` (every command that writes calls it first); one killed
    before leaves the old files, and temporaries that `recover` removes."""
    if not files:
        return
    generation = f"{os.getpid()}-{time.time_ns()}"
    moves = []
    for path, data in files.items():
        if data is None:
            moves.append([None, path])
            continue
        target = root / path
        waiting = target.with_name(f".{target.name}{_NEW}{generation}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(waiting, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        moves.append([str(waiting.relative_to(root)), path])
    write_atomic(root / JOURNAL, json.dumps(moves, ensure_ascii=False).encode("utf-8"))
    _complete(root)


def _complete(root: Path) -> None:
    for waiting, path in json.loads((root / JOURNAL).read_text(encoding="utf-8")):
        if waiting is None:
            (root / path).unlink(missing_ok=True)
        elif (root / waiting).exists():
            os.replace(root / waiting, root / path)
    (root / JOURNAL).unlink()


def recover(root: Path) -> list[str]:
    """Finish a package write that was interrupted after its journal, and remove what an
    interrupted write or archive left behind (temporaries of the package, the manifest and
    the reports). Returns what it did, one line each."""
    done = []
    if (root / JOURNAL).exists():
        _complete(root)
        done.append("package: completed a write that was interrupted")
    folders = [root, root / "data", root / "reports", *(root / "data").glob("archive/**/"),
               *(root / "data").glob("*/"),
               *(root / "reports").glob("*/")]
    for folder in folders:
        for stale in folder.glob(".*"):
            if stale.is_file() and (_NEW in stale.name or _TEMPORARY.fullmatch(stale.name)):
                stale.unlink()
                done.append(f"removed the temporary {stale.relative_to(root)}")
    return done
