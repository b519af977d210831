from conftest import REPO

from pipeline.archive import LARGE, archive, current, load_manifest
from pipeline.model import Source


def source(retrieved: str, part: str = "") -> Source:
    return Source("", "", "p", 2023, "budget", "department", "text/plain", 0, "t",
                  "http://127.0.0.1/x.txt", retrieved, part=part)


def test_the_same_bytes_are_kept_once_and_new_bytes_are_a_new_revision(tmp_path):
    first = archive(tmp_path, b"one", source("2026-01-01T00:00:00Z"))
    again = archive(tmp_path, b"one", source("2026-02-01T00:00:00Z"))
    newer = archive(tmp_path, b"two", source("2026-03-01T00:00:00Z"))
    assert again == first and newer.sha256 != first.sha256
    assert len(load_manifest(tmp_path)) == 2
    assert [s.sha256 for s in current(load_manifest(tmp_path))[0]] == [newer.sha256]
    assert (tmp_path / first.path).read_bytes() == b"one"  # the old revision is kept


def test_a_large_original_is_archived_where_git_does_not_look(tmp_path):
    stored = archive(tmp_path, b"x" * (LARGE + 1), source("2026-01-01T00:00:00Z"))
    assert stored.path.startswith("data/archive/large/p/")
    assert "data/archive/large/" in (REPO / ".gitignore").read_text().splitlines()
    assert load_manifest(tmp_path)[0].bytes == LARGE + 1  # the manifest keeps it


def test_no_temporary_file_is_left_behind(tmp_path):
    archive(tmp_path, b"one", source("2026-01-01T00:00:00Z"))
    assert not [p for p in (tmp_path / "data/archive").rglob(".*")]
