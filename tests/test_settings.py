"""Settings and source files: validated once, errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.settings import ConfigError, load_settings, load_sources, select_sources

SOURCE = """
[[source]]
name = "example"
title = "Example Review"
homepage = "https://example.org/"
source_type = "journal"
feeds = ["https://example.org/feed/"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "settings.toml", ""))
    assert settings.db == tmp_path / "../db/pivotwatch.db"
    assert settings.sources == tmp_path / "sources.toml"
    assert settings.crawl.max_age_days == 30
    assert settings.serve.host == "127.0.0.1"


def test_db_override_wins(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "s.toml", 'db = "x.db"'), tmp_path / "y.db")
    assert settings.db == tmp_path / "y.db"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "s.toml: colour: unknown key"),
        ("[crawl]\nspeed = 3", "s.toml: crawl.speed: unknown key"),
        ("[crawl]\nmin_delay = -1", "s.toml: crawl.min_delay: Input should be greater than"),
        ("[crawl]\nschedule = 'often'", "s.toml: crawl.schedule: not a schedule: 'often'"),
        (
            "[digest]\nschedule = '0 6 * * 1'",
            "s.toml: digest.schedule: cron day-of-week field: use day names",
        ),
        ("[crawl]\nallow_networks = ['local']", "s.toml: crawl.allow_networks[0]: not a CIDR"),
        ("[crawl\n", "s.toml: not valid TOML"),
    ],
    ids=[
        "unknown-key",
        "unknown-nested-key",
        "negative",
        "bad-schedule",
        "cron-number-day",
        "bad-network",
        "bad-toml",
    ],
)
def test_bad_settings_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "s.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothing\.toml: file not found"):
        load_settings(tmp_path / "nothing.toml")


def test_sources_load(tmp_path: Path) -> None:
    [source] = load_sources(write(tmp_path, "sources.toml", SOURCE))
    assert source.name == "example" and source.feeds == ["https://example.org/feed/"]
    assert source.enabled and source.listings == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('feeds = ["https://example.org/feed/"]', 'feeds = ["ftp://x"]'),
            "source[0].feeds[0]: not an http(s) URL",
        ),
        (
            ('source_type = "journal"', 'source_type = "blog"'),
            "source[0].source_type: Input should be",
        ),
        (
            ('title = "Example Review"', 'title = "E"\nfavourite = true'),
            "source[0].favourite: unknown key",
        ),
        (
            ('feeds = ["https://example.org/feed/"]', 'deny = ["(unclosed"]'),
            "source[0].deny[0]: not a regular expression",
        ),
        (
            (
                'feeds = ["https://example.org/feed/"]',
                'listings = [{url = "https://e.org/", pages = 2}]',
            ),
            "source[0].listings[0].links: Field required",
        ),
    ],
    ids=["bad-feed-url", "bad-source-type", "unknown-key", "bad-regex", "listing-without-links"],
)
def test_bad_sources_name_the_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, "sources.toml", SOURCE.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_duplicate_source_names_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="duplicate source name 'example'"):
        load_sources(write(tmp_path, "sources.toml", SOURCE + SOURCE))


def test_select_sources(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, "sources.toml", SOURCE))
    assert select_sources(sources, ()) == sources
    with pytest.raises(ConfigError, match="unknown source 'nope'; known: example"):
        select_sources(sources, ("nope",))


def test_shipped_configuration_is_valid() -> None:
    root = Path(__file__).parent.parent
    settings = load_settings(root / "config" / "settings.toml")
    sources = load_sources(settings.sources)
    assert len(sources) >= 10
    names = {source.name for source in sources}
    assert {"thediplomat", "wpr", "policyforum"} <= names
