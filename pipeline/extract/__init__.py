"""One extractor per format, all with one signature: bytes -> ordered list of Blocks."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.errors import DocumentError
from pipeline.extract import text
from pipeline.model import Block

Extractor = Callable[[bytes], list[Block]]

EXTRACTORS: dict[str, Extractor] = {
    "text/plain": text.extract,
}


def extract(data: bytes, media_type: str, name: str) -> list[Block]:
    """Extract the blocks of a document; raise DocumentError naming it when that is impossible."""
    if not data.strip():
        raise DocumentError(name, ["the file is empty"])
    extractor = EXTRACTORS.get(media_type)
    if extractor is None:
        known = ", ".join(sorted(EXTRACTORS))
        raise DocumentError(name, [f"no extractor for media type {media_type!r} (known: {known})"])
    return extractor(data)
