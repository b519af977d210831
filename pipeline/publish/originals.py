"""Originals over 5 MB stay out of git (a clone would carry every version forever). They are
kept as assets of GitHub Releases instead: one release per first two hex digits of their
sha256 (tag `originals-3f`, so no release nears GitHub's asset limit), each asset named by
the sha256 the committed manifest records, and fetched back by it, checked byte for byte,
when a run needs an original its cache cannot stand in for."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.archive import MANIFEST, load_manifest, write_atomic
from pipeline.model import Source
from pipeline.publish.github import GitHub

LARGE_FOLDER = MANIFEST.parent / "large"  # what archive.archive files over archive.LARGE under
TAG = "originals-{}"


def tag(source: Source) -> str:
    return TAG.format(source.sha256[:2])


def large(root: Path) -> list[Source]:
    """The originals in use that the archive keeps out of git."""
    return [s for s in load_manifest(root) if not s.forgotten
            and Path(s.path).is_relative_to(LARGE_FOLDER)]


def upload(root: Path, github: GitHub) -> list[str]:
    """Every large original this folder holds, as an asset of its release (what is there
    already, at its size, is not uploaded again). One line per release touched."""
    by_tag: dict[str, list[Source]] = {}
    for source in large(root):
        if (root / source.path).exists():
            by_tag.setdefault(tag(source), []).append(source)
    lines = []
    for name, sources in sorted(by_tag.items()):
        action, _ = github.release(
            name, f"原件存档 {name}", "超过 5 MB、不提交到 git 的公开文件原件，文件名为其 SHA-256"
            "（见 data/archive/manifest.csv）。", {Path(s.path).name: root / s.path
                                                 for s in sources})
        if action != "unchanged":
            lines.append(f"originals: release {name} {action} ({len(sources)} originals)")
    return lines


def restore(root: Path, github: GitHub, sources: list[Source]) -> tuple[list[str], list[str]]:
    """Download these originals from their releases; each is written only when its bytes
    have the sha256 the manifest records. Returns (paths restored, problems)."""
    restored, problems = [], []
    assets: dict[str, dict[str, int]] = {}
    for source in sources:
        release = tag(source)
        if release not in assets:
            assets[release] = github.assets(release)
        name = Path(source.path).name
        if name not in assets[release]:
            problems.append(f"{source.path} ({source.doc_id}): release {release} has no asset "
                            f"{name}; fetch the document again")
            continue
        data = github.download(assets[release][name])
        digest = hashlib.sha256(data).hexdigest()
        if digest != source.sha256:
            problems.append(f"{source.path} ({source.doc_id}): the asset's bytes have sha256 "
                            f"{digest[:12]}…, not the manifest's {source.sha256[:12]}…; "
                            "not written")
            continue
        write_atomic(root / source.path, data)
        restored.append(source.path)
    return restored, problems
