"""The project's own exceptions: transient ones may be retried, terminal ones may not. Each
carries the exit status the CLI gives it (README, "Exit status"):

0  all well;
1  done, but some documents were rejected or read in part, or some sources failed;
2  usage or configuration error: nothing was done;
3  the run itself failed (the package did not validate, git failed, an internal error)."""

from __future__ import annotations

OK, PARTIAL, USAGE, FAILED = 0, 1, 2, 3


class BudgetWatchError(Exception):
    """Base class; the CLI turns these into one clean message and `exit_code`."""

    exit_code = FAILED


class ConfigError(BudgetWatchError):
    """A command, option, file of configuration or the manifest is wrong: nothing was done."""

    exit_code = USAGE


class TransientError(BudgetWatchError):
    """Worth retrying later: the network, a busy server."""


class TerminalError(BudgetWatchError):
    """Retrying will not help until someone changes the input or the configuration."""


class RegistryError(TerminalError, ConfigError):
    """The publisher registry is invalid; `problems` lists every problem found."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class DocumentError(TerminalError):
    """A document cannot be used; `problems` names each place that is wrong."""

    exit_code = PARTIAL

    def __init__(self, document: str, problems: list[str]):
        self.document = document
        self.problems = problems
        super().__init__(f"{document}: " + "; ".join(problems))

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:  # crosses process pools
        return type(self), (self.document, self.problems)


class PackageError(TerminalError):
    """The data package did not validate; nothing was written."""
