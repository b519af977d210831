"""The package is split by publisher: a new document rewrites only its publisher's files, only
those are validated, and the package still validates as a whole."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import resource_csv, sample_text
from test_ingest import shifted

from pipeline.cli import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def ingest(tmp_path, out, publisher_id, year, name="长沙市行政审批服务局"):
    path = tmp_path / f"{publisher_id}-{year}.txt"
    path.write_text(shifted(sample_text(), year).replace("长沙市行政审批服务局", name),
                    encoding="utf-8")
    result = invoke("ingest", path, "--out", out, "--publisher-id", publisher_id)
    assert result.exit_code in (0, 1), result.output
    return result


def test_a_new_document_rewrites_and_validates_only_its_publishers_files(tmp_path, monkeypatch):
    import pipeline.package as package

    out = tmp_path / "package"
    ingest(tmp_path, out, "xzspj", 2023)
    ingest(tmp_path, out, "tjj", 2023, "长沙市统计局")
    files = {p: p.read_bytes() for p in out.glob("data/*/*.csv")}
    assert sorted({p.name for p in files} - {"manifest.csv"}) == ["tjj.csv", "xzspj.csv"]
    validated = []
    real = package.validate

    def spy(descriptor):
        validated.append(json.loads(descriptor.read_text(encoding="utf-8")))
        return real(descriptor)
    monkeypatch.setattr(package, "validate", spy)

    ingest(tmp_path, out, "tjj", 2024, "长沙市统计局")
    changed = {p for p, data in files.items() if p.read_bytes() != data}
    assert {p.name for p in changed} - {"manifest.csv"} == {"tjj.csv"}
    assert all(p.read_bytes() == data for p, data in files.items() if p.name == "xzspj.csv")
    [staged] = validated  # one validation, of the changed publisher's partitions alone
    assert {path for r in staged["resources"] for path in r["path"]} == {
        f"data/{r['name']}/tjj.csv" for r in staged["resources"]}
    changes = resource_csv(out, "changes")
    assert "tjj-2023-budget,tjj-2024-budget" in changes  # its year-on-year changes, in its file

    whole = invoke("validate", out / "datapackage.json")
    assert whole.exit_code == 0, whole.output
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in descriptor["resources"]][0] == [
        "data/documents/tjj.csv", "data/documents/xzspj.csv"]


def test_a_publisher_whose_documents_are_all_forgotten_leaves_the_package(tmp_path):
    out = tmp_path / "package"
    ingest(tmp_path, out, "xzspj", 2023)
    ingest(tmp_path, out, "tjj", 2023, "长沙市统计局")
    assert invoke("forget", "tjj-2023-budget", "--root", out).exit_code == 0
    assert not list(out.glob("data/*/tjj.csv"))
    assert "tjj" not in (out / "datapackage.json").read_text(encoding="utf-8")
    assert resource_csv(out, "documents").count("\n") == 2
    assert invoke("validate", out / "datapackage.json").exit_code == 0


def test_the_export_joins_the_partitions_into_one_csv_per_resource(tmp_path):
    import zipfile

    out = tmp_path / "package"
    ingest(tmp_path, out, "xzspj", 2023)
    ingest(tmp_path, out, "tjj", 2023, "长沙市统计局")
    zipped = tmp_path / "data.zip"
    assert invoke("export", "--root", out, "--out", zipped).exit_code == 0
    with zipfile.ZipFile(zipped) as archive:
        assert archive.read("data/line_items.csv").decode() == resource_csv(out, "line_items")
        descriptor = json.loads(archive.read("datapackage.json"))
        assert descriptor["resources"][1]["path"] == "data/line_items.csv"
        unpacked = tmp_path / "unpacked"
        archive.extractall(unpacked)
    assert invoke("validate", unpacked / "datapackage.json").exit_code == 0  # a package too
