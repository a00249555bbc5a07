"""What the running sample web promises: the sources file and the expected facts per article."""

from __future__ import annotations

import json
from typing import Any

from .catalog import Article, Site

SOURCE_KEYS_WITH_URLS = ("feeds", "sitemaps")


def toml_value(value: Any) -> str:
    """TOML for the plain values a sources entry holds (JSON string escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items())
        return "{" + pairs + "}" if pairs else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def source_entry(site: Site, base: str) -> dict[str, Any]:
    """The site's sources entry, with its relative paths made absolute on ``base``."""
    source = site.source
    entry: dict[str, Any] = {
        "name": site.name,
        "title": site.title,
        "homepage": base,
        "source_type": site.source_type,
        "language": site.language,
    }
    for key in SOURCE_KEYS_WITH_URLS:
        entry[key] = [base + path for path in source.get(key, [])]
    entry["listings"] = [
        dict(listing, url=base + listing["url"]) for listing in source.get("listings", [])
    ]
    for key in ("allow", "deny"):
        entry[key] = list(source.get(key, []))
    entry["wordpress_api"] = bool(source.get("wordpress_api", False))
    for key in ("content", "remove", "paywall_markers", "cut_after", "user_agent", "headers"):
        if key in source:
            entry[key] = source[key]
    entry["schedule"] = source.get("schedule", "1h")
    entry["enabled"] = True
    return entry


def sources_toml(sites: list[Site], bases: dict[str, str]) -> str:
    blocks = []
    for site in sites:
        lines = ["[[source]]"]
        lines += [
            f"{key} = {toml_value(value)}"
            for key, value in source_entry(site, bases[site.name]).items()
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def must_drop(site: Site, article: Article, page: str) -> list[str]:
    """The site's junk phrases that this page actually carries (``page`` is unescaped text)."""
    phrases = list(site.must_drop) + list(site.boilerplate.get("recent_features", []))
    if article.extra.get("credit"):
        phrases.append(f"Credit: {article.extra['credit']}")
    if site.layout.get("citation"):
        phrases.append(f'"{article.title} - {site.title}". {site.title}.')
    phrases += list(article.extra.get("must_drop", []))
    return [phrase for phrase in dict.fromkeys(phrases) if phrase in page]


def manifest_entry(site: Site, article: Article, base: str, page: str) -> dict[str, Any]:
    full_story_url = article.extra.get("full_story_url")
    return {
        "site": site.name,
        "url": base + article.path,
        "title": article.title,
        "published": article.published.isoformat(timespec="seconds"),
        "language": article.language,
        "on_topic": article.on_topic,
        "paywalled": bool(site.layout.get("paywalled", False)),
        "teaser": full_story_url is not None,
        "full_story_url": full_story_url,
        "must_keep": list(article.must_keep),
        "must_drop": must_drop(site, article, page),
    }
