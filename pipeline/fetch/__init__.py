"""Fetch: walk each publisher's listing pages, download what is new, archive every original
with its provenance. One publisher's failure never stops the others."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from pipeline.archive import archive, load_manifest, retrieved_now, write_atomic
from pipeline.errors import ConfigError, DocumentError
from pipeline.extract import EXTRACTORS, HTML, PDF, extract, pdf, sniff
from pipeline.fetch import discover
from pipeline.fetch.http import Client, Fetched, FetchError, Hosts, Offline, Settings
from pipeline.identify import identify, publisher_slug
from pipeline.model import FetchResult, Source  # noqa: F401  (FetchResult: re-exported)
from pipeline.revisions import assign_part
from pipeline.sources import Publisher

__all__ = ["FetchResult", "fetch_publisher", "Settings", "Client"]
EXPECTED = {".pdf": "application/pdf", ".xls": "application/vnd.ms-excel", ".txt": "text/plain",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def fetch_publisher(root: Path, publisher: Publisher, years: list[int] | None = None,
                    settings: Settings | None = None,
                    progress: Callable[[str], None] = lambda _: None,
                    hosts: Hosts | None = None) -> FetchResult:
    """Archive what is new at one publisher; every failure is recorded in the result.
    `hosts` carries the rate limit and robots.txt of each host across a run's publishers."""
    result = FetchResult(publisher.id)
    client = Client(publisher.allowed_hosts, settings or Settings(), hosts=hosts or Hosts())
    wanted = years or list(publisher.years)
    try:
        links = _listed(client, publisher, wanted, result)
    except Offline as error:
        result.offline = True
        result.failed.append(str(error))
        return result
    pages = load_pages(root)  # read once, written once: not per detail page
    known = dict(pages)
    for link in links:
        progress(link.url)
        try:
            _fetch_link(root, client, publisher, link, result, pages)
        except Offline as error:
            result.offline = True
            result.failed.append(str(error))
            break
        except FetchError as error:
            result.failed.append(str(error))
        except (DocumentError, ConfigError) as error:  # a file the archive cannot take
            result.failed.append(f"{link.url}: {error}")
    if pages != known:
        save_pages(root, pages)
    if not publisher.verified:
        result.notes += [f"unverified entry: {failure}" for failure in result.failed]
        result.failed = []
        if result.new:
            result.notes.append(f"{len(result.new)} new from this unverified entry: check them "
                                "and set verified = true in data/registry.toml")
    return result


def _listed(client: Client, publisher: Publisher, years: list[int], result: FetchResult
            ) -> list[discover.Link]:
    links: dict[str, discover.Link] = {}
    for first in dict.fromkeys(u for y in years for u in publisher.listing_for(y)):
        try:
            page = client.get(first)
        except FetchError as error:
            result.failed.append(str(error))
            continue
        found, any_year = discover.disclosure_links(page.content, page.url, publisher, years)
        if not any_year:
            result.failed.append(str(discover.structure_changed(first, publisher.link_patterns)))
            continue
        for other in discover.page_urls(page.url, page.content):
            try:
                more = client.get(other)
            except FetchError as error:
                result.failed.append(str(error))
                continue
            found += discover.disclosure_links(more.content, more.url, publisher, years)[0]
        links.update((link.url, link) for link in found)
    return list(links.values())


def _fetch_link(root: Path, client: Client, publisher: Publisher, link: discover.Link,
                result: FetchResult, pages: dict[str, tuple[str, str, list[str]]]) -> None:
    if discover.is_attachment(link.url):
        _keep(root, client, publisher, link, link.url, result)
        return
    seen = pages.get(link.url)
    page = client.get(link.url, *(seen[:2] if seen else ("", "")))
    if page.status == 304 and seen is not None:  # unchanged: its attachments as last time
        files = seen[2]
        if not files:
            result.unchanged.append(link.url)  # a page that is itself the document
            return
    else:
        files = discover.attachments(page.content, page.url)
        pages[link.url] = (page.headers.get("ETag", ""), page.headers.get("Last-Modified", ""),
                           files)
    if files:
        for url in files:
            try:
                _keep(root, client, publisher, link, url, result)
            except FetchError as error:
                result.failed.append(str(error))
    elif discover.has_tables(page.content):
        _store(root, publisher, link, page, HTML, result)
    else:
        result.failed.append(f"{link.url}: the detail page has no attachment and no tables")


PAGES = Path("data/archive/pages.csv")  # detail pages' validators and their attachments


def load_pages(root: Path) -> dict[str, tuple[str, str, list[str]]]:
    """Detail page URL -> (ETag, Last-Modified, attachment URLs) from the last fetch."""
    path = root / PAGES
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["url"]: (r["etag"], r["last_modified"], r["attachments"].split())
                for r in csv.DictReader(handle)}


def save_pages(root: Path, pages: dict[str, tuple[str, str, list[str]]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["url", "etag", "last_modified", "attachments"])
    writer.writerows([url, *pages[url][:2], " ".join(pages[url][2])] for url in sorted(pages))
    write_atomic(root / PAGES, out.getvalue().encode("utf-8"))


def _keep(root: Path, client: Client, publisher: Publisher, link: discover.Link, url: str,
          result: FetchResult) -> None:
    """Download one attachment (conditionally) and archive it if its bytes are new."""
    known = [s for s in load_manifest(root) if s.source_url == url]
    latest = max(known, key=lambda s: s.retrieved_at) if known else None
    if latest is not None and not (root / latest.path).exists():
        latest = None  # the original is missing here (a large file a clone lacks): get it
    fetched = client.get(url, latest.etag if latest else "", latest.last_modified if latest
                         else "")
    if fetched.status == 304:
        result.unchanged.append(url)
        return
    actual = sniff(fetched.content)
    expected = EXPECTED.get(Path(urlparse(url).path).suffix.lower())
    if actual == HTML and expected != HTML:
        raise FetchError(url, f"an HTML page was served in place of a {expected} document")
    if actual not in EXTRACTORS:
        raise FetchError(url, f"its content is {actual}, not a document the pipeline reads")
    _store(root, publisher, link, fetched, actual, result, known_urls=bool(known))


def _stated(fetched: Fetched, media_type: str, link: discover.Link, result: FetchResult
            ) -> tuple[int, str, str]:
    """The year and kind the document states about itself, which win over the listing's;
    a difference is noted. The listing's, when the document does not say. Then the
    publisher its title, a label or its metadata names: '' when only its running text or
    its file name suggests one (the organ a text names most may be a unit under it)."""
    try:
        if media_type == PDF:
            first = pdf.opening(fetched.content, fetched.url)
            blocks, title = first.blocks, first.title
        else:
            blocks, title = extract(fetched.content, media_type, fetched.url), ""
    except DocumentError:
        return link.year, link.kind, ""
    found = identify(blocks, title, Path(urlparse(fetched.url).path).stem)
    year, kind = found.fiscal_year or link.year, found.kind or link.kind
    if (year, kind) != (link.year, link.kind):
        result.notes.append(f"{fetched.url}: the document states {year} {kind}, the listing "
                            f"link “{link.text}” was taken for {link.year} {link.kind}; "
                            "archived as the document states")
    said = next((p.split(":", 1)[1] for p in found.found_in.split(", ")
                 if p.startswith("publisher:")), "")
    return year, kind, found.publisher if said.startswith(("title", "label", "metadata")) \
        else ""


def _discovered(root: Path, name: str) -> str:
    """The id of a publisher a column's document names: the id it was archived under before,
    else its printed name made safe (publisher_slug)."""
    known = {s.publisher: s.publisher_id for s in load_manifest(root) if s.publisher}
    return known.get(name) or publisher_slug(name)


def _store(root: Path, publisher: Publisher, link: discover.Link, fetched: Fetched,
           media_type: str, result: FetchResult, known_urls: bool = False) -> None:
    before = {s.sha256 for s in load_manifest(root)}
    now = retrieved_now()
    year, kind, named = _stated(fetched, media_type, link, result)
    publisher_id, name = publisher.id, publisher.name
    if publisher.discovers:  # a column: the document says who published it
        if not named:
            raise FetchError(fetched.url, "the document does not name its publisher, which a "
                                          f"column ({publisher.id}) cannot tell; not archived")
        publisher_id, name = _discovered(root, named), named
    source = Source("", "", publisher_id, year, kind, publisher.scope, media_type, 0,
                    link.text, fetched.url, now, fetched.headers.get("ETag", ""),
                    fetched.headers.get("Last-Modified", ""), name, publisher.region,
                    part=Path(urlparse(fetched.url).path).name,
                    identified_from=("publisher:document" if publisher.discovers else
                                     "publisher:registry") + ", " + (
                        "fiscal_year:document" if year != link.year else "fiscal_year:listing")
                    + (", kind:document" if kind != link.kind else ", kind:listing"),
                    listed_by=publisher.id)
    stored = archive(root, fetched.content, assign_part(root, source, fetched.content))
    if stored.sha256 in before:
        result.unchanged.append(fetched.url)
    elif known_urls:
        result.republished.append(fetched.url)
    else:
        result.new.append(fetched.url)
