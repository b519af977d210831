"""A run split into shards and merged writes the package a single run writes, byte for byte;
run here exactly as the scheduled workflow runs it: its own shell steps, in git checkouts,
against a portal on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SAMPLE, resource_csv
from portal import Portal, column_entry
from render import reissued

from pipeline.shards import Shard

YEARS = (2022, 2023)
EPOCH = "1767225600"  # retrieval times from SOURCE_DATE_EPOCH: the two runs are comparable


def workflow() -> dict:
    flow = yaml.safe_load((REPO / ".github/workflows/budgetwatch.yml").read_text())
    return flow


def step(job: str, command: str) -> str:
    """The shell script of the workflow's step in `job` that runs `command`."""
    [script] = [s["run"] for s in workflow()["jobs"][job]["steps"] if command in s.get("run", "")]
    return script


def entries(count: int, shards: int) -> list[str]:
    """Column ids that fall in different shards, so that the split is a real one."""
    chosen: dict[int, str] = {}
    for n in range(200):
        city = f"模拟{n}"
        number = next(k for k in range(1, shards + 1) if Shard(k, shards).holds(f"{city}-专栏"))
        chosen.setdefault(number, city)
        if len(chosen) == count:
            return sorted(chosen.values())
    raise AssertionError("no ids in enough shards")


@pytest.fixture
def portal_and_origin(tmp_path):
    shards = workflow()["env"]["SHARDS"]
    cities = entries(2, shards)
    with Portal() as portal:
        registry = []
        for c, city in enumerate(cities):
            links = []
            for d, department in enumerate(("统计局", "审计局")):
                for year in YEARS:
                    path = f"/c{c}/{d}-{year}.txt"
                    portal.serve(path, reissued(SAMPLE.read_text(encoding="utf-8"),
                                                f"{city}市{department}", year),
                                 ETag=f'"{path}"', Content_Type="text/plain")
                    links.append(f'<li><a href="{path}">{year}年部门预算（{city}市{department}）'
                                 "</a></li>")
            portal.serve(f"/c{c}/index.html", f"<ul>{''.join(links)}</ul>".encode(),
                         Content_Type="text/html")
            registry.append(column_entry(f"{city}-专栏", f"{city}市部门预决算公开专栏",
                                         f"{city}市", f"{portal.base}/c{c}/index.html",
                                         list(YEARS)))
        origin = tmp_path / "origin"
        (origin / "data").mkdir(parents=True)
        (origin / "data/registry.toml").write_text("\n".join(registry), encoding="utf-8")
        git(origin, "init", "-q", "-b", "main")
        git(origin, "add", "-A")
        git(origin, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "registry")
        yield portal, origin, shards


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                          text=True).stdout


def checkout(origin: Path, folder: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(folder)], check=True)
    return folder


def bash(script: str, folder: Path, **env: str) -> subprocess.CompletedProcess:
    assert shutil.which("budgetwatch"), "the package's command is installed"
    return subprocess.run(["bash", "-e", "-c", script], cwd=folder, capture_output=True,
                          text=True, env=os.environ | {"SOURCE_DATE_EPOCH": EPOCH} | env,
                          timeout=300)


def package(root: Path) -> dict[str, bytes]:
    files = [root / "datapackage.json", *(root / "data").rglob("*"),
             *(root / "reports").rglob("*")]
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(files)
            if p.is_file() and p.name != "registry.toml"}


def run_shards(origin: Path, base: Path, shards: int, numbers: list[int]) -> list[Path]:
    """Each shard in its own checkout, all at once, by the workflow's step; their partial
    results, placed as download-artifact places them."""
    script = step("shard", "budgetwatch restore --shard") + "\n" + step(
        "shard", "budgetwatch run --shard")
    folders = [checkout(origin, base / f"shard-{k}") for k in numbers]
    running = [subprocess.Popen(["bash", "-e", "-c", script], cwd=f, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=os.environ | {"SOURCE_DATE_EPOCH": EPOCH, "SHARD": str(k),
                                                  "SHARDS": str(shards)})
               for k, f in zip(numbers, folders, strict=True)]
    for process in running:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
    return [f / f"partial/shard-{k}" for k, f in zip(numbers, folders, strict=True)]


def test_shards_merged_by_the_workflows_steps_write_the_single_runs_package_and_commit_once(
        portal_and_origin, tmp_path):
    portal, origin, shards = portal_and_origin
    single = checkout(origin, tmp_path / "single")
    assert bash("budgetwatch run || test $? -eq 1", single).returncode == 0
    assert len(resource_csv(single, "documents").splitlines()) == 1 + 2 * 2 * len(YEARS)

    partials = run_shards(origin, tmp_path, shards, list(range(1, shards + 1)))
    held = [p for p in partials if (p / "files/data").exists()]
    assert len(held) == 2  # the two columns fell in two shards
    merged = checkout(origin, tmp_path / "merged")
    for partial in partials:  # download-artifact: one folder per artifact under partial/
        shutil.copytree(partial, merged / "partial" / partial.name)
    done = bash(step("run", "budgetwatch merge"), merged)
    assert done.returncode == 0, done.stdout + done.stderr

    assert package(merged) == package(single) and len(package(single)) > 40
    log = git(merged, "log", "--format=%s", "-n", "2").splitlines()
    assert log == ["data: source change, 8 document(s) new or revised", "registry"]
    assert git(merged, "status", "--porcelain", "--", "data", "datapackage.json") == ""


def test_a_shard_that_left_nothing_is_reported_and_the_others_still_land(
        portal_and_origin, tmp_path):
    portal, origin, shards = portal_and_origin
    partials = run_shards(origin, tmp_path, shards, list(range(1, shards + 1)))
    lost = next(p for p in partials if (p / "files/data").exists())
    merged = checkout(origin, tmp_path / "merged")
    for partial in partials:
        if partial != lost:
            shutil.copytree(partial, merged / "partial" / partial.name)
    done = bash(step("run", "budgetwatch merge"), merged)
    assert done.returncode == 0, done.stdout + done.stderr  # exit 1: a source failed
    assert f"第 {lost.name.split('-')[1]}/{shards} 分片没有留下结果" in done.stderr
    assert len(resource_csv(merged, "documents").splitlines()) == 1 + 2 * len(YEARS)
    from pipeline.outcome import load

    failed = [r for r in load(merged).fetched if r.failed]
    assert [r.publisher_id for r in failed] == [f"shard {lost.name.split('-')[1]}/{shards}"]
