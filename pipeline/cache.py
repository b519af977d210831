"""Same bytes, same parser: nothing reruns. A document's extraction is kept on disk under a
key made of its originals' sha256 and a fingerprint of the pipeline's own code and data, so
a rerun on unchanged originals costs a file read, and a parser change reprocesses all.
Rejections are kept the same way: a document that cannot be read is not read again."""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path

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
