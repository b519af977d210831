"""Same bytes, same parser: nothing reruns. A document's extraction is kept on disk under a
key made of its originals' sha256 and a fingerprint of the pipeline's own code and data, so
a rerun on unchanged originals costs a file read, and a parser change reprocesses all.
Rejections are kept the same way: a document that cannot be read is not read again. What a run
made of each publisher is kept too: a publisher whose inputs (code, registry entry, manifest
rows, originals present) and files are as the last run left them is neither read, merged nor
written again."""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.archive import write_atomic
from pipeline.errors import DocumentError
from pipeline.model import Extraction, Source

CACHE = Path(".cache/extractions")


@cache
def fingerprint() -> str:
    """sha256 over the pipeline's source and template files, and how scans are read (the
    OCR engine installed or not, and its setting): installing the extra re-reads them."""
    from pipeline.extract import ocr

    digest = hashlib.sha256(ocr.setting().encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml"):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(sources: list[Source], publisher: str, region: str) -> str:
    parts = [fingerprint(), publisher, region] + [
        f"{s.sha256}:{s.media_type}:{s.doc_id}:{s.path}:{s.title}:{s.source_url}:{s.retrieved_at}"
        for s in sources]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def has(root: Path, cache_key: str) -> bool:
    return (root / CACHE / f"{cache_key}.pickle").exists()


def load(root: Path, cache_key: str) -> Extraction | DocumentError | None:
    """The extraction kept, or the reason the same originals were rejected; None if neither."""
    path = root / CACHE / f"{cache_key}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


def save(root: Path, cache_key: str, extraction: Extraction | DocumentError) -> None:
    """Keep an extraction, or a rejection, so that a rerun reads neither again."""
    write_atomic(root / CACHE / f"{cache_key}.pickle", pickle.dumps(extraction))


RUNS = Path(".cache/publishers")


def publisher_inputs(root: Path, rows: list[Source], name: str, region: str) -> str:
    """sha256 of everything a publisher's partitions and reports depend on: the pipeline's
    code and data, the registry's name and region for it, every manifest row of it (all
    revisions, the forgotten too) and which of its originals are present."""
    digest = hashlib.sha256(f"{fingerprint()}\n{name}\n{region}\n".encode())
    for row in sorted(rows, key=lambda s: (s.sha256, s.retrieved_at, s.path)):
        digest.update(repr(row).encode() + f":{(root / row.path).exists()}\n".encode())
    return digest.hexdigest()


def _stamps(root: Path, paths: list[str]) -> dict[str, tuple[int, int, str]]:
    """(size, mtime in ns, sha256) of each file; ("", 0, 0) for one that is missing."""
    stamps = {}
    for path in paths:
        try:
            stat = (root / path).stat()
            stamps[path] = (stat.st_size, stat.st_mtime_ns,
                            hashlib.sha256((root / path).read_bytes()).hexdigest())
        except OSError:
            stamps[path] = (0, 0, "")
    return stamps


def _unchanged(root: Path, stamps: dict[str, tuple[int, int, str]]) -> bool:
    """Whether every file is as stamped: by size and time where they are the same (a file
    not written since), else by its bytes' sha256 (a fresh checkout of the same bytes)."""
    for path, (size, time, digest) in stamps.items():
        try:
            stat = (root / path).stat()
        except OSError:
            if digest:
                return False
            continue
        if (stat.st_size, stat.st_mtime_ns) == (size, time):
            continue
        if stat.st_size != size or \
                hashlib.sha256((root / path).read_bytes()).hexdigest() != digest:
            return False
    return True


def load_publisher(root: Path, publisher_id: str, inputs: str) -> Any | None:
    """What the last run made of a publisher, when its inputs were these and every file it
    wrote for it is still as it wrote it; None otherwise (then it is done again)."""
    try:
        kept_inputs, outputs, result = pickle.loads(
            (root / RUNS / f"{publisher_id}.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if kept_inputs != inputs or not _unchanged(root, outputs):
        return None
    return result


def save_publisher(root: Path, publisher_id: str, inputs: str, outputs: list[str],
                   result: Any) -> None:
    """Keep what a run made of a publisher, with its inputs and the digests of its files."""
    write_atomic(root / RUNS / f"{publisher_id}.pickle",
                 pickle.dumps((inputs, _stamps(root, outputs), result)))


def drop_publisher(root: Path, publisher_id: str) -> None:
    (root / RUNS / f"{publisher_id}.pickle").unlink(missing_ok=True)
