"""`pivotwatch daemon`."""

from __future__ import annotations

import click

from crawler.app import App, ExpectedError


@click.command()
@click.pass_obj
def daemon(app: App) -> None:
    """Not available in this build."""
    raise ExpectedError("daemon is not available in this build")
