"""Fetching against a real HTTP server on loopback serving a GBK-encoded listing page."""

import hashlib

import pytest
from conftest import SAMPLE
from portal import Portal

from pipeline.archive import load_manifest
from pipeline.fetch import fetch_publisher, session
from pipeline.run import run
from pipeline.sources import Publisher

LISTING = """<html><head><meta charset="gb2312"><title>部门预决算公开</title></head><body>
<ul class="list">
<li><a href="/files/2023-budget.txt">长沙市行政审批服务局2023年部门预算公开</a></li>
<li><a href="/files/2023-budget.txt">长沙市行政审批服务局2023年部门预算公开</a></li>
<li><a href="http://elsewhere.example/2023.pdf">长沙市行政审批服务局2023年部门预算公开</a></li>
<li><a href="/news/1.html">关于开展2023年政务公开工作的通知</a></li>
</ul></body></html>"""


@pytest.fixture
def portal():
    with Portal() as server:
        server.serve("/xxgk/", LISTING.encode("gbk"), Content_Type="text/html; charset=gb2312")
        server.serve("/files/2023-budget.txt", SAMPLE.read_bytes(), Content_Type="text/plain",
                     ETag='"abc"', Last_Modified="Tue, 21 Feb 2023 08:00:00 GMT")
        yield server


def publisher(base: str) -> Publisher:
    return Publisher("changsha-xzspj", "长沙市行政审批服务局", "湖南省长沙市", (f"{base}/xxgk/",),
                     {"budget": "{year}年部门预算"}, ("127.0.0.1",), (2023,), ("budget",),
                     template="hunan")


def test_a_listed_attachment_is_archived_once_with_its_provenance(tmp_path, portal):
    result = fetch_publisher(tmp_path, publisher(portal.base), session())
    url = f"{portal.base}/files/2023-budget.txt"
    assert (result.new, result.failed) == ([url], [])
    [source] = load_manifest(tmp_path)
    data = SAMPLE.read_bytes()
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert (tmp_path / source.path).read_bytes() == data
    assert (source.source_url, source.etag, source.last_modified, source.fiscal_year,
            source.kind, source.media_type, source.bytes) == (
        url, '"abc"', "Tue, 21 Feb 2023 08:00:00 GMT", 2023, "budget", "text/plain", len(data))
    assert source.title == "长沙市行政审批服务局2023年部门预算公开"


def test_a_second_fetch_downloads_no_known_document(tmp_path, portal):
    fetch_publisher(tmp_path, publisher(portal.base), session())
    second = fetch_publisher(tmp_path, publisher(portal.base), session())
    assert second.new == [] and len(second.unchanged) == 1
    assert portal.hits["/files/2023-budget.txt"] == 1
    assert portal.hits["/xxgk/"] == 2


def test_a_failing_listing_is_recorded_not_raised(tmp_path, portal):
    portal.serve("/xxgk/", b"busy", status=500)
    result = fetch_publisher(tmp_path, publisher(portal.base), session())
    assert result.new == [] and not result.offline
    assert result.failed[0].startswith(f"{portal.base}/xxgk/: 500 Server Error")


def test_run_fetches_then_builds_the_package_from_what_it_fetched(tmp_path, portal):
    (tmp_path / "data").mkdir()
    (tmp_path / "data/registry.toml").write_text(f"""
[[publisher]]
id = "changsha-xzspj"
name = "长沙市行政审批服务局"
region = "湖南省长沙市"
template = "hunan"
listing_urls = ["{portal.base}/xxgk/"]
link_patterns = {{ budget = "{{year}}年部门预算" }}
allowed_hosts = ["127.0.0.1"]
years = [2023]
kinds = ["budget"]
""", encoding="utf-8")
    lines = []
    result = run(tmp_path, say=lines.append)
    assert lines == ["fetch changsha-xzspj: 1 new, 0 unchanged, 0 failed"]
    assert [e.source.doc_id for e in result.extractions] == ["changsha-xzspj-2023-budget"]
    assert "data/line_items.csv" in result.changed
