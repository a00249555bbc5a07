"""The digest: what is new on Russia in Asia over a period, as a CSV an analyst can trust.

Columns, in this fixed order:

    published         ISO date (UTC) the piece was published, or fetched when it has no date
    source            the source's title
    title             the article title
    authors           author names, "; "-separated
    url               the article's URL
    themes            theme ids, highest score first (ties by id), "; "-separated
    top_entities      up to 5 entity names, most mentioned first (ties by id), "; "-separated
    relevance         relevance to Russia in Asia, 0 to 1
    paywalled         1 when the text sits behind a paywall, else 0
    teaser            1 when only a teaser of a longer piece was stored, else 0
    summary           the stored lead
    word_count        words in the stored text
    also_appeared_in  URLs of the same piece elsewhere (duplicates and aliases), space-separated

One row per piece: an article whose `duplicate_of` is set is folded into its primary. Rows
are sorted by published date (oldest first), then source, title and URL; the same
database gives byte-identical output: UTF-8 (with a BOM for Excel when asked), `\\r\\n`
line endings and RFC 4180 quoting.

Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading
`'` so a spreadsheet shows them instead of running them as formulas (OWASP's advice on
CSV injection). The numeric columns (relevance, paywalled, teaser, word_count) are left
as numbers: the pipeline computes them, they are never page text, and quoting them
would turn them into text in a spreadsheet.

`DIGEST_SQL` is the single query behind both this CSV and Datasette's canned digest query;
its named parameters are listed in `PARAMETERS`. Every parameter but `:since` accepts an
empty string for "no filter", as Datasette sends for a field left blank; list parameters
(`:theme`, `:source`, `:entity`) take comma-separated values and match any of them.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from sqlite_utils import Database

from pipelines.periods import Period, days_before, iso_instant, period_label, sql_bound

COLUMNS = (
    "published",
    "source",
    "title",
    "authors",
    "url",
    "themes",
    "top_entities",
    "relevance",
    "paywalled",
    "teaser",
    "summary",
    "word_count",
    "also_appeared_in",
)
NUMERIC_COLUMNS = ("relevance", "paywalled", "teaser", "word_count")
PARAMETERS = (
    "since",
    "until",
    "theme",
    "source",
    "source_type",
    "entity",
    "language",
    "min_relevance",
    "exclude_paywalled",
    "include_irrelevant",
    "new_since_last",
)
TOP_ENTITIES = 5
SCHEDULED_PREFIX = "pivotwatch-digest-"
READABLE_FILE = 0o644
DateColumn = Literal["published", "fetched"]
_DATE_OF = {"published": "coalesce(a.published, a.fetched)", "fetched": "a.fetched"}

# The unary + keeps SQLite off the duplicate_of index (nearly every row is NULL there), so
# it walks the date index over the period instead.
_PIECES = """
  SELECT a.id AS article_id,
    substr(coalesce(a.published, a.fetched), 1, 10) AS published,
    coalesce(s.title, a.source) AS source, a.title, a.url, a.authors,
    a.relevance, a.paywalled, a.teaser, a.summary, a.word_count
  FROM articles a LEFT JOIN sources s ON s.name = a.source
  WHERE +a.duplicate_of IS NULL
    AND {date} >= :since AND {date} < coalesce(nullif(:until, ''), '9999')
    AND (:include_irrelevant != '' OR a.relevant = 1)
    AND (:min_relevance = '' OR a.relevance >= :min_relevance)
    AND (:exclude_paywalled = '' OR a.paywalled = 0)
    AND (:language = '' OR coalesce(a.language, s.language) = :language)
    AND (:source = '' OR instr(',' || :source || ',', ',' || a.source || ',') > 0)
    AND (:source_type = '' OR s.source_type = :source_type)
    AND (:theme = '' OR EXISTS (SELECT 1 FROM article_themes t WHERE t.article_id = a.id
      AND instr(',' || :theme || ',', ',' || t.theme_id || ',') > 0))
    AND (:entity = '' OR EXISTS (SELECT 1 FROM article_entities e WHERE e.article_id = a.id
      AND instr(',' || :entity || ',', ',' || e.entity_id || ',') > 0))
    AND (:new_since_last = '' OR NOT EXISTS (SELECT 1 FROM digest_items i
      JOIN digest_runs r ON r.id = i.digest_run_id
      WHERE i.article_id = a.id AND r.name = :new_since_last))
"""

# Lists are ordered inside a subquery because group_concat(... ORDER BY) needs SQLite 3.44.
_CELLS = f"""
  SELECT p.*,
    (SELECT group_concat(value, '; ') FROM json_each(
      CASE WHEN json_valid(p.authors) THEN p.authors ELSE '[]' END)) AS author_list,
    (SELECT group_concat(theme_id, '; ') FROM (SELECT theme_id FROM article_themes
      WHERE article_id = p.article_id ORDER BY score DESC, theme_id)) AS themes,
    (SELECT group_concat(name, '; ') FROM (SELECT n.name FROM article_entities ae
      JOIN entities n ON n.id = ae.entity_id WHERE ae.article_id = p.article_id
      ORDER BY ae.mentions DESC, ae.entity_id LIMIT {TOP_ENTITIES})) AS top_entities,
    (SELECT group_concat(url, ' ') FROM (
      SELECT d.url FROM articles d WHERE d.duplicate_of = p.article_id
      UNION SELECT u.url FROM article_urls u WHERE u.article_id = p.article_id
      UNION SELECT u.url FROM articles d JOIN article_urls u ON u.article_id = d.id
        WHERE d.duplicate_of = p.article_id
      ORDER BY 1) WHERE url != p.url) AS also_appeared_in
  FROM pieces p
"""


def _neutralised(column: str) -> str:
    risky = "'=', '+', '-', '@', char(9), char(13)"
    return f"CASE WHEN substr({column}, 1, 1) IN ({risky}) THEN '''' || {column} ELSE {column} END"


def _output_column(name: str) -> str:
    source = "author_list" if name == "authors" else name
    if name in NUMERIC_COLUMNS:
        return f"c.{source} AS {name}"
    return f"{_neutralised('c.' + source)} AS {name}"


def digest_sql(by: DateColumn = "published", *, with_ids: bool = False) -> str:
    """The digest query; `by` picks the date the period applies to.

    `with_ids` adds a leading `article_id` column, used to record what a run contained.
    """
    # MATERIALIZED keeps SQLite from copying each list subquery into the CASE that guards it.
    outputs = ",\n  ".join(_output_column(name) for name in COLUMNS)
    leading = "c.article_id,\n  " if with_ids else ""
    return (
        f"WITH pieces AS ({_PIECES.format(date=_DATE_OF[by])}),\n"
        f"cells AS MATERIALIZED ({_CELLS})\n"
        f"SELECT {leading}{outputs}\nFROM cells c\n"
        "ORDER BY c.published, c.source, c.title, c.url"
    )


DIGEST_SQL = digest_sql()


class DigestError(Exception):
    """A digest that cannot be written as asked."""


class UnknownFilterError(DigestError):
    """A filter names a theme, source or entity the database does not know."""

    def __init__(self, option: str, value: str, known: Iterable[str]) -> None:
        self.option = option
        listing = ", ".join(known) or "none yet"
        super().__init__(f"unknown {option} {value!r} (known: {listing})")


@dataclass(frozen=True)
class DigestFilters:
    """What to keep; empty tuples and None mean no filter."""

    themes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    source_type: str | None = None
    entities: tuple[str, ...] = ()
    language: str | None = None
    min_relevance: float | None = None
    include_paywalled: bool = True
    include_irrelevant: bool = False
    new_since_last: str | None = None


@dataclass(frozen=True)
class DigestResult:
    rows: int
    article_ids: list[int] = field(default_factory=list)


def digest_parameters(period: Period, filters: DigestFilters) -> dict[str, str]:
    """The named parameters of `DIGEST_SQL`, as text, exactly as Datasette passes them."""
    return {
        "since": sql_bound(period.start),
        "until": sql_bound(period.end),
        "theme": ",".join(filters.themes),
        "source": ",".join(filters.sources),
        "source_type": filters.source_type or "",
        "entity": ",".join(filters.entities),
        "language": filters.language or "",
        "min_relevance": "" if filters.min_relevance is None else repr(filters.min_relevance),
        "exclude_paywalled": "" if filters.include_paywalled else "1",
        "include_irrelevant": "1" if filters.include_irrelevant else "",
        "new_since_last": filters.new_since_last or "",
    }


def check_filters(db: Database, filters: DigestFilters) -> DigestFilters:
    """Reject unknown themes and sources; turn entity names into ids."""
    _check_known("theme", filters.themes, _column(db, "SELECT id FROM themes"))
    _check_known("source", filters.sources, _column(db, "SELECT name FROM sources"))
    return replace(filters, entities=tuple(_entity_id(db, value) for value in filters.entities))


def _column(db: Database, sql: str) -> list[str]:
    return sorted(str(row[0]) for row in db.execute(sql).fetchall())


def _check_known(option: str, values: Iterable[str], known: list[str]) -> None:
    for value in values:
        if value not in known:
            raise UnknownFilterError(option, value, known)


def _entity_id(db: Database, value: str) -> str:
    found = db.execute(
        "SELECT id FROM entities WHERE id = ? OR lower(name) = lower(?) ORDER BY id != ? LIMIT 1",
        [value, value, value],
    ).fetchone()
    if found is None:
        raise UnknownFilterError("entity", value, _column(db, "SELECT id FROM entities"))
    return str(found[0])


def query_digest(
    db: Database, period: Period, filters: DigestFilters, by: DateColumn = "published"
) -> list[tuple[Any, ...]]:
    """The digest rows, each led by its article id."""
    sql = digest_sql(by, with_ids=True)
    return db.execute(sql, digest_parameters(period, filters)).fetchall()


def write_rows(out: BinaryIO, rows: Iterable[tuple[Any, ...]], *, excel: bool = False) -> None:
    """The header and `rows` as RFC 4180 CSV; `excel` adds the UTF-8 BOM Excel needs."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if excel else "utf-8", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    text.flush()
    text.detach()


def write_digest(
    db: Database,
    out: BinaryIO,
    period: Period,
    filters: DigestFilters,
    *,
    by: DateColumn = "published",
    excel: bool = False,
) -> DigestResult:
    rows = query_digest(db, period, filters, by)
    write_rows(out, (row[1:] for row in rows), excel=excel)
    return DigestResult(len(rows), [int(row[0]) for row in rows])


def record_digest_run(
    db: Database,
    name: str,
    period: Period,
    result: DigestResult,
    created: datetime,
    path: Path | None = None,
) -> int:
    """Remember which articles a named digest contained, for `--new-since-last`."""
    run = (
        name,
        iso_instant(period.start),
        iso_instant(period.end),
        iso_instant(created),
        result.rows,
        str(path) if path else None,
    )
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO digest_runs (name, period_start, period_end, created, rows, path) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            run,
        )
        run_id = int(cursor.lastrowid or 0)
        db.conn.executemany(
            "INSERT INTO digest_items (digest_run_id, article_id) VALUES (?, ?)",
            ((run_id, article_id) for article_id in result.article_ids),
        )
    return run_id


def write_digest_file(
    db: Database, path: Path, period: Period, filters: DigestFilters, **options: Any
) -> DigestResult:
    """Write the digest to `path` through a temporary file, so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(handle, READABLE_FILE)  # mkstemp's 0600 would hide the digest from its readers
    try:
        with os.fdopen(handle, "wb") as out:
            result = write_digest(db, out, period, filters, **options)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


def scheduled_path(folder: Path, period: Period) -> Path:
    """`pivotwatch-digest-2026-W47.csv` for a week, `…-2026-11-21.csv` for a day."""
    return folder / f"{SCHEDULED_PREFIX}{period_label(period)}.csv"


def write_scheduled_digest(
    db: Database,
    folder: Path,
    period_end: datetime,
    days: int = 7,
    *,
    filters: DigestFilters | None = None,
    excel: bool = True,
    name: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Write the digest of the `days` whole UTC days before `period_end`'s day; return its path.

    A run at Monday 06:00 with `days=7` writes the previous ISO week. Rewriting a period
    gives the same bytes. With `name`, the run is also recorded (the caller holds the
    writer), `created` being `now` or else `period_end`.
    """
    period = days_before(period_end, days)
    path = scheduled_path(folder, period)
    result = write_digest_file(db, path, period, filters or DigestFilters(), excel=excel)
    if name is not None:
        record_digest_run(db, name, period, result, now or period_end, path)
    return path
