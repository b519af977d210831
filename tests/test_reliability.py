"""What fault and misuse probes broke (the reliability issue), each guarded: exit statuses
that tell a crash from a rejected document, configuration errors named in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLE, resource_csv

from pipeline.cli import main


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_corrupt_manifest_is_a_configuration_error_naming_its_line(project):
    manifest = project / "data/archive/manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("bytes")] = "65605x"
    manifest.write_text("\n".join([lines[0], ",".join(row)]) + "\n", encoding="utf-8")
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 2, result.output
    assert "data/archive/manifest.csv line 2: bytes '65605x' is not a whole number" in \
        result.output
    assert "Traceback" not in result.output


def test_an_internal_failure_exits_3_in_one_line(project, monkeypatch):
    import pipeline.run as run_module

    def broken(*_args, **_kwargs):
        raise KeyError("page")

    monkeypatch.setattr(run_module, "run", broken)
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == [
        "error: internal failure (KeyError: 'page'); set BUDGETWATCH_DEBUG=1 for the traceback"]


def test_a_package_that_does_not_validate_fails_the_run(project, monkeypatch):
    import pipeline.package as package

    monkeypatch.setattr(package, "dangling", lambda texts: ["x-2020-budget"])
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 3 and "nothing was written" in result.output


def test_the_scheduled_job_lets_only_rejected_documents_pass():
    workflow = (Path(__file__).parent.parent / ".github/workflows/budgetwatch.yml").read_text()
    assert "budgetwatch merge partial/shard-* --commit || test $? -eq 1" in workflow  # 2, 3 fail
    assert "|| true" not in workflow  # no step hides a failure


def test_ingest_exits_on_the_files_it_was_given_not_on_older_rejections(tmp_path):
    out = tmp_path / "package"
    broken = tmp_path / "broken.txt"
    broken.write_text("某局2022年部门预算\n本文件没有任何表格。\n", encoding="utf-8")
    first = invoke("ingest", broken, "--out", out, "--publisher-id", "mou")
    assert first.exit_code == 1  # the document given is rejected
    good = tmp_path / "sample.txt"
    shutil.copy(SAMPLE, good)
    second = invoke("ingest", good, "--out", out, "--publisher-id", "changsha-xzspj")
    assert "rejected mou-2022-budget" in second.output  # still reported
    assert second.exit_code == 0, second.output


def test_publish_posts_what_the_fetching_run_recorded_and_runs_nothing(project, monkeypatch,
                                                                     tmp_path):
    import json

    import pipeline.run as run_module
    from pipeline.fetch import FetchResult
    from pipeline.outcome import Outcome, save

    result = run_module.run(project, fetch=False, say=lambda _: None)
    result.fetched = [FetchResult("changsha-xzspj", failed=["http://127.0.0.1:9/list: HTTP 404"])]
    save(project, Outcome.of(result))  # as the scheduled job's fetching run leaves it

    def never(*_args, **_kwargs):
        raise AssertionError("publish ran the pipeline again")

    monkeypatch.setattr(run_module, "run", never)
    out = tmp_path / "dry"
    published = invoke("publish", "--root", project, "--dry-run", out)
    assert published.exit_code == 0, published.output
    health = json.loads((out / "001-health.json").read_text(encoding="utf-8"))
    assert "`http://127.0.0.1:9/list: HTTP 404`" in health["body"]  # not closed as recovered


def test_publish_without_a_run_is_a_configuration_error(project):
    result = invoke("publish", "--root", project, "--dry-run", project / "dry")
    assert result.exit_code == 2 and "no record of a run here" in result.output


def test_a_body_links_the_original_and_the_full_report_absolutely(project):
    from pipeline.outcome import Outcome
    from pipeline.publish.issues import change_posts, cut, repository_files
    from pipeline.run import run

    outcome = Outcome.of(run(project, fetch=False, say=lambda _: None))
    base = repository_files(project, {"GITHUB_SERVER_URL": "https://github.example",
                                      "GITHUB_REPOSITORY": "owner/repo", "GITHUB_SHA": "abc123"})
    assert base == "https://github.example/owner/repo/blob/abc123"  # not a git folder: the SHA
    post, = change_posts(outcome, base)
    document = outcome.documents[0]
    original = document.summary.archive_path
    assert f"]({base}/{original})" in post.body  # the project's own link works in an issue
    assert "\\(" not in post.body
    long = cut(post.body + "长" * 70_000, f"{base}/{document.report}")
    assert long.endswith(f"[完整报告]({base}/{document.report})）")


def test_a_release_whose_upload_failed_is_repaired_by_the_next_run(project, tmp_path):
    from github_standin import REPO, TOKEN, GitHubStandIn

    zipped = tmp_path / "budget-watch-data.zip"
    assert invoke("run", "--offline", "--root", project).exit_code == 0
    assert invoke("export", "--root", project, "--out", zipped).exit_code == 0
    args = ["publish", "--root", str(project), "--release", str(zipped)]
    with GitHubStandIn() as github:
        env = {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}
        github.refuse_uploads = True
        failed = CliRunner().invoke(main, args, env=env)
        assert failed.exit_code == 3 and "HTTP 502" in failed.output  # the run failed
        assert len(github.releases) == 1 and github.assets == {}
        github.refuse_uploads = False
        repaired = CliRunner().invoke(main, args, env=env)
        assert repaired.exit_code == 0 and "repaired (#1)" in repaired.output
        assert list(github.assets.values()) == [(zipped.name, zipped.read_bytes())]
        again = CliRunner().invoke(main, args, env=env)
        assert "unchanged (#1)" in again.output and len(github.releases) == 1
        assert github.errors == []


def test_a_publisher_id_that_would_leave_the_folder_is_refused(tmp_path):
    out = tmp_path / "deep" / "package"
    result = invoke("ingest", SAMPLE, "--out", out, "--publisher-id", "../../../../x")
    assert result.exit_code == 2 and "--publisher-id '../../../../x'" in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == []  # nothing written anywhere


def test_a_registry_id_or_pattern_that_could_do_harm_is_refused(project):
    registry = project / "data/registry.toml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace('id = "changsha-xzspj"', 'id = "../x"', 1)
                        .replace('budget = "{year}年.*部门预算"', 'budget = "(a+)+$"', 1),
                        encoding="utf-8")
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 2
    assert "id '../x' must be letters, digits" in result.output
    assert "'(a+)+$' may use literal text" in result.output


def test_a_link_pattern_without_year_cannot_cover_several_years():
    from pipeline.sources import pattern_problems

    assert pattern_problems("部门预算", [2017, 2018]) == [
        "'部门预算' has no {year}: the links of 2 years could not be told apart"]
    assert pattern_problems("部门预算", [2018]) == []
    assert pattern_problems("{year}年度?部门预算", [2017, 2018]) == []


def test_a_symbolic_link_is_refused_and_nothing_archived(tmp_path):
    link = tmp_path / "budget.txt"
    link.symlink_to("/etc/passwd")
    out = tmp_path / "package"
    result = invoke("ingest", link, "--out", out, "--publisher", "某局", "--year", "2023",
                    "--kind", "budget")
    assert result.exit_code == 1 and "a symbolic link: give the file itself" in result.output
    assert not (out / "data/archive").exists()


def test_a_lost_manifest_does_not_empty_the_package(project):
    from conftest import snapshot

    assert invoke("run", "--offline", "--root", project).exit_code == 0
    (project / "data/archive/manifest.csv").unlink()
    before = snapshot(project)
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 3
    assert "would drop 1 of the 1 documents the last one held (changsha-xzspj-2023-budget)" \
        in result.output and "--allow-shrink" in result.output
    assert snapshot(project) == before
    meant = invoke("run", "--offline", "--root", project, "--allow-shrink")
    assert meant.exit_code == 0, meant.output
    assert resource_csv(project, "documents").count("\n") == 1


def test_a_root_that_is_not_a_project_folder_is_refused(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = invoke("run", "--offline", "--root", missing)
    assert result.exit_code == 2 and "not a Budget Watch project folder" in result.output
    assert not missing.exists()


def _budgetwatch(*args: object, cwd: Path | None = None):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_concurrent_ingests_into_one_folder_lose_nothing(tmp_path):
    from conftest import sample_text
    from test_ingest import shifted

    from pipeline.archive import load_manifest

    out = tmp_path / "package"
    files = []
    for year in range(2018, 2024):
        path = tmp_path / f"budget-{year}.txt"
        path.write_text(shifted(sample_text(), year), encoding="utf-8")
        files.append(path)
    runs = [_budgetwatch("ingest", f, "--out", out, "--publisher-id", "changsha-xzspj")
            for f in files]
    outputs = [r.communicate(timeout=300)[0] for r in runs]
    assert all(r.returncode in (0, 1) for r in runs), outputs  # never a lost or broken run
    assert sorted(s.fiscal_year for s in load_manifest(out)) == list(range(2018, 2024))
    assert any("waiting: " in o and "in use by budgetwatch ingest (pid" in o for o in outputs)
    assert invoke("validate", out / "datapackage.json").exit_code == 0


def test_two_concurrent_committing_runs_make_one_commit(project):
    import git

    repo = git.Repo.init(project)
    repo.git.add("--all")
    repo.index.commit("originals")
    runs = [_budgetwatch("run", "--offline", "--commit", "--root", project) for _ in range(2)]
    outputs = [r.communicate(timeout=300)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert sorted(o.splitlines()[-1].split(":")[0] for o in outputs) == ["commit", "commit"]
    assert sum("commit: nothing changed" in o for o in outputs) == 1
    assert len(list(repo.iter_commits())) == 2  # the originals, then one data commit


def test_a_stale_git_lock_is_named_not_a_traceback(project):
    import git

    repo = git.Repo.init(project)
    (Path(repo.git_dir) / "index.lock").write_text("")
    result = invoke("run", "--offline", "--commit", "--root", project)
    assert result.exit_code == 3 and "index.lock exists: another git command" in result.output
    assert "Traceback" not in result.output


def test_an_interrupted_package_write_is_completed_and_temporaries_removed(project):
    import json

    from pipeline.package import JOURNAL

    assert invoke("run", "--offline", "--root", project).exit_code == 0
    documents = project / "data/documents/changsha-xzspj.csv"
    good = documents.read_bytes()
    # killed after its journal: the new version waits beside the file, half renamed
    waiting = project / "data/documents/.changsha-xzspj.csv.new-1-2"
    waiting.write_bytes(good)
    documents.write_bytes(good.replace(b"complete", b"partial"))  # an older version
    (project / JOURNAL).write_text(json.dumps([["data/documents/.changsha-xzspj.csv.new-1-2",
                                                "data/documents/changsha-xzspj.csv"]]))
    (project / "data/line_items/.changsha-xzspj.csv.jnyhopf9").write_text("half")  # mid-write
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 0, result.output
    assert "package: completed a write that was interrupted" in result.output
    assert "removed the temporary data/line_items/.changsha-xzspj.csv.jnyhopf9" in result.output
    assert documents.read_bytes() == good
    assert sorted(p.name for p in (project / "data").glob("**/.*")) == []
    assert not (project / JOURNAL).exists()


def test_formula_cells_without_results_are_reported_never_read_as_blank(tmp_path):
    import io

    import openpyxl
    import render

    from pipeline.extract import xlsx

    workbook = openpyxl.load_workbook(io.BytesIO(render.to_xlsx(render.sample_blocks(
        SAMPLE.read_bytes()))))
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and str(cell.value) == "264.87":  # 基本工资
                    cell.value = "=200+64.87"  # openpyxl stores no result for a formula
                    changed += 1
    assert changed >= 1
    out = io.BytesIO()
    workbook.save(out)
    cells = [c for b in xlsx.extract(out.getvalue()) for row in b.rows for c in row]
    assert "=200+64.87（公式，文件未存计算结果）" in cells
    path = tmp_path / "budget.xlsx"
    path.write_bytes(out.getvalue())
    package = tmp_path / "package"
    result = invoke("ingest", path, "--out", package, "--publisher-id", "changsha-xzspj")
    assert result.exit_code == 1, result.output  # read in part
    documents = resource_csv(package, "documents")
    assert ",partial," in documents and "公式，文件未存计算结果" in documents
    items = resource_csv(package, "line_items")
    assert ",30101,total,30101,economic,基本工资," not in items  # never published as 0


def test_a_missing_original_keeps_its_rows_and_is_reported(project):
    assert invoke("run", "--offline", "--root", project).exit_code == 0
    items = resource_csv(project, "line_items").encode()
    source, = (project / "data/archive/changsha-xzspj").glob("*.txt")
    source.unlink()  # as a fresh clone lacks an original over 5 MB
    shutil.rmtree(project / ".cache")
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the original is missing from the archive" in result.output
    assert "`budgetwatch fetch` downloads it again" in result.output
    assert resource_csv(project, "line_items").encode() == items  # its last good rows


def test_a_near_copy_is_a_revision_and_a_wrong_original_can_be_forgotten(project, tmp_path):
    from pipeline.archive import load_manifest

    assert invoke("run", "--offline", "--root", project).exit_code == 0
    items = resource_csv(project, "line_items").encode()
    findings = resource_csv(project, "findings").encode()
    copy = tmp_path / "again.txt"
    copy.write_bytes(SAMPLE.read_bytes() + b"\n")  # the same document, one byte more
    result = invoke("ingest", copy, "--out", project, "--publisher-id", "changsha-xzspj")
    assert result.exit_code == 0, result.output
    assert "a new revision of" in result.output
    manifest = load_manifest(project)
    assert len(manifest) == 2 and len({s.part for s in manifest}) == 1  # not a second part
    assert resource_csv(project, "line_items").encode() == items  # 163 amounts, not 198
    assert resource_csv(project, "findings").encode() == findings  # no false findings
    newest = max(manifest, key=lambda s: s.retrieved_at)
    forgot = invoke("forget", newest.sha256[:12], "--root", project)
    assert forgot.exit_code == 0, forgot.output
    assert f"forgot {newest.path}" in forgot.output and not (project / newest.path).exists()
    marked = {s.sha256: s.forgotten for s in load_manifest(project)}
    assert marked[newest.sha256] and not marked[SAMPLE.name.split(".")[0]]  # recorded
    documents = resource_csv(project, "documents")
    assert SAMPLE.name.split(".")[0] in documents  # the original is the document again
    gone = invoke("forget", "changsha-xzspj-2023-budget", "--root", project)
    assert gone.exit_code == 0, gone.output
    assert resource_csv(project, "documents").count("\n") == 1
    assert all(s.forgotten for s in load_manifest(project))
    assert invoke("forget", "changsha-xzspj-2023-budget", "--root", project).exit_code == 2


def test_a_document_that_breaks_a_library_is_rejected_alone(project, monkeypatch):
    import pipeline.process
    import pipeline.run as run_module

    def damaged(*_args, **_kwargs):
        raise RuntimeError("Failed to load page")  # as pypdfium2's PdfiumError on a bad page

    monkeypatch.setattr(pipeline.process, "process", damaged)
    result = run_module.run(project, fetch=False, say=lambda _: None)
    error = result.rejected["changsha-xzspj-2023-budget"]
    assert error.problems == ["could not be read (RuntimeError: Failed to load page)"]
    assert result.exit_status() == 1


def test_a_chinese_file_name_under_the_c_locale(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "长沙市行政审批服务局2023年部门预算.txt"
    shutil.copy(SAMPLE, path)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    done = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(path), "--out",
                           str(tmp_path / "package"), "--publisher-id", "changsha-xzspj"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_rows_a_document_repeats_reject_that_document_not_the_package(project, monkeypatch):
    import dataclasses

    import pipeline.process
    import pipeline.run as run_module

    real = pipeline.process.process

    def twice(*args, **kwargs):  # a damaged file that prints one project twice, differently
        extraction = real(*args, **kwargs)
        project_row = extraction.projects[0]
        other = dataclasses.replace(project_row, location=project_row.location + "x",
                                    amount_wan=project_row.amount_wan + 1)
        return dataclasses.replace(extraction, projects=extraction.projects + (other,))

    assert invoke("run", "--offline", "--root", project).exit_code == 0
    items = resource_csv(project, "line_items").encode()
    shutil.rmtree(project / ".cache")
    monkeypatch.setattr(pipeline.process, "process", twice)
    result = run_module.run(project, fetch=False, say=lambda _: None)
    problems = result.rejected["changsha-xzspj-2023-budget"].problems
    assert problems and problems[0].startswith("projects: the key changsha-xzspj-2023-budget")
    assert resource_csv(project, "line_items").encode() == items  # written, its rows kept


def test_a_registry_entry_of_the_wrong_shape_is_named_not_a_traceback(project):
    registry = project / "data/registry.toml"
    text = registry.read_text(encoding="utf-8")
    start = text.index("listing_urls = [") + len("listing_urls = [")
    registry.write_text(text[:start] + '"http://127.0.0.1/{page}/list.html", 3, ' + text[start:],
                        encoding="utf-8")
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'listing_urls' must be a list of texts" in result.output
    assert "listing URL 'http://127.0.0.1/{page}/list.html' may hold {year}" in result.output


def test_a_folder_that_cannot_be_written_is_named_in_one_line(project, monkeypatch):
    import pipeline.package as package

    def refused(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(package, "write_atomic", refused)  # as a read-only data/ (not root)
    result = invoke("run", "--offline", "--root", project)
    assert result.exit_code == 3
    assert result.output.strip().splitlines()[-1].startswith("error: ") and \
        result.output.strip().endswith(": Permission denied")
    assert "Traceback" not in result.output


def test_hostile_table_spans_are_bounded():
    from pipeline.extract import html

    page = (b'<table><tr><td rowspan=100000000 colspan="abc">1</td><td colspan=99999999>2</td>'
            b"</tr><tr><td>3</td></tr></table>")
    blocks = html.extract(page)
    table, = [b for b in blocks if b.kind == "table"] or [None]
    assert table is not None and len(table.rows) == 2
    assert max(len(r) for r in table.rows) <= 1 + html.MAX_COLSPAN + 1


def test_a_rejected_document_is_not_read_again_on_the_next_run(tmp_path, monkeypatch):
    import pipeline.process
    import pipeline.run as run_module
    from pipeline import cache

    broken = tmp_path / "broken.txt"
    broken.write_text("某局2022年部门预算\n本文件没有任何表格。\n", encoding="utf-8")
    out = tmp_path / "package"
    assert invoke("ingest", broken, "--out", out, "--publisher-id", "mou").exit_code == 1
    calls = []
    real = pipeline.process.process
    monkeypatch.setattr(pipeline.process, "process",
                        lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    shutil.rmtree(out / cache.RUNS)  # not the publisher's run kept: the rejection alone
    again = run_module.run(out, fetch=False, say=lambda _: None)
    assert "mou-2022-budget" in again.rejected and "no standard table" in str(
        again.rejected["mou-2022-budget"])
    assert calls == []  # the same bytes and parser: the rejection was kept, not redone
