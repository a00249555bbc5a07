"""The digest CSV, byte for byte, for the sample database in `test_digest_sample`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_digest_sample import build_sample_db, copy_sample, sample_template

from pipelines.digest import (
    COLUMNS,
    DIGEST_SQL,
    DigestFilters,
    DigestResult,
    UnknownFilterError,
    check_filters,
    digest_parameters,
    record_digest_run,
    write_digest,
    write_scheduled_digest,
)
from pipelines.periods import Period, parse_week
from pipelines.store import open_database

GOLDEN = Path(__file__).parent / "data" / "digest"
WEEK_47 = parse_week("2026-W47")
YEAR_2026 = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
HEADER = ",".join(COLUMNS).encode() + b"\r\n"


__all__ = ["sample_template"]


@pytest.fixture
def db(sample_template: Path, tmp_path: Path) -> Database:
    return open_database(copy_sample(sample_template, tmp_path / "sample.db"))


def digest_bytes(db: Database, period: Period, filters: DigestFilters, **options: object) -> bytes:
    out = io.BytesIO()
    write_digest(db, out, period, check_filters(db, filters), **options)  # type: ignore[arg-type]
    return out.getvalue()


GOLDEN_CASES = [
    ("week-47", WEEK_47, DigestFilters(), "published"),
    ("week-47-all", WEEK_47, DigestFilters(include_irrelevant=True), "published"),
    ("week-47-by-fetched", WEEK_47, DigestFilters(), "fetched"),
    ("year-2026", YEAR_2026, DigestFilters(), "published"),
    ("theme-russia-japan", WEEK_47, DigestFilters(themes=("russia-japan",)), "published"),
    ("themes-arctic-or-energy", WEEK_47, DigestFilters(themes=("arctic", "energy")), "published"),
    ("sources-tass-nikkei", YEAR_2026, DigestFilters(sources=("tass", "nikkei")), "published"),
    ("source-type-think-tank", YEAR_2026, DigestFilters(source_type="think_tank"), "published"),
    ("entity-by-name", YEAR_2026, DigestFilters(entities=("Vladimir Putin",)), "published"),
    ("language-ja", YEAR_2026, DigestFilters(language="ja"), "published"),
    ("min-relevance-0.8", YEAR_2026, DigestFilters(min_relevance=0.8), "published"),
    ("exclude-paywalled", WEEK_47, DigestFilters(include_paywalled=False), "published"),
]


@pytest.mark.parametrize(
    ("name", "period", "filters", "by"), GOLDEN_CASES, ids=[case[0] for case in GOLDEN_CASES]
)
def test_digest_matches_golden_file(
    db: Database, name: str, period: Period, filters: DigestFilters, by: str
) -> None:
    expected = (GOLDEN / f"{name}.csv").read_bytes()
    assert digest_bytes(db, period, filters, by=by) == expected


def test_same_database_gives_identical_bytes(tmp_path: Path) -> None:
    first = digest_bytes(build_sample_db(tmp_path / "a.db"), YEAR_2026, DigestFilters())
    second = digest_bytes(build_sample_db(tmp_path / "b.db"), YEAR_2026, DigestFilters())
    assert first == second


def test_empty_period_writes_the_header_only(db: Database) -> None:
    assert digest_bytes(db, parse_week("2025-W47"), DigestFilters()) == HEADER


def test_excel_output_starts_with_a_bom(db: Database) -> None:
    plain = digest_bytes(db, WEEK_47, DigestFilters())
    assert digest_bytes(db, WEEK_47, DigestFilters(), excel=True) == b"\xef\xbb\xbf" + plain


def cells(db: Database, period: Period = WEEK_47) -> list[dict[str, str]]:
    text = digest_bytes(db, period, DigestFilters()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("url", "column", "expected"),
    [
        (
            "https://www.lowyinstitute.org/the-interpreter/formula",
            "title",
            '\'=HYPERLINK("http://evil.example","Russia in Asia")',
        ),
        (
            "https://www.lowyinstitute.org/the-interpreter/formula",
            "authors",
            "'+Mallory; @admin; -Eve",
        ),
        ("https://www.lowyinstitute.org/the-interpreter/formula", "summary", "'\tTabbed lead"),
        (
            "https://thediplomat.com/2026/11/minus/",
            "title",
            "'-20% trade: Russian exports to Asia fall",
        ),
        ("https://thediplomat.com/2026/11/minus/", "authors", "'\rCarriage Return"),
        ("https://thediplomat.com/2026/11/minus/", "relevance", "0.65"),
        ("https://tass.ru/politika/2", "title", "Россия и Япония обсудили Курильские острова"),
    ],
    ids=[
        "equals-title",
        "plus-author",
        "tab-summary",
        "minus-title",
        "carriage-return-author",
        "numbers-untouched",
        "plain-text-untouched",
    ],
)
def test_formula_cells_are_neutralised(db: Database, url: str, column: str, expected: str) -> None:
    row = next(row for row in cells(db) if row["url"] == url)
    assert row[column] == expected


def test_duplicates_fold_into_their_primary(db: Database) -> None:
    rows = cells(db)
    assert [row["url"] for row in rows if "tass" in row["url"]] == ["https://tass.ru/politika/2"]
    primary = next(row for row in rows if row["url"] == "https://tass.ru/politika/2")
    assert primary["also_appeared_in"] == (
        "https://tass.com/politics/2 https://tass.ru/politika/2?utm_source=feed"
    )


def test_digest_sql_gives_the_rows_of_the_csv(db: Database) -> None:
    """Datasette's canned query runs DIGEST_SQL with text parameters: same cells."""
    filters = DigestFilters(include_irrelevant=True)
    rows = db.execute(DIGEST_SQL, digest_parameters(YEAR_2026, filters)).fetchall()
    as_text = [["" if cell is None else str(cell) for cell in row] for row in rows]
    written = digest_bytes(db, YEAR_2026, filters).decode("utf-8")
    assert [list(COLUMNS), *as_text] == list(csv.reader(io.StringIO(written, newline="")))


@pytest.mark.parametrize(
    ("parameters", "count"),
    [({}, 6), ({"until": ""}, 7), ({"theme": "arctic,russia-japan"}, 3), ({"source": "lowy"}, 2)],
    ids=["all-blank", "until-blank", "comma-separated-themes", "one-source"],
)
def test_blank_parameters_mean_no_filter(
    db: Database, parameters: dict[str, str], count: int
) -> None:
    values = {**digest_parameters(WEEK_47, DigestFilters()), **parameters}
    assert len(db.execute(DIGEST_SQL, values).fetchall()) == count


def record(db: Database, name: str, period: Period, article_ids: list[int]) -> None:
    created = datetime(2026, 10, 8, 6, tzinfo=UTC)
    record_digest_run(db, name, period, DigestResult(len(article_ids), article_ids), created)


@pytest.mark.parametrize(
    ("earlier_name", "titles_left_out"),
    [
        ("weekly", ["Russia and China deepen energy ties", "北方領土交渉、ロシアと再開へ"]),
        ("daily", []),
    ],
    ids=["same-name-even-with-an-old-period", "other-name"],
)
def test_new_since_last_leaves_out_what_an_earlier_run_had(
    db: Database, earlier_name: str, titles_left_out: list[str]
) -> None:
    record(db, earlier_name, parse_week("2026-W40"), [1, 3])
    every = [row["title"] for row in cells(db)]
    filters = DigestFilters(new_since_last="weekly")
    text = digest_bytes(db, WEEK_47, filters).decode("utf-8")
    kept = [row["title"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert kept == [title for title in every if title not in titles_left_out]


def test_a_recorded_run_lists_its_articles(db: Database) -> None:
    out = io.BytesIO()
    result = write_digest(db, out, WEEK_47, DigestFilters())
    run_id = record_digest_run(db, "weekly", WEEK_47, result, datetime(2026, 11, 23, tzinfo=UTC))
    run = db["digest_runs"].get(run_id)
    items = [r[0] for r in db.execute("SELECT article_id FROM digest_items ORDER BY 1")]
    assert (run["period_start"], run["period_end"], run["rows"]) == (
        "2026-11-16T00:00:00Z",
        "2026-11-23T00:00:00Z",
        6,
    )
    assert items == [1, 2, 3, 5, 7, 8]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            DigestFilters(themes=("russia-china", "nuclear")),
            "unknown theme 'nuclear' (known: arctic, energy, russia-china, russia-japan, "
            "territorial-disputes)",
        ),
        (
            DigestFilters(sources=("rt",)),
            "unknown source 'rt' (known: lowy, nikkei, tass, thediplomat)",
        ),
        (
            DigestFilters(entities=("Kim",)),
            "unknown entity 'Kim' (known: china, japan, kurils, putin, rosneft, russia, xi)",
        ),
    ],
    ids=["theme", "source", "entity"],
)
def test_unknown_filters_are_named(db: Database, filters: DigestFilters, message: str) -> None:
    with pytest.raises(UnknownFilterError, match="^") as raised:
        check_filters(db, filters)
    assert str(raised.value) == message


def test_scheduled_digest_is_one_file_per_week_and_idempotent(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "digests"
    monday = datetime(2026, 11, 23, 6, tzinfo=UTC)
    path = write_scheduled_digest(db, folder, monday)
    first = path.read_bytes()
    again = write_scheduled_digest(db, folder, datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    assert (again, again.read_bytes()) == (path, first)
    assert [p.name for p in folder.iterdir()] == ["pivotwatch-digest-2026-W47.csv"]
    assert first == b"\xef\xbb\xbf" + (GOLDEN / "week-47.csv").read_bytes()
    assert path.stat().st_mode & 0o777 == 0o644


def test_scheduled_daily_digest_is_recorded_when_named(db: Database, tmp_path: Path) -> None:
    now = datetime(2026, 11, 19, 6, 0, 1, tzinfo=UTC)
    path = write_scheduled_digest(db, tmp_path, now, days=1, name="daily", now=now)
    run = db["digest_runs"].get(1)
    assert path.name == "pivotwatch-digest-2026-11-18.csv"
    assert (run["name"], run["rows"], run["path"], run["created"]) == (
        "daily",
        2,
        str(path),
        "2026-11-19T06:00:01Z",
    )
