"""Settings and source list: loaded from TOML, validated once.

Every setting has a default and a description; the README's configuration reference is
generated from these models, so a new key is documented the moment it exists.
Unknown keys are errors, and every error names the file and the key path.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from crawler.schedule import parse_schedule

SOURCE_TYPES = (
    "think_tank",
    "journal",
    "news",
    "state_media",
    "state_affiliated",
    "academic",
    "aggregator",
)
DEFAULT_USER_AGENT = "pivotwatch/0.1 (+https://github.com/pivotwatch/pivotwatch)"


class ConfigError(Exception):
    """A settings or sources file that cannot be used; the message names file and key."""


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s?#]+", value):
        raise ValueError("not an http(s) URL")
    return value


def _check_schedule(value: str) -> str:
    parse_schedule(value)
    return value


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"not a regular expression ({error})") from None
    return value


def _check_network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError("not a CIDR network such as 127.0.0.0/8") from None
    return value


Url = Annotated[str, AfterValidator(_check_url)]
Schedule = Annotated[str, AfterValidator(_check_schedule)]
Regex = Annotated[str, AfterValidator(_check_regex)]
Network = Annotated[str, AfterValidator(_check_network)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlSettings(Section):
    user_agent: str = Field(
        DEFAULT_USER_AGENT,
        description="User-Agent sent with every request: the project name and a contact URL.",
    )
    min_delay: float = Field(
        5.0,
        ge=0,
        description="Seconds between two requests to one host (robots.txt "
        "Crawl-delay wins when larger).",
    )
    timeout: float = Field(20.0, gt=0, description="Seconds before a request times out.")
    max_bytes: int = Field(
        5_000_000, gt=0, description="Largest response body read; longer bodies are cut."
    )
    max_age_days: int = Field(
        30, ge=0, description="Articles older than this are not fetched unless `--backfill`."
    )
    max_articles_per_pass: int = Field(
        100, gt=0, description="Most article pages one pass fetches per source, newest first."
    )
    allow_networks: list[Network] = Field(
        default_factory=list,
        description="Private or loopback networks (CIDR) that may be fetched; every other "
        "private, loopback, link-local or multicast address is refused and recorded.",
    )
    schedule: Schedule = Field(
        "1h", description="Default per-source schedule: `30m`, `6h`, `1d` or a cron line."
    )
    concurrency: int = Field(
        8, gt=0, description="Hosts fetched in parallel (still one request at a time per host)."
    )
    max_attempts: int = Field(
        5, gt=0, description="Failed fetches of one article URL before it is given up."
    )
    retry_after_cap: float = Field(
        300.0,
        ge=0,
        description="Seconds of `Retry-After` waited within a pass; a longer one gives the "
        "URL up until then.",
    )
    failures_before_backoff: int = Field(
        3,
        gt=0,
        description="Failed runs in a row after which a source rests (1 h, doubling, at "
        "most a day).",
    )
    max_child_sitemaps: int = Field(
        50, ge=0, description="Child sitemaps of a sitemap index read per pass, newest first."
    )
    workers: int | None = Field(
        None,
        ge=0,
        description="Processes that extract and tag pages during a pass; default one per "
        "core, 0 = in the crawler process (always so on one core).",
    )


class TaggingSettings(Section):
    relevance_threshold: float = Field(
        0.5, ge=0, le=1, description="Relevance at or above which an article is `relevant`."
    )
    theme_threshold: float = Field(
        0.5, ge=0, le=1, description="Score at or above which a theme is assigned."
    )


class DedupeSettings(Section):
    near_duplicate_threshold: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Estimated Jaccard similarity of word shingles at or above which two "
        "articles are one piece (or, when one text is much shorter, the share of it "
        "contained in the other).",
    )
    related_k: int = Field(5, ge=0, description="Related articles kept per relevant article.")


class DaemonSettings(Section):
    grace_seconds: float = Field(
        30, ge=0, description="Seconds in-flight work may take to finish after SIGTERM."
    )
    failing_hours: float = Field(
        48, gt=0, description="`status --check` fails when a source has failed this long."
    )
    heartbeat_seconds: float = Field(
        30,
        gt=0,
        description="Seconds between heartbeats; `status --check` calls the daemon "
        "stale after three missed beats (at least two minutes).",
    )
    jitter_seconds: float = Field(
        30,
        ge=0,
        description="Random delay of up to this many seconds on each scheduled run "
        "(at most a tenth of an interval).",
    )
    misfire_grace_seconds: float = Field(
        3600,
        gt=0,
        description="A run that starts up to this late still runs "
        "(APScheduler misfire_grace_time).",
    )
    housekeeping_schedule: Schedule = Field(
        "1d",
        description="When the daemon prunes, optimises, vacuums, checkpoints and backs "
        "up the database.",
    )
    fetches_max_age_days: int = Field(
        90, gt=0, description="`fetches` rows older than this are pruned."
    )
    raw_pages_max_age_days: int = Field(
        180, gt=0, description="Raw pages of irrelevant articles older than this are pruned."
    )
    backup_folder: Path | None = Field(
        None, description="Folder for consistent daily backups; none when unset."
    )
    backups_kept: int = Field(7, gt=0, description="Newest backups kept in `backup_folder`.")


class DigestSettings(Section):
    schedule: Schedule = Field(
        "0 6 * * mon", description="When the daemon writes the scheduled digest."
    )
    folder: Path = Field(Path("../digests"), description="Folder for scheduled digests.")


class ServeSettings(Section):
    host: str = Field("127.0.0.1", description="Address Datasette listens on.")
    port: int = Field(8001, gt=0, lt=65536, description="Port Datasette listens on.")


class Settings(Section):
    db: Path = Field(Path("../db/pivotwatch.db"), description="The SQLite database.")
    sources: Path = Field(Path("sources.toml"), description="The source list.")
    themes: Path = Field(Path("themes.toml"), description="The theme taxonomy.")
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    tagging: TaggingSettings = Field(default_factory=TaggingSettings)
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    path: Path | None = Field(None, exclude=True, description="The file these came from.")


class Listing(Section):
    url: Url
    links: str = Field(description="CSS selector of article links on the page.")
    next: str | None = Field(None, description="CSS selector of the next-page link.")
    pages: int = Field(1, ge=1, description="Most pages followed.")


class Source(Section):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    homepage: Url
    source_type: Literal[SOURCE_TYPES]  # type: ignore[valid-type]
    language: str = "en"
    feeds: list[Url] = Field(default_factory=list)
    sitemaps: list[Url] = Field(default_factory=list)
    listings: list[Listing] = Field(default_factory=list)
    allow: list[Regex] = Field(default_factory=list)
    deny: list[Regex] = Field(default_factory=list)
    wordpress_api: bool = False
    content: str | None = None
    remove: list[str] = Field(default_factory=list)
    paywall_markers: list[str] = Field(default_factory=list)
    cut_after: list[str] = Field(default_factory=list)
    user_agent: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    schedule: Schedule | None = None
    enabled: bool = True

    @field_validator("listings", mode="before")
    @classmethod
    def _listings_are_tables(cls, value: Any) -> Any:
        return value


class SourceList(Section):
    source: list[Source] = Field(default_factory=list)

    @field_validator("source")
    @classmethod
    def _names_are_unique(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        for source in sources:
            if source.name in seen:
                raise ValueError(f"duplicate source name {source.name!r}")
            seen.add(source.name)
        return sources


def format_location(location: tuple[int | str, ...]) -> str:
    """Turn pydantic's ('source', 3, 'feeds', 0) into source[3].feeds[0]."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith(("function-", "literal[")):
            text += f".{part}" if text else part
    return text


def describe_validation_error(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = format_location(first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    more = len(error.errors()) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return f"{path}: {key}: {message}{suffix}"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def _resolve(base: Path, value: Path) -> Path:
    return value if value.is_absolute() else (base / value)


def load_settings(path: Path, db_override: Path | None = None) -> Settings:
    """Read a settings file; relative paths in it are relative to the file."""
    raw = read_toml(path)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(path, error)) from None
    base = path.parent
    digest = settings.digest.model_copy(update={"folder": _resolve(base, settings.digest.folder)})
    backup = settings.daemon.backup_folder
    daemon = settings.daemon.model_copy(
        update={"backup_folder": _resolve(base, backup) if backup else None}
    )
    return settings.model_copy(
        update={
            "db": db_override or _resolve(base, settings.db),
            "sources": _resolve(base, settings.sources),
            "themes": _resolve(base, settings.themes),
            "digest": digest,
            "daemon": daemon,
            "path": path,
        }
    )


def load_sources(path: Path) -> list[Source]:
    raw = read_toml(path)
    try:
        return SourceList.model_validate(raw).source
    except ValidationError as error:
        raise ConfigError(describe_validation_error(path, error)) from None


def select_sources(sources: list[Source], names: tuple[str, ...]) -> list[Source]:
    """The enabled sources, or exactly the named ones (enabled or not)."""
    if not names:
        return [source for source in sources if source.enabled]
    by_name = {source.name: source for source in sources}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(f"unknown source {unknown[0]!r}; known: {', '.join(sorted(by_name))}")
    return [by_name[name] for name in names]
