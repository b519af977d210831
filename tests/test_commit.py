"""Commits on real git repositories made in temporary folders."""

import shutil

import git
import pytest
from click.testing import CliRunner
from conftest import REPO, resource_csv

from pipeline.archive import archive, load_manifest
from pipeline.cli import main


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "data/registry.toml", root / "data/registry.toml")
    shutil.copytree(REPO / "data/archive", root / "data/archive")
    (root / ".gitignore").write_text(".cache/\n")
    repository = git.Repo.init(root)
    repository.git.add("--all")
    actor = git.Actor("tester", "tester@127.0.0.1")
    repository.index.commit("inputs", author=actor, committer=actor)
    return root


def run(root):
    result = CliRunner().invoke(main, ["run", "--offline", "--commit", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return result.output


def history(root):
    return [c.message for c in git.Repo(root).iter_commits()]


def test_the_first_run_commits_and_an_unchanged_second_run_does_not(repo):
    assert "commit: " in run(repo)
    first = git.Repo(repo).head.commit
    assert first.author.name == "Budget Watch bot"
    assert first.message.startswith("data: source change, 1 document(s) new or revised")
    assert "收入5073.08万元，较上年减少199.05万元（−3.78%）" in first.message
    assert run(repo).splitlines()[-1] == "commit: nothing changed"
    assert len(history(repo)) == 2


def test_a_revised_source_commits_once_as_a_source_change(repo):
    run(repo)
    text = (repo / load_manifest(repo)[0].path).read_text(encoding="utf-8")
    revised = text.replace("30101\t基本工资\t264.87", "30101\t基本工资\t264.87 ")
    stored = archive(repo, revised.encode(), load_manifest(repo)[0].__class__(
        **{**load_manifest(repo)[0].__dict__, "retrieved_at": "2026-12-01T00:00:00Z"}))
    run(repo)
    messages = history(repo)
    assert len(messages) == 3
    assert messages[0].startswith("data: source change, 1 document(s) new or revised")
    assert stored.path in git.Repo(repo).head.commit.stats.files


def test_a_parser_only_change_commits_as_reprocessed(repo, monkeypatch):
    run(repo)
    import pipeline.report as report

    real = report.render
    monkeypatch.setattr(report, "render", lambda s: real(s) + "\n（新版解析）\n")
    import pipeline.run as run_module

    monkeypatch.setattr(run_module, "render", report.render)
    monkeypatch.setattr(run_module.cache, "fingerprint", lambda: "a newer parser")  # as an edit
    run(repo)
    assert history(repo)[0].startswith("data: reprocessed with a newer parser, no new originals")


def test_a_revision_is_diffed_cell_by_cell_against_the_one_before(repo):
    run(repo)
    source = load_manifest(repo)[0]
    text = (repo / source.path).read_text(encoding="utf-8")
    revised = text.replace("30101\t基本工资\t264.87\t264.87", "30101\t基本工资\t265.87\t265.87")
    archive(repo, revised.encode(), source.__class__(
        **{**source.__dict__, "retrieved_at": "2026-12-01T00:00:00Z"}))
    run(repo)
    rows = resource_csv(repo, "changes").splitlines()
    revised_rows = [r for r in rows if ",revised," in r]
    before = f"changsha-xzspj-2023-budget@{source.sha256[:12]},changsha-xzspj-2023-budget,"
    assert any(before + "general_budget_basic,,30101,total,基本工资,264.87,265.87,1.00,0.38,"
               "revised,新版本改动" in r for r in revised_rows), revised_rows


def test_commits_in_a_shallow_clone(repo, tmp_path):
    run(repo)
    clone = tmp_path / "shallow"
    git.Repo.clone_from(f"file://{repo}", clone, depth=1)
    assert git.Repo(clone).git.rev_parse("--is-shallow-repository") == "true"
    assert run(clone).splitlines()[-1] == "commit: nothing changed"
    source = load_manifest(clone)[0]
    text = (clone / source.path).read_text(encoding="utf-8")
    archive(clone, text.replace("收入，也没", "收入，也没 ").encode(), source.__class__(
        **{**source.__dict__, "retrieved_at": "2026-12-02T00:00:00Z"}))
    assert "commit: " in run(clone) and history(clone)[0].startswith("data: source change")


def test_commits_in_a_checkout_owned_by_another_user(repo):
    import os

    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    assert "commit: " in run(repo)
    from pipeline.commit import trusted

    with trusted(repo):  # the test's own git reads need the same trust
        assert history(repo)[0].startswith("data: source change")
