"""The main job: fetch, process every current document, write the package and the reports."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import cache
from pipeline.archive import by_document, current, load_manifest, previous_revision, write_atomic
from pipeline.compare import Change, computed_changes, pairs, revision, year_on_year
from pipeline.errors import OK, PARTIAL, DocumentError, PackageError
from pipeline.model import Extraction, FetchResult, Finding, Source
from pipeline.outcome import DocumentOutcome
from pipeline.package import (
    merge,
    partition_rows,
    publishers_in,
    read_rows,
    records,
    repeated_keys,
    write,
)
from pipeline.report import render, render_json, report_path, summarise
from pipeline.schema import RESOURCES, partition
from pipeline.shards import Shard, by_publisher, shard_key
from pipeline.sources import REGISTRY, Publisher, load_registry

if TYPE_CHECKING:  # fetching (requests, the HTML parser) is imported by the runs that fetch
    from pipeline.fetch import Settings
    from pipeline.fetch.http import Hosts


@dataclass
class Comparisons:
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks_run: int = 0
    # (doc_id, subject, compared_to, location) -> the change the two years' tables give
    computed: dict[tuple[str, str, str, str], Decimal] = field(default_factory=dict)

    def add(self, other: Comparisons) -> None:
        self.changes += other.changes
        self.findings += other.findings
        self.checks_run += other.checks_run
        self.computed.update(other.computed)

    def by_document(self) -> tuple[dict[str, list[Change]], dict[str, list[Finding]]]:
        """The changes to each document and the findings on each, looked up once."""
        changes: dict[str, list[Change]] = {}
        findings: dict[str, list[Finding]] = {}
        for change in self.changes:
            changes.setdefault(change.to_doc, []).append(change)
        for finding in self.findings:
            findings.setdefault(finding.doc_id, []).append(finding)
        return changes, findings


def compare_all(extractions: list[Extraction]) -> Comparisons:
    """Year-on-year changes and stated-against-computed checks for every consecutive pair."""
    result = Comparisons()
    for old, new in pairs(extractions):
        result.changes += year_on_year(old, new)
        findings, computed, restated = computed_changes(old, new)
        result.changes += restated
        result.findings += findings
        result.checks_run += len(computed)
        result.computed.update({(new.source.doc_id, *k): v for k, v in computed.items()})
    return result


# Documents read, compared, merged and written at a time: a run's memory stays that of one
# batch however many documents it reads (an extraction is about a megabyte in memory).
BATCH = 200


@dataclass
class RunResult:
    fetched: list[FetchResult] = field(default_factory=list)
    # the documents read, and their comparisons, when they were one batch at most (a larger
    # run keeps only their outcomes, in `documents`)
    extractions: list[Extraction] = field(default_factory=list)
    rejected: dict[str, DocumentError] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    comparisons: Comparisons = field(default_factory=Comparisons)
    asked: set[str] | None = None  # the documents (and files) a command was asked about
    # every document of the publishers this run answers for: its status, summary and line,
    # read now or as the last run left it
    documents: list[DocumentOutcome] = field(default_factory=list)
    publishers: set[str] = field(default_factory=set)  # the publishers this run answers for
    processed: list[str] = field(default_factory=list)  # those read, compared and merged again
    removed: set[str] = field(default_factory=set)  # those whose partitions it removed
    rendered: dict[str, str] = field(default_factory=dict)  # doc id -> its outcome's JSON

    def exit_status(self) -> int:
        """PARTIAL when a document asked about was rejected or read in part, or a source
        failed; else OK (pipeline.errors)."""
        def mine(key: str) -> bool:
            return self.asked is None or key in self.asked
        partial = [d.doc_id for d in self.documents if d.status == "partial"]
        troubled = [k for k in [*self.rejected, *partial] if mine(k)]
        failed = any(r.failed and not r.offline for r in self.fetched)  # no network is no failure
        return PARTIAL if troubled or failed else OK


def _publisher(publishers: dict[str, Publisher], publisher_id: str) -> Publisher:
    """The registry's entry, or a bare one for documents ingested from outside it."""
    return publishers.get(publisher_id) or Publisher(publisher_id, "", "", (), {}, (), (), ())


def fetch_all(root: Path, publishers: dict[str, Publisher], say: Callable[[str], None] = print,
              years: list[int] | None = None, settings: Settings | None = None,
              hosts: Hosts | None = None) -> list[FetchResult]:
    """Fetch every publisher; one that fails never stops the others. The rate limit and
    robots.txt hold per host for the whole run (`hosts`), not per publisher."""
    from pipeline.fetch import fetch_publisher
    from pipeline.fetch.http import Hosts

    hosts = hosts or Hosts()
    results = [fetch_publisher(root, p, years, settings, hosts=hosts)
               for p in publishers.values()]
    if results and all(r.offline for r in results):
        say("fetch: no network (cannot reach any listing page); using the archive")
        return results
    for r in results:
        say(f"fetch {r.publisher_id}: {len(r.new)} new, {len(r.republished)} re-published, "
            f"{len(r.unchanged)} unchanged, {len(r.failed)} failed"
            + "".join(f"\n  {f}" for f in r.failed)
            + "".join(f"\n  note: {n}" for n in r.notes))
    return results


Progress = Callable[[int, int], None]  # (documents read, documents in all)


def process_all(root: Path, publishers: dict[str, Publisher], jobs: int = 1,
                progress: Progress | None = None,
                documents: list[list[Source]] | None = None) -> RunResult:
    """Every current document (or the `documents` given); a document that cannot be used
    keeps its last good rows. A document with an earlier revision is compared with it, cell
    by cell. Documents the cache does not hold are read by `jobs` processes at once; results
    keep the same order, so the package is the same bytes whatever `jobs` is."""
    result = RunResult()
    manifest = load_manifest(root)
    documents = current(manifest) if documents is None else documents
    revisions = by_document(manifest)
    read = _read_all(root, documents, publishers, jobs, progress or (lambda _done, _all: None))
    for sources, (outcome, value) in zip(documents, read, strict=True):
        if outcome != "read":
            result.rejected[sources[0].doc_id] = value
            continue
        extraction = value
        repeated = repeated_keys(extraction)
        if repeated:  # the document's rows cannot be told apart: it, not the package, fails
            result.rejected[sources[0].doc_id] = DocumentError(
                " + ".join(s.path for s in sources), repeated[:5])
            continue
        result.extractions.append(extraction)
        before = previous_revision(revisions[sources[0].doc_id], sources)
        # an earlier revision that cannot be read leaves nothing to compare with
        with contextlib.suppress(DocumentError):
            if before is not None:
                result.comparisons.changes += revision(processed(root, before, publishers),
                                                       extraction)
    return result


def _read_all(root: Path, documents: list[list[Source]], publishers: dict[str, Publisher],
              jobs: int, progress: Progress) -> list[tuple[str, object]]:
    """("read", Extraction) or ("rejected", DocumentError) per document, in order, whatever
    order the processes finish them in; `progress` is told of each as it is done."""
    work = [(root, sources, publishers) for sources in documents]
    missing = sum(1 for sources in documents if not cache.has(root, _cache_key(
        sources, publishers)))
    if jobs <= 1 or missing < 2:
        done = []
        for item in work:
            done.append(_read_one(*item))
            progress(len(done), len(work))
        return done
    with ProcessPoolExecutor(min(jobs, missing), mp_context=get_context("fork")) as pool:
        futures = {pool.submit(_read_one, *item): index for index, item in enumerate(work)}
        results: dict[int, tuple[str, object]] = {}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            progress(len(results), len(work))
    return [results[index] for index in range(len(work))]


def _read_one(root: Path, sources: list[Source], publishers: dict[str, Publisher]
              ) -> tuple[str, object]:
    try:
        return "read", processed(root, sources, publishers)
    except DocumentError as error:
        return "rejected", error
    except Exception as error:  # a damaged file that breaks a library: this one only
        return "rejected", DocumentError(" + ".join(s.path for s in sources),
                                         [f"could not be read ({type(error).__name__}: "
                                          f"{error})"])


def _cache_key(sources: list[Source], publishers: dict[str, Publisher]) -> str:
    publisher = _publisher(publishers, sources[0].publisher_id)
    return cache.key(sources, publisher.name, publisher.region)


def processed(root: Path, sources: list, publishers: dict[str, Publisher]) -> Extraction:
    """A document's extraction, from the cache when its originals and the parser are known;
    a rejection is kept and raised again the same way."""
    cache_key = _cache_key(sources, publishers)
    kept = cache.load(root, cache_key)
    if isinstance(kept, DocumentError):
        raise kept  # rejected before, with the same originals and parser
    if kept is not None:
        return kept
    missing = [s.path for s in sources if not (root / s.path).exists()]
    if missing:  # not kept: the original may come back (a fetch, a clone with large files)
        raise DocumentError(" + ".join(missing), [
            "the original is missing from the archive (originals over 5 MB are not "
            "committed to git); `budgetwatch fetch` downloads it again"])
    from pipeline.process import process  # the readers: imported when a document is read

    try:
        extraction = process(sources, root, _publisher(publishers, sources[0].publisher_id))
    except DocumentError as error:
        cache.save(root, cache_key, error)
        raise
    cache.save(root, cache_key, extraction)
    return extraction


def run(root: Path, fetch: bool = True, say: Callable[[str], None] = print,
        allow_shrink: bool = False, jobs: int = 1, progress: Progress | None = None,
        shard: Shard | None = None, settings: Settings | None = None) -> RunResult:
    """Fetch (unless told not to), process, write the package if it validates, write reports.
    With a `shard`, only its registry entries are fetched and only its publishers processed;
    the other publishers' partitions are left as they are. A package that would drop most of
    the documents the last one held is not written unless `allow_shrink` (a lost manifest or
    archive must not empty the data)."""
    registry = root / REGISTRY
    publishers = load_registry(registry) if fetch or registry.exists() else {}
    fetched = fetch_all(root, {k: v for k, v in publishers.items()
                               if shard is None or shard.holds(k)}, say,
                         settings=settings) if fetch else []
    result = build(root, publishers, jobs, progress, allow_shrink, shard)
    result.fetched = fetched
    record(root, result)
    return result


def build(root: Path, publishers: dict[str, Publisher], jobs: int = 1,
          progress: Progress | None = None, allow_shrink: bool = False,
          shard: Shard | None = None, only: set[str] | None = None) -> RunResult:
    """The package and reports from the archive, publisher by publisher: a publisher whose
    inputs (code, registry entry, manifest rows, originals present) and files are as the last
    run left them is taken as it is, without reading a document or writing a file; the others
    are processed, compared, merged into their partitions, validated and written, a batch of
    publishers at a time. `only` limits the run to these publishers (the rest are left as
    they are)."""
    manifest = {p: rows for p, rows in by_publisher(load_manifest(root)).items()
                if any(not r.forgotten for r in rows)}  # a publisher all forgotten is gone
    held = set(publishers_in(root))
    if shard is not None:
        manifest = {p: rows for p, rows in manifest.items() if shard.holds(shard_key(rows))}
        held = {p for p in held if p in manifest or shard.holds(p)}
    if only is not None:
        manifest = {p: rows for p, rows in manifest.items() if p in only}
        held &= only
    inputs = {p: cache.publisher_inputs(root, rows, _publisher(publishers, p).name,
                                        _publisher(publishers, p).region)
              for p, rows in manifest.items()}
    kept = {p: k for p in sorted(manifest) if (k := cache.load_publisher(root, p, inputs[p]))}
    dirty = {p: current(manifest[p]) for p in sorted(manifest) if p not in kept}  # documents
    result = RunResult(publishers=set(manifest), processed=list(dirty),
                       removed=held - set(manifest))
    if not allow_shrink:
        refuse_shrink(root, [d for documents in dirty.values() for d in documents], list(dirty),
                      result.removed)
    present = set(publishers_in(root)) - result.removed  # partitions on disk that stay
    batches = _batches(dirty)
    total, done = sum(map(len, dirty.values())), 0
    for batch in batches:
        documents = [d for p in batch for d in dirty[p]]
        told = progress and (lambda d, _all, done=done: progress(done + d, total))
        part = process_all(root, publishers, jobs, told, documents)
        part.comparisons.add(compare_all(part.extractions))
        owner = {sources[0].doc_id: sources[0].publisher_id for sources in documents}
        texts = _partitions(root, batch, part, owner)
        present |= set(batch)
        result.changed += write(root, texts, sorted(present))
        result.changed += write_reports(root, part)
        result.documents += _remember(root, part, batch, inputs, owner, result.rendered)
        result.rejected |= part.rejected
        if len(batches) == 1:  # small enough to keep
            result.extractions, result.comparisons = part.extractions, part.comparisons
        done += len(documents)
    if not batches:  # the descriptor (a publisher removed, a package not yet written)
        result.changed += write(root, {}, sorted(present | set(manifest)))
    for publisher_id in result.removed:
        cache.drop_publisher(root, publisher_id)
    for run in kept.values():
        result.rejected |= run.rejected
        result.documents += run.documents
        result.rendered |= run.rendered
    result.documents.sort(key=lambda d: d.doc_id)
    result.changed = list(dict.fromkeys(result.changed))  # the descriptor, once
    return result


def _batches(dirty: dict[str, list[list[Source]]]) -> list[list[str]]:
    """The publishers to process, in batches of about BATCH documents (a publisher whole)."""
    batches: list[list[str]] = []
    size = BATCH
    for publisher_id, documents in dirty.items():
        if size >= BATCH:
            batches.append([])
            size = 0
        batches[-1].append(publisher_id)
        size += len(documents)
    return batches


def missing_originals(root: Path, publishers: dict[str, Publisher],
                      shard: Shard | None = None) -> list[Source]:
    """The originals a run would need to read (its documents, and their earlier revisions,
    that the extraction cache does not hold) and that this folder lacks: large originals a
    clone does not have (see publish.originals)."""
    manifest = load_manifest(root)
    if shard is not None:
        manifest = [s for rows in by_publisher(manifest).values()
                    if shard.holds(shard_key(rows)) for s in rows]
    wanted, revisions = [], by_document(manifest)
    for document in current(manifest):
        for sources in (document, previous_revision(revisions[document[0].doc_id], document)):
            if sources and not cache.has(root, _cache_key(sources, publishers)):
                wanted += [s for s in sources if not (root / s.path).exists()]
    return sorted({s.sha256: s for s in wanted}.values(), key=lambda s: s.path)


@dataclass
class PublisherRun:
    """What a run made of one publisher, kept for the next run (cache.save_publisher)."""
    rejected: dict[str, DocumentError]
    documents: list[DocumentOutcome]
    rendered: dict[str, str]  # doc id -> its outcome's JSON, for the run's record


def _partitions(root: Path, batch: list[str], part: RunResult, owner: dict[str, str]
                ) -> dict[str, dict[str, str]]:
    """Each processed publisher's CSV text per resource: its fresh documents, the rows
    computed across them, and the last good rows of its documents that could not be used."""
    mine: dict[str, list[Extraction]] = {}
    for extraction in part.extractions:
        mine.setdefault(extraction.source.publisher_id, []).append(extraction)
    changes, findings = part.comparisons.by_document()
    texts = {}
    for publisher_id in batch:
        extractions = mine.get(publisher_id, [])
        ids = [e.source.doc_id for e in extractions]
        kept = read_rows(root, publisher_id, {d for d in part.rejected
                                              if owner.get(d) == publisher_id})
        extra = {"changes": records([c for d in ids for c in changes.get(d, [])]),
                 "findings": records([f for d in ids for f in findings.get(d, [])])}
        texts[publisher_id] = merge(extractions, kept, extra, part.comparisons.computed)
    return texts


def _remember(root: Path, part: RunResult, batch: list[str], inputs: dict[str, str],
              owner: dict[str, str], texts: dict[str, str]) -> list[DocumentOutcome]:
    """Keep what the run made of each publisher it processed, with its files' digests;
    returns the outcomes of its documents (and adds their JSON to `texts`)."""
    from pipeline.outcome import documents_of, rendered

    outcomes = documents_of(part.extractions, part.comparisons)
    texts |= {d.doc_id: rendered(d) for d in outcomes}
    by_publisher: dict[str, list[DocumentOutcome]] = {}
    for document in outcomes:
        by_publisher.setdefault(document.publisher_id, []).append(document)
    for publisher_id in batch:
        documents = by_publisher.get(publisher_id, [])
        outputs = [partition(name, publisher_id) for name in RESOURCES] + [
            path for d in documents for path in (d.report, str(Path(d.report).with_suffix(
                ".json")))]
        rejected = {d: error for d, error in part.rejected.items()
                    if owner.get(d) == publisher_id}
        cache.save_publisher(root, publisher_id, inputs[publisher_id], outputs, PublisherRun(
            rejected, documents, {d.doc_id: texts[d.doc_id] for d in documents}))
    return outcomes


def record(root: Path, result: RunResult) -> None:
    from pipeline import outcome  # it summarises as the reports do: imported once needed

    outcome.save(root, outcome.Outcome.of(result), result.rendered)


def refuse_shrink(root: Path, documents: list[list[Source]], dirty: list[str],
                  removed: set[str]) -> None:
    """PackageError when the new package would drop more than half of the last one's
    documents: those in the partitions to be rewritten or removed that are no current
    document any more (a document that cannot be read now keeps its rows)."""
    def held(publisher_id: str) -> set[str]:
        return {r["doc_id"] for r in partition_rows(root, "documents", publisher_id)}
    before = {d for p in publishers_in(root) for d in held(p)}
    after = {sources[0].doc_id for sources in documents}
    dropped = sorted({d for p in [*dirty, *removed] for d in held(p)} - after)
    if dropped and len(dropped) * 2 > len(before):
        raise PackageError(
            f"the new package would drop {len(dropped)} of the {len(before)} documents the "
            f"last one held ({', '.join(dropped[:5])}{' …' if len(dropped) > 5 else ''}); "
            "nothing was written. Is data/archive/manifest.csv or the archive missing? If "
            "the documents are meant to go, run again with --allow-shrink")


def compared(root: Path, publishers: dict[str, Publisher] | None = None, jobs: int = 1,
             progress: Progress | None = None) -> RunResult:
    """Every current document processed (from the cache where possible) and compared with
    its earlier revision and its publisher's previous year."""
    if publishers is None:
        registry = root / REGISTRY
        publishers = load_registry(registry) if registry.exists() else {}
    result = process_all(root, publishers, jobs, progress)
    result.comparisons.add(compare_all(result.extractions))
    return result


def write_reports(root: Path, result: RunResult) -> list[str]:
    """One Markdown report per document, written where its text changed; returns the paths."""
    changed = []
    changes, findings = result.comparisons.by_document()
    for extraction in result.extractions:
        doc_id = extraction.source.doc_id
        summary = summarise(extraction, changes.get(doc_id, []), findings.get(doc_id, []),
                            result.comparisons.computed)
        markdown = report_path(extraction)
        for path, text in ((markdown, render(summary)), (markdown.with_suffix(".json"),
                                                         render_json(summary))):
            data = text.encode("utf-8")
            if not (root / path).exists() or (root / path).read_bytes() != data:
                write_atomic(root / path, data)
                changed.append(str(path))
    return changed
