"""Load the sample sites and their articles from the TOML data files in ``sites/``.

Each site folder holds ``site.toml`` (how the site is laid out and what its sources entry
says), ``articles.toml`` (the texts) and HTML templates. Dates in the data are offsets from
``today`` so a crawl always finds recent articles.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

SITE_ORDER = (
    "thediplomat",
    "wpr",
    "policyforum",
    "eastasiaforum",
    "tass",
    "lowy",
    "aggregator",
)


@dataclass(frozen=True)
class Site:
    """One sample site: its layout, its routes' switches and its sources entry."""

    name: str
    title: str
    address: str
    source_type: str
    language: str
    article_path: str
    folder: Traversable
    feed: dict[str, Any] = field(default_factory=dict)
    layout: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    boilerplate: dict[str, Any] = field(default_factory=dict)
    must_drop: tuple[str, ...] = ()

    def template(self, name: str) -> str:
        own = self.folder / name
        if own.is_file():
            return own.read_text(encoding="utf-8")
        return (_package_root() / "templates" / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Article:
    """One article as the sample web serves it, with its date already resolved."""

    site: str
    slug: str
    title: str
    author: str
    published: dt.datetime
    path: str
    paragraphs: tuple[str, ...]
    summary: str
    on_topic: bool
    must_keep: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return str(self.extra.get("language", "en"))

    @property
    def charset(self) -> str:
        return str(self.extra.get("charset", "utf-8"))


def _package_root() -> Traversable:
    return resources.files(__package__ or "crawler.sampleweb")


def _read_toml(entry: Traversable) -> dict[str, Any]:
    return tomllib.loads(entry.read_text(encoding="utf-8"))


def load_sites() -> list[Site]:
    sites_folder = _package_root() / "sites"
    return [load_site(name) for name in SITE_ORDER if (sites_folder / name / "site.toml").is_file()]


def load_site(name: str) -> Site:
    folder = _package_root() / "sites" / name
    data = _read_toml(folder / "site.toml")
    return Site(
        name=name,
        title=data["title"],
        address=data["address"],
        source_type=data["source_type"],
        language=data.get("language", "en"),
        article_path=data["article_path"],
        folder=folder,
        feed=data.get("feed", {}),
        layout=data.get("layout", {}),
        source=data.get("source", {}),
        boilerplate=data.get("boilerplate", {}),
        must_drop=tuple(data.get("must_drop", ())),
    )


def load_articles(site: Site, today: dt.date) -> list[Article]:
    entries = _read_toml(site.folder / "articles.toml").get("article", [])
    articles = [_article_from_entry(site, entry, today) for entry in entries]
    return sorted(articles, key=lambda article: article.published, reverse=True)


def _article_from_entry(site: Site, entry: dict[str, Any], today: dt.date) -> Article:
    published = _publication_time(entry, today)
    known = {"slug", "title", "author", "days_ago", "time", "body", "summary", "on_topic"}
    extra = {key: value for key, value in entry.items() if key not in known | {"must_keep"}}
    path = site.article_path.format(
        yyyy=f"{published.year:04d}",
        mm=f"{published.month:02d}",
        dd=f"{published.day:02d}",
        slug=entry["slug"],
        **{key: value for key, value in extra.items() if isinstance(value, str | int)},
    )
    return Article(
        site=site.name,
        slug=entry["slug"],
        title=entry.get("title", ""),
        author=entry.get("author", ""),
        published=published,
        path=path,
        paragraphs=split_paragraphs(entry.get("body", "")),
        summary=" ".join(entry.get("summary", "").split()),
        on_topic=bool(entry.get("on_topic", True)),
        must_keep=tuple(entry.get("must_keep", ())),
        extra=extra,
    )


def _publication_time(entry: dict[str, Any], today: dt.date) -> dt.datetime:
    day = today - dt.timedelta(days=int(entry.get("days_ago", 1)))
    hour, minute = (int(part) for part in entry.get("time", "08:00").split(":"))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def split_paragraphs(body: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; line breaks inside one are only for the data file."""
    blocks = (" ".join(block.split()) for block in body.strip().split("\n\n"))
    return tuple(block for block in blocks if block)
