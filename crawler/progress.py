"""Progress on long work: a bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

log = logging.getLogger("pivotwatch.progress")


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances the progress by n steps."""
    if sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            yield bar.update
        return
    done = 0
    step = max(1, total // 10)

    def advance(n: int = 1) -> None:
        nonlocal done
        before, done = done, done + n
        if done // step != before // step or done == total:
            log.info("%s: %d/%d", label, done, total)

    yield advance
