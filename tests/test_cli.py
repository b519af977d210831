import json
from decimal import Decimal as D

from click.testing import CliRunner
from conftest import REPO, resource_csv, snapshot

from pipeline.cli import main

COMMANDS = ["run", "fetch", "ingest", "forget", "diff", "report", "validate", "export", "sqlite",
            "site", "publish"]


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_run_without_network_says_so_in_one_line_and_uses_the_archive(project):
    result = invoke("run", "--root", str(project))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "fetch: no network (cannot reach any listing page); using the archive"
    assert lines[1].startswith("changsha-xzspj-2023-budget: 10 tables, 163 amounts, 10 projects")
    assert lines[-1] == "package: 11 files changed"
    assert (project / "datapackage.json").exists()
    assert (project / "reports/changsha-xzspj/2023-budget.md").exists()


def test_a_second_run_changes_no_byte(project):
    assert invoke("run", "--offline", "--root", str(project)).exit_code == 0
    before = snapshot(project)
    second = invoke("run", "--offline", "--root", str(project))
    assert second.exit_code == 0
    assert second.output.splitlines()[-1] == "package: unchanged"
    assert snapshot(project) == before


def test_validate_reports_a_valid_package(project):
    invoke("run", "--offline", "--root", str(project))
    result = invoke("validate", str(project / "datapackage.json"))
    assert result.exit_code == 0
    assert result.output == f"{project / 'datapackage.json'}: valid (8 resources, 487 rows)\n"


def test_validate_exits_1_naming_the_problem_when_invalid(project):
    invoke("run", "--offline", "--root", str(project))
    items = project / "data/line_items/changsha-xzspj.csv"
    items.write_text(items.read_text().replace(",5073.08,", ",5073.O8,", 1))
    result = invoke("validate", str(project / "datapackage.json"))
    assert result.exit_code == 1
    assert "INVALID" in result.output
    assert "line_items" in result.output and "5073.O8" in result.output


def test_validate_a_missing_file_is_a_clean_error(tmp_path):
    result = invoke("validate", str(tmp_path / "nope.json"))
    assert result.exit_code == 2  # a usage error
    assert result.output == f"error: {tmp_path / 'nope.json'}: no such file\n"


def test_help_version_and_validate_start_without_the_heavy_libraries(tmp_path):
    """--help and --version import neither the readers nor the validator; validate only the
    validator."""
    import subprocess
    import sys

    from pipeline.schema import DESCRIPTOR

    probe = ("import sys\nfrom click.testing import CliRunner\nfrom pipeline.cli import main\n"
             "heavy = ['pdfplumber', 'pypdfium2', 'openpyxl', 'git', 'deepdiff', 'docx', "
             "'rich.progress', 'bs4', 'requests', 'numpy', 'pipeline.run']\n"
             f"for args in (['--help'], ['--version'], ['validate', '{REPO / DESCRIPTOR}']):\n"
             "    assert CliRunner().invoke(main, args).exit_code == 0, args\n"
             "    print(sorted(m for m in heavy + ['frictionless'] * (args[0] != 'validate')"
             " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.stdout.split() == ["[]"] * 3, done.stdout + done.stderr


def test_every_command_has_help():
    assert "Usage: main [OPTIONS] COMMAND" in invoke("--help").output
    for command in COMMANDS:
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, command


def test_a_broken_registry_is_a_clean_error_naming_entry_and_key(project):
    registry = project / "data/registry.toml"
    registry.write_text(registry.read_text().replace("listing_urls", "listing_url"))
    result = invoke("run", "--offline", "--root", str(project))
    assert result.exit_code == 2  # a configuration error: nothing was done
    assert "publisher 1 (changsha-xzspj): unknown key 'listing_url' (did you mean " \
           "'listing_urls'?)" in result.output
    assert "publisher 1 (changsha-xzspj): missing key 'listing_urls'" in result.output


def test_the_package_descriptor_has_titles_keys_and_string_codes(project):
    invoke("run", "--offline", "--root", str(project))
    descriptor = json.loads((project / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        assert resource["path"] == [f"data/{resource['name']}/changsha-xzspj.csv"]
        assert resource["title"]
        assert resource["schema"]["primaryKey"]
        for field in resource["schema"]["fields"]:
            assert field["name"].isascii() and field["title"] and field["description"]
    items = next(r for r in descriptor["resources"] if r["name"] == "line_items")
    types = {f["name"]: f["type"] for f in items["schema"]["fields"]}
    assert types["code"] == "string" and types["row_key"] == "string"
    assert types["amount_wan"] == "number"
    assert items["schema"]["foreignKeys"][0]["reference"]["resource"] == "documents"


def test_a_rerun_on_unchanged_originals_reprocesses_nothing(project, monkeypatch):
    import pipeline.process
    import pipeline.run as run_module

    calls = []
    real = pipeline.process.process
    monkeypatch.setattr(pipeline.process, "process", lambda *a: calls.append(a) or real(*a))
    assert invoke("run", "--offline", "--root", str(project)).exit_code == 0
    assert invoke("run", "--offline", "--root", str(project)).exit_code == 0
    assert len(calls) == 1  # the second run read the cached extraction
    monkeypatch.setattr(run_module.cache, "fingerprint", lambda: "a newer parser")
    assert invoke("run", "--offline", "--root", str(project)).exit_code == 0
    assert len(calls) == 2  # a parser change reprocesses


def test_diff_and_report_between_two_years_of_one_publisher(project):
    from dataclasses import replace as copy

    from pipeline.archive import archive, load_manifest

    source = load_manifest(project)[0]
    text = (project / source.path).read_text(encoding="utf-8")
    older = text.replace("合计\t18.34\t7.70\t\t10.64\t\t10.64", "合计\t16.20\t5.56\t\t10.64\t\t10.64")
    archive(project, older.encode(), copy(source, fiscal_year=2022, retrieved_at="2022-03-01T00:00:00Z"))
    assert invoke("run", "--offline", "--root", str(project)).exit_code == 0
    result = invoke("diff", "--publisher", "changsha-xzspj", "--years", "2022", "2023",
                    "--root", str(project))
    assert result.exit_code == 0, result.output
    assert "## 与较早文件比较（changsha-xzspj-2022-budget）" in result.output
    assert "| 一般公共预算“三公”经费支出表 | 合计 | 合计 | 16.20 | 18.34 | 2.14 | +13.21% | “三公”经费 |" \
        in result.output
    report = (project / "reports/changsha-xzspj/2023-budget.md").read_text(encoding="utf-8")
    assert "| 一般公共预算“三公”经费支出表 | 合计 | 公务接待费 | 5.56 | 7.70 | 2.14 | +38.49% |" in report
    assert invoke("report", "--root", str(project)).output == "reports: unchanged\n"
    stated = resource_csv(project, "stated_changes")
    assert "“三公”经费,18.34,2.14,,2022年,,2.14," in stated  # stated, and computed from tables
    pair = ["diff", "--publisher", "changsha-xzspj", "--years", "2022", "2023", "--root",
            str(project)]
    import csv
    import io
    import json

    every = list(csv.DictReader(io.StringIO(invoke(*pair, "--all", "--format", "csv").output)))
    sizes = [abs(D(r["change_wan"])) for r in every]
    assert sizes == sorted(sizes, reverse=True) and len(every) >= 2  # largest first
    assert {(r["table"], r["measure"], r["change_wan"], r["significance"]) for r in every} >= {
        ("three_public", "total", "2.14", "“三公”经费"), ("three_public", "reception", "2.14",
                                                      "“三公”经费")}
    significant = json.loads(invoke(*pair, "--format", "json").output)
    assert len(significant) == result.output.count("\n| ") - 1  # the table's rows
    assert {r["significance"] for r in significant} == {"“三公”经费",
                                                        "本年文件所述上年数与上年文件不符"}
    assert all(r["significance"] for r in significant)
    import shutil  # diff reads the package: it needs neither the originals nor the cache

    shutil.rmtree(project / "data/archive")
    shutil.rmtree(project / ".cache")
    assert invoke(*pair).output == result.output
    bad = invoke("diff", "nope", "--root", str(project))
    assert bad.exit_code == 2 and "given: nope" in bad.output
    bad = invoke("diff", "nope", "changsha-xzspj-2023-budget", "--root", str(project))
    assert bad.exit_code == 2 and "not found: nope" in bad.output


def test_reading_documents_in_parallel_gives_the_same_bytes(tmp_path):
    import shutil

    from conftest import sample_text
    from test_ingest import shifted

    serial = tmp_path / "serial"
    files = []
    for year in (2020, 2021, 2022, 2023):
        path = tmp_path / f"budget-{year}.txt"
        path.write_text(shifted(sample_text(), year), encoding="utf-8")
        files.append(path)
    given = invoke("ingest", *map(str, files), "--out", str(serial), "--publisher-id",
                   "changsha-xzspj", "--jobs", "1")
    assert given.exit_code in (0, 1), given.output
    parallel = tmp_path / "parallel"
    (parallel / "data").mkdir(parents=True)
    shutil.copytree(serial / "data/archive", parallel / "data/archive")
    shutil.rmtree(serial / ".cache")
    for root, jobs in ((serial, "1"), (parallel, "2")):
        result = invoke("run", "--offline", "--root", str(root), "--jobs", jobs)
        assert result.exit_code in (0, 1), result.output

    def package(root):
        from pipeline.schema import RESOURCES

        files = [root / "datapackage.json",
                 *[p for name in RESOURCES for p in sorted((root / "data" / name).glob("*.csv"))],
                 *sorted((root / "reports").rglob("*.*"))]
        return {str(p.relative_to(root)): p.read_bytes() for p in files}

    assert package(parallel) == package(serial) and len(package(serial)) > 10
