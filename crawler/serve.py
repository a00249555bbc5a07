"""The Datasette application that publishes the database, configured by the files in `db/`.

The database is always published under the name `pivotwatch`, whatever its file is
called, so the metadata, saved queries and dashboard in `db/metadata.yml` apply to it.
It is opened mutable (never immutable): the crawler keeps writing while Datasette reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import uvicorn
import yaml
from datasette.app import Datasette
from datasette.database import Database

from pipelines.store import open_database

DATABASE_NAME = "pivotwatch"
DB_FOLDER = Path(__file__).resolve().parent.parent / "db"
METADATA_FILE = DB_FOLDER / "metadata.yml"

# Facet suggestions run one grouping query per column on every table page: on 200,000
# articles that costs more than the configured facets, so they are off. The facet time
# limit leaves headroom for the theme and entity facets on large, unfiltered lists.
DATASETTE_SETTINGS: dict[str, Any] = {
    "default_page_size": 50,
    "max_returned_rows": 1000,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,
    "allow_download": False,
    "default_allow_sql": True,
    "num_sql_threads": 4,
}


def ensure_database(db_path: Path) -> None:
    """Create or migrate the database, so a fresh install serves an empty but complete one."""
    db = open_database(db_path)
    db.conn.close()


def load_metadata(path: Path = METADATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def make_datasette(db_path: Path) -> Datasette:
    """A Datasette instance serving only `db_path`, under the name `pivotwatch`."""
    ensure_database(db_path)
    datasette = Datasette(
        metadata=load_metadata(),
        template_dir=str(DB_FOLDER / "templates"),
        plugins_dir=str(DB_FOLDER / "plugins"),
        static_mounts=[("static", str(DB_FOLDER / "static"))],
        settings=DATASETTE_SETTINGS,
    )
    datasette.remove_database("_memory")
    database = Database(datasette, path=str(Path(db_path).resolve()), is_mutable=True)
    datasette.add_database(database, name=DATABASE_NAME)
    return datasette


def serve_database(db_path: Path, host: str, port: int) -> None:
    """Serve the database over HTTP until interrupted (Ctrl+C)."""
    datasette = make_datasette(db_path)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
