"""Local files (a journalist's download, a document obtained by request) into a package
folder: identified from their own text, archived, then processed exactly as `run` does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from os.path import commonprefix
from pathlib import Path

from pipeline.archive import archive, load_manifest
from pipeline.errors import ConfigError, DocumentError
from pipeline.extract import MAX_BYTES, PDF, extract, sniff
from pipeline.identify import Identity, identify, publisher_slug
from pipeline.model import Source
from pipeline.revisions import assign_part
from pipeline.run import REGISTRY, RunResult, run
from pipeline.sources import SAFE_ID, load_registry


@dataclass(frozen=True)
class Overrides:
    publisher_id: str = ""
    publisher: str = ""
    fiscal_year: int | None = None
    kind: str = ""
    scope: str = ""
    part: str = ""  # the part the files are revisions of (see pipeline.revisions)


def check(given: Overrides) -> None:
    """ConfigError for an option that cannot be used: a publisher id that is not a safe name
    (it names folders: '../../x' would write outside the package)."""
    if given.publisher_id and not SAFE_ID.fullmatch(given.publisher_id):
        raise ConfigError(f"--publisher-id {given.publisher_id!r}: letters, digits, - _ . ( ) "
                          "only, starting with a letter or digit, no '..'")


def _read(path: Path) -> bytes:
    if path.is_symlink():
        raise DocumentError(str(path), ["a symbolic link: give the file itself"])
    if not path.is_file():
        raise DocumentError(str(path), ["no such file" if not path.exists() else
                                        "not a regular file"])
    if path.stat().st_size > MAX_BYTES:
        raise DocumentError(str(path), [f"{path.stat().st_size} bytes is over the "
                                        f"{MAX_BYTES}-byte limit"])
    return path.read_bytes()


@dataclass(frozen=True)
class _File:
    path: Path
    data: bytes
    who: Identity
    unreadable: str = ""  # why its text could not be read at all (a scan), if so


def _read_identity(path: Path, given: Overrides, registry: dict,
                   archived: dict[str, Source] | None = None) -> _File:
    """A file and who it says published it; a file the archive holds already is not read
    again: its identity is the one recorded when it was archived."""
    data = _read(path)
    known = (archived or {}).get(hashlib.sha256(data).hexdigest())
    if known is not None:
        return _File(path, data, Identity(known.publisher, known.fiscal_year, known.kind,
                                          known.scope, known.identified_from))
    media_type = sniff(data)
    if media_type == PDF:
        from pipeline.extract import pdf

        first = pdf.opening(data, str(path))
        blocks, title = first.blocks, first.title
        unreadable = "" if blocks else pdf.scanned(first.pages)
    else:
        blocks, title, unreadable = extract(data, media_type, str(path)), "", ""
    found = identify(blocks, title, path.stem)
    if blocks and media_type == PDF and not found.publisher:  # a label deeper in (绩效目标表)
        later = pdf.deeper(data, str(path))
        found = _fill(found, identify(blocks + later)) if later else found
    chosen = {f: getattr(given, f) for f in ("publisher", "fiscal_year", "kind", "scope")
              if getattr(given, f)}
    if given.publisher_id and not (given.publisher or found.publisher):
        known = registry.get(given.publisher_id)
        chosen["publisher"] = known.name if known else given.publisher_id
    options = [f"{f}:option" for f in chosen if f != "scope"]
    kept = [p for p in found.found_in.split(", ") if p and p.split(":")[0] not in chosen]
    who = replace(found, **chosen, found_in=", ".join(options + kept))
    return _File(path, data, who, unreadable)


def _fill(found: Identity, more: Identity) -> Identity:
    """`found` with the fields it lacks taken from `more`, and their sources."""
    fields = [f for f in ("publisher", "fiscal_year", "kind", "scope")
              if not getattr(found, f) and getattr(more, f)]
    sources = [p for p in more.found_in.split(", ") if p.split(":")[0] in fields and
               not p.endswith(":text")]  # the years a whole document mentions say little
    fields = [f for f in fields if any(p.startswith(f"{f}:") for p in sources)]
    return replace(found, **{f: getattr(more, f) for f in fields},
                   found_in=", ".join(p for p in [found.found_in, *sources] if p))


def _same_publisher(a: str, b: str) -> bool:
    """One name printed in full and once shortened (中共江苏省委办公厅 / 江苏省委办公厅)."""
    return bool(a and b) and (a in b or b in a)


def _fits(file: _File, anchor: Identity) -> bool:
    who = file.who
    return (not who.publisher or _same_publisher(who.publisher, anchor.publisher)) and \
        who.fiscal_year in (None, anchor.fiscal_year) and who.kind in ("", anchor.kind)


def _kinship(a: Path, b: Path) -> int:
    """How alike two file names are: the length of their common beginning."""
    return len(commonprefix([a.stem, b.stem]))


def group(files: list[_File]) -> tuple[list[list[_File]], dict[str, DocumentError]]:
    """Files grouped into disclosures. A file that names its publisher, year and kind anchors
    a disclosure; one that lacks some of them (a tables-only PDF, a scan) joins the one
    disclosure it fits, or among several the one whose file names are most like its own."""
    anchors: list[tuple[Identity, list[_File]]] = []
    for file in [f for f in files if not f.who.missing()]:
        home = next((a for a in anchors if _fits(file, a[0]) and
                     (file.who.scope or "department") == (a[0].scope or "department")), None)
        if home is None:
            anchors.append((file.who, [file]))
        else:
            home[1].append(file)
    rejected: dict[str, DocumentError] = {}
    for file in [f for f in files if f.who.missing()]:
        kin = [(max(_kinship(file.path, g.path) for g in a[1]), a) for a in anchors
               if _fits(file, a[0])]
        best = max((k for k, _ in kin), default=0)
        fits = [a for k, a in kin if k == best]
        if len(fits) == 1:
            fits[0][1].append(file)
            continue
        reason = file.unreadable or (
            f"cannot tell its {', '.join(file.who.missing())} from the text" +
            (f" nor which of {len(fits)} disclosures given with it it belongs to" if fits
             else "") + "; give them as options (--publisher, --year, --kind) or give the file "
            "together with the one that names its publisher")
        rejected[str(file.path)] = DocumentError(str(file.path), [reason])
    return [sorted(a[1], key=lambda f: f.path.name) for a in anchors], rejected


def _publisher_name(files: list[_File]) -> str:
    """The fullest form of the name the files print."""
    return max((f.who.publisher for f in files if f.who.publisher), key=len, default="")


def _known_id(publisher: str, known: dict[str, str]) -> str:
    """The id of the one publisher known by this name, printed in full or shortened."""
    if publisher in known:
        return known[publisher]
    ids = {i for name, i in known.items() if _same_publisher(name, publisher)}
    return ids.pop() if len(ids) == 1 else ""


def identify_files(paths: list[Path], given: Overrides, registry: dict,
                   archived: list[Source] | None = None
                   ) -> tuple[list[tuple[Path, bytes, Source]], dict[str, DocumentError]]:
    read: list[_File] = []
    rejected: dict[str, DocumentError] = {}
    by_sha = {s.sha256: s for s in archived or [] if s.publisher}
    for path in paths:
        try:
            read.append(_read_identity(path, given, registry, by_sha))
        except DocumentError as error:
            rejected[str(path)] = error
    groups, refused = group(read)
    rejected.update(refused)
    now = _stamp(datetime.now(UTC))
    known = {s.publisher: s.publisher_id for s in archived or [] if s.publisher} | \
        {p.name: p.id for p in registry.values()}
    sources = []
    for files in groups:
        first = next(f.who for f in files if not f.who.missing())
        publisher = _publisher_name(files)
        publisher_id = given.publisher_id or _known_id(publisher, known) or \
            publisher_slug(publisher)
        scope = first.scope or "department"
        what = ("单位" if scope == "unit" else "部门") + \
            ("预算" if first.kind == "budget" else "决算")
        for file in files:
            found_in = file.who.found_in if not file.who.missing() else \
                ", ".join(filter(None, (file.who.found_in, "companion:" + files[0].path.name)))
            sources.append((file.path, file.data, Source(
                "", "", publisher_id, int(first.fiscal_year), first.kind, scope,
                sniff(file.data), 0, f"{publisher}{first.fiscal_year}年{what}",
                f"file:{file.path.name}", now, publisher=publisher, part=file.path.name,
                identified_from=found_in)))
    return sources, rejected


def _after(now: datetime, archived: list[Source]) -> datetime:
    """`now`, or a second after the latest original archived when that is not earlier: files
    given later are later revisions even when two ingests fall in one second."""
    latest = max((s.retrieved_at for s in archived), default="")
    if latest and _stamp(now) <= latest:
        return datetime.strptime(latest, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + \
            timedelta(seconds=1)
    return now


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ingest(paths: list[Path], out: Path, given: Overrides = Overrides(),
           say: Callable[[str], None] = print, jobs: int = 1,
           progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Archive the files into `out` and build its package and reports as `run` does."""
    check(given)
    registry_path = out / REGISTRY
    registry = load_registry(registry_path) if registry_path.exists() else {}
    archived = load_manifest(out)
    sources, rejected = identify_files(paths, given, registry, archived)
    start = _after(datetime.now(UTC), archived)
    for order, (path, data, source) in enumerate(sources):
        # files given later are later revisions; one file is compared with those before it
        source = replace(source, retrieved_at=_stamp(start + timedelta(seconds=order)))
        stored = archive(out, data, assign_part(out, source, data, given.part), revive=True)
        revision = "" if stored.part == path.name else f", a new revision of {stored.part}"
        say(f"ingest {path}: {stored.doc_id} ({stored.path}{revision})")
    result = run(out, fetch=False, say=say, jobs=jobs, progress=progress)
    result.rejected.update(rejected)
    result.asked = {source.doc_id for _, _, source in sources} | set(rejected)
    return result



