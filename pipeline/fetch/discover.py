"""From a publisher's listing page to its disclosures: pagination (index.html, index_1.html …,
page counts stated in a script call), detail pages, attachments, links inside scripts, and a
loud error when a portal's structure has changed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlparse

from bs4 import BeautifulSoup

from pipeline.extract.html import decode_html
from pipeline.fetch.http import FetchError
from pipeline.sources import Publisher

ATTACHMENTS = (".pdf", ".xls", ".xlsx", ".doc", ".docx", ".txt")
_PAGE_COUNT = [re.compile(p) for p in (r"createPageHTML\(\s*['\"]?(\d+)",
                                       r"countPage\s*=\s*['\"]?(\d+)",
                                       r"共\s*(\d+)\s*页")]
_SCRIPT_LINK = re.compile(r"""["']([^"'\s<>]+\.(?:pdf|xlsx?|docx?|txt))["']""", re.I)
MAX_PAGES = 50


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    year: int
    kind: str


def soup(html: bytes) -> BeautifulSoup:
    return BeautifulSoup(decode_html(html), "html.parser")


def page_urls(first: str, html: bytes) -> list[str]:
    """The listing's other pages: index_1.html … index_{n-1}.html, n read from the page."""
    text = decode_html(html)
    count = next((int(m.group(1)) for p in _PAGE_COUNT if (m := p.search(text))), 1)
    path = urlparse(first).path
    base = first if path.endswith("/") else urljoin(first, ".")
    stem = PurePosixPath(path).stem if not path.endswith("/") else "index"
    suffix = PurePosixPath(path).suffix or ".html"
    return [urljoin(base, f"{stem}_{i}{suffix}") for i in range(1, min(count, MAX_PAGES))]


MAX_TEXT = 300  # characters of a link's text that patterns look at


def _pattern(publisher: Publisher, kind: str, year: int | None) -> re.Pattern[str]:
    """The kind's link pattern for one year, or for any year."""
    return re.compile(publisher.link_patterns[kind].replace(
        "{year}", str(year) if year else r"\d{4}"))


def disclosure_links(html: bytes, base: str, publisher: Publisher, years: list[int]
                     ) -> tuple[list[Link], int]:
    """Links to wanted disclosures on a listing page, and how many disclosure links of any
    year the page has (none at all means the portal's structure changed)."""
    wanted: dict[str, Link] = {}
    any_year = 0
    for anchor in soup(html).find_all("a", href=True):
        # a link's words, cut to a title's length: patterns never run over a hostile page
        text = (anchor.get_text(" ", strip=True) or anchor.get("title", ""))[:MAX_TEXT]
        url = urljoin(base, anchor["href"])
        for kind in publisher.kinds:
            if kind not in publisher.link_patterns:
                continue
            if _pattern(publisher, kind, None).search(text):
                any_year += 1
            if urlparse(url).hostname not in publisher.allowed_hosts:
                continue  # a mirror or a link elsewhere: not this publisher's to fetch
            for year in years:
                if _pattern(publisher, kind, year).search(text):
                    wanted.setdefault(url, Link(url, text, year, kind))
    return list(wanted.values()), any_year


def attachments(html: bytes, base: str) -> list[str]:
    """Attachment URLs of a detail page, in order, from anchors and from scripts."""
    found = [urljoin(base, a["href"]) for a in soup(html).find_all("a", href=True)
             if urlparse(a["href"]).path.lower().endswith(ATTACHMENTS)]
    found += [urljoin(base, m.group(1)) for m in _SCRIPT_LINK.finditer(decode_html(html))]
    return list(dict.fromkeys(found))


def is_attachment(url: str) -> bool:
    return urlparse(url).path.lower().endswith(ATTACHMENTS)


def has_tables(html: bytes) -> bool:
    """A detail page that prints the disclosure itself (tables in the page)."""
    return len(soup(html).find_all("table")) >= 2


def structure_changed(url: str, patterns: dict[str, str]) -> FetchError:
    expected = "; ".join(f"{k}: {v}" for k, v in patterns.items())
    return FetchError(url, f"structure changed: the listing has no disclosure links at all "
                           f"(expected link text matching {expected})")
