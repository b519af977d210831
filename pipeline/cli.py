"""The `budgetwatch` command: parses options, calls the library, turns errors into messages."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline import __version__
from pipeline.errors import FAILED, PARTIAL, BudgetWatchError, ConfigError
from pipeline.schema import DESCRIPTOR
from pipeline.sources import REGISTRY

# Each command imports what it uses when it runs: `--help`, `--version` and `validate` start
# without the PDF, spreadsheet, git and diff libraries.
if TYPE_CHECKING:
    from pipeline.compare import Change
    from pipeline.publish.github import GitHub
    from pipeline.run import RunResult


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Project errors become one message on stderr and their exit status (pipeline.errors);
    anything else is an internal failure, exit 3, its traceback shown only when
    BUDGETWATCH_DEBUG is set."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BudgetWatchError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except OSError as error:  # a read-only folder, a full disk: name the file
            if os.environ.get("BUDGETWATCH_DEBUG"):
                raise
            click.echo(f"error: {error.filename or ''}: {error.strerror or error}", err=True)
            sys.exit(FAILED)
        except Exception as error:  # a bug or the machine: one line, and the run fails
            if os.environ.get("BUDGETWATCH_DEBUG"):
                raise
            click.echo(f"error: internal failure ({type(error).__name__}: {error}); set "
                       "BUDGETWATCH_DEBUG=1 for the traceback", err=True)
            sys.exit(FAILED)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="budgetwatch")
def main() -> None:
    """Budget Watch: Chinese budget disclosures as a validated open data package."""


JOBS = click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1,
                    show_default="the machine's cores",
                    help="Documents read at once, by as many processes; the output is the "
                    "same bytes whatever the number.")
ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path),
                    default=".", show_default=True,
                    help="Project folder holding data/ and datapackage.json.")


@main.command("run")
@ROOT
@click.option("--offline", is_flag=True, help="Do not try to fetch; use the archive only.")
@click.option("--commit", is_flag=True, help="Commit the data to git when it changed.")
@click.option("--allow-shrink", is_flag=True, help="Write the package even when it drops most "
              "of the documents the last one held.")
@click.option("--shard", default=None, metavar="K/N",
              help="Fetch and process only the K-th of N stable shares of the registry's "
              "entries and their publishers (by hash of the id).")
@click.option("--partial", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --shard: also leave what the shard changed in this folder, for "
              "`budgetwatch merge`.")
@JOBS
@clean_errors
def run_command(root: Path, offline: bool, commit: bool, allow_shrink: bool, shard: str | None,
                partial: Path | None, jobs: int) -> None:
    """Fetch, extract, check, write the data package (only if it validates) and the reports."""
    from pipeline.archive import load_manifest
    from pipeline.commit import commit_data
    from pipeline.lock import held
    from pipeline.run import run
    from pipeline.shards import Shard, save_partial

    project_folder(root)
    share = Shard.parse(shard) if shard else None
    if partial is not None and share is None:
        raise ConfigError("--partial needs --shard K/N")
    with held(root, "run", click.echo), reading_bar() as progress:
        archived = {s.sha256 for s in load_manifest(root)}
        result = run(root, fetch=not offline, say=click.echo, allow_shrink=allow_shrink,
                     jobs=jobs, progress=progress, shard=share)
        print_summary(result)
        if partial is not None and share is not None:
            save_partial(root, partial, share, result, archived)
            click.echo(f"shard {share}: {len(result.publishers)} publishers, "
                       f"{len(result.processed)} processed; partial result in {partial}")
        if commit:
            sha = commit_data(root, result)
            click.echo(f"commit: {sha[:12]}" if sha else "commit: nothing changed")
    sys.exit(result.exit_status())


@main.command("merge")
@ROOT
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--commit", is_flag=True, help="Commit the data to git when it changed.")
@clean_errors
def merge_command(root: Path, folders: tuple[Path, ...], commit: bool) -> None:
    """Put the shards' partial results (`run --shard K/N --partial DIR`) into the package:
    validated where it changed, the same bytes as one run over everything."""
    from pipeline.commit import commit_data
    from pipeline.lock import held
    from pipeline.run import record
    from pipeline.shards import merge

    project_folder(root)
    with held(root, "merge", click.echo):
        result = merge(root, list(folders))
        record(root, result)
        for fetched in result.fetched:
            for failure in fetched.failed:
                click.echo(f"{fetched.publisher_id}: {failure}", err=True)
        click.echo(f"merge: {len(folders)} partial results; "
                   + (f"{len(result.changed)} files changed" if result.changed
                      else "package unchanged"))
        if commit:
            sha = commit_data(root, result)
            click.echo(f"commit: {sha[:12]}" if sha else "commit: nothing changed")
    sys.exit(result.exit_status())


@contextlib.contextmanager
def reading_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over the documents being read, on a terminal (stderr); none elsewhere,
    and rich is then not imported."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading documents", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def project_folder(root: Path) -> None:
    """ConfigError unless `root` is a project folder: one with a registry, an archive or a
    package (a mistyped --root must not grow an empty package)."""
    marks = (REGISTRY, Path("data/archive/manifest.csv"), Path(DESCRIPTOR))
    if not root.is_dir() or not any((root / mark).exists() for mark in marks):
        raise ConfigError(f"{root}: not a Budget Watch project folder (it has no "
                          f"{', '.join(str(m) for m in marks)}); check --root")


def print_summary(result: RunResult) -> None:
    for document in result.documents:
        click.echo(document.line)
    for doc_id, error in sorted(result.rejected.items()):
        click.echo(f"rejected {doc_id} (its last good rows are kept): {error.document}",
                   err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
    click.echo(f"package: {len(result.changed)} files changed" if result.changed
               else "package: unchanged")
    scans = skipped_scans(result)
    if scans:
        from pipeline.extract import ocr

        click.echo(f"扫描页：{len(scans)} 份文件有没有文字层的页未读取（{ocr.why_not()}）："
                   f"{'、'.join(scans[:3])}{' 等' if len(scans) > 3 else ''}", err=True)


def skipped_scans(result: RunResult) -> list[str]:
    """The documents with pages left unread for want of OCR (none when OCR is on: a page
    read by OCR is not skipped)."""
    from pipeline.extract import ocr, pdf

    if ocr.available():
        return []
    marks = (pdf.SCAN, pdf.UNREAD_SCAN)
    found = [d.doc_id for d in result.documents
             if any(m in text for text in d.summary.not_read for m in marks)]
    found += [doc_id for doc_id, error in result.rejected.items()
              if any(m in problem for problem in error.problems for m in marks)]
    return sorted(set(found))


@main.command("fetch")
@ROOT
@click.option("--source", "sources", multiple=True, help="Publisher id (repeatable); default all.")
@click.option("--year", "years", type=int, multiple=True, help="Fiscal year (repeatable); "
              "default the registry's years.")
@click.option("--shard", default=None, metavar="K/N", help="Only the entries of the K-th of N "
              "shares (as `run --shard`).")
@clean_errors
def fetch_command(root: Path, sources: tuple[str, ...], years: tuple[int, ...],
                  shard: str | None) -> None:
    """Find new and re-published disclosures and archive them; a summary per publisher."""
    from rich.progress import Progress

    from pipeline.fetch.http import Hosts
    from pipeline.lock import held
    from pipeline.run import fetch_all
    from pipeline.sources import load_registry

    publishers = load_registry(root / REGISTRY)
    unknown = [s for s in sources if s not in publishers]
    if unknown:
        raise ConfigError(f"unknown publisher {', '.join(unknown)} (known: "
                               f"{', '.join(sorted(publishers))})")
    from pipeline.shards import Shard

    share = Shard.parse(shard) if shard else None
    chosen = {k: v for k, v in publishers.items() if (not sources or k in sources)
              and (share is None or share.holds(k))}
    with held(root, "fetch", click.echo):
        hosts = Hosts()  # one rate limit and robots.txt per host across publishers
        with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
            task = progress.add_task("fetching", total=len(chosen))
            results = []
            for publisher in chosen.values():
                progress.update(task, description=f"fetching {publisher.id}")
                results += fetch_all(root, {publisher.id: publisher}, lambda _: None,
                                     list(years) or None, hosts=hosts)
                progress.advance(task)
    report_fetch(results)
    if any(r.failed for r in results):
        sys.exit(PARTIAL)


def report_fetch(results: list) -> None:
    if results and all(r.offline for r in results):
        click.echo("fetch: no network (cannot reach any listing page)")
        return
    for r in results:
        click.echo(f"{r.publisher_id}: {len(r.new)} new, {len(r.republished)} re-published, "
                   f"{len(r.unchanged)} unchanged, {len(r.failed)} failed")
        for failure in r.failed:
            click.echo(f"  {failure}")
        for note in r.notes:
            click.echo(f"  note: {note}")


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Package folder to add the documents to.")
@click.option("--publisher-id", default="", help="Publisher id (default: the registry entry "
              "whose name the document gives, else one derived from the name).")
@click.option("--publisher", "publisher_name", default="",
              help="Publisher name, if the document does not say it.")
@click.option("--year", type=int, default=None, help="Fiscal year, if the document does not "
              "say it.")
@click.option("--kind", type=click.Choice(["budget", "final_accounts"]), default=None,
              help="Budget (预算) or final accounts (决算), if the document does not say it.")
@click.option("--scope", type=click.Choice(["department", "unit"]), default=None,
              help="Department (部门) or unit (单位) document.")
@click.option("--part", default="", help="The part the files are: an earlier file's part (see "
              "data/archive/manifest.csv) to make them its new revision, a new name to make "
              "them a new part. Default: decided from what the files hold.")
@JOBS
@clean_errors
def ingest_command(paths: tuple[Path, ...], out: Path, publisher_id: str, publisher_name: str,
                   year: int | None, kind: str | None, scope: str | None, part: str, jobs: int
                   ) -> None:
    """Extract, check and package local files; files of one disclosure become one document."""
    from pipeline.ingest import Overrides, check, ingest
    from pipeline.lock import held

    given = Overrides(publisher_id, publisher_name, year, kind or "", scope or "", part)
    check(given)  # before the lock, which creates the folder
    with held(out, "ingest", click.echo), reading_bar() as progress:
        result = ingest(list(paths), out, given, say=click.echo, jobs=jobs, progress=progress)
        print_summary(result)
    sys.exit(result.exit_status())


@main.command("forget")
@click.argument("target")
@ROOT
@clean_errors
def forget_command(target: str, root: Path) -> None:
    """Take an original out of use: TARGET is a document id (all its originals) or the sha256
    of one original (12 hex digits or more). Its file is deleted, its manifest row kept and
    marked, and the package is built again without it."""
    from pipeline.archive import forget
    from pipeline.lock import held
    from pipeline.run import run

    project_folder(root)
    with held(root, "forget", click.echo):
        for source in forget(root, target):
            click.echo(f"forgot {source.path} ({source.doc_id}, {source.source_url})")
        result = run(root, fetch=False, say=click.echo, allow_shrink=True)
        print_summary(result)
    sys.exit(result.exit_status())


@main.command("diff")
@click.argument("documents", nargs=-1)
@ROOT
@click.option("--publisher", default="", help="Publisher id, with --years.")
@click.option("--years", nargs=2, type=int, default=None, help="Two fiscal years to compare.")
@click.option("--all", "show_all", is_flag=True, help="List every change, not only the "
              "significant ones.")
@click.option("--format", "form", type=click.Choice(["md", "csv", "json"]), default="md",
              help="A Markdown table to read (default), or every column as CSV or JSON.")
@clean_errors
def diff_command(documents: tuple[str, ...], root: Path, publisher: str,
                 years: tuple[int, int] | None, show_all: bool, form: str) -> None:
    """Changes between two documents of the package: two doc ids (`doc@sha` names a replaced
    revision), or --publisher ID --years 2023 2024. Read from the package, not reprocessed."""
    from pipeline import diff
    from pipeline.compare import Change
    from pipeline.report import changes_table

    if publisher and years:
        documents = diff.documents(root, publisher, years)
    if len(documents) != 2:
        raise ConfigError("diff needs two documents of the package (doc ids, or "
                               "--publisher ID --years Y1 Y2); given: "
                               + (", ".join(documents) or "(none)"))
    changes = diff.between(root, *documents)

    def size(c: Change) -> Decimal:  # the change, or the line added or removed
        return abs(next(v for v in (c.change_wan, c.amount_to, c.amount_from, Decimal(0))
                        if v is not None))
    shown = sorted((c for c in changes if show_all or c.significance), key=size, reverse=True)
    if form == "md":
        table = "\n".join(changes_table(tuple(shown), len(shown) if show_all else None,
                                         "与较早文件比较"))
        if show_all and sys.stdout.isatty():
            click.echo_via_pager(table)
        else:
            click.echo(table or "no changes")
        return
    rows = [{k: "" if v is None else str(v) for k, v in asdict(c).items()} for c in shown]
    if form == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, [f.name for f in fields(Change)], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    click.echo(out.getvalue(), nl=False)


@main.command("report")
@ROOT
@clean_errors
def report_command(root: Path) -> None:
    """Write the Markdown reports again from the archive, without fetching or packaging."""
    from pipeline.lock import held
    from pipeline.run import compared, write_reports

    with held(root, "report", click.echo):
        written = write_reports(root, compared(root))
    click.echo(f"reports: {len(written)} written" if written else "reports: unchanged")


@main.command("export")
@ROOT
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default="budget-watch-data.zip", show_default=True, help="The zip to write.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the XLSX workbook on its own, to this file.")
@clean_errors
def export_command(root: Path, out: Path, xlsx: Path | None) -> None:
    """Zip the data package (datapackage.json, CSVs) with an XLSX workbook for Excel users."""
    from pipeline.publish.export import export, workbook

    names = export(root, out)
    click.echo(f"{out}: {len(names)} files ({', '.join(names[-1:] + names[:1])} and CSVs)")
    if xlsx is not None:
        xlsx.write_bytes(workbook(root))
        click.echo(f"{xlsx}: the workbook")


@main.command("site")
@ROOT
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="site",
              show_default=True, help="The folder to write (emptied first).")
@clean_errors
def site_command(root: Path, out: Path) -> None:
    """A static website in Chinese from the package: publishers, documents, charts, search."""
    from pipeline.site import build

    pages = build(root, out)
    click.echo(f"{out}: {len(pages)} pages")


@main.command("sqlite")
@ROOT
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default="budget-watch.db", show_default=True, help="The database to write.")
@clean_errors
def sqlite_command(root: Path, out: Path) -> None:
    """The package as one SQLite database for Datasette, with metadata.json beside it:
    `datasette budget-watch.db -m metadata.json`."""
    from pipeline.publish.database import METADATA, build

    build(root, out)
    click.echo(f"{out}: {out.stat().st_size} bytes; {out.parent / METADATA}: its metadata")


@main.command("publish")
@ROOT
@click.option("--dry-run", "dry_run", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write the issues it would post into this folder instead.")
@click.option("--release", "release_files", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Also publish this file as an asset of the data's GitHub Release "
              "(repeatable: the zip from `export`, its XLSX, the database from `sqlite`).")
@click.option("--originals", is_flag=True, help="Also keep the originals over 5 MB (not in "
              "git) as assets of the releases originals-XX, named by their sha256.")
@clean_errors
def publish_command(root: Path, dry_run: Path | None, release_files: tuple[Path, ...],
                    originals: bool) -> None:
    """Post the last run's change summaries and health issue to GitHub (GITHUB_API_URL,
    GITHUB_REPOSITORY, GITHUB_TOKEN), updating issues rather than duplicating them. It reads
    the run's record (.cache/outcome.json) and runs nothing again."""
    from pipeline import outcome
    from pipeline.publish.issues import publish, release_plan, repository_files

    result = outcome.load(root)
    github = None if dry_run is not None else github_from_environment("publish")
    for line in publish(result, github, dry_run, repository_files(root, dict(os.environ))):
        click.echo(line)
    if originals and github is not None:
        from pipeline.publish.originals import upload

        for line in upload(root, github):
            click.echo(line)
    if release_files:
        plan = release_plan(root, list(release_files), result)
        if dry_run is not None:
            (dry_run / "release.json").write_text(json.dumps(plan, ensure_ascii=False,
                                                             indent=2) + "\n", encoding="utf-8")
            click.echo(f"dry run: release {plan['tag']} written to {dry_run / 'release.json'}")
            return
        action, number = github.release(plan["tag"], plan["title"], plan["notes"],
                                        {f.name: f.read_bytes() for f in release_files})
        click.echo(f"release {plan['tag']} {action} (#{number})")


def github_from_environment(command: str) -> GitHub:
    """GitHub's API as GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN give it."""
    from pipeline.publish.github import GitHub

    env = {k: os.environ.get(k, "") for k in ("GITHUB_API_URL", "GITHUB_REPOSITORY",
                                              "GITHUB_TOKEN")}
    missing = [k for k, v in env.items() if not v]
    if missing:
        raise ConfigError(f"{command} needs {', '.join(missing)}"
                          + (" (or --dry-run DIR)" if command == "publish" else ""))
    return GitHub(env["GITHUB_API_URL"], env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"])


@main.command("restore")
@ROOT
@click.option("--shard", default=None, metavar="K/N", help="Only what shard K of N will read.")
@clean_errors
def restore_command(root: Path, shard: str | None) -> None:
    """Download from GitHub Releases (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN) the
    originals over 5 MB that a run will read and this clone lacks, each checked against the
    sha256 in the manifest; exit 1 when one cannot be restored."""
    from pipeline.publish.originals import restore
    from pipeline.run import missing_originals
    from pipeline.shards import Shard
    from pipeline.sources import load_registry

    project_folder(root)
    publishers = load_registry(root / REGISTRY) if (root / REGISTRY).exists() else {}
    wanted = missing_originals(root, publishers, Shard.parse(shard) if shard else None)
    if not wanted:
        click.echo("restore: no original is needed")
        return
    restored, problems = restore(root, github_from_environment("restore"), wanted)
    click.echo(f"restore: {len(restored)} of {len(wanted)} originals restored")
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        sys.exit(PARTIAL)


@main.command("validate")
@click.argument("descriptor", type=click.Path(dir_okay=False, path_type=Path),
                default=DESCRIPTOR)
@clean_errors
def validate_command(descriptor: Path) -> None:
    """Validate a data package with frictionless; exit 1 when it is invalid."""
    from pipeline.package import report_errors, validate

    if not descriptor.exists():
        raise ConfigError(f"{descriptor}: no such file")
    report = validate(descriptor)
    rows = sum(task.stats.get("rows") or 0 for task in report.tasks)
    if report.valid:
        click.echo(f"{descriptor}: valid ({len(report.tasks)} resources, {rows} rows)")
        return
    click.echo(f"{descriptor}: INVALID", err=True)
    for line in report_errors(report):
        click.echo(f"  {line}", err=True)
    sys.exit(1)
