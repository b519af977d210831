"""The static site, built from a package of real disclosures (three years of the Jiangsu high
court, two of Putuo's Wanli subdistrict, and Beijing, Guangzhou and a central ministry from
../shared/corpus/) and read in headless Chromium (Debian's chromium, driven by Playwright):
pages load from the folder with no console error and no request beyond it, every internal
link and download resolves, the charts carry the package's figures, search finds a publisher
by part of its Chinese name."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from pipeline.cli import main
from pipeline.package import resource_rows

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DISCLOSURES = [
    [f"jiangsu/js-court-{year}-budget.pdf" for year in (2017, 2018, 2019)],
    [f"shanghai/putuo-wanli-{year}-budget.pdf" for year in (2023, 2024)],
    ["beijing/beijing-tjj-2026-budget-part1-text.pdf",
     "beijing/beijing-tjj-2026-budget-part2-tables.pdf"],
    ["guangdong/guangzhou-kjj-2026-budget.pdf"],
    ["central/central-gjxfj-2026-budget.pdf"],
]
COURT = "publishers/江苏省高级人民法院.html"
COURT_2018 = "documents/江苏省高级人民法院-2018-budget.html"
pytestmark = pytest.mark.skipif(not CORPUS.exists() or not Path(CHROMIUM).exists(),
                                reason="needs ../shared/corpus and Debian's chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    runner = CliRunner()
    for files in DISCLOSURES:  # one ingest per disclosure, as a newsroom adds them
        done = runner.invoke(main, ["ingest", *(str(CORPUS / f) for f in files), "--out",
                                    str(root / "package")])
        assert done.exit_code in (0, 1), done.output
    built = runner.invoke(main, ["site", "--root", str(root / "package"), "--out",
                                 str(root / "site")])
    assert built.exit_code == 0, built.output
    return root / "package", root / "site"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def _open(browser, path: Path):
    """The page loaded, with what it logged and every request it made."""
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


@pytest.mark.parametrize("name", ["index.html", COURT, COURT_2018])
def test_a_page_loads_with_no_error_and_no_request_beyond_the_folder(site, browser, name):
    _, folder = site
    page, errors, requests = _open(browser, folder / name)
    assert errors == []
    assert requests and all(url.startswith("file://") for url in requests), requests
    assert page.locator("h1").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing wider than a phone: wide tables scroll in their box
    page.close()


def test_every_internal_link_and_download_resolves(site, browser):
    _, folder = site
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) == 14  # the home page, 5 publishers, 8 documents
    checked = 0
    for html in pages:
        page, _, _ = _open(browser, html)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlparse(href)
            if url.scheme != "file":
                assert url.scheme in ("http", "https"), href  # a publisher's address
                continue
            target = Path(unquote(url.path))
            assert target.is_file() and folder in target.parents, f"{html.name}: {href}"
            checked += 1
        page.close()
    assert checked > 100


def test_the_charts_carry_the_packages_figures(site, browser):
    package, folder = site
    items = resource_rows(package, "line_items")
    income = {int(r["doc_id"].split("-")[-2]): r["amount_wan"] for r in items
              if r["doc_id"].startswith("江苏省高级人民法院") and r["table"] == "income"
              and r["row_key"] == "收入总计" and r["measure"] == "amount"}
    assert income == {2017: "28849.38", 2018: "33172.15", 2019: "37188.34"}
    page, _, _ = _open(browser, folder / COURT)
    points = page.eval_on_selector_all(
        "circle[data-series^='收入']", "cs => cs.map(c => [c.dataset.year, c.dataset.value])")
    assert {int(year): value for year, value in points} == income
    page.close()
    three_public = {r["measure"]: r["amount_wan"] for r in items
                    if r["doc_id"] == "江苏省高级人民法院-2018-budget"
                    and r["table"] == "three_public" and r["row_key"] == "合计"}
    page, _, _ = _open(browser, folder / COURT_2018)
    bars = dict(page.eval_on_selector_all(
        "rect[data-name]", "rs => rs.map(r => [r.dataset.name, r.dataset.value])"))
    assert bars["公务接待费"] == three_public["reception"] == "183.95"
    assert bars["因公出国（境）费"] == three_public["overseas"] == "170.00"
    page.close()


def test_search_finds_a_publisher_by_part_of_its_name(site, browser):
    _, folder = site
    page, errors, _ = _open(browser, folder / "index.html")
    page.fill("#q", "万里街道")
    results = page.locator("#results a")
    assert results.count() >= 1
    assert "上海市普陀区人民政府万里街道办事处" in results.first.inner_text()
    results.first.click()
    page.wait_for_load_state("load")
    assert "万里街道办事处" in page.locator("h1").inner_text()
    assert errors == []
    page.close()


def test_the_home_page_reads_without_javascript(site, browser):
    _, folder = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((folder / "index.html").as_uri())
    regions = page.locator("h3").all_inner_texts()
    assert {"江苏省", "上海市", "北京市", "广州市", "中央"} <= set(regions)
    assert page.get_by_role("link", name="2019年部门预算", exact=True).count() == 1
    context.close()


def test_the_document_page_links_a_finding_to_its_page_in_the_original(site, browser):
    _, folder = site
    page, _, _ = _open(browser, folder / COURT_2018)
    links = page.eval_on_selector_all("a[href*='#page=']", "links => links.map(a => a.href)")
    assert links and all("/originals/" in link or link.startswith("http") for link in links)
    page.close()
