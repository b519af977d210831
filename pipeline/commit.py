"""Commit the data to git only when it changed, as a bot, with a message that says what
changed: new or revised originals ("source"), or only a newer parser ("reprocessed")."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import git

from pipeline.errors import BudgetWatchError
from pipeline.report import headline
from pipeline.run import RunResult

PAGES = "data/archive/pages.csv"
BOT = git.Actor("Budget Watch bot", "budget-watch-bot@users.noreply.github.com")
DATA = ["datapackage.json", "data", "reports"]


@contextmanager
def trusted(root: Path) -> Iterator[None]:
    """Let git work in a checkout owned by another user (a CI runner's, a container's) by
    trusting this one directory for the git commands run meanwhile, nothing else."""
    saved = {k: os.environ.get(k) for k in ("GIT_CONFIG_COUNT",)}
    count = int(saved["GIT_CONFIG_COUNT"] or 0)
    added = {"GIT_CONFIG_COUNT": str(count + 1), f"GIT_CONFIG_KEY_{count}": "safe.directory",
             f"GIT_CONFIG_VALUE_{count}": str(Path(root).resolve())}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)
        if saved["GIT_CONFIG_COUNT"] is not None:
            os.environ["GIT_CONFIG_COUNT"] = saved["GIT_CONFIG_COUNT"]


def commit_data(root: Path, result: RunResult) -> str | None:
    """Stage the package, reports and archive; commit if anything changed. Returns the new
    commit's sha, or None when nothing changed."""
    with trusted(root):
        try:
            repo = git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise CommitError(f"{root}: not a git repository; --commit needs one") from error
        lock = Path(repo.git_dir) / "index.lock"
        if lock.exists():
            raise CommitError(f"{lock} exists: another git command is running here, or one "
                              "was killed; if no git is running, remove that file and run again")
        try:
            repo.git.add("--all", "--", *[p for p in DATA if (Path(root) / p).exists()])
            staged = [p for p in repo.git.diff("--cached", "--name-only", "-z").split("\0") if p]
            if not staged or staged == [PAGES]:  # validators alone are not a data change
                return None
            repo.index.commit(message(staged, result, *_documents(repo, staged)),
                              author=BOT, committer=BOT)
        except (git.GitCommandError, OSError) as error:
            first = str(error).strip().splitlines()[-1][:300]
            raise CommitError(f"git failed in {root}: {first}") from error
        return repo.head.commit.hexsha


class CommitError(BudgetWatchError):
    """git could not commit the data (exit 3): the package is written, not committed."""


def _documents(repo: git.Repo, staged: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """doc_id -> sha256(s) of the documents in the staged documents partitions, as the last
    commit held them and as they are now; and doc_id -> title now."""
    before, now, titles = {}, {}, {}
    for path in staged:
        if not path.startswith("data/documents/"):
            continue
        try:
            text = repo.git.show(f"HEAD:{path}")
        except git.GitCommandError:  # a new publisher
            text = ""
        before |= {r["doc_id"]: r["sha256"] for r in csv.DictReader(io.StringIO(text))}
        current = Path(repo.working_tree_dir or ".") / path
        if current.exists():
            rows = list(csv.DictReader(io.StringIO(current.read_text(encoding="utf-8"))))
            now |= {r["doc_id"]: r["sha256"] for r in rows}
            titles |= {r["doc_id"]: r["title"] for r in rows}
    return {d: s for d, s in now.items() if before.get(d) != s}, titles


def message(staged: list[str], result: RunResult, revised: dict[str, str],
            titles: dict[str, str]) -> str:
    """'data: source change …' when documents are new or have new originals since the last
    commit, else 'data: reprocessed …' (same originals, newer parser)."""
    if not revised:
        return ("data: reprocessed with a newer parser, no new originals\n\n"
                + f"{len(staged)} files changed.")
    lines = [f"data: source change, {len(revised)} document(s) new or revised", ""]
    summaries = {d.doc_id: d.summary for d in result.documents}
    for doc_id in sorted(revised):
        lines.append(f"- {doc_id}: {titles.get(doc_id, '')}")
        if doc_id in summaries:
            lines += [f"  {headline(c)}" for c in summaries[doc_id].headlines[:4]]
    significant = sum(len(summaries[d].changes) for d in revised if d in summaries)
    if significant:
        lines += ["", f"{significant} significant year-on-year changes."]
    return "\n".join(lines)
