"""Benchmark: fetch a portal of 500 disclosures on loopback, then fetch it again unchanged.

    python bench/fetch_500.py

Reports requests made, bytes moved and wall time for both passes. The per-host rate limit is
set to zero here (loopback); with the default of one request per second the first pass of
this portal would take at least as many seconds as it makes requests."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from portal import Portal  # noqa: E402

from pipeline.fetch import Settings, fetch_publisher  # noqa: E402
from pipeline.sources import Publisher  # noqa: E402

DOCUMENTS, PER_PAGE = 500, 20


def build(portal: Portal) -> None:
    pages = DOCUMENTS // PER_PAGE
    for page in range(pages):
        name = "index.html" if page == 0 else f"index_{page}.html"
        items = "".join(f'<li><a href="./t{page}_{i}.html">第{page * PER_PAGE + i}号单位'
                        f'2024年部门预算公开</a></li>' for i in range(PER_PAGE))
        script = f'<script>createPageHTML({pages}, {page}, "index", "html");</script>'
        portal.serve(f"/list/{name}", f"<html><body><ul>{items}</ul>{script}</body></html>"
                     .encode(), Content_Type="text/html")
        for i in range(PER_PAGE):
            n = page * PER_PAGE + i
            portal.serve(f"/list/t{page}_{i}.html", f'<html><body><a href="/files/{n}.pdf">'
                         f"附件</a></body></html>".encode(), Content_Type="text/html")
            portal.serve(f"/files/{n}.pdf", b"%PDF-1.4\n" + str(n).encode() * 2000,
                         ETag=f'"{n}"')


def measure(root: Path, publisher: Publisher, portal: Portal) -> tuple[int, int, float, str]:
    before_hits, before_bytes = sum(portal.hits.values()), sum(portal.body_bytes.values())
    start = time.perf_counter()
    result = fetch_publisher(root, publisher, settings=Settings(min_interval=0))
    seconds = time.perf_counter() - start
    summary = (f"{len(result.new)} new, {len(result.unchanged)} unchanged, "
               f"{len(result.failed)} failed")
    return (sum(portal.hits.values()) - before_hits,
            sum(portal.body_bytes.values()) - before_bytes, seconds, summary)


def main() -> None:
    with Portal() as portal, tempfile.TemporaryDirectory() as folder:
        build(portal)
        publisher = Publisher("bench", "基准", "", (f"{portal.base}/list/index.html",),
                              {"budget": "{year}年部门预算"}, ("127.0.0.1",), (2024,),
                              ("budget",))
        for label in ("first fetch", "unchanged"):
            requests, moved, seconds, summary = measure(Path(folder), publisher, portal)
            print(f"{label}: {requests} requests, {moved / 1024:.0f} KiB of bodies, "
                  f"{seconds:.2f} s ({summary})")


if __name__ == "__main__":
    main()
