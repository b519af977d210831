"""What a run did, recorded for `publish`: fetch results per publisher, rejected documents,
and each current document's report summary, with the time. `publish` posts from this record
and never runs the pipeline again, so the health issue sees what the fetching run saw."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.archive import write_atomic
from pipeline.compare import Change
from pipeline.errors import ConfigError
from pipeline.model import FetchResult, Finding, StatedChange
from pipeline.report import DocumentSummary, report_path, summarise

if TYPE_CHECKING:
    from pipeline.model import Extraction
    from pipeline.run import Comparisons, RunResult

RECORD = Path(".cache/outcome.json")  # beside the extraction cache; never committed


@dataclass(frozen=True)
class DocumentOutcome:
    doc_id: str
    publisher_id: str
    publisher: str
    fiscal_year: int
    kind: str
    status: str
    amounts: int
    report: str  # the Markdown report's path in the repository
    summary: DocumentSummary
    line: str = ""  # what `run` prints of it


def summary_line(e: Extraction) -> str:
    """What `run` prints of a document it read."""
    errors = sum(1 for f in e.findings if f.severity == "error")
    return (f"{e.source.doc_id}: {len(e.tables)} tables, {len(e.line_items)} amounts, "
            f"{len(e.projects)} projects, {len(e.targets)} indicators, "
            f"{len(e.stated_changes)} stated changes; {e.checks_run} checks, "
            f"{len(e.findings)} findings ({errors} errors) -> {report_path(e)}")


@dataclass
class Outcome:
    finished_at: str
    fetched: list[FetchResult] = field(default_factory=list)
    rejected: dict[str, list[str]] = field(default_factory=dict)  # doc id -> problems
    documents: list[DocumentOutcome] = field(default_factory=list)

    @classmethod
    def of(cls, result: RunResult) -> Outcome:
        return cls(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), list(result.fetched),
                   {d: list(error.problems) for d, error in sorted(result.rejected.items())},
                   sorted(result.documents, key=lambda d: d.doc_id))


def documents_of(extractions: list[Extraction], comparisons: Comparisons
                 ) -> list[DocumentOutcome]:
    """Each document's outcome: its status, amounts, report and summary."""
    documents = []
    changes, findings = comparisons.by_document()
    for e in extractions:
        doc_id = e.source.doc_id
        summary = summarise(e, changes.get(doc_id, []), findings.get(doc_id, []),
                            comparisons.computed)
        documents.append(DocumentOutcome(
            doc_id, e.source.publisher_id, e.publisher, e.source.fiscal_year, e.source.kind,
            e.status, len(e.line_items), str(report_path(e)), summary, summary_line(e)))
    return documents


def _plain(value: object) -> object:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def rendered(document: DocumentOutcome) -> str:
    """A document's outcome as the record holds it (JSON)."""
    return json.dumps(asdict(document), ensure_ascii=False, default=_plain)


def save(root: Path, outcome: Outcome, texts: dict[str, str] | None = None) -> None:
    """Write the record of the run in `root`."""
    write(root / RECORD, outcome, texts)


def write(path: Path, outcome: Outcome, texts: dict[str, str] | None = None) -> None:
    """Write a record to `path`; `texts` holds documents' outcomes rendered already (kept
    from the run that read them, so that a run over thousands of documents does not render
    them all again)."""
    head = {"finished_at": outcome.finished_at, "rejected": outcome.rejected,
            "fetched": [asdict(r) for r in outcome.fetched]}
    parts = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, default=_plain)}"
             for k, v in head.items()]
    documents = [(texts or {}).get(d.doc_id) or rendered(d) for d in outcome.documents]
    parts.append('"documents": [\n' + ",\n".join(documents) + "\n]")
    write_atomic(path, ("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8"))


def load(root: Path) -> Outcome:
    """The last run's record; a ConfigError when there is none or it cannot be read."""
    if not (root / RECORD).exists():
        raise ConfigError(f"{root / RECORD}: no record of a run here; `budgetwatch run` first")
    return read(root / RECORD)


def read(path: Path) -> Outcome:
    """A record written by `write`; a ConfigError when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _build(Outcome, data)
    except (ValueError, TypeError, KeyError) as error:
        raise ConfigError(f"{path}: not a record this version can read ({error}); "
                          "`budgetwatch run` again") from error


def _build(kind: Any, data: Any) -> Any:
    """A dataclass (and the ones inside it) from its JSON form; amounts back to Decimal."""
    hints = typing.get_type_hints(kind, {**globals(), "DocumentSummary": DocumentSummary,
                                         "Change": Change, "Finding": Finding,
                                         "StatedChange": StatedChange})
    return kind(**{f.name: _value(hints[f.name], data[f.name]) for f in fields(kind)
                   if f.name in data})


def _value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if is_dataclass(hint):
        return _build(hint, value)
    if hint is Decimal:
        return Decimal(value)
    if origin in (typing.Union, types.UnionType):
        return _value(next(a for a in args if a is not type(None)), value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v) for v in value)
        return tuple(_value(a, v) for a, v in zip(args, value, strict=True))
    if origin is list:
        return [_value(args[0], v) for v in value]
    if origin is dict:
        return {k: _value(args[1], v) for k, v in value.items()}
    return value
