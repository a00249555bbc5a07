"""Run `pivotwatch demo --no-serve` into a folder, for tests that need a crawled database."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from crawler.cli import cli

ROOT = Path(__file__).parent.parent


def run_demo(folder: Path) -> Result:
    """Crawl the sample web into folder/demo.db; the demo's own settings land in folder/demo."""
    settings = folder / "settings.toml"
    settings.write_text(
        f'db = "pivotwatch.db"\nthemes = "{ROOT / "config" / "themes.toml"}"\n'
        f'sources = "{ROOT / "config" / "sources.toml"}"\n[digest]\nfolder = "digests"\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(settings), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return result
