"""Find disclosures on publishers' listing pages and archive attachments that are new.

This is the first, plain version of the fetcher: listing page -> links whose text matches
the registry's pattern -> attachments on allowed hosts. Pagination, detail pages, robots.txt,
rate limits and conditional GET are the scraper issue's; the hand-off (the archive) is final.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests
from bs4 import BeautifulSoup

from pipeline import __version__
from pipeline.archive import archive, load_manifest
from pipeline.extract.text import decode
from pipeline.model import Source
from pipeline.sources import Publisher

USER_AGENT = f"BudgetWatch/{__version__} (+open budget data pipeline)"
TIMEOUT = 15
MAX_BYTES = 50 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".txt": "text/plain",
                    ".xls": "application/vnd.ms-excel",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml"
                             ".document"}


@dataclass
class FetchResult:
    publisher_id: str
    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    offline: bool = False


def session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


def discover(html: bytes, base: str, publisher: Publisher, years: Iterable[int]
             ) -> list[tuple[str, int, str, str]]:
    """(url, year, kind, link text) of links whose text matches a pattern, on allowed hosts."""
    soup = BeautifulSoup(decode(html), "html.parser")
    found = []
    for anchor in soup.find_all("a", href=True):
        text = anchor.get_text(" ", strip=True)
        url = urljoin(base, anchor["href"])
        if urlparse(url).hostname not in publisher.allowed_hosts:
            continue
        for year in years:
            for kind, pattern in publisher.link_patterns.items():
                if kind in publisher.kinds and re.search(pattern.format(year=year), text):
                    found.append((url, year, kind, text))
    return list(dict.fromkeys(found))


def fetch_publisher(root: Path, publisher: Publisher, http: requests.Session,
                    years: Iterable[int] | None = None) -> FetchResult:
    """Archive the new attachments one publisher lists; failures are recorded, not raised."""
    result = FetchResult(publisher.id)
    wanted = list(years or publisher.years)
    known_urls = {s.source_url for s in load_manifest(root)}
    for listing in {u for y in wanted for u in publisher.listing_for(y)}:
        try:
            page = http.get(listing, timeout=TIMEOUT)
            page.raise_for_status()
        except requests.ConnectionError as error:
            result.offline = True
            result.failed.append(f"{listing}: cannot connect ({type(error).__name__})")
            continue
        except requests.RequestException as error:
            result.failed.append(f"{listing}: {error}")
            continue
        for url, year, kind, text in discover(page.content, page.url, publisher, wanted):
            media_type = ATTACHMENT_TYPES.get(Path(urlparse(url).path).suffix.lower())
            if media_type is None:
                continue
            if url in known_urls:
                result.unchanged.append(url)
                continue
            _download(root, http, publisher, url, year, kind, text, media_type, result)
    return result


def _download(root: Path, http: requests.Session, publisher: Publisher, url: str, year: int,
              kind: str, text: str, media_type: str, result: FetchResult) -> None:
    try:
        response = http.get(url, timeout=TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as error:
        result.failed.append(f"{url}: {error}")
        return
    if len(response.content) > MAX_BYTES:
        result.failed.append(f"{url}: larger than {MAX_BYTES} bytes")
        return
    retrieved = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    source = Source("", "", publisher.id, year, kind, publisher.scope, media_type, 0, text, url,
                    retrieved, response.headers.get("ETag", ""),
                    response.headers.get("Last-Modified", ""))
    archive(root, response.content, source)
    result.new.append(url)
