"""The package built from the Changsha sample equals the golden CSVs checked by hand."""

from pathlib import Path

import pytest

from pipeline.run import run

GOLDEN = Path(__file__).parent / "golden" / "changsha-xzspj-2023-budget"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import shutil

    from conftest import REPO

    root = tmp_path_factory.mktemp("golden") / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "data/registry.toml", root / "data/registry.toml")
    shutil.copytree(REPO / "data/archive", root / "data/archive")
    run(root, fetch=False, say=lambda _: None)
    return root


@pytest.mark.parametrize("resource", ["line_items", "projects", "performance_targets",
                                      "stated_changes", "findings", "checks"])
def test_resource_equals_its_golden_csv(built, resource):
    produced = (built / "data" / resource / "changsha-xzspj.csv").read_text(encoding="utf-8")
    assert produced == (GOLDEN / f"{resource}.csv").read_text(encoding="utf-8")


def test_the_committed_package_is_the_one_the_pipeline_builds(built):
    from conftest import REPO

    for name in ["datapackage.json", "data/line_items/changsha-xzspj.csv",
                 "data/documents/changsha-xzspj.csv",
                 "reports/changsha-xzspj/2023-budget.md"]:
        assert (built / name).read_bytes() == (REPO / name).read_bytes(), name
