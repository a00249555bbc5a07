"""`pivotwatch tag`: tag plain text and print JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.app import App, ExpectedError


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--title", help="The article's title (weighs more than the body).")
@click.pass_obj
def tag(app: App, file: Path, title: str | None) -> None:
    """Tag plain text (FILE, or - for stdin): relevance, themes, entities, with evidence.

    The whole input is the body and its first paragraph is the lead; evidence offsets
    index the input as given.

    \b
    Example:
        echo "Putin and Xi met in Vladivostok to discuss gas." | pivotwatch tag -
    """
    try:
        raw = click.get_binary_stream("stdin").read() if str(file) == "-" else file.read_bytes()
        text = raw.decode("utf-8")
    except OSError as error:
        raise ExpectedError(f"{file}: cannot read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ExpectedError(f"{file}: not UTF-8 text (byte {error.start})") from error
    result = app.tagger().tag(text, title)
    click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
