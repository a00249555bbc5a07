"""The daemon's clock with injected work: schedules, restarts, one pass at a time, stopping."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.daemon import (
    STOPPED,
    DaemonOptions,
    JobPlan,
    Scheduler,
    build_trigger,
    due_now,
    first_run_time,
    jitter_for,
    last_runs,
)
from crawler.health import LastRun, iso, job_rows
from crawler.schedule import parse_schedule
from pipelines.store import open_database

NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)  # a Wednesday
HOUR = parse_schedule("1h")
WEEKLY = parse_schedule("0 6 * * mon")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data.db")
    yield database
    database.conn.close()


@pytest.mark.parametrize(
    ("schedule", "last", "spread", "expected"),
    [
        (HOUR, LastRun(None, None), 7, NOW + timedelta(seconds=7)),
        (HOUR, LastRun(NOW - timedelta(minutes=10), "ok"), 7, NOW + timedelta(minutes=50)),
        (HOUR, LastRun(NOW - timedelta(hours=5), "ok"), 7, NOW + timedelta(seconds=7)),
        (HOUR, LastRun(NOW - timedelta(minutes=10), STOPPED), 7, NOW),
        (WEEKLY, LastRun(None, None), 0, datetime(2026, 10, 19, 6, tzinfo=UTC)),
        (
            WEEKLY,
            LastRun(datetime(2026, 10, 12, 6, 1, tzinfo=UTC), "ok"),
            0,
            datetime(2026, 10, 19, 6, tzinfo=UTC),
        ),
        (WEEKLY, LastRun(datetime(2026, 10, 5, 6, 1, tzinfo=UTC), "ok"), 0, NOW),
    ],
    ids=[
        "never-ran-spread",
        "ran-recently-waits-for-interval",
        "overdue-spread",
        "stopped-pass-resumes-at-once",
        "cron-never-ran-waits-for-monday",
        "cron-ran-this-week",
        "cron-missed-while-down-catches-up",
    ],
)
def test_first_run_after_a_start(schedule, last, spread, expected) -> None:
    first = first_run_time(schedule, last, NOW, UTC, spread=spread, resumes_when_stopped=True)
    assert first == expected


def test_cron_day_names_reach_apscheduler_as_names() -> None:
    trigger = build_trigger(parse_schedule("30 6 * * mon,thu"), UTC)
    fires = []
    moment = NOW
    for _ in range(3):
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        fires.append(moment.strftime("%a %H:%M"))
    assert fires == ["Thu 06:30", "Mon 06:30", "Thu 06:30"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1s", 0.1), ("2h", 30), ("0 6 * * mon", 30)],
    ids=["short-interval-capped", "long-interval", "cron"],
)
def test_jitter_never_exceeds_a_tenth_of_an_interval(text: str, expected: float) -> None:
    assert jitter_for(parse_schedule(text), 30) == pytest.approx(expected)


class RecordingWork:
    """Passes that take a little while and note what overlapped."""

    def __init__(self, seconds: float = 0.3) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.running: set[str] = set()
        self.passes: list[str] = []
        self.overlaps: list[tuple[str, ...]] = []

    def run(self, name: str, stop: threading.Event) -> str:
        with self.lock:
            if self.running:
                self.overlaps.append((name, *self.running))
            self.running.add(name)
        stop.wait(self.seconds)
        with self.lock:
            self.running.discard(name)
            self.passes.append(name)
        return "ok"


def crawl_plans(work: RecordingWork, scheduler: Scheduler, names: list[str]) -> list[JobPlan]:
    return [
        JobPlan(f"crawl:{name}", parse_schedule("1s"), _bound(work, name, scheduler.stop), True)
        for name in names
    ]


def _bound(work: RecordingWork, name: str, stop: threading.Event):
    return lambda: work.run(name, stop)


def make_scheduler(db: Database, **options: float) -> Scheduler:
    return Scheduler(db, DaemonOptions(**options), lambda: datetime.now(UTC), UTC)


def test_two_sources_on_one_second_run_repeatedly_one_pass_at_a_time(db: Database) -> None:
    work = RecordingWork(seconds=0.2)
    scheduler = make_scheduler(db, jitter_seconds=0)
    plans = crawl_plans(work, scheduler, ["alpha", "beta"])
    scheduler.schedule(plans, last_runs(db, plans))
    scheduler.start()
    time.sleep(3.2)  # APScheduler keeps wall-clock time; the work itself is injected
    assert scheduler.shutdown(grace_seconds=5)
    assert work.passes.count("alpha") >= 2 and work.passes.count("beta") >= 2
    assert work.overlaps == []
    rows = {row["id"]: row for row in job_rows(db)}
    # The pass in flight at the stop is recorded as stopped, so the next start resumes it.
    assert {rows["crawl:alpha"]["outcome"], rows["crawl:beta"]["outcome"]} <= {"ok", STOPPED}


def test_job_defaults_are_explicit(db: Database) -> None:
    scheduler = make_scheduler(db, misfire_grace_seconds=900)
    work = RecordingWork()
    scheduler.schedule(crawl_plans(work, scheduler, ["alpha"]), {})
    scheduler._scheduler.start(paused=True)  # job defaults apply once the scheduler starts
    job = scheduler._scheduler.get_jobs()[0]
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)
    assert scheduler.shutdown(grace_seconds=1)


def test_stop_lets_the_pass_in_flight_finish_and_records_it_as_stopped(db: Database) -> None:
    work = RecordingWork(seconds=30)  # ends early only because stop is set
    scheduler = make_scheduler(db, jitter_seconds=0)
    scheduler.schedule(crawl_plans(work, scheduler, ["alpha"]), {})
    scheduler.start()
    _wait_until(lambda: work.running)
    started = time.monotonic()
    assert scheduler.shutdown(grace_seconds=5)
    assert time.monotonic() - started < 2
    assert job_rows(db)[0]["outcome"] == STOPPED


def test_stop_reports_work_that_outlives_the_grace(db: Database) -> None:
    release = threading.Event()
    scheduler = make_scheduler(db, jitter_seconds=0)
    plan = JobPlan("crawl:stubborn", parse_schedule("1h"), lambda: str(release.wait(5)))
    scheduler.schedule([plan], {})
    scheduler.start()
    _wait_until(lambda: scheduler._running)
    assert not scheduler.shutdown(grace_seconds=0.2)
    release.set()
    _wait_until(lambda: not scheduler._running)


def test_a_failing_job_is_recorded_and_the_daemon_goes_on(db: Database) -> None:
    def broken() -> str:
        raise RuntimeError("feed moved")

    scheduler = make_scheduler(db)
    scheduler.run_now(JobPlan("crawl:broken", HOUR, broken))
    assert job_rows(db)[0]["outcome"] == "failed: RuntimeError: feed moved"


def test_restart_counts_from_the_last_finished_pass(db: Database) -> None:
    finished = datetime.now(UTC) - timedelta(minutes=20)
    db["crawl_runs"].insert(
        {"source": "alpha", "started": iso(finished), "finished": iso(finished)}
    )
    scheduler = make_scheduler(db, jitter_seconds=0)
    plans = [JobPlan("crawl:alpha", HOUR, lambda: "ok", True)]
    scheduler.schedule(plans, last_runs(db, plans))
    next_run = scheduler._scheduler.get_job("crawl:alpha").next_run_time
    assert next_run == finished.replace(microsecond=0) + timedelta(hours=1)
    assert job_rows(db)[0]["next_run"] == iso(next_run)


def test_once_runs_only_what_is_due(db: Database) -> None:
    recent = NOW - timedelta(minutes=5)
    db["jobs"].insert_all(
        [
            {"id": "crawl:fresh", "last_run": iso(recent), "outcome": "ok"},
            {"id": "crawl:stale", "last_run": iso(NOW - timedelta(hours=3)), "outcome": "ok"},
        ]
    )
    plans = [
        JobPlan(f"crawl:{name}", HOUR, lambda: "ok", True) for name in ("fresh", "stale", "new")
    ] + [JobPlan("digest", WEEKLY, lambda: "ok")]
    due = due_now(plans, last_runs(db, plans), NOW, UTC)
    assert [plan.id for plan in due] == ["crawl:stale", "crawl:new"]


def _wait_until(condition, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)


def test_a_pass_killed_midway_resumes_at_once(db: Database) -> None:
    finished = iso(NOW - timedelta(minutes=30))
    db["crawl_runs"].insert_all(
        [
            {"source": "alpha", "started": finished, "finished": finished, "outcome": "ok"},
            {"source": "alpha", "started": iso(NOW - timedelta(minutes=5))},
        ]
    )
    plans = [JobPlan("crawl:alpha", HOUR, lambda: "ok", True)]
    assert last_runs(db, plans)["crawl:alpha"] == LastRun(NOW - timedelta(minutes=30), STOPPED)
    assert [plan.id for plan in due_now(plans, last_runs(db, plans), NOW, UTC)] == ["crawl:alpha"]


def test_a_cron_job_planned_before_a_stop_runs_once_its_time_has_passed(db: Database) -> None:
    planned = datetime(2026, 10, 12, 6, 0, tzinfo=UTC)  # Monday, while the daemon was down
    db["jobs"].insert({"id": "digest", "next_run": iso(planned)})
    plans = [JobPlan("digest", WEEKLY, lambda: "ok")]
    runs = last_runs(db, plans)
    assert runs["digest"] == LastRun(None, None, planned)
    assert [plan.id for plan in due_now(plans, runs, NOW, UTC)] == ["digest"]
    assert first_run_time(WEEKLY, runs["digest"], planned - timedelta(hours=1), UTC) == planned
