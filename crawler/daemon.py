"""The daemon's clock: APScheduler wiring around the same work `crawl` and `digest` do.

Jobs and when they run:

- `crawl:<source>`, one per enabled source, on its `schedule` (default `[crawl] schedule`);
- `digest`, on `[digest] schedule`, written to `[digest] folder`;
- `housekeeping`, on `[daemon] housekeeping_schedule`.

Every job runs on one single-thread executor, so exactly one pass writes at a time, through
the one writer connection (fetches inside a pass still run concurrently). The `heartbeat`
and `jobs` rows go through a second connection: a pass may write for minutes and the
heartbeat must keep beating meanwhile; each is a one-row statement that SQLite serialises
with the pass's short per-article transactions.

After a restart a job's first run is its last finished run plus its interval (from
`crawl_runs` and `jobs`), so a restart neither repeats a pass nor starts every source at
once; sources already overdue are spread over the jitter window, a pass cut short by a
stop resumes at once, and a cron job that fell due while the daemon was down runs once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.executors.pool import ThreadPoolExecutor  # type: ignore[import-untyped]
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.base import BaseTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]
from sqlite_utils import Database

from crawler import health
from crawler.health import LastRun
from crawler.housekeeping import HousekeepingPolicy, run_housekeeping
from crawler.schedule import Cron, Interval, parse_schedule
from crawler.settings import Settings, Source

if TYPE_CHECKING:
    from crawler.app import App

log = logging.getLogger("pivotwatch.daemon")

STOPPED = "stopped"
# An interval job's jitter never exceeds this share of its interval.
JITTER_SHARE = 0.1


class Work(Protocol):
    """What the jobs do; `PipelineWork` does it for real, tests pass their own."""

    def crawl_source(self, source: Source, stop: threading.Event) -> str: ...

    def write_digest(self, now: datetime) -> str: ...

    def keep_house(self, now: datetime) -> str: ...


@dataclass(frozen=True)
class DaemonOptions:
    heartbeat_seconds: float = 30
    jitter_seconds: float = 30
    misfire_grace_seconds: float = 3600
    housekeeping_schedule: str = "1d"

    @classmethod
    def from_settings(cls, settings: Settings) -> DaemonOptions:
        section = settings.daemon
        return cls(
            heartbeat_seconds=getattr(section, "heartbeat_seconds", cls.heartbeat_seconds),
            jitter_seconds=getattr(section, "jitter_seconds", cls.jitter_seconds),
            misfire_grace_seconds=getattr(
                section, "misfire_grace_seconds", cls.misfire_grace_seconds
            ),
            housekeeping_schedule=getattr(
                section, "housekeeping_schedule", cls.housekeeping_schedule
            ),
        )


@dataclass(frozen=True)
class JobPlan:
    id: str
    schedule: Interval | Cron
    run: Callable[[], str]
    resumes_when_stopped: bool = False


# -- when jobs run -------------------------------------------------------------------------


def jitter_for(schedule: Interval | Cron, jitter_seconds: float) -> float:
    if isinstance(schedule, Interval):
        return min(jitter_seconds, schedule.every.total_seconds() * JITTER_SHARE)
    return jitter_seconds


def build_trigger(schedule: Interval | Cron, zone: tzinfo, jitter: float = 0) -> BaseTrigger:
    jitter_arg = int(jitter) if jitter >= 1 else None
    if isinstance(schedule, Interval):
        return IntervalTrigger(seconds=schedule.every.total_seconds(), jitter=jitter_arg)
    return CronTrigger(
        minute=schedule.minute,
        hour=schedule.hour,
        day=schedule.day,
        month=schedule.month,
        day_of_week=schedule.day_of_week,
        timezone=zone,
        jitter=jitter_arg,
    )


def first_run_time(
    schedule: Interval | Cron,
    last: LastRun,
    now: datetime,
    zone: tzinfo,
    spread: float = 0,
    resumes_when_stopped: bool = False,
) -> datetime:
    """When a job first runs after a start, given its last finished run (if any).

    `spread` (seconds) is added to runs that are already due, so that sources overdue
    after a long stop do not all start at the same second.
    """
    if resumes_when_stopped and last.outcome == STOPPED:
        return now
    if isinstance(schedule, Interval):
        due = last.finished + schedule.every if last.finished else now
        return due if due > now else now + timedelta(seconds=spread)
    # Never ran: count from the run planned earlier (by a previous start or `--once`).
    after = last.finished + timedelta(seconds=1) if last.finished else last.next_run or now
    due = build_trigger(schedule, zone).get_next_fire_time(None, after)
    return now if due <= now else due


# -- the scheduler -------------------------------------------------------------------------


class Scheduler:
    """Runs the jobs on their schedules and records each run; the work is elsewhere."""

    def __init__(
        self,
        status_db: Database,
        options: DaemonOptions,
        now: Callable[[], datetime],
        zone: tzinfo,
        rng: random.Random | None = None,
    ) -> None:
        self.status_db = status_db
        self.options = options
        self.now = now
        self.zone = zone
        self.rng = rng or random.Random()
        self.stop = threading.Event()
        self._status_lock = threading.Lock()
        self._running = 0
        self._idle = threading.Condition()
        self._scheduler = BackgroundScheduler(
            timezone=zone,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                # APScheduler's default of one second silently drops a run that starts late.
                "misfire_grace_time": int(options.misfire_grace_seconds),
            },
        )

    # plans

    def schedule(self, plans: list[JobPlan], last_runs: dict[str, LastRun]) -> None:
        """Replace every job with these plans, first runs counted from the last runs."""
        for job in self._scheduler.get_jobs():
            job.remove()
        now = self.now()
        for plan in plans:
            self._add(plan, last_runs.get(plan.id, LastRun(None, None)), now)
        with self._status_lock:
            health.forget_jobs(self.status_db, [plan.id for plan in plans])
        self.record_next_runs()

    def _add(self, plan: JobPlan, last: LastRun, now: datetime) -> None:
        jitter = jitter_for(plan.schedule, self.options.jitter_seconds)
        first = first_run_time(
            plan.schedule,
            last,
            now,
            self.zone,
            spread=self.rng.uniform(0, jitter),
            resumes_when_stopped=plan.resumes_when_stopped,
        )
        self._scheduler.add_job(
            self._run_job,
            build_trigger(plan.schedule, self.zone, jitter),
            args=[plan],
            id=plan.id,
            name=plan.id,
            next_run_time=first,
        )

    # running

    def start(self) -> None:
        self._scheduler.start()
        self.record_next_runs()

    def run_now(self, plan: JobPlan) -> None:
        """Run a job in this thread, recorded like a scheduled run (`daemon --once`)."""
        self._run_job(plan)

    def _run_job(self, plan: JobPlan) -> None:
        if self.stop.is_set():
            return  # queued behind a pass when the stop came
        with self._idle:
            self._running += 1
        try:
            outcome = self._outcome_of(plan)
            with self._status_lock:
                health.record_job_run(self.status_db, plan.id, self.now(), outcome)
            self.record_next_runs()
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _outcome_of(self, plan: JobPlan) -> str:
        try:
            outcome = plan.run()
        except Exception as error:
            log.exception("%s failed", plan.id, extra={"job": plan.id})
            return f"failed: {type(error).__name__}: {error}"
        return STOPPED if self.stop.is_set() and plan.resumes_when_stopped else outcome

    def record_next_runs(self) -> None:
        with self._status_lock:
            for job in self._scheduler.get_jobs():
                health.record_next_run(self.status_db, job.id, _next_run_of(job))

    def beat(self, pid: int, started: datetime) -> None:
        with self._status_lock:
            health.record_heartbeat(self.status_db, pid, started, self.now())

    def run_once(self, job_id: str, job: Callable[[], None]) -> None:
        """Run a one-off task on the writer thread, after whatever is running there."""
        self._scheduler.add_job(job, id=job_id, name=job_id, misfire_grace_time=None)

    # stopping

    def shutdown(self, grace_seconds: float) -> bool:
        """Stop new work; True if the work in flight finished within the grace period."""
        self.stop.set()
        self._scheduler.shutdown(wait=False)
        with self._idle:
            finished = self._idle.wait_for(lambda: self._running == 0, timeout=grace_seconds)
        if finished:
            with self._status_lock:
                health.clear_heartbeat(self.status_db)
        return finished


def _next_run_of(job: Any) -> datetime | None:
    return getattr(job, "next_run_time", None)


# -- the plans, from the settings ----------------------------------------------------------


def plan_jobs(
    settings: Settings, sources: list[Source], work: Work, scheduler: Scheduler
) -> list[JobPlan]:
    default = settings.crawl.schedule
    plans = [
        JobPlan(
            f"crawl:{source.name}",
            parse_schedule(source.schedule or default),
            _bind_crawl(work, source, scheduler.stop),
            resumes_when_stopped=True,
        )
        for source in sources
        if source.enabled
    ]
    options = DaemonOptions.from_settings(settings)
    plans.append(
        JobPlan(
            "digest",
            parse_schedule(settings.digest.schedule),
            lambda: work.write_digest(scheduler.now()),
        )
    )
    plans.append(
        JobPlan(
            "housekeeping",
            parse_schedule(options.housekeeping_schedule),
            lambda: work.keep_house(scheduler.now()),
        )
    )
    return plans


def _bind_crawl(work: Work, source: Source, stop: threading.Event) -> Callable[[], str]:
    return lambda: work.crawl_source(source, stop)


def last_runs(db: Database, plans: list[JobPlan]) -> dict[str, LastRun]:
    """Each job's last finished run: `jobs`, and for crawls also `crawl_runs` (cron passes)."""
    runs = {}
    for plan in plans:
        recorded = health.last_job_run(db, plan.id)
        if plan.id.startswith("crawl:"):
            recorded = _last_pass(db, plan.id.removeprefix("crawl:"), recorded)
        runs[plan.id] = recorded
    return runs


def _last_pass(db: Database, source: str, recorded: LastRun) -> LastRun:
    finished = health.last_finished_pass(db, source)
    if finished and (recorded.finished is None or finished > recorded.finished):
        recorded = replace(recorded, finished=finished)
    if health.last_pass_interrupted(db, source):
        return replace(recorded, outcome=STOPPED)  # killed mid-pass: resume it at once
    return recorded


def planned_runs(
    plans: list[JobPlan], runs: dict[str, LastRun], now: datetime, zone: tzinfo
) -> dict[str, datetime]:
    """Each job's next run by the restart rules, for `jobs.next_run` after `--once`."""
    return {
        plan.id: first_run_time(
            plan.schedule, runs[plan.id], now, zone, resumes_when_stopped=plan.resumes_when_stopped
        )
        for plan in plans
    }


def due_now(
    plans: list[JobPlan], runs: dict[str, LastRun], now: datetime, zone: tzinfo
) -> list[JobPlan]:
    """The jobs whose first run would be now: what `daemon --once` runs."""
    return [
        plan
        for plan in plans
        if first_run_time(
            plan.schedule,
            runs[plan.id],
            now,
            zone,
            resumes_when_stopped=plan.resumes_when_stopped,
        )
        <= now
    ]


# -- the real work -------------------------------------------------------------------------

LAST_PASS_SQL = """
SELECT outcome, discovered, fetched, new_articles, errors, last_error FROM crawl_runs
WHERE source = ? ORDER BY id DESC LIMIT 1
"""


class PipelineWork:
    """The jobs' work: the crawler's pass, the scheduled digest and housekeeping.

    `app` is replaced on a config reload; `db` is the one writer connection.
    """

    def __init__(self, app: App, db: Database) -> None:
        self.app = app
        self.db = db

    def crawl_source(self, source: Source, stop: threading.Event) -> str:
        from crawler.crawl import run_crawl

        started = time.monotonic()
        run_crawl(self.app, self.db, [source], stop=stop)
        return log_pass(self.db, source.name, time.monotonic() - started)

    def write_digest(self, now: datetime) -> str:
        from pipelines.digest import write_scheduled_digest

        folder = self.app.settings.digest.folder
        path = write_scheduled_digest(self.db, folder, now, name="scheduled", now=now)
        log.info("digest written to %s", path, extra={"job": "digest", "path": str(path)})
        return "ok"

    def keep_house(self, now: datetime) -> str:
        report = run_housekeeping(self.db, HousekeepingPolicy.from_settings(self.app.settings), now)
        log.info("housekeeping: %s", report.summary(), extra={"job": "housekeeping"})
        return "ok"


def log_pass(db: Database, source: str, seconds: float) -> str:
    """One line per source pass, with the counts the pass recorded; returns its outcome."""
    row = db.execute(LAST_PASS_SQL, [source]).fetchone()
    if row is None:
        log.warning("%s: the pass recorded nothing", source, extra={"source": source})
        return "ok"
    outcome, discovered, fetched, new, errors, last_error = row
    counts = {"discovered": discovered, "fetched": fetched, "new_articles": new, "errors": errors}
    log.info(
        "%s: %s, %d discovered, %d fetched, %d new, %d errors in %.1f s%s",
        source,
        outcome,
        discovered,
        fetched,
        new,
        errors,
        seconds,
        f" (last error: {last_error})" if errors and last_error else "",
        extra={"source": source, "outcome": outcome, "seconds": round(seconds, 1), **counts},
    )
    return outcome or "ok"
