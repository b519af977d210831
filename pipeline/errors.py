"""The project's own exceptions: transient ones may be retried, terminal ones may not."""

from __future__ import annotations


class BudgetWatchError(Exception):
    """Base class; the CLI turns these into one clean message and exit code 1."""


class TransientError(BudgetWatchError):
    """Worth retrying later: the network, a busy server."""


class TerminalError(BudgetWatchError):
    """Retrying will not help until someone changes the input or the configuration."""


class RegistryError(TerminalError):
    """The publisher registry is invalid; `problems` lists every problem found."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class DocumentError(TerminalError):
    """A document cannot be used; `problems` names each place that is wrong."""

    def __init__(self, document: str, problems: list[str]):
        self.document = document
        self.problems = problems
        super().__init__(f"{document}: " + "; ".join(problems))


class PackageError(TerminalError):
    """The data package did not validate; nothing was written."""
