"""The SQLite database for Datasette, built from a package of real disclosures (two years of
the Jiangsu high court's budget, from ../shared/corpus/), opened by Datasette's own client."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from decimal import Decimal

import pytest
from click.testing import CliRunner
from conftest import CORPUS, resource_csv

from pipeline.cli import main

COURT = [CORPUS / f"jiangsu/js-court-{year}-budget.pdf" for year in (2017, 2018)]
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("court")
    runner = CliRunner()
    done = runner.invoke(main, ["ingest", *map(str, COURT), "--out", str(root / "package")])
    assert done.exit_code in (0, 1), done.output
    database = root / "budget-watch.db"
    made = runner.invoke(main, ["sqlite", "--root", str(root / "package"), "--out",
                                str(database)])
    assert made.exit_code == 0, made.output
    return root / "package", database


def _get(database, *paths):
    from datasette.app import Datasette

    metadata = json.loads((database.parent / "metadata.json").read_text(encoding="utf-8"))
    datasette = Datasette([str(database)], metadata=metadata)

    async def fetch():
        return [await datasette.client.get(path) for path in paths]

    return asyncio.run(fetch())


def test_every_row_is_in_the_database_with_its_exact_amount(built):
    package, database = built
    with io.StringIO(resource_csv(package, "line_items")) as handle:
        rows = list(csv.DictReader(handle))
    stored = sqlite3.connect(database).execute(
        "select doc_id, table_, side, row_key, measure, amount_wan, amount_wan_fen "
        "from (select *, \"table\" as table_ from line_items)").fetchall()
    assert len(stored) == len(rows) > 300
    by_key = {tuple(r[:5]): r[5:] for r in stored}
    for row in rows:
        text, fen = by_key[(row["doc_id"], row["table"], row["side"], row["row_key"],
                            row["measure"])]
        assert text == row["amount_wan"]
        assert fen == (int(Decimal(text) * 1_000_000) if text else None)


def test_datasette_shows_the_chinese_titles(built):
    _, database = built
    home, table = _get(database, "/", "/budget-watch/line_items")
    assert home.status_code == 200 and "预算观察" in home.text
    assert table.status_code == 200 and "表格金额" in table.text


def test_full_text_search_finds_a_quoted_sentence(built):
    package, database = built
    with io.StringIO(resource_csv(package, "stated_changes")) as handle:
        quote = next(r["quote"] for r in csv.DictReader(handle) if len(r["quote"]) > 20)
    words = quote[2:14]  # a phrase from inside the sentence
    [found] = _get(database, f"/budget-watch/stated_changes.json?_search={words}"
                             "&_shape=array")
    assert found.status_code == 200
    assert quote in [row["quote"] for row in found.json()]


def test_a_foreign_key_resolves_to_its_document(built):
    _, database = built
    [found] = _get(database, "/budget-watch/line_items.json?_labels=on&_shape=array&_size=1")
    [row] = found.json()
    assert row["doc_id"]["label"] == "江苏省高级人民法院2017年部门预算"


def test_the_view_names_both_documents_of_a_change(built):
    _, database = built
    [found] = _get(database, "/budget-watch/changes_named.json?_shape=array&_size=1")
    [row] = found.json()
    assert (row["from_title"], row["to_title"]) == ("江苏省高级人民法院2017年部门预算",
                                                    "江苏省高级人民法院2018年部门预算")
