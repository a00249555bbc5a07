"""`pivotwatch daemon`: crawl, digest and keep house on schedule, for months, unattended.

The process holds the writer lock for its whole life (a second daemon, `crawl` or
`reprocess` on the same database says so in one `Error:` line), beats a heartbeat, and
answers signals: SIGTERM/SIGINT stop new work and let the pass in flight finish within
`[daemon] grace_seconds`; SIGHUP reloads the configuration, keeping the old one if the new
one is invalid.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

import click
import tzlocal
from sqlite_utils import Database

from crawler.app import App, ExpectedError, sync_reference_tables
from crawler.daemon import (
    DaemonOptions,
    PipelineWork,
    Scheduler,
    due_now,
    last_runs,
    plan_jobs,
    planned_runs,
)
from crawler.health import record_next_run
from pipelines.store import open_database

log = logging.getLogger("pivotwatch.daemon")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Signals:
    """What the signal handlers asked for; the main loop acts on it between beats."""

    wake: threading.Event = field(default_factory=threading.Event)
    stop_requested: str | None = None
    reload_requested: bool = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGHUP, self._reload)

    def _stop(self, number: int, _frame: object) -> None:
        self.stop_requested = signal.Signals(number).name
        self.wake.set()

    def _reload(self, _number: int, _frame: object) -> None:
        self.reload_requested = True
        self.wake.set()


@click.command()
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then exit (for cron).")
@click.pass_obj
def daemon(app: App, once: bool) -> None:
    """Crawl each source on its schedule, write the weekly digest and keep house.

    Stops cleanly on SIGTERM or SIGINT; reloads the settings and sources on SIGHUP.
    `pivotwatch status` shows each job's last and next run.

    \b
    Example:
        pivotwatch --log-format json daemon
    """
    # APScheduler narrates every job it adds at INFO; the daemon logs what matters itself.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)
    db = app.open_writer()
    status_db = open_database(app.settings.db, migrate=False)
    zone = tzlocal.get_localzone()
    if once:
        run_due_jobs(app, db, status_db, zone)
        return
    signals = Signals()
    signals.install()
    finished = serve(app, db, status_db, zone, signals)
    if not finished:
        # A pass is still writing on a worker thread that would keep the process alive;
        # its open article transaction is rolled back by SQLite, so leaving now is safe.
        grace = app.settings.daemon.grace_seconds
        click.echo(f"Error: a job was still running after grace_seconds={grace:g}", err=True)
        logging.shutdown()
        os._exit(1)


def run_due_jobs(app: App, db: Database, status_db: Database, zone: tzinfo) -> None:
    scheduler = Scheduler(status_db, DaemonOptions.from_settings(app.settings), utc_now, zone)
    plans = plan_jobs(app.settings, app.sources, PipelineWork(app, db), scheduler)
    due = due_now(plans, last_runs(status_db, plans), utc_now(), zone)
    log.info("%d of %d jobs due: %s", len(due), len(plans), ", ".join(p.id for p in due) or "-")
    for plan in due:
        scheduler.run_now(plan)
    for job_id, next_run in planned_runs(
        plans, last_runs(status_db, plans), utc_now(), zone
    ).items():
        record_next_run(status_db, job_id, next_run)


def serve(app: App, db: Database, status_db: Database, zone: tzinfo, signals: Signals) -> bool:
    """Run until a stop signal; True if the work in flight finished within the grace."""
    options = DaemonOptions.from_settings(app.settings)
    scheduler = Scheduler(status_db, options, utc_now, zone)
    work = PipelineWork(app, db)
    plans = plan_jobs(app.settings, app.sources, work, scheduler)
    scheduler.schedule(plans, last_runs(status_db, plans))
    started = utc_now()
    scheduler.beat(os.getpid(), started)
    scheduler.start()
    log.info("daemon started (pid %d): %d jobs", os.getpid(), len(plans))
    while not signals.stop_requested:
        signals.wake.wait(options.heartbeat_seconds)
        signals.wake.clear()
        if signals.reload_requested and not signals.stop_requested:
            signals.reload_requested = False
            reload_config(work, db, status_db, scheduler)
        beat(scheduler, started)
    grace = app.settings.daemon.grace_seconds
    log.info("%s: stopping; in-flight work has %gs to finish", signals.stop_requested, grace)
    finished = scheduler.shutdown(grace)
    if finished:
        log.info("daemon stopped cleanly")
    return finished


def beat(scheduler: Scheduler, started: datetime) -> None:
    try:
        scheduler.beat(os.getpid(), started)
    except sqlite3.Error as error:  # a busy or full disk: try again at the next beat
        log.warning("heartbeat not recorded: %s", error)


def reload_config(
    work: PipelineWork, db: Database, status_db: Database, scheduler: Scheduler
) -> None:
    """Swap in a freshly validated configuration, or keep the running one and say why."""
    fresh = load_fresh(work.app)
    if fresh is None:
        return
    plans = plan_jobs(fresh.settings, fresh.sources, work, scheduler)
    scheduler.schedule(plans, last_runs(status_db, plans))
    scheduler.run_once(
        "sync-reference-tables", lambda: sync_reference_tables(db, fresh.sources, fresh.taxonomy)
    )
    work.app = fresh
    log.info("configuration reloaded: %d jobs", len(plans))


def load_fresh(current: App) -> App | None:
    fresh = App(current.config_path, current.db_override, current.log_format)
    try:
        fresh.validate()
    except ExpectedError as error:
        log.error("configuration reload rejected, keeping the running one: %s", error)
        return None
    if fresh.settings.db != current.settings.db:
        log.error(
            "configuration reload rejected: the database moved to %s; restart to switch",
            fresh.settings.db,
        )
        return None
    return fresh
