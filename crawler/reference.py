"""Reference text generated from the code: CLI help and the settings table.

The README embeds this output with cog, and a test fails when the README is stale, so
the documentation cannot drift from what the program does.
"""

from __future__ import annotations

from typing import Any

import click
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crawler.settings import Settings, Source


def command_help(group: click.Group) -> str:
    """Markdown with the `--help` output of the group and of every command."""
    parts = [_help_block(group, [], "pivotwatch")]
    for name in sorted(group.commands):
        parts.append(f"### `pivotwatch {name}`\n\n" + _help_block(group, [name], "pivotwatch"))
    return "\n".join(parts)


def _help_block(group: click.Group, args: list[str], prog: str) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(group, [*args, "--help"], prog_name=prog, terminal_width=88)
    return f"```\n{result.output.rstrip()}\n```\n"


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return ""
    return f"`{value!r}`".replace("PosixPath", "").replace("|", "\\|")


def settings_table() -> str:
    """One row per setting: key, default, description."""
    rows = ["| key | default | description |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        if info.exclude:
            continue
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for key, sub in annotation.model_fields.items():
                rows.append(f"| `{name}.{key}` | {_default(sub)} | {sub.description or ''} |")
        else:
            rows.append(f"| `{name}` | {_default(info)} | {info.description or ''} |")
    return "\n".join(rows) + "\n"


SOURCE_KEYS = {
    "name": "Short unique id (lower case, digits, `-`, `_`); used in the database.",
    "title": "Display name.",
    "homepage": "The site's home page (http/https).",
    "source_type": "One of `think_tank`, `journal`, `news`, `state_media`, "
    "`state_affiliated`, `academic`, `aggregator`.",
    "language": "Main language code (`en`, `ru`, ...).",
    "feeds": "RSS/Atom feed URLs (discovery only: the page is always fetched).",
    "sitemaps": "Sitemap or sitemap-index URLs (gzip too).",
    "listings": "Listing pages: `{url, links, next, pages}`; `links` and `next` are CSS selectors.",
    "allow": "Regexes: an article URL must match one of them (when any are given).",
    "deny": "Regexes: an article URL matching one is never fetched.",
    "wordpress_api": "Discover and read posts through the WordPress REST API.",
    "content": "CSS selector of the article body.",
    "remove": "CSS selectors removed before extraction.",
    "paywall_markers": "Phrases: the text is cut at the first and the article flagged paywalled.",
    "cut_after": "Phrases: the text is cut at the first (footer junk).",
    "user_agent": "User-Agent for this source instead of `crawl.user_agent`.",
    "headers": "Extra request headers (e.g. a subscriber's cookie).",
    "schedule": "This source's schedule instead of `crawl.schedule`.",
    "enabled": "`false` skips the source unless it is named with `--source`.",
}


def sources_table() -> str:
    rows = ["| key | default | description |", "|---|---|---|"]
    for name, info in Source.model_fields.items():
        default = "required" if info.is_required() else _default(info)
        rows.append(f"| `{name}` | {default} | {SOURCE_KEYS[name]} |")
    return "\n".join(rows) + "\n"
