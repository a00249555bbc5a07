"""Analysis in worker processes: the same articles as in process, and a safe fallback."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import pytest

from crawler import analysis
from crawler.analysis import AnalysisPool, worker_count
from crawler.app import App, site_rules
from pipelines.process import AnalyserSpec, FetchedPage
from pipelines.store import open_database

THEMES = Path(__file__).resolve().parents[1] / "config" / "themes.toml"
PAGE = (
    b"<html><head><title>Russia and Japan talk fisheries</title></head><body><article>"
    b"<h1>Russia and Japan talk fisheries</h1>"
    + b"<p>Moscow and Tokyo resumed talks on fishing quotas near the Kuril Islands. </p>" * 12
    + b"</article></body></html>"
)


def page(url: str = "http://example.org/a") -> FetchedPage:
    return FetchedPage(url, "one", PAGE, "2026-01-01T00:00:00Z", "text/html; charset=utf-8")


@pytest.fixture
def app(tmp_path: Path) -> App:
    (tmp_path / "settings.toml").write_text(f'db = "pivotwatch.db"\nthemes = "{THEMES}"\n')
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "one"\ntitle = "One"\nhomepage = "http://example.org/"\n'
        'source_type = "news"\nfeeds = ["http://example.org/feed"]\n'
    )
    return App(config_path=tmp_path / "settings.toml")


def spec(app: App) -> AnalyserSpec:
    tagging = app.settings.tagging
    return AnalyserSpec(
        THEMES, tagging.relevance_threshold, tagging.theme_threshold, site_rules(app.sources)
    )


def test_process_is_store_after_analyse_and_the_analysis_crosses_processes(app: App) -> None:
    processor = app.processor(open_database(":memory:", migrate=True))
    analysed = processor.analyse(page())
    assert pickle.loads(pickle.dumps(analysed)) == analysed
    assert analysed.page.body == b""  # the body travels back only compressed
    whole = app.processor(open_database(":memory:")).analyse(page())
    assert whole == analysed


def test_a_worker_analyses_a_page_as_the_crawler_process_would(app: App) -> None:
    processor = app.processor(open_database(":memory:"))
    pool = AnalysisPool(spec(app), 1, processor.analyser)
    try:
        in_worker = asyncio.run(pool.analyse(page()))
    finally:
        pool.close()
    assert in_worker == processor.analyse(page())


def test_broken_workers_fall_back_to_analysing_in_process(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    processor = app.processor(open_database(":memory:"))
    pool = AnalysisPool(spec(app), 1, processor.analyser)
    monkeypatch.setattr(analysis, "_analyse", _die)
    try:
        first = asyncio.run(pool.analyse(page()))
        second = asyncio.run(pool.analyse(page("http://example.org/b")))
    finally:
        pool.close()
    assert first.row["title"] == second.row["title"] == "Russia and Japan talk fisheries"
    assert [r.message for r in caplog.records if "workers died" in r.message]


def _die(page: FetchedPage) -> None:
    import os

    os._exit(1)


def test_worker_count_follows_the_cores_and_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis.os, "cpu_count", lambda: 4)
    assert (worker_count(None), worker_count(0), worker_count(2)) == (4, 0, 2)
    monkeypatch.setattr(analysis.os, "cpu_count", lambda: 1)
    assert worker_count(None) == worker_count(3) == 0
