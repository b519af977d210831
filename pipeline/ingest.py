"""Local files (a journalist's download, a document obtained by request) into a package
folder: identified from their own text, archived, then processed exactly as `run` does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.archive import archive
from pipeline.errors import DocumentError
from pipeline.extract import MAX_BYTES, PDF, extract, pdf, sniff
from pipeline.identify import Identity, identify
from pipeline.model import Source
from pipeline.run import REGISTRY, RunResult, run
from pipeline.sources import load_registry


@dataclass(frozen=True)
class Overrides:
    publisher_id: str = ""
    publisher: str = ""
    fiscal_year: int | None = None
    kind: str = ""
    scope: str = ""


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise DocumentError(str(path), ["no such file"])
    if path.stat().st_size > MAX_BYTES:
        raise DocumentError(str(path), [f"{path.stat().st_size} bytes is over the "
                                        f"{MAX_BYTES}-byte limit"])
    return path.read_bytes()


def _merge(found: Identity, others: list[Identity], given: Overrides) -> Identity:
    """The document's own reading, overridden by the options, and completed by the other
    files given with it of the same year when they all agree (a disclosure's tables PDF
    need not repeat the publisher its narrative names)."""
    year = given.fiscal_year or found.fiscal_year
    kin = [o for o in others if o.fiscal_year == year]

    def pick(field: str):
        value = getattr(given, field) or getattr(found, field)
        offered = {getattr(o, field) for o in kin if getattr(o, field)}
        return value or (offered.pop() if len(offered) == 1 else None)
    return Identity(pick("publisher") or "", year, pick("kind") or "",
                    pick("scope") or "department")


def identify_files(paths: list[Path], given: Overrides, registry: dict
                   ) -> tuple[list[tuple[Path, bytes, Source]], dict[str, DocumentError]]:
    read: list[tuple[Path, bytes, Identity]] = []
    rejected: dict[str, DocumentError] = {}
    for path in paths:
        try:
            data = _read(path)
            blocks = pdf.opening(data, str(path)) if sniff(data) == PDF else \
                extract(data, sniff(data), str(path))
            read.append((path, data, identify(blocks)))
        except DocumentError as error:
            rejected[str(path)] = error
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sources = []
    for path, data, found in read:
        who = _merge(found, [i for p, _, i in read if p != path], given)
        missing = [f for f in ("publisher", "fiscal_year", "kind") if not getattr(who, f)]
        if missing and not (given.publisher_id and who.fiscal_year and who.kind):
            rejected[str(path)] = DocumentError(str(path), [
                f"cannot tell its {', '.join(missing)} from the text; give them as options"])
            continue
        by_name = {p.name: p.id for p in registry.values()}
        publisher_id = given.publisher_id or by_name.get(who.publisher) or \
            "doc-" + hashlib.sha256(who.publisher.encode()).hexdigest()[:10]
        what = "部门预算" if who.kind == "budget" else "部门决算"
        sources.append((path, data, Source(
            "", "", publisher_id, int(who.fiscal_year), who.kind, who.scope, sniff(data), 0,
            f"{who.publisher}{who.fiscal_year}年{what}", f"file:{path.name}", now,
            publisher=who.publisher, part=path.name)))
    return sources, rejected


def ingest(paths: list[Path], out: Path, given: Overrides = Overrides(),
           say: Callable[[str], None] = print) -> RunResult:
    """Archive the files into `out` and build its package and reports as `run` does."""
    registry_path = out / REGISTRY
    registry = load_registry(registry_path) if registry_path.exists() else {}
    sources, rejected = identify_files(paths, given, registry)
    for path, data, source in sources:
        stored = archive(out, data, source)
        say(f"ingest {path}: {stored.doc_id} ({stored.path})")
    result = run(out, fetch=False, say=say)
    result.rejected.update(rejected)
    return result



