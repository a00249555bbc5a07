"""`pivotwatch serve`."""

from __future__ import annotations

import click

from crawler.app import App


@click.command()
@click.option("--host", help="Address to listen on (default: settings [serve] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: [serve] port, 8001).")
@click.pass_obj
def serve(app: App, host: str | None, port: int | None) -> None:
    """Publish the database with Datasette (read-only) until Ctrl+C.

    The database is created, empty, when it does not exist yet.

    \b
    Example:
        pivotwatch serve --port 8001
    """
    from crawler.serve import serve_database

    settings = app.settings.serve
    chosen_host = host or settings.host
    chosen_port = port or settings.port
    click.echo(f"Serving {app.settings.db} at http://{chosen_host}:{chosen_port}/", err=True)
    serve_database(app.settings.db, chosen_host, chosen_port)
