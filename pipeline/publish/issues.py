"""Change summaries as GitHub issues, one per change set (publisher, year, kind), and one
health issue for fetch failures and rejected documents. Bodies built from document text are
made safe: no mentions, no raw HTML, no links or images smuggled in by the document."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import git

from pipeline.outcome import Outcome
from pipeline.publish.github import GitHub
from pipeline.report import KIND_TITLES, DocumentSummary, code, headline, inert, render

MAX_BODY = 60_000  # GitHub refuses bodies over 65,536 characters
HEALTH = "health"
HEADLINES = 3  # stated changes per document in the release notes


@dataclass(frozen=True)
class Post:
    fingerprint: str
    title: str
    body: str
    labels: tuple[str, ...]


def repository_files(root: Path, environ: dict[str, str]) -> str:
    """Where the repository's files are at the data's commit, for absolute links in issue
    bodies: GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/<the commit>, the commit being the
    package folder's HEAD (the data commit just made) or else GITHUB_SHA; '' outside GitHub."""
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not repository:
        return ""
    try:
        commit = git.Repo(root, search_parent_directories=True).head.commit.hexsha
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        commit = environ.get("GITHUB_SHA", "")
    server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    return f"{server}/{repository}/blob/{commit}" if commit else ""


def cut(body: str, link: str) -> str:
    """A body GitHub accepts: an over-long one is cut, pointing to the full report (a link
    when `link` is absolute)."""
    if len(body) <= MAX_BODY:
        return body
    pointer = f"[完整报告]({link})" if link.startswith(("http://", "https://")) else \
        f"完整报告：{link}"
    return body[:MAX_BODY] + f"\n\n……（正文过长，已截断。{pointer}）"


def newsworthy(summary: DocumentSummary) -> bool:
    """Significant changes, stated changes or findings (a gap within rounding alone is not
    news): what makes a document worth a post, and a line in the release notes."""
    return bool(summary.changes or summary.headlines or summary.unstated or
                any(f.severity != "rounding" for f in summary.findings))


def change_posts(outcome: Outcome, base_url: str = "") -> list[Post]:
    """One post per document that has something to say, from the run's record."""
    posts = []
    for document in outcome.documents:
        if not newsworthy(document.summary):
            continue
        link = f"{base_url}/{document.report}" if base_url else document.report
        body = render(document.summary, base_url or "../..")
        kind = KIND_TITLES.get(document.kind, document.kind)
        posts.append(Post(
            f"changes:{document.publisher_id}:{document.fiscal_year}:{document.kind}",
            f"{document.publisher} {document.fiscal_year}年{kind}：变化与核对",
            cut(body, link), ("changes", document.kind)))
    return posts


def superseded(fingerprint: str) -> str | None:
    """The change set a new one takes over from: the same publisher and kind, a year earlier."""
    parts = fingerprint.split(":")
    if len(parts) != 4 or parts[0] != "changes" or not parts[2].isdigit():
        return None
    return f"changes:{parts[1]}:{int(parts[2]) - 1}:{parts[3]}"


def health_post(outcome: Outcome) -> Post | None:
    """The single health issue's text, or None when every source and document is fine."""
    lines = [f"- {inert(r.publisher_id)}: {code(failure)}" for r in outcome.fetched
             for failure in r.failed]  # URLs shown whole, never linked
    lines += [f"- {inert(r.publisher_id)}（提示）: {code(note)}" for r in outcome.fetched
              for note in r.notes]
    lines += [f"- {inert(doc_id)}: {inert(problem)}" for doc_id, problems in
              sorted(outcome.rejected.items()) for problem in problems]
    if not lines:
        return None
    body = "## 抓取与处理问题\n\n" + "\n".join(lines)
    return Post(HEALTH, "Budget Watch：数据源或文件有问题", cut(body, ""), ("health",))


def publish(outcome: Outcome, github: GitHub | None, dry_run: Path | None = None,
            base_url: str = "") -> list[str]:
    """Post what the run recorded (or, with `dry_run`, write what would be posted); returns
    one line per action."""
    posts = change_posts(outcome, base_url)
    health = health_post(outcome)
    if dry_run is not None:
        dry_run.mkdir(parents=True, exist_ok=True)
        plan = [asdict(p) for p in posts] + ([asdict(health)] if health else
                                             [{"fingerprint": HEALTH, "close": True}])
        for index, item in enumerate(plan):
            name = item["fingerprint"].replace(":", "-")
            (dry_run / f"{index:03d}-{name}.json").write_text(
                json.dumps(item, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return [f"dry run: {len(plan)} issue actions written to {dry_run}"]
    assert github is not None
    done = []
    for post in posts:
        action, number = github.upsert(post.fingerprint, post.title, post.body,
                                       list(post.labels), "数据已更新，见正文。")
        done.append(f"issue #{number} {action}: {post.title}")
        older = superseded(post.fingerprint)
        if action == "opened" and older and github.close(older, f"已由 #{number} 接续。"):
            done.append(f"issue for {older} closed: superseded by #{number}")
    if health is not None:
        action, number = github.upsert(HEALTH, health.title, health.body, ["health"],
                                       "问题有变化，见正文。")
        done.append(f"issue #{number} {action}: {health.title}")
    elif (number := github.close(HEALTH, "所有数据源与文件已恢复正常。")) is not None:
        done.append(f"issue #{number} closed: health")
    return done


def release_plan(root: Path, files: list[Path], outcome: Outcome) -> dict[str, Any]:
    """Tag, title and notes of the data release: the tag names the data, so the same data is
    never released twice; the notes summarise what the issues summarise."""
    digest = hashlib.sha256()
    for path in sorted((root / "data").glob("*.csv")) + [root / "datapackage.json"]:
        digest.update(path.read_bytes())
    tag = f"data-{digest.hexdigest()[:12]}"
    lines = ["下载：" + "、".join(f"{f.name}（{ASSET_TITLES.get(f.suffix, '文件')}）"
                               for f in files) + "。", ""]
    for document in outcome.documents:
        summary = document.summary
        errors = sum(1 for f in summary.findings if f.severity == "error")
        lines.append(f"- {inert(document.publisher)} {document.fiscal_year}年"
                     f"{KIND_TITLES.get(document.kind, document.kind)}：{document.amounts} 个金额，"
                     f"重要变化 {len(summary.changes)} 项，核对错误 {errors} 项")
        lines += [f"  - {inert(headline(c))}" for c in summary.headlines[:HEADLINES]]
    return {"tag": tag, "title": f"Budget Watch 数据 {tag}", "notes": "\n".join(lines),
            "assets": [f.name for f in files]}


ASSET_TITLES = {".zip": "数据包：datapackage.json、各资源 CSV 与 XLSX 工作簿",
                ".xlsx": "XLSX 工作簿，每个资源一张表",
                ".db": "SQLite 数据库，可用 Datasette 浏览与检索",
                ".json": "Datasette 元数据"}
