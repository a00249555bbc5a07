"""`pivotwatch demo`: the main job, offline, against the bundled sample web."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import click

from crawler.app import App


def write_demo_config(app: App, folder: Path, sources_toml: str, db_path: Path) -> Path:
    """A settings file that points at the running sample web and a separate database."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.toml").write_text(sources_toml, encoding="utf-8")
    settings = app.settings
    lines = [
        "# Written by `pivotwatch demo`: the bundled sample web on loopback.",
        f'db = "{db_path.resolve()}"',
        'sources = "sources.toml"',
        f'themes = "{settings.themes.resolve()}"',
        "",
        "[crawl]",
        # The sample sites live on loopback, which is refused unless allowed.
        'allow_networks = ["127.0.0.0/8"]',
        "min_delay = 0.2",
        "timeout = 5.0",
        "",
        "[tagging]",
        f"relevance_threshold = {settings.tagging.relevance_threshold}",
        f"theme_threshold = {settings.tagging.theme_threshold}",
        "",
        "[digest]",
        f'folder = "{settings.digest.folder.resolve()}"',
        "",
        "[serve]",
        f'host = "{settings.serve.host}"',
        f"port = {settings.serve.port}",
    ]
    path = folder / "settings.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def summarise(app: App) -> str:
    db = app.open_reader()
    row = db.execute(
        "SELECT count(*), sum(relevant), sum(paywalled), sum(teaser), "
        "(SELECT count(DISTINCT article_id) FROM article_themes) FROM articles"
    ).fetchone()
    return (
        f"{row[0]} articles stored ({row[1] or 0} relevant, {row[2] or 0} paywalled, "
        f"{row[3] or 0} teasers, {row[4]} with themes) in {app.settings.db}"
    )


def write_demo_digest(app: App, now: datetime) -> Path:
    from pipelines.digest import write_scheduled_digest

    db = app.open_reader()
    return write_scheduled_digest(db, app.settings.digest.folder, now, days=30)


@click.command()
@click.option("--no-serve", is_flag=True, help="Stop after the crawl and the digest.")
@click.option(
    "--web-only",
    is_flag=True,
    help="Only serve the sample web and print a settings file that points at it.",
)
@click.pass_obj
def demo(app: App, no_serve: bool, web_only: bool) -> None:
    """Run the whole pipeline offline: sample web -> crawl -> digest -> Datasette.

    The sample web is a set of small sites modeled on real sources (feeds, sitemaps,
    listings, robots.txt, paywalls and teasers), served on loopback. The demo uses its
    own database, `demo.db` beside the configured one, unless --db is given.

    \b
    Examples:
        pivotwatch demo
        pivotwatch demo --web-only   # then, in another shell:
        pivotwatch --config db/demo/settings.toml crawl
    """
    from crawler.crawl import crawl_once
    from crawler.sampleweb import SampleWeb

    db_path = app.db_override or app.settings.db.with_name("demo.db")
    web = SampleWeb(date.today()).start()
    try:
        config = write_demo_config(app, db_path.parent / "demo", web.sources_toml(), db_path)
        demo_app = App(config_path=config, log_format=app.log_format)
        if web_only:
            _serve_web_until_interrupted(web, config)
            return
        click.echo(f"Sample web: {', '.join(web.sites.values())}", err=True)
        crawl_once(demo_app)
    finally:
        if not web_only:
            web.stop()
    click.echo(summarise(demo_app), err=True)
    digest_path = write_demo_digest(demo_app, datetime.now(UTC))
    click.echo(f"Digest written to {digest_path}", err=True)
    if not no_serve:
        from crawler.serve import serve_database

        serve = demo_app.settings.serve
        serve_database(demo_app.settings.db, serve.host, serve.port)


def _serve_web_until_interrupted(web: object, config: Path) -> None:
    click.echo(config.read_text(encoding="utf-8"))
    click.echo(f"# Settings written to {config}. Ctrl+C stops the sample web.", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()  # type: ignore[attr-defined]
