from pathlib import Path

import pytest
from conftest import REPO

from pipeline.errors import RegistryError
from pipeline.sources import load_registry

GOOD = """
[[publisher]]
id = "a"
name = "甲"
region = "某省"
listing_urls = ["http://127.0.0.1/{year}/"]
link_patterns = { budget = "{year}年.*预算" }
allowed_hosts = ["127.0.0.1"]
years = [2023, 2024]
kinds = ["budget"]
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "registry.toml"
    path.write_text(text, encoding="utf-8")
    return load_registry(path)


def test_the_shipped_registry_loads():
    publishers = load_registry(REPO / "data/registry.toml")
    assert publishers["changsha-xzspj"].name == "长沙市行政审批服务局"


def test_listing_urls_are_templated_by_year(tmp_path):
    publisher = load(tmp_path, GOOD)["a"]
    assert publisher.listing_for(2024) == ["http://127.0.0.1/2024/"]
    assert publisher.scope == "department"


def test_every_problem_is_reported_with_its_entry_and_key(tmp_path):
    bad = GOOD.replace('kinds = ["budget"]', 'kinds = ["budgets"]\ncolour = "red"') \
              .replace('years = [2023, 2024]', 'years = ["2023"]')
    with pytest.raises(RegistryError) as raised:
        load(tmp_path, bad + GOOD)
    assert raised.value.problems == [
        "publisher 1 (a): unknown key 'colour'",
        "publisher 1 (a): kind 'budgets' is not one of budget, final_accounts",
        "publisher 1 (a): 'years' must be a list of years such as 2023",
        "publisher 2: duplicate id 'a'",
    ]


def test_a_registry_that_is_not_toml_is_a_registry_error(tmp_path):
    with pytest.raises(RegistryError, match="registry.toml"):
        load(tmp_path, "[[publisher]\n")


def test_the_registry_holds_the_hundred_city_columns_each_unverified_and_on_its_own_host():
    import csv
    from urllib.parse import urlparse

    from conftest import SHARED

    publishers = load_registry(REPO / "data/registry.toml")
    columns = [p for p in publishers.values() if p.discovers]
    assert len(columns) == 100 and not any(p.verified for p in columns)
    for column in columns:
        assert all(urlparse(u).hostname in column.allowed_hosts for u in column.listing_urls)
        assert set(column.link_patterns) == set(column.kinds) == {"budget", "final_accounts"}
    listed = SHARED / "portals/city-budget-columns.csv"
    if listed.exists():
        with listed.open(encoding="utf-8", newline="") as handle:
            urls = {r["budget_column_url"] for r in csv.DictReader(handle)}
        assert {u for p in columns for u in p.listing_urls} == urls
    assert publishers["长沙-预决算公开专栏"].template == "hunan"
