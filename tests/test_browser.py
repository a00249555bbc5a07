"""The published pages in a real headless Chromium: no errors, charts drawn, no script run."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sample_db import build_sample_db
from serve_process import free_port, running_server, wait_until_up, write_settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).parent / "screenshots"


def install_chromium() -> str | None:
    """Install Debian's chromium when missing; the reason it cannot be, or None."""
    if CHROMIUM.exists():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "chromium is missing and apt-get cannot run here (not root or not Debian)"
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        result = subprocess.run(
            command, capture_output=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        )
        if result.returncode != 0:
            return f"{' '.join(command)} failed: {result.stderr.decode()[-300:]}"
    return None


# Module scope, not session: Playwright's sync API keeps an event loop running in the
# main thread until it stops, and later tests call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = install_chromium()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    db = build_sample_db(folder / "sample.db")
    port = free_port()
    with running_server(write_settings(folder, port), db) as process:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"


def visit(browser: Any, url: str, name: str, ready: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector(ready, timeout=15_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert errors == [], errors
    assert dialogs == [], dialogs
    return page


@pytest.mark.parametrize(
    ("name", "path", "ready"),
    [
        ("home", "/", "text=pivotwatch"),
        ("articles-faceted", "/pivotwatch/article_list?_theme=russia-china", ".facet-info"),
        ("search", "/pivotwatch/search?q=pipeline", "mark"),
        ("list-search", "/pivotwatch/article_list?_search=China", "table.rows-and-columns"),
        ("articles-table", "/pivotwatch/articles", "table.rows-and-columns"),
    ],
)
def test_page_renders_cleanly(browser: Any, site: str, name: str, path: str, ready: str) -> None:
    page = visit(browser, site + path, name, ready)
    page.close()


def test_hostile_article_page_runs_no_script(browser: Any, site: str) -> None:
    page = visit(browser, f"{site}/pivotwatch/articles/7", "article-hostile", ".pw-text")
    assert "<script>alert(1)</script>" in page.inner_text(".pw-text")
    assert page.locator(".pw-text img").count() == 0
    page.close()


def test_article_page_shows_tags_and_copies(browser: Any, site: str) -> None:
    page = visit(browser, f"{site}/pivotwatch/articles/4", "article", ".pw-text")
    assert page.locator(".pw-text p").count() == 2
    assert "Also appeared in" in page.inner_text("body")
    page.close()


def test_dashboard_draws_its_charts(browser: Any, site: str) -> None:
    page = visit(
        browser,
        f"{site}/-/dashboards/overview",
        "dashboard",
        "#chart-entities svg, #chart-entities canvas",
    )
    for chart in ("by-theme", "by-source", "paywall", "entities"):
        page.wait_for_selector(f"#chart-{chart} svg, #chart-{chart} canvas", timeout=15_000)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    page.close()
