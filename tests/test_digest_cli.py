"""`pivotwatch digest` end to end: the same bytes as the golden files, one-line errors."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_digest_sample import copy_sample, sample_template

from crawler.cli import cli
from pipelines.digest import COLUMNS, DigestResult, record_digest_run
from pipelines.periods import parse_week
from pipelines.store import open_database

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "data" / "digest"
HEADER = ",".join(COLUMNS).encode() + b"\r\n"


__all__ = ["sample_template"]


@pytest.fixture
def config(sample_template: Path, tmp_path: Path) -> Path:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'db = "data.db"\nsources = "{ROOT / "config" / "sources.toml"}"\n'
        f'themes = "{ROOT / "config" / "themes.toml"}"\n',
        encoding="utf-8",
    )
    copy_sample(sample_template, tmp_path / "data.db")
    return settings


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "digest", *args])


CASES = [
    ("week-47", ["--week", "2026-W47"]),
    ("week-47", ["--since", "2026-11-16", "--until", "2026-11-23"]),
    ("week-47-all", ["--week", "2026-W47", "--all"]),
    ("week-47-by-fetched", ["--week", "2026-W47", "--by", "fetched"]),
    ("themes-arctic-or-energy", ["--week", "2026-W47", "--theme", "arctic", "--theme", "energy"]),
    (
        "sources-tass-nikkei",
        [
            "--since",
            "2026-01-01",
            "--until",
            "2027-01-01",
            "--source",
            "tass",
            "--source",
            "nikkei",
        ],
    ),
    (
        "source-type-think-tank",
        ["--since", "2026-01-01", "--until", "2027-01-01", "--source-type", "think_tank"],
    ),
    (
        "entity-by-name",
        ["--since", "2026-01-01", "--until", "2027-01-01", "--entity", "Vladimir Putin"],
    ),
    ("language-ja", ["--since", "2026-01-01", "--until", "2027-01-01", "--language", "ja"]),
    (
        "min-relevance-0.8",
        ["--since", "2026-01-01", "--until", "2027-01-01", "--min-relevance", "0.8"],
    ),
    ("exclude-paywalled", ["--week", "2026-W47", "--exclude-paywalled"]),
    ("week-47", ["--week", "2026-W47", "-o", "-"]),
]


@pytest.mark.parametrize(
    ("golden", "args"),
    CASES,
    ids=[
        "week",
        "since-until",
        "all",
        "by-fetched",
        "two-themes",
        "two-sources",
        "source-type",
        "entity-name",
        "language",
        "min-relevance",
        "exclude-paywalled",
        "dash-is-stdout",
    ],
)
def test_stdout_matches_golden_file(config: Path, golden: str, args: list[str]) -> None:
    result = run(config, *args)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout_bytes == (GOLDEN / f"{golden}.csv").read_bytes()


def test_excel_file_starts_with_the_bom(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "week.csv"
    result = run(config, "--week", "2026-W47", "--excel", "-o", str(out))
    assert (result.exit_code, result.stdout_bytes) == (0, b"")
    assert out.read_bytes() == b"\xef\xbb\xbf" + (GOLDEN / "week-47.csv").read_bytes()


def test_empty_period_writes_the_header_only(config: Path) -> None:
    result = run(config, "--since", "2025-01-01", "--until", "2025-02-01")
    assert (result.exit_code, result.stdout_bytes) == (0, HEADER)


def test_default_period_reads_the_clock_and_succeeds(config: Path) -> None:
    result = run(config)
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(HEADER)


THEMES_KNOWN = "arctic, energy, russia-china, russia-japan, territorial-disputes"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--since", "2026-13-01"],
            "Invalid value for '--since': '2026-13-01' is not a date like 2026-11-15 or 7d",
        ),
        (
            ["--until", "soon"],
            "Invalid value for '--until': 'soon' is not a date like 2026-11-15 or 7d",
        ),
        (
            ["--week", "2026-W99"],
            "Invalid value for '--week': '2026-W99' is not a week of that year",
        ),
        (
            ["--week", "2026-W47", "--since", "7d"],
            "--week cannot be combined with --since or --until",
        ),
        (
            ["--since", "2026-11-22", "--until", "2026-11-15"],
            "the period is empty: 2026-11-22T00:00:00Z is not before 2026-11-15T00:00:00Z",
        ),
        (
            ["--theme", "nuclear"],
            f"Invalid value for '--theme': unknown theme 'nuclear' (known: {THEMES_KNOWN})",
        ),
        (
            ["--source", "rt"],
            "Invalid value for '--source': unknown source 'rt' "
            "(known: lowy, nikkei, tass, thediplomat)",
        ),
        (["--new-since-last"], "--new-since-last needs --name"),
    ],
    ids=[
        "bad-date",
        "bad-until",
        "bad-week",
        "week-and-since",
        "reversed",
        "unknown-theme",
        "unknown-source",
        "new-since-last-without-name",
    ],
)
def test_errors_are_one_line_and_exit_2(config: Path, args: list[str], message: str) -> None:
    result = run(config, *args)
    assert (result.exit_code, result.stderr, result.stdout_bytes) == (2, f"Error: {message}\n", b"")


def titles(path: Path) -> list[str]:
    text = io.StringIO(path.read_bytes().decode("utf-8"), newline="")
    return [row["title"] for row in csv.DictReader(text)]


def test_named_run_is_recorded_and_new_since_last_skips_earlier_articles(
    config: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "data.db"
    earlier = open_database(db_path)
    record_digest_run(
        earlier,
        "weekly",
        parse_week("2026-W40"),
        DigestResult(1, [1]),
        datetime(2026, 10, 5, tzinfo=UTC),
    )
    earlier.conn.close()
    out = tmp_path / "weekly.csv"
    result = run(
        config, "--week", "2026-W47", "--name", "weekly", "--new-since-last", "-o", str(out)
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert "Russia and China deepen energy ties" not in titles(out)
    assert len(titles(out)) == 5
    runs = (
        sqlite3.connect(db_path)
        .execute(
            "SELECT name, period_start, period_end, rows, path, "
            "(SELECT count(*) FROM digest_items WHERE digest_run_id = digest_runs.id) "
            "FROM digest_runs ORDER BY id"
        )
        .fetchall()
    )
    assert runs[1] == ("weekly", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 5, str(out), 5)


def test_help_lists_the_columns_and_the_writer_lock() -> None:
    result = CliRunner().invoke(cli, ["digest", "--help"])
    flat = " ".join(result.output.split())
    assert "published, source, title, authors, url, themes, top_entities, relevance," in flat
    assert "--name NAME records the run, so it takes the writer lock" in flat
