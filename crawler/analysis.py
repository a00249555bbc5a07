"""The CPU-bound half of processing (decode, extract, tag, compress) in worker processes.

One writer thread cannot also extract: at tens of milliseconds of CPU per page it would
cap a pass at a few dozen articles a second whatever the cores. Workers come from a
forkserver (never forked from a process whose threads may hold locks), build their own
analyser once from plain values, and ignore SIGINT and SIGTERM: the pass that owns them
decides when they stop, and they exit by themselves within a second when it dies.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipelines.process import AnalyserSpec, Analysis, ArticleAnalyser, FetchedPage

log = logging.getLogger("pivotwatch.analysis")

PRELOAD = ["pipelines.process"]
OWNER_CHECK_SECONDS = 1.0
_analyser: ArticleAnalyser | None = None


def worker_count(setting: int | None) -> int:
    """Worker processes for a pass: the setting, else one per core; 0 on one core."""
    cores = os.cpu_count() or 1
    if cores == 1:
        return 0
    return cores if setting is None else setting


def _start_worker(spec: AnalyserSpec, owner: int) -> None:
    global _analyser
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(owner,), daemon=True).start()
    _analyser = spec.build()


def _exit_with(owner: int) -> None:
    """End this worker once the crawler process that owns it is gone (killed, say).

    Workers are children of the forkserver, not of the crawler, and every worker holds
    a write end of the task queue, so they would otherwise wait for work forever.
    """
    while _alive(owner):
        time.sleep(OWNER_CHECK_SECONDS)
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready() -> None:
    """A task that only makes a worker start (and build its analyser) now."""


def _analyse(page: FetchedPage) -> Analysis:
    if _analyser is None:
        raise RuntimeError("analysis worker used before its initializer ran")
    return _analyser.analyse(page)


class AnalysisPool:
    """Analyses pages in worker processes; in this process if the pool breaks.

    The in-process `fallback` analyser is built from `spec` when first needed, unless given.
    """

    def __init__(
        self, spec: AnalyserSpec, workers: int, fallback: ArticleAnalyser | None = None
    ) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        self._workers = workers
        self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(spec, os.getpid()),
        )
        self._spec = spec
        self._fallback = fallback

    def start(self) -> None:
        """Start every worker now rather than at the first page.

        Building an analyser (the taxonomy's matchers) takes a second or two of CPU; the
        workers then do it while the crawler loads its own configuration.
        """
        if self._executor is not None:
            for _ in range(self._workers):
                self._executor.submit(_ready)

    async def analyse(self, page: FetchedPage) -> Analysis:
        if self._executor is not None:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._executor, _analyse, page)
            except BrokenProcessPool as error:
                log.warning("analysis workers died (%s); analysing in process", error)
                self._executor = None
        if self._fallback is None:
            self._fallback = self._spec.build()
        return await asyncio.to_thread(self._fallback.analyse, page)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
