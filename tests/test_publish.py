"""Publishing to a local GitHub stand-in that checks every request and keeps state."""

import pytest
from click.testing import CliRunner
from github_standin import REPO, TOKEN, GitHubStandIn

from pipeline.cli import main
from pipeline.errors import DocumentError
from pipeline.outcome import Outcome, documents_of
from pipeline.publish.github import GitHub
from pipeline.publish.issues import MAX_BODY, publish
from pipeline.report import inert
from pipeline.run import run


@pytest.fixture
def github():
    with GitHubStandIn() as stand_in:
        yield stand_in


def client(stand_in, token=TOKEN):
    return GitHub(stand_in.url, REPO, token, sleep=lambda _: None, max_wait=5)


def test_first_run_opens_a_second_identical_run_changes_nothing(project, github):
    result = run(project, fetch=False, say=lambda _: None)
    assert publish(Outcome.of(result), client(github)) == [
        "issue #1 opened: 长沙市行政审批服务局 2023年部门预算：变化与核对"]
    issue = github.issues[1]
    assert "<!-- budget-watch:changes:changsha-xzspj:2023:budget -->" in issue["body"]
    assert "收入5073.08万元，较上年减少199.05万元（−3.78%）" in issue["body"]
    assert issue["labels"] == ["budget-watch", "changes", "budget"]
    writes = len([m for m, _ in github.log if m != "GET"])
    assert publish(Outcome.of(result), client(github)) == ["issue #1 unchanged: 长沙市行政审批服务局 "
                                               "2023年部门预算：变化与核对"]
    assert len([m for m, _ in github.log if m != "GET"]) == writes  # nothing was posted
    assert github.errors == [] and len(github.issues) == 1


def test_a_revised_document_updates_the_same_issue_with_a_comment(project, github):
    import dataclasses

    result = run(project, fetch=False, say=lambda _: None)
    publish(Outcome.of(result), client(github))
    revised = dataclasses.replace(result.extractions[0], findings=())  # a revision's new text
    result.documents = documents_of([revised], result.comparisons)
    assert publish(Outcome.of(result), client(github))[0].startswith("issue #1 updated")
    assert len(github.issues) == 1 and github.comments[1] == ["数据已更新，见正文。"]
    assert "成本指标与预算" not in github.issues[1]["body"]


def test_a_fetch_failure_opens_the_health_issue_and_recovery_closes_it(project, github):
    result = run(project, fetch=False, say=lambda _: None)
    from pipeline.fetch import FetchResult

    result.fetched = [FetchResult("putuo-wanli", failed=["https://www.shpt.gov.cn/x: HTTP 503"])]
    result.rejected["x-2023-budget"] = DocumentError("x.pdf", ["encrypted (password protected)"])
    lines = publish(Outcome.of(result), client(github))
    assert "issue #2 opened: Budget Watch：数据源或文件有问题" in lines
    body = github.issues[2]["body"]
    assert "x-2023-budget: encrypted (password protected)" in body
    assert "putuo-wanli: `https://www.shpt.gov.cn/x: HTTP 503`" in body  # shown, not linked
    result.rejected.clear()
    result.fetched = [FetchResult("putuo-wanli")]
    assert "issue #2 closed: health" in publish(Outcome.of(result), client(github))
    assert github.issues[2]["state"] == "closed"


def test_rate_limits_are_waited_out_and_5xx_retried(project, github):
    result = run(project, fetch=False, say=lambda _: None)
    github.faults = ["429", "503", "403"]
    assert publish(Outcome.of(result), client(github))[0].startswith("issue #1 opened")
    assert github.faults == []


def test_a_refused_token_ends_with_a_clear_message_that_does_not_show_it(project, github):
    run(project, fetch=False, say=lambda _: None)
    result = CliRunner().invoke(main, ["publish", "--root", str(project)],
                                env={"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPO,
                                     "GITHUB_TOKEN": "wrong-secret"})
    assert result.exit_code == 2  # a configuration error
    assert "GitHub refused the token (401)" in result.output
    assert "wrong-secret" not in result.output


def test_the_dry_run_writes_what_it_would_post(project, tmp_path):
    out = tmp_path / "dry"
    run(project, fetch=False, say=lambda _: None)
    result = CliRunner().invoke(main, ["publish", "--root", str(project), "--dry-run", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["000-changes-changsha-xzspj-2023-budget.json",
                                                     "001-health.json"]


def test_hostile_document_text_is_made_inert():
    hostile = "@everyone <script>alert(1)</script> ![x](http://evil.example/a.png) " \
              "[点我](javascript:alert(1)) 详见 http://example.invalid/x 或 www.example.invalid " \
              "[x][1]\n[1]: http://example.invalid/ref #12" + "长" * 100_000
    text = inert(hostile)
    assert "@everyone" not in text and "@\u200beveryone" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "![x](" not in text and "](javascript:" not in text
    assert "http://" not in text and "www.example" not in text  # no bare URL GitHub links
    assert "[x][1]" not in text and "[1]:" not in text  # no reference-style link
    assert "#12" not in text  # no issue reference
    from pipeline.publish.issues import cut

    body = cut(text, "reports/x.md")
    assert len(body) <= MAX_BODY + 100 and body.endswith("完整报告：reports/x.md）")


def test_a_data_release_carries_the_zip_the_xlsx_and_the_database_once(project, github,
                                                                       tmp_path):
    runner = CliRunner()
    out, xlsx, database = tmp_path / "data.zip", tmp_path / "data.xlsx", tmp_path / "data.db"
    assert runner.invoke(main, ["run", "--offline", "--root", str(project)]).exit_code == 0
    assert runner.invoke(main, ["export", "--root", str(project), "--out", str(out),
                                "--xlsx", str(xlsx)]).exit_code == 0
    assert runner.invoke(main, ["sqlite", "--root", str(project), "--out", str(database)]
                         ).exit_code == 0
    env = {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}
    args = ["publish", "--root", str(project)]
    for path in (out, xlsx, database):
        args += ["--release", str(path)]
    first = runner.invoke(main, args, env=env)
    assert first.exit_code == 0, first.output
    assert "published (#1)" in first.output
    assert sorted(github.assets.values()) == sorted(
        (p.name, p.read_bytes()) for p in (out, xlsx, database))
    [release] = github.releases.values()
    assert "下载：data.zip（数据包" in release["body"] and "data.db（SQLite 数据库" in \
        release["body"]
    assert "长沙市行政审批服务局 2023年部门预算：163 个金额，重要变化 0 项，核对错误 1 项" in \
        release["body"]
    assert "  - 收入5073.08万元，较上年减少199.05万元（−3.78%）" in release["body"]
    second = runner.invoke(main, args, env=env)
    assert "unchanged (#1)" in second.output and len(github.releases) == 1
    assert github.errors == []


def test_a_new_year_closes_last_years_issue_with_a_link(project, github):
    import dataclasses

    result = run(project, fetch=False, say=lambda _: None)
    last_year = dataclasses.replace(result.extractions[0], source=dataclasses.replace(
        result.extractions[0].source, fiscal_year=2022))
    current = result.documents
    result.documents = documents_of([last_year], result.comparisons)
    publish(Outcome.of(result), client(github))
    result.documents = current
    lines = publish(Outcome.of(result), client(github))
    assert "issue for changes:changsha-xzspj:2022:budget closed: superseded by #2" in lines
    assert github.issues[1]["state"] == "closed" and github.comments[1] == ["已由 #2 接续。"]


def test_a_large_original_is_kept_as_a_release_asset_and_restored_by_its_sha256(
        project, github):
    import hashlib
    import os

    from pipeline.archive import LARGE, archive
    from pipeline.model import Source

    runner = CliRunner()
    env = {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}
    assert runner.invoke(main, ["run", "--offline", "--root", str(project)]).exit_code == 0
    data = b"%PDF-1.4\n" + os.urandom(LARGE)  # over 5 MB: the archive keeps it out of git
    stored = archive(project, data, Source("", "", "big-bureau", 2022, "budget", "department",
                                           "application/pdf", 0, "某局2022年部门预算"))
    digest = hashlib.sha256(data).hexdigest()
    assert stored.path == f"data/archive/large/big-bureau/{digest}.pdf"
    args = ["publish", "--root", str(project), "--originals"]
    first = runner.invoke(main, args, env=env)
    assert f"originals: release originals-{digest[:2]} published (1 originals)" in first.output
    [(name, uploaded)] = [a for a in github.assets.values() if a[0].endswith(".pdf")]
    assert name == f"{digest}.pdf" and uploaded == data
    assert "originals:" not in runner.invoke(main, args, env=env).output  # there already

    original = project / stored.path
    original.unlink()  # a fresh clone: the manifest names it, git does not hold it
    restored = runner.invoke(main, ["restore", "--root", str(project)], env=env)
    assert restored.exit_code == 0, restored.output
    assert "restore: 1 of 1 originals restored" in restored.output
    assert original.read_bytes() == data
    assert "no original is needed" in runner.invoke(
        main, ["restore", "--root", str(project)], env=env).output

    original.unlink()
    [asset_id] = [i for i, (n, _) in github.assets.items() if n == name]
    github.assets[asset_id] = (name, data[:-1] + b"x")  # an asset that is not the original
    refused = runner.invoke(main, ["restore", "--root", str(project)], env=env)
    assert refused.exit_code == 1
    assert f"{stored.path} (big-bureau-2022-budget): the asset's bytes have sha256" in \
        refused.output and "not written" in refused.output
    assert not original.exists()
    assert github.errors == []
