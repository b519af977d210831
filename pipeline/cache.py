"""Same bytes, same parser: nothing reruns. A document's extraction is kept on disk under a
key made of its originals' sha256 and a fingerprint of the pipeline's own code and data, so
a rerun on unchanged originals costs a file read, and a parser change reprocesses all.
Rejections are kept the same way: a document that cannot be read is not read again. A whole
run is kept too: a run whose inputs (code, manifest, registry, originals present) and output
files are as the last one left them returns its result without merging or writing anything."""

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
    """sha256 over the pipeline's source and template files."""
    digest = hashlib.sha256()
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


RUN = Path(".cache/run.pickle")


def run_inputs(root: Path, paths: list[Path], originals: list[str]) -> str:
    """sha256 of everything a run's output depends on: the pipeline's code and data, the
    given files (manifest, registry) and which of the archived originals are present."""
    digest = hashlib.sha256(fingerprint().encode())
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        digest.update((root / path).read_bytes() if (root / path).exists() else b"\0absent")
    for original in originals:
        digest.update(f"{original}:{(root / original).exists()}\n".encode())
    return digest.hexdigest()


def _digests(root: Path, paths: list[str]) -> dict[str, str]:
    return {p: hashlib.sha256((root / p).read_bytes()).hexdigest() if (root / p).exists()
            else "" for p in paths}


def load_run(root: Path, inputs: str) -> Any | None:
    """The result of the last run when its inputs were these and every file it wrote is
    still as it wrote it; None otherwise (then the run is done again)."""
    try:
        kept_inputs, outputs, result = pickle.loads((root / RUN).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if kept_inputs != inputs or _digests(root, list(outputs)) != outputs:
        return None
    return result


def save_run(root: Path, inputs: str, outputs: list[str], result: Any) -> None:
    """Keep a run's result with its inputs and the digests of the files it is written in."""
    write_atomic(root / RUN, pickle.dumps((inputs, _digests(root, outputs), result)))
