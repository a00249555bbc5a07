"""Dates as pages write them, turned into ISO 8601 UTC with a precision.

A page states its dates in many places; `pick_date` takes candidates in the fixed order
the project trusts (JSON-LD, meta, <time>, feed/sitemap, URL, text), so a date guessed
from the URL never beats one the page states itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

SOURCE_ORDER = ("json-ld", "meta", "time", "feed", "url", "text")
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7,
    "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}  # fmt: skip
ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MONTH_WORD = r"([A-Za-zА-Яа-яё]{3,})\.?"
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH_WORD},?\s+(\d{{4}})\b")
MONTH_DAY_YEAR = re.compile(rf"\b{MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
JAPANESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")  # day first, as in Europe
URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|-|_|\b)")
URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")


@dataclass(frozen=True)
class DateCandidate:
    """One date found on the page, normalised, with where it came from."""

    value: str
    source: str
    precision: str


def format_utc(moment: datetime) -> str:
    """ISO 8601 UTC with a trailing Z; naive times are taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_date(year: int, month: int, day: int) -> datetime | None:
    """A calendar date, or None when the numbers make no date."""
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def parse_offset(text: str | None) -> timezone:
    """'Z', '+03:00' or '+0300' as a timezone (UTC when absent)."""
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def parse_iso(text: str) -> tuple[datetime, str] | None:
    """'2016-09-09', '2016-09-09T10:00:00+10:00' and close relatives."""
    found = ISO_DATE.search(text)
    if not found:
        return None
    year, month, day, hour, minute, second, offset = found.groups()
    moment = build_date(int(year), int(month), int(day))
    if moment is None or hour is None:
        return (moment, "day") if moment else None
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        return moment, "day"
    moment = moment.replace(hour=int(hour), minute=int(minute), second=int(second or 0))
    return moment.replace(tzinfo=parse_offset(offset)), "second"


def month_number(word: str) -> int | None:
    return MONTHS.get(word[:3].lower())


def parse_words(text: str) -> tuple[datetime, str] | None:
    """'9 September 2016', 'Sep 9, 2016', '12 сентября 2024', '2016年9月9日', '09.09.2016'."""
    japanese = JAPANESE_DATE.search(text)
    if japanese:
        moment = build_date(*(int(part) for part in japanese.groups()))
        return (moment, "day") if moment else None
    dotted = DOTTED_DATE.search(text)
    if dotted:
        day, month, year = (int(part) for part in dotted.groups())
        moment = build_date(year, month, day)
        return (moment, "day") if moment else None
    return parse_month_words(text)


def parse_month_words(text: str) -> tuple[datetime, str] | None:
    """'9 September 2016' or 'September 9, 2016', English or Russian month names."""
    for pattern, order in ((DAY_MONTH_YEAR, (0, 1, 2)), (MONTH_DAY_YEAR, (1, 0, 2))):
        for found in pattern.finditer(text):
            day_text, word, year_text = (found.group(index + 1) for index in order)
            month = month_number(word)
            moment = build_date(int(year_text), month, int(day_text)) if month else None
            if moment:
                return moment, "day"
    return None


def parse_rfc2822(text: str) -> tuple[datetime, str] | None:
    """'Fri, 09 Sep 2016 10:00:00 GMT' as feeds write it."""
    if "," not in text and not re.search(r"\d{2}:\d{2}", text):
        return None
    try:
        return parsedate_to_datetime(text), "second"
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(text: str | None) -> tuple[str, str] | None:
    """(ISO 8601 UTC, precision) for a date string, or None when it holds no date."""
    if not text or len(text) > 200:
        return None
    text = text.strip()
    compact = COMPACT_DATE.match(text)
    if compact:
        text = "-".join(compact.groups())
    parsed = parse_iso(text) or parse_rfc2822(text) or parse_words(text)
    if parsed is None or not 1900 <= parsed[0].year <= 2100:
        return None
    return format_utc(parsed[0]), parsed[1]


def date_from_url(url: str | None) -> tuple[str, str] | None:
    """/2016/09/09/slug or /20160909/ gives a day; /2016/09/slug gives a month."""
    if not url:
        return None
    day = URL_DAY.search(url)
    if day:
        moment = build_date(*(int(part) for part in day.groups()))
        if moment:
            return format_utc(moment), "day"
    month = URL_MONTH.search(url)
    if month:
        return format_utc(datetime(int(month.group(1)), int(month.group(2)), 1)), "month"
    return None


def make_candidate(source: str, raw: str | None) -> DateCandidate | None:
    """A normalised candidate from a raw string, or None when it holds no date."""
    parsed = date_from_url(raw) if source == "url" else parse_date(raw)
    return DateCandidate(parsed[0], source, parsed[1]) if parsed else None


def pick_date(raw_by_source: dict[str, list[str]]) -> DateCandidate | None:
    """The first parseable candidate in the fixed source order."""
    for source in SOURCE_ORDER:
        for raw in raw_by_source.get(source, []):
            candidate = make_candidate(source, raw)
            if candidate:
                return candidate
    return None
