"""Fault injection: `run --commit` and `fetch` killed (SIGKILL) at random moments, 20 tries in
all (seeded, so a failure can be replayed). After each kill the package validates, no
temporary is left that the next run would trip on or commit, git is sound, and the next run
gives the same bytes as a run that was never interrupted."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import git
import pytest
from conftest import REPO
from test_fetch import DETAIL, LISTING, PAGE_1, PAGE_2, REGISTRY, WANLI, Portal

from pipeline.archive import load_manifest
from pipeline.package import validate

RUN_TRIES, FETCH_TRIES = 12, 8
SEED = 20261203
PACKAGE = ["datapackage.json", "data", "reports"]


def package_bytes(root: Path) -> dict[str, bytes]:
    files = [root / "datapackage.json", *(root / "data").glob("*.csv"),
             *(root / "reports").rglob("*.*")]
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(files) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    """Hidden files an interrupted write could leave in the package or the archive."""
    places = [root, root / "data", *(root / "data/archive").rglob("*/"), root / "data/archive",
              *(root / "reports").rglob("*/")]
    return sorted(str(p.relative_to(root)) for folder in places for p in folder.glob(".*")
                  if p.is_file() and p.name != ".gitignore")


def budgetwatch(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args, "--root", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def pristine(tmp_path) -> Path:
    """A project under git with its originals committed, before any run."""
    root = tmp_path / "pristine"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "data/registry.toml", root / "data/registry.toml")
    shutil.copytree(REPO / "data/archive", root / "data/archive")
    (root / ".gitignore").write_text(".cache/\n")
    repo = git.Repo.init(root)
    repo.git.add("--all")
    repo.index.commit("originals")
    return root


def test_run_commit_killed_at_random_moments_leaves_nothing_broken(pristine, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(pristine, reference)
    started = time.monotonic()
    assert budgetwatch(reference, "run", "--offline", "--commit").wait(120) == 0
    duration = time.monotonic() - started
    expected = package_bytes(reference)
    chance = random.Random(SEED)
    for attempt in range(RUN_TRIES):
        root = tmp_path / f"run-{attempt}"
        shutil.copytree(pristine, root)
        if attempt % 3 == 2:  # some tries start from a package and its commit already made
            assert budgetwatch(root, "run", "--offline", "--commit").wait(120) == 0
        victim = budgetwatch(root, "run", "--offline", "--commit")
        time.sleep(chance.uniform(0, duration))
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        assert budgetwatch(root, "run", "--offline", "--commit").wait(120) == 0, attempt
        assert leftovers(root) == [], attempt
        assert validate(root / "datapackage.json").valid, attempt
        assert package_bytes(root) == expected, attempt
        repo = git.Repo(root)
        repo.git.fsck("--full")  # raises if the repository is corrupt
        assert repo.git.status("--porcelain", "--", *PACKAGE) == "", attempt  # all committed
        assert not (Path(repo.git_dir) / "index.lock").exists(), attempt


def _fetch_forever(root: str, base: str) -> None:
    """The fetch a killed process was doing (fast settings: the portal is local)."""
    from test_fetch import FAST

    from pipeline.run import fetch_all
    from pipeline.sources import load_registry

    fetch_all(Path(root), load_registry(Path(root) / "data/registry.toml"), lambda _: None,
              settings=FAST)


def test_fetch_killed_at_random_moments_keeps_the_archive_whole(tmp_path):
    from test_fetch import render

    blocks = render.sample_blocks((REPO / "data/archive/changsha-xzspj").glob("*.txt")
                                  .__next__().read_bytes())
    chance = random.Random(SEED + 1)
    context = multiprocessing.get_context("fork")
    with Portal() as portal:
        portal.serve("/xxgk/index.html", LISTING.encode("gbk"), Content_Type="text/html")
        portal.serve("/xxgk/index_1.html", PAGE_1.encode(), Content_Type="text/html")
        portal.serve("/xxgk/index_2.html", PAGE_2.encode(), Content_Type="text/html")
        portal.serve("/xxgk/t20230201_1.html", DETAIL.encode("gbk"), Content_Type="text/html")
        portal.serve("/xxgk/t20230801_2.html", render.to_html(blocks, "utf-8"),
                     Content_Type="text/html")
        portal.serve("/files/cs-2023-budget.pdf", render.to_pdf(blocks), ETag='"pdf-1"')
        portal.serve("/files/cs-2023-budget.xlsx", render.to_xlsx(blocks), ETag='"xlsx-1"')
        portal.serve("/ptq/list.html", WANLI.encode(), Content_Type="text/html")
        portal.serve("/ptq/files/wanli-2024.pdf", render.to_pdf(blocks[:40]), ETag='"w-1"')

        def project(name: str) -> Path:
            root = tmp_path / name
            (root / "data").mkdir(parents=True)
            (root / "data/registry.toml").write_text(REGISTRY.format(base=portal.base),
                                                     encoding="utf-8")
            return root

        reference = project("reference")
        started = time.monotonic()
        _fetch_forever(str(reference), portal.base)
        duration = time.monotonic() - started
        expected = sorted(s.sha256 for s in load_manifest(reference))
        assert len(expected) == 4
        for attempt in range(FETCH_TRIES):
            root = project(f"fetch-{attempt}")
            victim = context.Process(target=_fetch_forever, args=(str(root), portal.base))
            victim.start()
            time.sleep(chance.uniform(0, duration))
            os.kill(victim.pid, signal.SIGKILL)
            victim.join(30)
            _fetch_forever(str(root), portal.base)  # the next run
            assert leftovers(root) == [], attempt
            manifest = load_manifest(root)
            assert sorted(s.sha256 for s in manifest) == expected, attempt
            for source in manifest:
                assert (root / source.path).stat().st_size == source.bytes, attempt
