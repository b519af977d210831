"""Runs split over several machines. A shard is a stable share of the registry's entries (by
hash of the entry id) and of the publishers whose documents those entries listed, so that a
publisher's documents are always fetched and processed by the same shard; every comparison
is within one publisher, so a shard's rows are the rows a single run would make for them.

`run --shard K/N --partial DIR` leaves in DIR what the shard changed; `merge DIR…` puts the
partial results together into the package (validated, the same bytes as one run over
everything) and records what each shard fetched, and which shards left nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import outcome
from pipeline.archive import MANIFEST, load_manifest, save_manifest
from pipeline.errors import ConfigError
from pipeline.model import FetchResult, Source
from pipeline.schema import DESCRIPTOR, EMPTY

if TYPE_CHECKING:
    from pipeline.run import RunResult

SHARD = "shard.json"
OUTCOME = "outcome.json"  # the shard's record of its run, as `run` keeps it
CHUNK = 20  # publishers' partitions merged, validated and written at a time


@dataclass(frozen=True)
class Shard:
    number: int  # 1 … of
    of: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """'K/N' with 1 ≤ K ≤ N; ConfigError otherwise."""
        number, _, of = text.partition("/")
        if not (number.isdigit() and of.isdigit() and 1 <= int(number) <= int(of)):
            raise ConfigError(f"--shard {text!r}: give K/N with 1 ≤ K ≤ N, e.g. 2/4")
        return cls(int(number), int(of))

    def holds(self, key: str) -> bool:
        """Whether the entry or publisher with this key is this shard's (stable: sha256)."""
        return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % self.of \
            == self.number - 1

    def __str__(self) -> str:
        return f"{self.number}/{self.of}"


def shard_key(rows: list[Source]) -> str:
    """The key a publisher is sharded by: the registry entry that listed its documents (the
    first in id order, when two did), else its own id (a file ingested by hand)."""
    return min((r.listed_by or r.publisher_id for r in rows), default="")


def by_publisher(rows: list[Source]) -> dict[str, list[Source]]:
    grouped: dict[str, list[Source]] = {}
    for row in rows:
        grouped.setdefault(row.publisher_id, []).append(row)
    return grouped


def save_partial(root: Path, out: Path, shard: Shard, result: RunResult,
                 archived_before: set[str]) -> None:
    """What shard `shard` changed, into `out` (emptied first): its manifest rows, the
    originals it archived, the files it wrote or removed, what it made of each publisher it
    processed (for a later run's cache), and what it fetched."""
    if out.exists():
        shutil.rmtree(out)
    (out / "files").mkdir(parents=True)
    mine = [s for s in load_manifest(root) if s.publisher_id in result.publishers
            or (s.listed_by and shard.holds(s.listed_by))]
    save_manifest(out, mine)
    copied = [s.path for s in mine if s.sha256 not in archived_before]
    written = [p for p in result.changed if p != DESCRIPTOR and (root / p).exists()
               and Path(p).stem != EMPTY]  # a package of no publisher: nothing to merge
    from pipeline.cache import RUNS

    kept = [str(RUNS / f"{p}.pickle") for p in result.processed
            if (root / RUNS / f"{p}.pickle").exists()]
    for path in [*copied, *written, *kept]:
        if (root / path).exists():
            (out / "files" / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / path, out / "files" / path)
    outcome.write(out / OUTCOME, outcome.Outcome.of(result), result.rendered)
    record = {"shard": shard.number, "of": shard.of, "publishers": sorted(result.publishers),
              "removed": sorted(result.removed), "files": sorted([*copied, *written, *kept])}
    (out / SHARD).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")


@dataclass
class Partial:
    folder: Path
    shard: Shard
    publishers: list[str]
    removed: list[str]
    files: list[str]
    record: outcome.Outcome  # what the shard fetched and made of its documents

    @classmethod
    def read(cls, folder: Path) -> Partial:
        try:
            record = json.loads((folder / SHARD).read_text(encoding="utf-8"))
            return cls(folder, Shard(record["shard"], record["of"]), record["publishers"],
                       record["removed"], record["files"], outcome.read(folder / OUTCOME))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"{folder}: not a shard's partial result ({error})") from error


def merge_partials(root: Path, folders: list[Path]
                   ) -> tuple[list[Partial], list[int], set[str]]:
    """Put the partial results into `root`: originals and memos copied, manifest rows of the
    shards' publishers replaced by theirs. Returns the partials, the numbers of the shards
    that left none, and the publishers a shard other than their own archived a new original
    for (two registry entries list them), which the merge must process itself."""
    partials = sorted((Partial.read(f) for f in folders), key=lambda p: p.shard.number)
    counts = {p.shard.of for p in partials}
    if len(counts) > 1:
        raise ConfigError("the partial results come from runs split differently: "
                          + ", ".join(f"{p.folder} ({p.shard})" for p in partials))
    numbers = [p.shard.number for p in partials]
    if len(set(numbers)) != len(numbers):
        raise ConfigError("two partial results of the same shard: "
                          + ", ".join(f"{p.folder} ({p.shard})" for p in partials))
    missing = [k for k in range(1, (counts or {0}).pop() + 1) if k not in numbers]
    theirs = {publisher for p in partials for publisher in p.publishers}
    base = load_manifest(root)
    known = {s.sha256 for s in base}
    rows = {s.sha256: s for s in base if s.publisher_id not in theirs}
    foreign = set()
    for partial in partials:  # each publisher's own shard first: its rows win
        for row in load_manifest(partial.folder):
            if row.publisher_id in partial.publishers:
                rows[row.sha256] = row
    for partial in partials:
        for row in load_manifest(partial.folder):
            if row.sha256 not in rows:
                rows[row.sha256] = row
                foreign |= {row.publisher_id} if row.sha256 not in known else set()
        for path in partial.files:
            if path.startswith(str(MANIFEST.parent)) or path.startswith(".cache/"):
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(partial.folder / "files" / path, root / path)
    save_manifest(root, list(rows.values()))
    return partials, missing, foreign


def missing_shard(number: int, of: int) -> FetchResult:
    """How a shard that left no result shows in the health issue."""
    return FetchResult(f"shard {number}/{of}", failed=[
        f"第 {number}/{of} 分片没有留下结果（任务失败或被取消）；其发布者保留上次的数据"])


def merge(root: Path, folders: list[Path]) -> RunResult:
    """The package from the shards' partial results, validated where it changed; the same
    bytes a single run over every publisher writes. Shards that left no result keep their
    publishers' last data and are reported as failed fetches."""
    from pipeline.archive import write_atomic
    from pipeline.errors import DocumentError
    from pipeline.package import publishers_in, write
    from pipeline.run import RunResult
    from pipeline.schema import RESOURCES, partition

    partials, missing, foreign = merge_partials(root, folders)
    files: dict[str, dict[str, Path]] = {}  # publisher -> resource -> its new partition
    for partial in partials:
        for path in partial.files:
            parts = Path(path).parts
            if len(parts) == 3 and parts[0] == "data" and parts[1] in RESOURCES \
                    and Path(path).stem != EMPTY:
                files.setdefault(Path(path).stem, {})[parts[1]] = partial.folder / "files" / path
    removed = {p for partial in partials for p in partial.removed}
    theirs = {p for partial in partials for p in partial.publishers}
    result = RunResult(publishers=theirs, removed=removed)
    present = set(publishers_in(root)) - removed
    publishers = sorted(files)
    for start in range(0, len(publishers), CHUNK):  # a chunk at a time: memory stays bounded
        chunk = publishers[start:start + CHUNK]
        texts = {p: {name: (files[p][name] if name in files[p] else  # or as it was left
                            root / partition(name, p)).read_text(encoding="utf-8")
                     for name in RESOURCES} for p in chunk}
        present |= set(chunk)
        result.changed += write(root, texts, sorted(present))
    result.changed += write(root, {}, sorted(present | theirs))
    for partial in partials:
        for path in partial.files:
            if path.startswith("reports/"):
                data = (partial.folder / "files" / path).read_bytes()
                if not (root / path).exists() or (root / path).read_bytes() != data:
                    write_atomic(root / path, data)
                    result.changed.append(path)
    for partial in partials:
        result.fetched += partial.record.fetched
        result.rejected |= {d: DocumentError(d, problems)
                            for d, problems in partial.record.rejected.items()}
        result.documents += partial.record.documents
    of = partials[0].shard.of if partials else 0
    result.fetched += [missing_shard(number, of) for number in missing]
    if foreign:  # processed by a shard that lacked one of their originals: done again here
        from pipeline.run import REGISTRY, build
        from pipeline.sources import load_registry

        again = build(root, load_registry(root / REGISTRY) if (root / REGISTRY).exists()
                      else {}, only=foreign)
        result.changed += again.changed
        result.extractions, result.comparisons = again.extractions, again.comparisons
        result.documents = [d for d in result.documents if d.publisher_id not in foreign]
        result.documents += again.documents
        theirs_now = {s.doc_id for s in load_manifest(root) if s.publisher_id in foreign}
        result.rejected = {d: e for d, e in result.rejected.items() if d not in theirs_now}
        result.rejected |= again.rejected
    result.changed = list(dict.fromkeys(result.changed))  # the descriptor, once
    return result
