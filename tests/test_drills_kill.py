"""Drill: `kill -KILL` during a pass leaves a sound database, and the next pass completes it.

One kill at a seeded random moment in the first 4 s of a pass (which takes 5-10 s), and two
at chosen moments: while the second page of a paginated listing is being fetched, and while
a child sitemap of a sitemap index is.
`tests/benchmarks/drills.py` runs twenty random kills over whole passes.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

from drills import check_database, expected_urls, kill_drill  # noqa: E402
from hostile_web import crawl_command, run_measured, write_settings  # noqa: E402

from crawler.sampleweb import SampleWeb  # noqa: E402

SEED = 20261122
LATEST_KILL = 4.0
SECOND_LISTING_PAGE = "/the-interpreter/archive?page=2"  # Lowy's listing, two pages
CHILD_SITEMAP = "/post-sitemap.xml"  # East Asia Forum's sitemap index lists it
WAIT_LIMIT = 60


@pytest.fixture
def web() -> Iterator[SampleWeb]:
    with SampleWeb(dt.date(2026, 11, 22)) as running:
        yield running


def test_a_killed_pass_leaves_a_sound_database(web: SampleWeb, tmp_path: Path) -> None:
    print(f"kill drill seed: {SEED}")
    (run,) = kill_drill(web, tmp_path, 1, SEED, LATEST_KILL)
    assert run.after_kill.sound, run
    assert run.after_resume.sound, run
    assert run.resume_exit == 0, run


def kill_when_requested(command: list[str], web: SampleWeb, path: str) -> bool:
    """Run the command and SIGKILL it as soon as the web receives a request for `path`."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_LIMIT
    while process.poll() is None and time.monotonic() < deadline:
        if any(logged == path for _site, _method, logged in web.request_log()):
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.kill()
    process.wait()
    return False


@pytest.mark.parametrize(
    "request_path",
    [
        SECOND_LISTING_PAGE,
        CHILD_SITEMAP,
    ],
    ids=["between-listing-pages", "between-sitemap-index-and-child"],
)
def test_a_kill_between_linked_pages_loses_no_article(
    web: SampleWeb, tmp_path: Path, request_path: str
) -> None:
    db_path = tmp_path / "pivotwatch.db"
    settings = write_settings(tmp_path, web.sources_toml(), db_path)
    assert kill_when_requested(crawl_command(settings), web, request_path)
    assert check_database(db_path, expected_urls(web)).sound
    assert run_measured(crawl_command(settings), 120).returncode == 0
    assert check_database(db_path, expected_urls(web)).missing == 0
