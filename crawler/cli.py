"""The `pivotwatch` command line: a thin edge over the crawler and the pipeline stages.

Every expected failure, usage errors included, ends as one `Error: ...` line on stderr
and a non-zero exit (1, or 2 for usage); never a usage block or a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from crawler.app import App, ExpectedError
from crawler.commands.crawl import crawl
from crawler.commands.daemon import daemon
from crawler.commands.demo import demo
from crawler.commands.digest import digest
from crawler.commands.extract import extract
from crawler.commands.probe import probe
from crawler.commands.reprocess import reprocess
from crawler.commands.serve import serve
from crawler.commands.status import status
from crawler.commands.tag import tag
from crawler.logs import configure_logging


class OneLineErrorGroup(click.Group):
    """A click group that reports every failure as a single `Error:` line."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name or "pivotwatch", standalone_mode=False, **extra)
        except click.UsageError as error:
            _fail(error.format_message(), 2)
        except click.ClickException as error:
            _fail(error.format_message(), error.exit_code)
        except ExpectedError as error:
            _fail(str(error), 1)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", 1)
        except Exception as error:  # a bug: say so in one line, traceback on request
            if os.environ.get("PIVOTWATCH_DEBUG"):
                raise
            _fail(
                f"unexpected {type(error).__name__}: {error} "
                "(set PIVOTWATCH_DEBUG=1 to see the traceback)",
                1,
            )
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group(cls=OneLineErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pivotwatch")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="PIVOTWATCH_CONFIG",
    default=Path("config/settings.toml"),
    show_default=True,
    help="Settings file (env PIVOTWATCH_CONFIG).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="PIVOTWATCH_DB",
    help="Database file, instead of the one in the settings (env PIVOTWATCH_DB).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines for people, or JSON lines for machines.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path, db_path: Path | None, log_format: str) -> None:
    """Monitor, clean, tag and publish commentary on Russia's role in Asia.

    \b
    Example:
        pivotwatch crawl && pivotwatch serve
    """
    configure_logging(log_format)
    ctx.obj = App(config_path=config_path, db_override=db_path, log_format=log_format)


for command in (crawl, daemon, serve, digest, extract, tag, status, reprocess, demo, probe):
    cli.add_command(command)
