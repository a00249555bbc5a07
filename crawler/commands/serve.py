"""`pivotwatch serve`."""

from __future__ import annotations

import click

from crawler.app import App, ExpectedError


@click.command()
@click.pass_obj
def serve(app: App) -> None:
    """Not available in this build."""
    raise ExpectedError("serve is not available in this build")
