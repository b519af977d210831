"""The same disclosure in every format gives the same data as its text rendering."""

import pytest
import render
from conftest import SAMPLE, process_text

from pipeline.extract import sniff
from pipeline.model import Extraction

FORMATS = ["html", "docx", "xlsx", "xls", "pdf"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Extraction:
    return process_text(tmp_path_factory.mktemp("ref"), SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    blocks = render.sample_blocks(SAMPLE.read_bytes())
    return {fmt: getattr(render, f"to_{fmt}")(blocks) for fmt in FORMATS}


def process_bytes(tmp_path, data: bytes, name: str) -> Extraction:
    from conftest import REPO, sample_source

    from pipeline.process import process
    from pipeline.sources import load_registry

    (tmp_path / name).write_bytes(data)
    source = sample_source(name)
    source = type(source)(**{**source.__dict__, "media_type": sniff(data)})
    return process(source, tmp_path, load_registry(REPO / "data/registry.toml")["changsha-xzspj"])


def facts(extraction: Extraction):
    items = {(i.table, i.side, i.row_key, i.measure, i.code, i.label, i.amount_wan)
             for i in extraction.line_items}
    projects = {(p.unit_code, p.project, p.amount_wan) for p in extraction.projects}
    changes = {(c.subject, c.amount_wan, c.change_wan, c.change_pct, c.compared_to)
               for c in extraction.stated_changes}
    findings = {(f.check, f.table, f.row_key, f.measure, f.expected, f.actual)
                for f in extraction.findings}
    return items, projects, changes, findings


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_gives_the_same_amounts_projects_changes_and_findings(tmp_path, rendered,
                                                                     reference, fmt):
    got = process_bytes(tmp_path, rendered[fmt], f"sample.{fmt}")
    for produced, expected in zip(facts(got), facts(reference), strict=True):
        assert produced == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_is_sniffed_from_the_bytes(rendered, fmt):
    assert sniff(rendered[fmt]).endswith({"html": "html", "docx": "document", "xlsx": "sheet",
                                          "xls": "excel", "pdf": "pdf"}[fmt])


def test_an_xlsx_that_is_really_html_is_read_as_html(tmp_path, rendered, reference):
    got = process_bytes(tmp_path, rendered["html"], "disguised.xlsx")
    assert facts(got)[0] == facts(reference)[0]
