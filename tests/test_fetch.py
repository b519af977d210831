"""The scraper against a real HTTP server on 127.0.0.1 serving two portals of different
structure, configured only through the registry; faults injected on the server."""

import re
from pathlib import Path

import pytest
import render
from conftest import CORPUS, SAMPLE
from portal import Portal, column_entry

from pipeline.archive import load_manifest
from pipeline.fetch import Settings, fetch_publisher
from pipeline.run import fetch_all, run
from pipeline.sources import load_registry

FAST = Settings(timeout=(0.5, 0.5), retries=2, backoff=0.01, max_wait=0.05, min_interval=0,
                max_bytes=2_000_000)

LISTING = """<html><head><meta charset="gb2312"><title>部门预决算</title></head><body>
<div class="list"><ul>
<li><a href="./t20230201_1.html">长沙市行政审批服务局2023年部门预算公开</a><span>2023-02-01</span></li>
<li><a href="./t20230105_9.html">关于开展2023年政务公开工作的通知</a></li>
<li><a href="http://elsewhere.example/x.html">长沙市行政审批服务局2023年部门预算公开（镜像）</a></li>
</ul></div>
<script>createPageHTML(3, 0, "index", "html");</script></body></html>"""
PAGE_1 = """<html><head><meta charset="utf-8"></head><body><ul>
<li><a href="/xxgk/t20230801_2.html" title="决算">长沙市行政审批服务局2022年部门决算公开</a></li>
</ul></body></html>"""
PAGE_2 = """<html><head><meta charset="utf-8"></head><body><ul>
<li><a href="/xxgk/t20230201_1.html">长沙市行政审批服务局2023年部门预算公开</a></li>
</ul></body></html>"""
DETAIL = """<html><head><meta charset="gbk"></head><body><h1>长沙市行政审批服务局2023年部门预算公开</h1>
<p>附件：<a href="/files/cs-2023-budget.pdf">2023年部门预算.pdf</a></p>
<script>var attachment = "/files/cs-2023-budget.xlsx";</script></body></html>"""
WANLI = """<html><head><meta charset="utf-8"></head><body><table class="news">
<tr><td><a href="/ptq/files/wanli-2024.pdf" title="2024年部门预算">上海市普陀区万里街道2024年部门预算</a></td></tr>
</table><script>var countPage = 1;</script></body></html>"""

REGISTRY = """
[[publisher]]
id = "changsha-xzspj"
name = "长沙市行政审批服务局"
region = "湖南省长沙市"
template = "hunan"
listing_urls = ["{base}/xxgk/index.html"]
link_patterns = {{ budget = "{{year}}年部门预算", final_accounts = "{{year}}年部门决算" }}
allowed_hosts = ["127.0.0.1"]
years = [2022, 2023]
kinds = ["budget", "final_accounts"]

[[publisher]]
id = "putuo-wanli"
name = "上海市普陀区人民政府万里街道办事处"
region = "上海市普陀区"
listing_urls = ["{base}/ptq/list.html"]
link_patterns = {{ budget = "{{year}}年部门预算" }}
allowed_hosts = ["127.0.0.1"]
years = [2024]
kinds = ["budget"]
"""


@pytest.fixture(scope="module")
def documents():
    blocks = render.sample_blocks(SAMPLE.read_bytes())
    wanli = CORPUS / "shanghai/putuo-wanli-2024-budget.pdf"
    # the page linked as the 2022 final accounts says so itself (the year it states wins)
    accounts = re.sub(r"20[12]\d(?= ?年)", lambda m: str(int(m.group()) - 1),
                      SAMPLE.read_text(encoding="utf-8")).replace("部门预算", "部门决算")
    return {"pdf": render.to_pdf(blocks), "xlsx": render.to_xlsx(blocks),
            "html": render.to_html(render.sample_blocks(accounts.encode("utf-8")), "utf-8"),
            "wanli": wanli.read_bytes() if wanli.exists() else render.to_pdf(blocks[:40])}


@pytest.fixture
def portal(documents):
    with Portal() as server:
        server.serve("/xxgk/index.html", LISTING.encode("gbk"), Content_Type="text/html")
        server.serve("/xxgk/index_1.html", PAGE_1.encode(), Content_Type="text/html")
        server.serve("/xxgk/index_2.html", PAGE_2.encode(), Content_Type="text/html")
        server.serve("/xxgk/t20230201_1.html", DETAIL.encode("gbk"), Content_Type="text/html")
        server.serve("/xxgk/t20230801_2.html", documents["html"], Content_Type="text/html")
        server.serve("/files/cs-2023-budget.pdf", documents["pdf"], ETag='"pdf-1"',
                     Last_Modified="Wed, 01 Feb 2023 08:00:00 GMT")
        server.serve("/files/cs-2023-budget.xlsx", documents["xlsx"], ETag='"xlsx-1"')
        server.serve("/ptq/list.html", WANLI.encode(), Content_Type="text/html")
        server.serve("/ptq/files/wanli-2024.pdf", documents["wanli"], ETag='"w-1"')
        server.serve("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
        yield server


@pytest.fixture
def root(tmp_path, portal) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data/registry.toml").write_text(REGISTRY.format(base=portal.base),
                                                 encoding="utf-8")
    return tmp_path


def publishers(root):
    return load_registry(root / "data/registry.toml")


def fetch(root, publisher_id="changsha-xzspj"):
    return fetch_publisher(root, publishers(root)[publisher_id], settings=FAST)


def test_walks_pages_and_detail_pages_and_archives_each_original_once(root, portal):
    result = fetch(root)
    base = portal.base
    assert sorted(result.new) == sorted([f"{base}/files/cs-2023-budget.pdf",
                                         f"{base}/files/cs-2023-budget.xlsx",
                                         f"{base}/xxgk/t20230801_2.html"])
    assert result.failed == []
    assert portal.hits["/xxgk/t20230201_1.html"] == 1  # listed twice, fetched once
    assert portal.hits["/xxgk/index_2.html"] == 1  # the page count came from the script
    sources = {s.source_url: s for s in load_manifest(root)}
    pdf = sources[f"{base}/files/cs-2023-budget.pdf"]
    assert (pdf.fiscal_year, pdf.kind, pdf.media_type, pdf.etag, pdf.last_modified) == (
        2023, "budget", "application/pdf", '"pdf-1"', "Wed, 01 Feb 2023 08:00:00 GMT")
    assert pdf.title == "长沙市行政审批服务局2023年部门预算公开"
    final = sources[f"{base}/xxgk/t20230801_2.html"]
    assert (final.fiscal_year, final.kind, final.media_type) == (2022, "final_accounts",
                                                                 "text/html")
    assert (root / pdf.path).read_bytes() == portal.pages["/files/cs-2023-budget.pdf"][2]


def test_a_second_fetch_of_an_unchanged_portal_downloads_no_document_body(root, portal):
    fetch(root)
    served = sum(portal.body_bytes[p] for p in portal.body_bytes if p.startswith("/files/"))
    second = fetch(root)
    assert second.new == [] and second.failed == []
    assert sorted(second.unchanged) == sorted([f"{portal.base}/files/cs-2023-budget.pdf",
                                               f"{portal.base}/files/cs-2023-budget.xlsx",
                                               f"{portal.base}/xxgk/t20230801_2.html"])
    assert sum(portal.body_bytes[p] for p in portal.body_bytes
               if p.startswith("/files/")) == served  # answered 304, no body


def test_new_bytes_at_a_known_url_are_a_new_revision_and_the_old_one_is_kept(root, portal):
    fetch(root)
    _, headers, body = portal.pages["/files/cs-2023-budget.xlsx"]
    portal.serve("/files/cs-2023-budget.xlsx", body + b"\0", ETag='"xlsx-2"')
    result = fetch(root)
    assert result.republished == [f"{portal.base}/files/cs-2023-budget.xlsx"]
    revisions = [s for s in load_manifest(root) if s.source_url.endswith(".xlsx")]
    assert len(revisions) == 2 and all((root / s.path).exists() for s in revisions)


def test_a_second_portal_of_another_structure_is_configured_by_the_registry_alone(root):
    result = fetch(root, "putuo-wanli")
    assert [Path(u).name for u in result.new] == ["wanli-2024.pdf"]
    [source] = [s for s in load_manifest(root) if s.publisher_id == "putuo-wanli"]
    assert (source.fiscal_year, source.kind, source.media_type) == (2024, "budget",
                                                                   "application/pdf")


FAULTS = {
    "503 with Retry-After, then recovers": ("/files/cs-2023-budget.pdf", ["503:0", "503:0"],
                                           None),
    "500, then recovers": ("/files/cs-2023-budget.pdf", ["500"], None),
    "a hanging response": ("/files/cs-2023-budget.pdf", ["hang:2"] * 3, "timed out"),
    "a reset connection": ("/files/cs-2023-budget.pdf", ["reset"] * 3, "connection"),
    "a truncated body": ("/files/cs-2023-budget.pdf", ["truncated"] * 3, "truncated body"),
    "a redirect loop": ("/files/cs-2023-budget.pdf", ["redirect:/files/loop.pdf"], "redirect loop"),
    "a redirect to another host": ("/files/cs-2023-budget.pdf",
                                   ["redirect:http://other.example/x.pdf"], "is not allowed"),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_gives_a_clear_error_and_the_other_publisher_is_processed(root, portal, name):
    path, behaviours, expected = FAULTS[name]
    portal.fail(path, *behaviours)
    if "loop" in name:
        portal.fail("/files/loop.pdf", "redirect:/files/cs-2023-budget.pdf")
        portal.faults[path] = ["redirect:/files/loop.pdf"] * 3
    lines: list[str] = []
    results = fetch_all(root, publishers(root), lines.append, settings=FAST)
    changsha, wanli = results
    url = f"{portal.base}{path}"
    if expected is None:
        assert url in changsha.new and changsha.failed == []
    else:
        assert url not in changsha.new
        assert any(f.startswith(url) and expected in f for f in changsha.failed), changsha.failed
        assert expected in "\n".join(lines)
    assert [Path(u).name for u in wanli.new] == ["wanli-2024.pdf"]
    assert_no_partial_files(root)


def test_an_html_error_page_in_place_of_a_pdf_is_an_error(root, portal):
    portal.serve("/files/cs-2023-budget.pdf", "<html><body>系统维护中</body></html>".encode())
    result = fetch(root)
    assert f"{portal.base}/files/cs-2023-budget.pdf: an HTML page was served in place of a " \
           "application/pdf document" in result.failed
    assert_no_partial_files(root)


def test_a_missing_attachment_and_a_file_over_the_cap_are_errors(root, portal):
    del portal.pages["/files/cs-2023-budget.xlsx"]
    portal.serve("/files/cs-2023-budget.pdf", b"%PDF-1.4" + b"0" * 3_000_000)
    result = fetch(root)
    assert f"{portal.base}/files/cs-2023-budget.xlsx: HTTP 404" in result.failed
    assert f"{portal.base}/files/cs-2023-budget.pdf: 3000008 bytes is over the 2000000-byte " \
           "cap" in result.failed
    assert_no_partial_files(root)


def test_a_listing_whose_structure_changed_is_a_loud_error_not_an_empty_success(root, portal):
    portal.serve("/xxgk/index.html", b"<html><body><div id='app'></div></body></html>")
    result = fetch(root)
    assert result.failed == [f"{portal.base}/xxgk/index.html: structure changed: the listing "
                             "has no disclosure links at all (expected link text matching "
                             "budget: {year}年部门预算; final_accounts: {year}年部门决算)"]


def test_robots_txt_is_obeyed(root, portal):
    portal.serve("/robots.txt", b"User-agent: *\nDisallow: /files/\n")
    result = fetch(root)
    assert f"{portal.base}/files/cs-2023-budget.pdf: disallowed by robots.txt" in result.failed
    assert portal.hits["/files/cs-2023-budget.pdf"] == 0


def test_requests_to_one_host_are_spaced_by_the_rate_limit(root, portal):
    from pipeline.fetch.http import Hosts

    slow = Settings(timeout=(1, 1), retries=0, min_interval=0.1)
    hosts = Hosts()
    fetch_publisher(root, publishers(root)["putuo-wanli"], settings=slow, hosts=hosts)
    sent = [t for _, t in hosts.sent]  # the client's own schedule, not the server's clock
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert len(gaps) >= 2 and min(gaps) >= 0.1


def test_politeness_holds_per_host_across_publishers(root, portal):
    from pipeline.fetch.http import Hosts

    slow = Settings(timeout=(1, 1), retries=0, min_interval=0.05)
    hosts = Hosts()
    results = fetch_all(root, publishers(root), lambda _: None, settings=slow, hosts=hosts)
    assert [r.publisher_id for r in results] == ["changsha-xzspj", "putuo-wanli"]
    sent = [t for host, t in hosts.sent if host.startswith("127.0.0.1")]
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert len(gaps) >= 5 and min(gaps) >= 0.05  # also from one publisher to the next
    assert portal.hits["/robots.txt"] == 1  # one robots.txt for the host, not one each


def test_run_fetches_then_builds_the_package_from_what_it_fetched(root, portal):
    lines: list[str] = []
    result = run(root, say=lines.append)
    assert lines[0] == "fetch changsha-xzspj: 3 new, 0 re-published, 0 unchanged, 0 failed"
    doc_ids = sorted(e.source.doc_id for e in result.extractions)
    assert "changsha-xzspj-2023-budget" in doc_ids and "data/line_items/changsha-xzspj.csv" in result.changed


def assert_no_partial_files(root: Path) -> None:
    archive = root / "data/archive"
    leftovers = [p for p in archive.rglob(".*")] if archive.exists() else []
    assert leftovers == []
    for source in load_manifest(root):
        assert (root / source.path).stat().st_size == source.bytes


def test_a_download_that_trickles_ends_at_its_deadline(root, portal):
    import time

    from pipeline.fetch.http import Client, FetchError

    portal.serve("/slow.pdf", b"%PDF-1.4")
    portal.fail("/slow.pdf", "trickle:0.05")
    client = Client(("127.0.0.1",), Settings(timeout=(0.5, 0.5), retries=2, backoff=0.01,
                                             min_interval=0, deadline=0.6))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"not downloaded within 1 s \(\d+ bytes came\)"):
        client.get(f"{portal.base}/slow.pdf")
    assert time.monotonic() - started < 3  # not retried: a deadline is not a passing fault


def test_a_missing_original_is_downloaded_again(root, portal):
    fetch(root)
    lost = next(s for s in load_manifest(root) if s.source_url.endswith(".pdf"))
    data = (root / lost.path).read_bytes()
    (root / lost.path).unlink()  # a large original a fresh clone does not have
    again = fetch(root)
    assert (root / lost.path).read_bytes() == data
    assert lost.source_url in again.unchanged and again.failed == []


def test_the_year_a_document_states_wins_over_the_listing_and_is_noted(tmp_path, documents):
    from pipeline.archive import load_manifest as manifest

    listing = """<html><body><ul>
<li><a href="/a/2017.html">长沙市行政审批服务局部门预算</a></li>
<li><a href="/a/2018.html">长沙市行政审批服务局部门预算（2018）</a></li></ul></body></html>"""
    with Portal() as server:
        server.serve("/a/index.html", listing.encode(), Content_Type="text/html")
        for year in (2017, 2018):  # each detail page is the document itself, for its year
            text = re.sub(r"20[12]\d(?= ?年)", str(year), SAMPLE.read_text(encoding="utf-8"))
            server.serve(f"/a/{year}.html", render.to_html(render.sample_blocks(
                text.encode("utf-8")), "utf-8"), Content_Type="text/html")
        registry = REGISTRY.split("[[publisher]]")[1].replace("{base}/xxgk/index.html",
                                                              "{base}/a/index.html")
        registry = registry.replace('budget = "{{year}}年部门预算"', 'budget = "部门预算"')
        registry = registry.replace("years = [2022, 2023]", "years = [2017]")
        (tmp_path / "data").mkdir()
        (tmp_path / "data/registry.toml").write_text(
            "[[publisher]]" + registry.format(base=server.base), encoding="utf-8")
        result = fetch(tmp_path)
    assert sorted(s.fiscal_year for s in manifest(tmp_path)) == [2017, 2018]
    assert any("/a/2018.html: the document states 2018 budget" in n for n in result.notes)


def test_an_unchanged_detail_page_is_asked_with_its_validators(root, portal):
    portal.serve("/xxgk/t20230201_1.html", DETAIL.encode("gbk"), Content_Type="text/html",
                 ETag='"detail-1"')
    first = fetch(root)
    sent = portal.body_bytes["/xxgk/t20230201_1.html"]
    assert sent > 0 and len(first.new) == 3
    second = fetch(root)
    assert portal.body_bytes["/xxgk/t20230201_1.html"] == sent  # a 304, no body again
    assert sorted(second.unchanged) == sorted(first.new) and second.failed == []


def test_a_column_of_many_departments_files_each_document_under_the_publisher_it_names(
        tmp_path):
    """A city's disclosure column lists several departments: each document's publisher is
    read from the document, not from the registry; a document that names none is refused."""
    from pipeline.archive import load_manifest as manifest

    column = """<html><body><ul>
<li><a href="/col/a.html">2023年部门预算（行政审批服务局）</a></li>
<li><a href="/col/b.html">2023年部门预算（统计局）</a></li>
<li><a href="/col/c.html">2023年部门预算（某单位）</a></li></ul></body></html>"""
    text = SAMPLE.read_text(encoding="utf-8")
    with Portal() as server:
        server.serve("/col/index.html", column.encode(), Content_Type="text/html")
        for page, name in (("a", "长沙市行政审批服务局"), ("b", "长沙市统计局"), ("c", "本部门")):
            server.serve(f"/col/{page}.html", render.to_html(render.sample_blocks(
                text.replace("长沙市行政审批服务局", name).encode("utf-8")), "utf-8"),
                Content_Type="text/html")
        (tmp_path / "data").mkdir()
        (tmp_path / "data/registry.toml").write_text(column_entry(
            "长沙-部门预决算专栏", "长沙市部门预决算公开专栏", "湖南省长沙市",
            f"{server.base}/col/index.html", [2023]), encoding="utf-8")
        result = fetch(tmp_path, "长沙-部门预决算专栏")
    filed = {(s.publisher_id, s.publisher, s.identified_from.split(",")[0])
             for s in manifest(tmp_path)}
    assert filed == {("长沙市行政审批服务局", "长沙市行政审批服务局", "publisher:document"),
                     ("长沙市统计局", "长沙市统计局", "publisher:document")}
    [refused] = result.failed
    assert "/col/c.html" in refused and "does not name its publisher" in refused


def test_an_unverified_entry_reports_its_failures_as_notes(root, portal):
    registry = root / "data/registry.toml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        'kinds = ["budget"]\n', 'kinds = ["budget"]\nverified = false\n'), encoding="utf-8")
    portal.faults["/ptq/files/wanli-2024.pdf"] = ["500", "500", "500", "500"]
    result = fetch(root, "putuo-wanli")
    assert result.failed == []
    assert any(n.startswith("unverified entry: ") and "wanli-2024.pdf" in n
               for n in result.notes), result.notes
