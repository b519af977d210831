"""A local stand-in for GitHub's issues API on 127.0.0.1: it keeps issues and comments,
checks every request (method, path, token, JSON body) and can rate-limit or fail on purpose."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = "ghs_test-token-never-printed"
# what a release asset may be: (name ends with, bytes begin with, Content-Type said)
ASSETS = [(".zip", b"PK", "application/zip"),
          (".xlsx", b"PK", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          (".db", b"SQLite format 3\0", "application/vnd.sqlite3")]
REPO = "budget-watch/data"
ORIGINALS = {"pdf": "application/pdf", "txt": "text/plain", "html": "text/html",
             "xls": "application/vnd.ms-excel", "docx": "application/vnd.openxmlformats-"
             "officedocument.wordprocessingml.document", "xlsx": ASSETS[1][2]}


def original(name: str, data: bytes, said: str) -> bool:
    """An archived original: named by the sha256 of its bytes, with its media type."""
    stem, _, extension = name.partition(".")
    return len(stem) == 64 and hashlib.sha256(data).hexdigest() == stem and \
        ORIGINALS.get(extension) == said


class GitHubStandIn:
    def __init__(self) -> None:
        self.issues: dict[int, dict] = {}
        self.comments: dict[int, list[str]] = {}
        self.log: list[tuple[str, str]] = []
        self.errors: list[str] = []  # requests it refused as malformed
        self.faults: list[str] = []  # "429", "503", "401": one per request, first first
        self.releases: dict[str, dict] = {}
        self.assets: dict[int, tuple[str, bytes]] = {}  # asset id -> (name, bytes)
        self.asset_release: dict[int, int] = {}  # asset id -> release id
        self.refuse_uploads = False  # every upload fails (a 502 from the uploads host)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: object = None,
                        headers: dict[str, str] | None = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                stand_in.log.append((method, self.path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(401, {"message": "Bad credentials"})
                accept = self.headers.get("Accept")
                if accept == "application/octet-stream" and method == "GET" and \
                        self.path.startswith(f"/repos/{REPO}/releases/assets/"):
                    return stand_in.download(self)
                if accept != "application/vnd.github+json":
                    stand_in.errors.append(f"{method} {self.path}: Accept header")
                if stand_in.faults:
                    fault = stand_in.faults.pop(0)
                    if fault == "429":
                        return self._answer(429, {"message": "slow down"},
                                            {"Retry-After": "0"})
                    if fault == "403":
                        return self._answer(403, {"message": "rate limit"},
                                            {"x-ratelimit-remaining": "0",
                                             "x-ratelimit-reset": "0"})
                    return self._answer(int(fault), {"message": "fault"})
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if urlparse(self.path).path.startswith("/uploads/"):
                    return stand_in.upload(self, raw)
                body = json.loads(raw) if raw else None
                return stand_in.route(self, method, body)

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

            def do_PATCH(self) -> None:  # noqa: N802
                self._handle("PATCH")

            def do_DELETE(self) -> None:  # noqa: N802
                self._handle("DELETE")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def upload(self, handler, data: bytes) -> None:
        parts = urlparse(handler.path)
        number = int(parts.path.split("/")[-2])
        name = parse_qs(parts.query).get("name", [""])[0]
        if self.refuse_uploads:
            return handler._answer(502, {"message": "Bad Gateway"})
        said = handler.headers.get("Content-Type", "")
        if not parts.path.startswith(f"/uploads/repos/{REPO}/releases/") or not name or \
                not (any(data.startswith(magic) and said == kind and name.endswith(suffix)
                         for suffix, magic, kind in ASSETS) or original(name, data, said)) or \
                any(n == name and self.asset_release[i] == number
                    for i, (n, _) in self.assets.items()):
            self.errors.append(f"upload {handler.path} ({said}): bad asset")
            return handler._answer(422, {"message": "invalid"})
        asset_id = max(self.assets, default=0) + 1
        self.assets[asset_id] = (name, data)
        self.asset_release[asset_id] = number
        return handler._answer(201, {"id": asset_id, "name": name, "size": len(data)})

    def download(self, handler) -> None:
        """An asset's bytes (GitHub answers the API's asset URL with them, through a
        redirect to its storage)."""
        asset_id = handler.path.rsplit("/", 1)[-1]
        if not asset_id.isdigit() or int(asset_id) not in self.assets:
            return handler._answer(404, {"message": "Not Found"})
        data = self.assets[int(asset_id)][1]
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return None

    def route(self, handler, method: str, body: dict | None) -> None:
        parts = urlparse(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        if path.startswith(f"/repos/{REPO}/releases"):
            return self.route_release(handler, method, path, body)
        base = f"/repos/{REPO}/issues"
        if method == "GET" and path == base:
            label = query.get("labels", [""])[0]
            found = [i for i in self.issues.values() if label in i["labels"]]
            return handler._answer(200, found)
        if method == "POST" and path == base:
            if not isinstance(body, dict) or not body.get("title") or "body" not in body:
                self.errors.append(f"POST {path}: {body!r}")
                return handler._answer(422, {"message": "invalid"})
            number = len(self.issues) + 1
            self.issues[number] = {"number": number, "state": "open", "title": body["title"],
                                   "body": body["body"], "labels": body.get("labels", [])}
            return handler._answer(201, self.issues[number])
        if path.startswith(base + "/"):
            rest = path[len(base) + 1:].split("/")
            number = int(rest[0])
            if method == "PATCH" and len(rest) == 1 and number in self.issues:
                self.issues[number].update({k: v for k, v in (body or {}).items()
                                            if k in ("title", "body", "state")})
                return handler._answer(200, self.issues[number])
            if method == "POST" and rest[1:] == ["comments"] and body and body.get("body"):
                self.comments.setdefault(number, []).append(body["body"])
                return handler._answer(201, {"id": len(self.comments[number])})
        self.errors.append(f"{method} {path}: no such route")
        return handler._answer(404, {"message": "Not Found"})

    def route_release(self, handler, method: str, path: str, body: dict | None) -> None:
        tags = f"/repos/{REPO}/releases/tags/"
        if method == "GET" and path.startswith(tags):
            known = self.releases.get(path[len(tags):])
            if not known:
                return handler._answer(404, {})
            return handler._answer(200, known | {"assets": [
                {"id": i, "name": name, "size": len(data)} for i, (name, data)
                in self.assets.items() if self.asset_release[i] == known["id"]]})
        assets = f"/repos/{REPO}/releases/assets/"
        if method == "DELETE" and path.startswith(assets) and \
                int(path[len(assets):]) in self.assets:
            del self.assets[int(path[len(assets):])]
            return handler._answer(204)
        if method == "POST" and path == f"/repos/{REPO}/releases" and body and \
                body.get("tag_name") and body.get("name") and "body" in body:
            number = len(self.releases) + 1
            release = {"id": number, "tag_name": body["tag_name"], "body": body["body"],
                       "upload_url": f"{self.url}/uploads/repos/{REPO}/releases/{number}/"
                                     "assets{?name,label}"}
            self.releases[body["tag_name"]] = release
            return handler._answer(201, release)
        self.errors.append(f"{method} {path}: bad release request")
        return handler._answer(422, {"message": "invalid"})

    def __enter__(self) -> GitHubStandIn:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()
        self.server.server_close()
