"""Shared fixtures, and a guard that fails any test opening a socket beyond loopback."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "data/archive/changsha-xzspj/" \
    "a789a924723d2d70bc2cc20c60d87f16591e28dec2c5481e05686754e9cb2475.txt"
CORPUS = SHARED / "corpus"


class BlockedNetwork(OSError):
    """Raised by the guard: tests never reach beyond 127.0.0.1."""


def _is_loopback(host: object) -> bool:
    if host in ("localhost", None, ""):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: object) -> object:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise BlockedNetwork(f"test tried to connect to {address[0]}")
    return _real_connect(self, address)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"test tried to resolve {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project folder holding the repository's registry and archive."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "data/registry.toml", root / "data/registry.toml")
    shutil.copytree(REPO / "data/archive", root / "data/archive")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, but the run's own record (.cache/outcome.json,
    which holds the time of the run) and the folder's lock (which names the last holder)."""
    own = {Path(".cache/outcome.json"), Path(".cache/lock")}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root) not in own}


def sample_source(path: str, size: int = 0):
    from pipeline.model import Source

    return Source("0" * 64, path, "changsha-xzspj", 2023, "budget", "department", "text/plain",
                  size, "长沙市行政审批服务局2023年部门预算公开", "bundled:test",
                  "2026-11-27T17:00:00Z")


def process_text(tmp_path: Path, text: str, name: str = "doc.txt"):
    """Run one document through the whole per-document pipeline."""
    from pipeline.process import process
    from pipeline.sources import load_registry

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    publisher = load_registry(REPO / "data/registry.toml")["changsha-xzspj"]
    return process(sample_source(name), tmp_path, publisher)


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def resource_csv(root: Path, name: str) -> str:
    """A resource's CSV text over all its partitions: the header once, then every row."""
    from pipeline.package import resource_text

    return resource_text(root, name)
