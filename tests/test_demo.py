"""`pivotwatch demo`: the whole pipeline offline, checked against the sample web's manifest."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from demo_run import run_demo

from crawler.sampleweb import SampleWeb


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, run_demo(folder).stderr


def page_key(url: str) -> tuple[str, str]:
    """Host and path: each run of the sample web has its own ports."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.path


def articles(folder: Path) -> dict[tuple[str, str], sqlite3.Row]:
    conn = sqlite3.connect(folder / "demo.db")
    conn.row_factory = sqlite3.Row
    return {page_key(row["url"]): row for row in conn.execute("SELECT * FROM articles")}


@pytest.fixture(scope="module")
def manifest() -> list[dict]:
    with SampleWeb(date.today()) as web:
        return web.manifest()


def test_demo_stores_at_least_twelve_tagged_articles(demo_run: tuple[Path, str]) -> None:
    folder, _ = demo_run
    stored = articles(folder)
    assert len(stored) >= 12
    conn = sqlite3.connect(folder / "demo.db")
    tagged = conn.execute("SELECT count(DISTINCT article_id) FROM article_themes").fetchone()[0]
    assert tagged >= 12


def test_demo_text_is_clean_and_flags_are_set(
    demo_run: tuple[Path, str], manifest: list[dict]
) -> None:
    stored = articles(demo_run[0])
    for expected in manifest:
        row = stored[page_key(expected["url"])]
        assert row["title"] == expected["title"]
        for phrase in expected["must_keep"]:
            assert phrase in row["text"], (expected["title"], phrase)
        for phrase in expected["must_drop"]:
            assert phrase not in row["text"], (expected["title"], phrase)
        assert bool(row["paywalled"]) == expected["paywalled"], expected["title"]
        assert bool(row["teaser"]) == expected["teaser"], expected["title"]


def test_teasers_point_at_their_full_story(demo_run: tuple[Path, str]) -> None:
    conn = sqlite3.connect(demo_run[0] / "demo.db")
    rows = conn.execute(
        "SELECT t.full_story_url, f.url FROM articles t JOIN articles f ON f.id = t.duplicate_of "
        "WHERE t.teaser = 1"
    ).fetchall()
    assert rows and all(full_story == url for full_story, url in rows)


def test_demo_writes_a_digest(demo_run: tuple[Path, str]) -> None:
    folder, output = demo_run
    [digest] = (folder / "digests").glob("*.csv")
    assert f"Digest written to {digest}" in output
    rows = list(csv.DictReader(digest.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) >= 10
    assert all(row["themes"] for row in rows)
