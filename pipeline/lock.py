"""One command at a time on a project folder: an exclusive lock on .cache/lock, held while a
command reads or writes the archive and the package. A second command waits for the first
(saying who holds the lock), then finishes what an interrupted run left half done."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import FAILED, BudgetWatchError
from pipeline.package import recover

LOCK = Path(".cache/lock")
POLL_MS = 50  # how often a waiting command tries the lock again


class LockTimeout(BudgetWatchError):
    exit_code = FAILED


@contextmanager
def held(root: Path, command: str, say: Callable[[str], None] = print,
         wait: float = 1800) -> Iterator[None]:
    """Hold the folder's lock for `command`; wait up to `wait` seconds for another holder."""
    path = root / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(handle, 200, 0).decode("utf-8", "replace").strip()
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{root}: still locked after {wait:.0f} s by "
                                      f"{holder or 'another process'}") from None
                if not told:
                    say(f"waiting: {root} is in use by {holder or 'another process'}")
                    told = True
                time.sleep(POLL_MS / 1000)
        os.ftruncate(handle, 0)
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.pwrite(handle, f"budgetwatch {command} (pid {os.getpid()}, since {started})"
                  .encode(), 0)
        for line in recover(root):
            say(line)
        yield
    finally:
        os.close(handle)  # closing releases the lock
