"""The `budgetwatch` command: parses options, calls the library, turns errors into messages."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.errors import BudgetWatchError
from pipeline.package import DESCRIPTOR, report_errors, validate
from pipeline.report import report_path
from pipeline.run import RunResult, run


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Project errors become one message on stderr and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BudgetWatchError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="budgetwatch")
def main() -> None:
    """Budget Watch: Chinese budget disclosures as a validated open data package."""


ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path),
                    default=".", show_default=True,
                    help="Project folder holding data/ and datapackage.json.")


@main.command("run")
@ROOT
@click.option("--offline", is_flag=True, help="Do not try to fetch; use the archive only.")
@clean_errors
def run_command(root: Path, offline: bool) -> None:
    """Fetch, extract, check, write the data package (only if it validates) and the reports."""
    result = run(root, fetch=not offline, say=click.echo)
    print_summary(result)
    if result.rejected:
        sys.exit(1)


def print_summary(result: RunResult) -> None:
    for e in result.extractions:
        errors = sum(1 for f in e.findings if f.severity == "error")
        click.echo(f"{e.source.doc_id}: {len(e.tables)} tables, {len(e.line_items)} amounts, "
                   f"{len(e.projects)} projects, {len(e.targets)} indicators, "
                   f"{len(e.stated_changes)} stated changes; {e.checks_run} checks, "
                   f"{len(e.findings)} findings ({errors} errors) -> {report_path(e)}")
    for doc_id, error in sorted(result.rejected.items()):
        click.echo(f"rejected {doc_id} (its last good rows are kept): {error.document}", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
    click.echo(f"package: {len(result.changed)} files changed" if result.changed
               else "package: unchanged")


@main.command("validate")
@click.argument("descriptor", type=click.Path(dir_okay=False, path_type=Path),
                default=DESCRIPTOR)
@clean_errors
def validate_command(descriptor: Path) -> None:
    """Validate a data package with frictionless; exit 1 when it is invalid."""
    if not descriptor.exists():
        raise BudgetWatchError(f"{descriptor}: no such file")
    report = validate(descriptor)
    rows = sum(task.stats.get("rows") or 0 for task in report.tasks)
    if report.valid:
        click.echo(f"{descriptor}: valid ({len(report.tasks)} resources, {rows} rows)")
        return
    click.echo(f"{descriptor}: INVALID", err=True)
    for line in report_errors(report):
        click.echo(f"  {line}", err=True)
    sys.exit(1)
