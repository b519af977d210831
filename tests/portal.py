"""A real HTTP server on 127.0.0.1 that serves government-portal pages and files, answers
conditional GETs, counts requests and bytes, and can misbehave on purpose."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Portal:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.faults: dict[str, list[str]] = {}  # path -> behaviours, one used per request
        self.hits: Counter[str] = Counter()
        self.body_bytes: Counter[str] = Counter()
        self.times: list[float] = []
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()  # no Nagle: headers and body leave without waiting for ACKs
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                portal.hits[path] += 1
                portal.times.append(time.monotonic())
                queue = portal.faults.get(path)
                fault = queue.pop(0) if queue else "ok"
                if fault != "ok":
                    return portal.misbehave(self, fault)
                status, headers, body = portal.pages.get(path, (404, {}, b"not found"))
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                portal.body_bytes[path] += len(body)
                return None

            def log_message(self, *args: object) -> None:
                pass

            def handle(self) -> None:
                # the client may hang up (a fault test, or the end of a benchmark)
                with contextlib.suppress(ConnectionError):
                    super().handle()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def misbehave(self, handler: BaseHTTPRequestHandler, fault: str) -> None:
        kind, _, arg = fault.partition(":")
        if kind in ("500", "503", "429"):
            handler.send_response(int(kind))
            if arg:
                handler.send_header("Retry-After", arg)
            handler.send_header("Content-Length", "4")
            handler.end_headers()
            handler.wfile.write(b"busy")
        elif kind == "hang":
            time.sleep(float(arg or 2))
        elif kind == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
            handler.connection.close()
        elif kind == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            handler.wfile.write(b"%PDF-1.4 partial")
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "trickle":  # a byte at a time, each inside the read timeout, never done
            handler.send_response(200)
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(100000):
                    handler.wfile.write(b"%")
                    handler.wfile.flush()
                    time.sleep(float(arg or 0.2))
        elif kind == "redirect":
            handler.send_response(302)
            handler.send_header("Location", arg)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        handler.close_connection = True

    def __enter__(self) -> Portal:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> None:
        self.pages[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)

    def fail(self, path: str, *behaviours: str) -> None:
        self.faults[path] = list(behaviours)


def column_entry(entry_id: str, name: str, region: str, listing: str, years: list[int]) -> str:
    """A registry entry for a disclosure column that links many departments' budgets (each
    document names its publisher: `discovers = true`), on this loopback portal."""
    return f"""[[publisher]]
id = "{entry_id}"
name = "{name}"
region = "{region}"
listing_urls = ["{listing}"]
link_patterns = {{ budget = "{{year}}年部门预算" }}
allowed_hosts = ["127.0.0.1"]
years = [{", ".join(map(str, years))}]
kinds = ["budget"]
discovers = true
"""
