"""A polite HTTP client: honest User-Agent, timeouts, retries with exponential backoff that
honour Retry-After, a per-host rate limit, robots.txt, a size cap, allowed hosts only (every
redirect checked), conditional GET. Failures are FetchErrors that say whether to retry."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib import robotparser
from urllib.parse import urljoin, urlparse

import requests

from pipeline import __version__
from pipeline.errors import TerminalError, TransientError

USER_AGENT = f"BudgetWatch/{__version__} (open budget data; +https://github.com/budget-watch)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(TerminalError):
    """A URL could not be fetched; `transient` says whether a later try may succeed."""

    def __init__(self, url: str, reason: str, transient: bool = False,
                 wait: float | None = None):
        self.url, self.reason, self.transient, self.wait = url, reason, transient, wait
        super().__init__(f"{url}: {reason}")


class Offline(TransientError):
    """No connection at all: the network is down or the host is unknown."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when not modified
    headers: dict[str, str]
    content: bytes = b""


@dataclass
class Settings:
    timeout: tuple[float, float] = (5, 20)  # connect, read (seconds)
    retries: int = 3
    backoff: float = 1  # seconds, doubled each retry
    max_wait: float = 60  # the longest Retry-After honoured
    min_interval: float = 1  # seconds between two requests to one host
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    deadline: float = 300  # seconds one download may take in all, however slowly it trickles


@dataclass
class Hosts:
    """What a whole run knows of each host, whichever publisher it fetches for: when the
    last request went (for the rate limit), its robots.txt, and the schedule of requests."""

    last: dict[str, float] = field(default_factory=dict)
    robots: dict[str, robotparser.RobotFileParser] = field(default_factory=dict)
    sent: list[tuple[str, float]] = field(default_factory=list)  # (host, monotonic time)


@dataclass
class Client:
    allowed_hosts: tuple[str, ...]
    settings: Settings = field(default_factory=Settings)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    requests_made: int = 0
    bytes_received: int = 0
    hosts: Hosts = field(default_factory=Hosts)  # shared by every client of a run

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        """GET with every rule applied; 304 comes back as status 304 with no content."""
        self._check_host(url)
        self._check_robots(url)
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(self.settings.retries + 1):
            try:
                return self._follow(url, headers)
            except FetchError as error:
                if not error.transient or attempt == self.settings.retries:
                    raise
                self.sleep(error.wait or self.settings.backoff * 2 ** attempt)
        raise AssertionError("unreachable")

    def _check_host(self, url: str) -> None:
        host = urlparse(url).hostname or ""
        if host not in self.allowed_hosts:
            raise FetchError(url, f"host {host!r} is not allowed for this publisher")

    def _check_robots(self, url: str) -> None:
        parts = urlparse(url)
        base = f"{parts.scheme}://{parts.netloc}"
        robots = self.hosts.robots
        if base not in robots:
            rules = robotparser.RobotFileParser()
            try:
                answer = self._request(urljoin(base, "/robots.txt"), {})
                rules.parse(answer.text.splitlines() if answer.status_code == 200 else [])
            except FetchError:
                rules.parse([])
            robots[base] = rules
        if not robots[base].can_fetch(USER_AGENT, url):
            raise FetchError(url, "disallowed by robots.txt")

    def _follow(self, url: str, headers: dict[str, str]) -> Fetched:
        """Follow redirects by hand, so that each hop is checked; errors name the URL asked."""
        asked, seen = url, {url}
        for _ in range(self.settings.max_redirects + 1):
            response = self._request(url, headers)
            if not response.is_redirect:
                return self._read(url, response)
            target = urljoin(url, response.headers.get("Location", ""))
            response.close()
            host = urlparse(target).hostname or ""
            if host not in self.allowed_hosts:
                raise FetchError(asked, f"redirected to {target}: host {host!r} is not allowed")
            if target in seen:
                raise FetchError(asked, f"redirect loop at {target}")
            seen.add(target)
            url = target
        raise FetchError(asked, f"more than {self.settings.max_redirects} redirects")

    def _request(self, url: str, headers: dict[str, str]) -> requests.Response:
        host = urlparse(url).netloc
        wait = self.hosts.last.get(host, -10 ** 9) + self.settings.min_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self.hosts.last[host] = time.monotonic()
        self.hosts.sent.append((host, self.hosts.last[host]))
        self.requests_made += 1
        try:
            return self.session.get(url, headers=headers, timeout=self.settings.timeout,
                                    stream=True, allow_redirects=False)
        except requests.Timeout as error:
            raise FetchError(url, "timed out", transient=True) from error
        except requests.ConnectionError as error:
            if _unreachable(error):
                raise Offline(f"{url}: cannot connect ({type(error).__name__})") from error
            raise FetchError(url, f"connection failed ({type(error).__name__})",
                             transient=True) from error

    def _read(self, url: str, response: requests.Response) -> Fetched:
        status = response.status_code
        headers = dict(response.headers)
        if status == 304:
            response.close()
            return Fetched(url, 304, headers)
        if status in RETRY_STATUS:
            response.close()
            raise FetchError(url, f"HTTP {status}", transient=True,
                             wait=_retry_after(headers.get("Retry-After"), self.settings.max_wait))
        if status != 200:
            response.close()
            raise FetchError(url, f"HTTP {status}")
        return Fetched(url, 200, headers, self._body(url, response))

    def _body(self, url: str, response: requests.Response) -> bytes:
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > self.settings.max_bytes:
            response.close()
            raise FetchError(url, f"{declared} bytes is over the {self.settings.max_bytes}-byte "
                                  "cap")
        chunks, size = [], 0
        # the read timeout restarts with every byte: a watchdog ends a download that trickles
        late = threading.Event()
        watchdog = threading.Timer(self.settings.deadline, _abort, (response, late))
        watchdog.daemon = True
        watchdog.start()
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.settings.max_bytes:
                    raise FetchError(url, f"over the {self.settings.max_bytes}-byte cap")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                OSError) as error:
            if late.is_set():
                raise FetchError(url, f"not downloaded within {self.settings.deadline:.0f} s "
                                      f"({size} bytes came)") from error
            reason = f"truncated body: {size} of {declared} bytes" if declared else \
                f"connection broke after {size} bytes"
            raise FetchError(url, reason, transient=True) from error
        finally:
            watchdog.cancel()
            response.close()
        if late.is_set():
            raise FetchError(url, f"not downloaded within {self.settings.deadline:.0f} s "
                                  f"({size} bytes came)")
        self.bytes_received += size
        if declared and size < declared:
            raise FetchError(url, f"truncated body: {size} of {declared} bytes", transient=True)
        return b"".join(chunks)


def _abort(response: requests.Response, late: threading.Event) -> None:
    """End a download from outside: shut its socket, so the blocked read returns."""
    late.set()
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    with contextlib.suppress(OSError):
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        response.raw.close()


def _unreachable(error: requests.ConnectionError) -> bool:
    """Name resolution failed or nothing listens: the network (or the host) is not there."""
    text = repr(error)
    return any(s in text for s in ("NameResolutionError", "Failed to resolve", "gaierror",
                                   "Name or service not known", "nodename nor servname",
                                   "Network is unreachable", "BlockedNetwork"))


def _retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = int(value)  # delta-seconds are whole seconds (RFC 9110)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0, min(seconds, cap))
