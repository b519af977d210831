"""Change summaries as GitHub issues, one per change set (publisher, year, kind), and one
health issue for fetch failures and rejected documents. Bodies built from document text are
made safe: no mentions, no raw HTML, no links or images smuggled in by the document."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.publish.github import GitHub
from pipeline.report import KIND_TITLES, render, report_path, summarise
from pipeline.run import RunResult

MAX_BODY = 60_000  # GitHub refuses bodies over 65,536 characters
HEALTH = "health"


@dataclass(frozen=True)
class Post:
    fingerprint: str
    title: str
    body: str
    labels: tuple[str, ...]


def safe(text: str) -> str:
    """Document text as inert Markdown."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("@", "@\u200b")  # no one is mentioned by a document
    text = text.replace("![", "!\\[").replace("](", "]\\(")  # no images, no links
    return text.replace("javascript:", "javascript\u200b:")


def cut(body: str, link: str) -> str:
    if len(body) <= MAX_BODY:
        return body
    return body[:MAX_BODY] + f"\n\n……（正文过长，已截断。完整报告：{link}）"


def change_posts(result: RunResult, base_url: str = "") -> list[Post]:
    """One post per document that has something to say: significant changes, stated
    changes or findings (a gap within rounding alone is not news)."""
    posts = []
    for extraction in sorted(result.extractions, key=lambda e: e.source.doc_id):
        source = extraction.source
        changes = [c for c in result.comparisons.changes if c.to_doc == source.doc_id]
        findings = [f for f in result.comparisons.findings if f.doc_id == source.doc_id]
        summary = summarise(extraction, changes, findings, result.comparisons.computed)
        if not (summary.changes or summary.headlines or
                any(f.severity != "rounding" for f in summary.findings)):
            continue
        link = f"{base_url}/{report_path(extraction)}" if base_url else str(report_path(extraction))
        kind = KIND_TITLES.get(source.kind, source.kind)
        posts.append(Post(f"changes:{source.publisher_id}:{source.fiscal_year}:{source.kind}",
                          f"{extraction.publisher} {source.fiscal_year}年{kind}：变化与核对",
                          cut(safe(render(summary)), link), ("changes", source.kind)))
    return posts


def superseded(fingerprint: str) -> str | None:
    """The change set a new one takes over from: the same publisher and kind, a year earlier."""
    parts = fingerprint.split(":")
    if len(parts) != 4 or parts[0] != "changes" or not parts[2].isdigit():
        return None
    return f"changes:{parts[1]}:{int(parts[2]) - 1}:{parts[3]}"


def health_post(result: RunResult) -> Post | None:
    """The single health issue's text, or None when every source and document is fine."""
    lines = [f"- {r.publisher_id}: {failure}" for r in result.fetched for failure in r.failed]
    lines += [f"- {doc_id}: {problem}" for doc_id, error in sorted(result.rejected.items())
              for problem in error.problems]
    if not lines:
        return None
    body = "## 抓取与处理问题\n\n" + "\n".join(lines)
    return Post(HEALTH, "Budget Watch：数据源或文件有问题", cut(safe(body), ""), ("health",))


def publish(result: RunResult, github: GitHub | None, dry_run: Path | None = None,
            base_url: str = "") -> list[str]:
    """Post (or, with `dry_run`, write what would be posted); returns one line per action."""
    posts = change_posts(result, base_url)
    health = health_post(result)
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


def release_plan(root: Path, zip_path: Path, result: RunResult) -> dict[str, str]:
    """Tag, title and notes of the data release: the tag names the data, so the same data is
    never released twice."""
    digest = hashlib.sha256()
    for path in sorted((root / "data").glob("*.csv")) + [root / "datapackage.json"]:
        digest.update(path.read_bytes())
    tag = f"data-{digest.hexdigest()[:12]}"
    lines = ["数据包：datapackage.json、各资源 CSV 与 budget-watch.xlsx。", ""]
    for extraction in sorted(result.extractions, key=lambda e: e.source.doc_id):
        significant = [c for c in result.comparisons.changes
                       if c.to_doc == extraction.source.doc_id and c.significance]
        lines.append(f"- {extraction.publisher} {extraction.source.fiscal_year}："
                     f"{len(extraction.line_items)} 个金额，重要变化 {len(significant)} 项")
    return {"tag": tag, "title": f"Budget Watch 数据 {tag}", "notes": safe("\n".join(lines)),
            "asset": zip_path.name}
