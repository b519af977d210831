"""The registry of publishers (data/registry.toml), validated when loaded."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import RegistryError

REGISTRY = Path("data/registry.toml")
KINDS = ("budget", "final_accounts")
# a publisher id names folders and files: word characters (Chinese too), - _ . ( ) only,
# starting with a word character and never `..`
SAFE_ID = re.compile(r"(?!.*\.\.)\w[\w.()（）-]{0,79}")
# a link pattern: literal text, {year}, and . * ? | ( ) [ ] only; no quantifier after a group
# and no + or {n}, so no pattern can backtrack without end on a hostile page
_PATTERN_SYNTAX = re.compile(r"(?:\{year\}|[^+{}\\]|\\[.()\[\]|?*])*")
_NESTED = re.compile(r"[)\]][*?]")
SCOPES = ("department", "unit")
_FIELDS: dict[str, tuple[type, bool]] = {  # key: (type, required)
    "id": (str, True),
    "name": (str, True),
    "region": (str, True),
    "listing_urls": (list, True),
    "link_patterns": (dict, True),
    "allowed_hosts": (list, True),
    "years": (list, True),
    "kinds": (list, True),
    "scope": (str, False),
    "template": (str, False),
    "discovers": (bool, False),
    "verified": (bool, False),
}


@dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    region: str
    listing_urls: tuple[str, ...]
    link_patterns: dict[str, str]
    allowed_hosts: tuple[str, ...]
    years: tuple[int, ...]
    kinds: tuple[str, ...]
    scope: str = "department"
    template: str = ""
    # a column that lists many departments' disclosures: each document's publisher is read
    # from the document itself, not taken from this entry (whose name is the column's)
    discovers: bool = False
    # false until a fetch from it has been checked by hand: its failures are notes, not
    # failures of the run, so that a hundred unchecked portals do not drown the health issue
    verified: bool = True

    def listing_for(self, year: int) -> list[str]:
        """Listing URLs with {year} filled in."""
        return [url.format(year=year) for url in self.listing_urls]


def _problems(index: int, entry: dict[str, Any]) -> list[str]:
    label = f"publisher {index + 1} ({entry.get('id', 'no id')})"
    problems = []
    for key in entry:
        if key not in _FIELDS:
            close = difflib.get_close_matches(key, _FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{label}: unknown key {key!r}{hint}")
    for key, (kind, required) in _FIELDS.items():
        if key not in entry:
            if required:
                problems.append(f"{label}: missing key {key!r}")
        elif not isinstance(entry[key], kind):
            problems.append(f"{label}: {key!r} must be a {kind.__name__}")
    for kind in entry.get("kinds", []) if isinstance(entry.get("kinds"), list) else []:
        if kind not in KINDS:
            problems.append(f"{label}: kind {kind!r} is not one of {', '.join(KINDS)}")
    patterns = entry.get("link_patterns")
    for kind in patterns if isinstance(patterns, dict) else []:
        if kind not in KINDS:
            problems.append(f"{label}: link_patterns key {kind!r} is not one of {', '.join(KINDS)}")
    for key in ("listing_urls", "allowed_hosts", "kinds"):
        values = entry.get(key)
        if isinstance(values, list) and not all(isinstance(v, str) and v for v in values):
            problems.append(f"{label}: {key!r} must be a list of texts")
    for url in entry.get("listing_urls", []) if isinstance(entry.get("listing_urls"), list) \
            else []:
        try:
            str(url).format(year=2024)
        except (KeyError, IndexError, ValueError) as error:
            problems.append(f"{label}: listing URL {url!r} may hold {{year}} and nothing else "
                            f"in braces ({type(error).__name__}: {error})")
    if isinstance(entry.get("id"), str) and not SAFE_ID.fullmatch(entry["id"]):
        problems.append(f"{label}: id {entry['id']!r} must be letters, digits, - _ . ( ) "
                        "only, start with a letter or digit and have no '..'")
    for kind, pattern in patterns.items() if isinstance(patterns, dict) else []:
        problems += [f"{label}: link_patterns {kind}: {p}" for p in pattern_problems(
            pattern, entry.get("years", []))]
    if entry.get("scope", "department") not in SCOPES:
        problems.append(f"{label}: scope {entry['scope']!r} is not one of {', '.join(SCOPES)}")
    years = entry.get("years", [])
    if isinstance(years, list) and not all(isinstance(y, int) and 1990 < y < 2100 for y in years):
        problems.append(f"{label}: 'years' must be a list of years such as 2023")
    return problems


def pattern_problems(pattern: object, years: object) -> list[str]:
    """What is wrong with a link pattern: not text, syntax that could backtrack without end
    (+, {n}, a quantified group), a regex that does not compile, or no {year} although the
    publisher lists several years (its links could not be told apart by year)."""
    if not isinstance(pattern, str):
        return ["must be text"]
    if not _PATTERN_SYNTAX.fullmatch(pattern) or _NESTED.search(pattern):
        return [f"{pattern!r} may use literal text, {{year}} and . * ? | ( ) [ ] only "
                "(no +, no {n}, no quantified group)"]
    try:
        re.compile(pattern.replace("{year}", "2024"))
    except re.error as error:
        return [f"{pattern!r} is not a valid pattern ({error})"]
    if "{year}" not in pattern and isinstance(years, list) and len(years) > 1:
        return [f"{pattern!r} has no {{year}}: the links of {len(years)} years could not be "
                "told apart"]
    return []


def load_registry(path: Path) -> dict[str, Publisher]:
    """Publishers by id; RegistryError listing every problem (not just the first)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RegistryError(str(path), [str(error)]) from error
    entries = data.get("publisher", [])
    problems = [f"unknown top-level key {k!r}" for k in data if k != "publisher"]
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        problems += _problems(index, entry)
        if entry.get("id") in seen:
            problems.append(f"publisher {index + 1}: duplicate id {entry['id']!r}")
        seen.add(entry.get("id"))
    if problems:
        raise RegistryError(str(path), problems)
    publishers = {}
    for entry in entries:
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
        publishers[entry["id"]] = Publisher(**values)
    return publishers
