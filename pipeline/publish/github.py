"""GitHub's REST API with requests: issues found again by a fingerprint hidden in their body,
created or updated (with a comment), never duplicated; rate limits waited out within a bound;
5xx retried; the token never printed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from pipeline import __version__
from pipeline.archive import EXTENSIONS
from pipeline.errors import ConfigError, TerminalError

LABEL = "budget-watch"
MARK = "<!-- budget-watch:{} -->"


class GitHubError(TerminalError):
    """GitHub refused or failed; the message never contains the token."""


class TokenRefused(GitHubError, ConfigError):
    """The token is wrong or lacks a permission: a configuration error (exit 2)."""


@dataclass
class GitHub:
    api_url: str
    repository: str
    token: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    max_wait: float = 60
    retries: int = 3
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                data: bytes | None = None, content_type: str = "", raw: bool = False) -> Any:
        """GitHub's answer as JSON (None when empty), or its bytes when `raw` (an asset)."""
        url = path if path.startswith("http") else f"{self.api_url.rstrip('/')}{path}"
        headers = {"Authorization": f"Bearer {self.token}",
                   "Accept": "application/octet-stream" if raw else "application/vnd.github+json",
                   "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": f"BudgetWatch/{__version__}"}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(method, url, json=body, data=data,
                                                headers=headers, timeout=30)
            except requests.RequestException as error:
                if attempt == self.retries:
                    raise GitHubError(f"{method} {path}: {type(error).__name__}") from None
                self.sleep(2 ** attempt)
                continue
            status = response.status_code
            if status == 401:
                raise TokenRefused(f"{method} {path}: GitHub refused the token (401); check "
                                  "that GITHUB_TOKEN is set and may write issues")
            if status in (403, 429) and self._rate_limited(response):
                wait = self._wait(response)
                if wait is None or attempt == self.retries:
                    raise GitHubError(f"{method} {path}: rate limited for longer than "
                                      f"{self.max_wait:.0f} s")
                self.sleep(wait)
                continue
            if status >= 500 and attempt < self.retries:
                self.sleep(2 ** attempt)
                continue
            if status == 404 and method == "GET" and "/releases/tags/" in path:
                return None
            if status >= 400:
                raise GitHubError(f"{method} {path}: HTTP {status}: {response.text[:200]}")
            if raw:
                return response.content
            return response.json() if response.content else None
        raise GitHubError(f"{method} {path}: gave up after {self.retries} retries")

    @staticmethod
    def _rate_limited(response: requests.Response) -> bool:
        return response.headers.get("x-ratelimit-remaining") == "0" or \
            "retry-after" in {k.lower() for k in response.headers}

    def _wait(self, response: requests.Response) -> float | None:
        retry_after = response.headers.get("retry-after")
        reset = response.headers.get("x-ratelimit-reset")
        seconds = int(retry_after) if retry_after and retry_after.isdigit() else \
            int(reset) - time.time() if reset and reset.isdigit() else None
        if seconds is None or seconds > self.max_wait:
            return None
        return max(0, seconds)

    def issues(self) -> list[dict[str, Any]]:
        """Every issue of the repository that carries the project's label."""
        found, page = [], 1
        while True:
            batch = self.request("GET", f"/repos/{self.repository}/issues?state=all&labels="
                                        f"{LABEL}&per_page=100&page={page}")
            found += batch
            if len(batch) < 100:
                return found
            page += 1

    def find(self, fingerprint: str) -> dict[str, Any] | None:
        mark = MARK.format(fingerprint)
        return next((i for i in self.issues() if mark in (i.get("body") or "")), None)

    def upsert(self, fingerprint: str, title: str, body: str, labels: list[str],
               comment: str) -> tuple[str, int]:
        """Create the issue, or update the one with this fingerprint (and say so in a
        comment); nothing when it already says this. Returns (what was done, number)."""
        text = f"{body}\n\n{MARK.format(fingerprint)}"
        known = self.find(fingerprint)
        repo = f"/repos/{self.repository}/issues"
        if known is None:
            made = self.request("POST", repo, {"title": title, "body": text,
                                               "labels": [LABEL, *labels]})
            return "opened", made["number"]
        number = known["number"]
        if known.get("body") == text and known.get("state") == "open":
            return "unchanged", number
        self.request("PATCH", f"{repo}/{number}", {"title": title, "body": text,
                                                   "state": "open"})
        self.request("POST", f"{repo}/{number}/comments", {"body": comment})
        return "updated", number

    def close(self, fingerprint: str, comment: str) -> int | None:
        known = self.find(fingerprint)
        if known is None or known.get("state") != "open":
            return None
        repo = f"/repos/{self.repository}/issues/{known['number']}"
        self.request("POST", f"{repo}/comments", {"body": comment})
        self.request("PATCH", repo, {"state": "closed"})
        return known["number"]

    def release(self, tag: str, title: str, notes: str, assets: dict[str, bytes | Path]
                ) -> tuple[str, int]:
        """A release for this tag with these assets (name -> bytes, or a file read only
        when it is uploaded). A release that exists is checked: an asset missing (a failed
        upload) or of the wrong size is uploaded again ("repaired"); a complete one is left
        "unchanged"."""
        known = self.request("GET", f"/repos/{self.repository}/releases/tags/{tag}")
        present: dict[str, Any] = {}
        if known is None:
            known = self.request("POST", f"/repos/{self.repository}/releases",
                                 {"tag_name": tag, "name": title, "body": notes})
            action = "published"
        else:
            present = {a["name"]: a for a in known.get("assets", [])
                       if a.get("state", "uploaded") == "uploaded"}
            action = "repaired"
        missing = {name: data for name, data in assets.items()
                   if present.get(name, {}).get("size") != _size(data)}
        if not missing:
            return "unchanged", known["id"]
        for name, data in missing.items():
            if name in present:
                self.request("DELETE", f"/repos/{self.repository}/releases/assets/"
                                       f"{present[name]['id']}")
            upload = known["upload_url"].split("{")[0] + f"?name={name}"
            self.request("POST", upload, data=data if isinstance(data, bytes)
                         else data.read_bytes(), content_type=media_type(name))
        return action, known["id"]

    def assets(self, tag: str) -> dict[str, int]:
        """The uploaded assets of the release with this tag (name -> id); {} if none."""
        known = self.request("GET", f"/repos/{self.repository}/releases/tags/{tag}")
        return {a["name"]: a["id"] for a in (known or {}).get("assets", [])
                if a.get("state", "uploaded") == "uploaded"}

    def download(self, asset_id: int) -> bytes:
        """An asset's bytes."""
        return self.request("GET", f"/repos/{self.repository}/releases/assets/{asset_id}",
                            raw=True)


def _size(data: bytes | Path) -> int:
    return len(data) if isinstance(data, bytes) else data.stat().st_size


MEDIA_TYPES = {".zip": "application/zip", ".db": "application/vnd.sqlite3",
               ".json": "application/json"} | {
    f".{extension}": kind for kind, extension in EXTENSIONS.items()}  # the originals


def media_type(name: str) -> str:
    """The Content-Type an asset is uploaded with, from its name."""
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
