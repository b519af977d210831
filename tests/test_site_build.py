"""The site built from the bundled sample, without a browser (tests/test_site.py reads a
corpus-built site in Chromium)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.archive import load_manifest
from pipeline.cli import main


def build(project, out):
    assert CliRunner().invoke(main, ["run", "--offline", "--root", str(project)]).exit_code == 0
    made = CliRunner().invoke(main, ["site", "--root", str(project), "--out", str(out)])
    assert made.exit_code == 0, made.output
    return (out / "documents/changsha-xzspj-2023-budget.html").read_text(encoding="utf-8")


def test_a_document_links_its_archived_original_at_the_line_of_a_finding(project, tmp_path):
    page = build(project, tmp_path / "site")
    original = load_manifest(project)[0]
    name = original.path.split("/")[-1]
    assert f'href="../originals/{name}">原文件</a>' in page
    assert (tmp_path / "site/originals" / name).read_bytes() == \
        (project / original.path).read_bytes()
    assert "第 687 行" in page  # the finding's place, as 第 N 行


def test_an_original_the_clone_lacks_is_not_linked(project, tmp_path):
    assert CliRunner().invoke(main, ["run", "--offline", "--root", str(project)]).exit_code == 0
    (project / load_manifest(project)[0].path).unlink()  # a large original, not committed
    made = CliRunner().invoke(main, ["site", "--root", str(project), "--out",
                                     str(tmp_path / "site")])
    assert made.exit_code == 0, made.output
    assert not any((tmp_path / "site/originals").iterdir())
    assert "originals/" not in (tmp_path / "site/documents/changsha-xzspj-2023-budget.html"
                                ).read_text(encoding="utf-8")


def test_the_search_index_holds_publishers_lines_and_quotes(project, tmp_path):
    build(project, tmp_path / "site")
    text = (tmp_path / "site/search-index.js").read_text(encoding="utf-8")
    entries = json.loads(text.removeprefix("window.SEARCH_INDEX = ").rstrip(";\n"))
    kinds = {kind for _, kind, _ in entries}
    assert kinds == {"发布单位", "文件", "科目", "原文"}
    assert ["长沙市行政审批服务局", "发布单位", "publishers/changsha-xzspj.html"] in entries
    assert any(kind == "原文" and "199.05" in text for text, kind, _ in entries)
