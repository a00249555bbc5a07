"""`pivotwatch extract`: extract one saved HTML page and print JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.app import App, ExpectedError, rules_for
from crawler.settings import Source
from pipelines.decode import decode_html
from pipelines.extract import SiteRules, extract_article


def source_for_url(sources: list[Source], url: str) -> Source | None:
    """The source whose homepage, feed or sitemap host is the URL's host or a parent of it."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    for source in sources:
        for known in [source.homepage, *source.feeds, *source.sitemaps]:
            known_host = (urlsplit(known).hostname or "").lower().removeprefix("www.")
            if known_host and (host == known_host or host.endswith("." + known_host)):
                return source
    return None


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--url", help="The page's URL: its source's rules apply, and links resolve.")
@click.pass_obj
def extract(app: App, file: Path, url: str | None) -> None:
    """Extract one saved HTML page; print the article as JSON.

    \b
    Example:
        pivotwatch extract saved.html --url https://thediplomat.com/2026/11/some-story/
    """
    try:
        body = click.get_binary_stream("stdin").read() if str(file) == "-" else file.read_bytes()
    except OSError as error:
        raise ExpectedError(f"{file}: cannot read: {error.strerror}") from error
    rules: SiteRules | None = None
    if url:
        source = source_for_url(app.sources, url)
        rules = rules_for(source) if source else None
    article = extract_article(decode_html(body), url, rules)
    click.echo(json.dumps(asdict(article), ensure_ascii=False, indent=2))
