"""From raw paragraphs to clean text plus flags: the steps every extraction path shares.

Order matters: leading furniture goes first (a header "SUBSCRIBE NOW" must not be taken
for a paywall prompt), then paywall markers (flag, cut), then per-source and generic
cut-after phrases, then teaser endings, then boilerplate paragraphs anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipelines.clean import (
    DEFAULT_RULES,
    CleaningRules,
    clean_paragraphs,
    cut_at_phrases,
    drop_repeated_lines,
    is_boilerplate,
    strip_inline_junk,
)
from pipelines.extract_flags import (
    SHORT_BODY_WORDS,
    Flags,
    advertised_pages,
    advertised_words,
    count_words,
    cut_at_teaser,
    ends_in_ellipsis,
)

# No article has more; a page that does is a dump, and cleaning it must stay bounded.
MAX_PARAGRAPHS = 3000
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}),\s+(?P<date>[A-Z][a-z]+\.? \d{1,2})\.?\s*"
    r"/(?P<agency>[A-Z][A-Za-z-]{1,20})/\.?\s*"
)


@dataclass
class CleanedText:
    """Clean paragraphs plus what cleaning learnt on the way."""

    paragraphs: list[str]
    flags: Flags
    structured: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CleaningInput:
    """Per-page inputs of the cleaning: the site's phrases and the page's claims."""

    cut_after: tuple[str, ...] = ()
    paywall_markers: tuple[str, ...] = ()
    title: str | None = None
    accessible_for_free: bool | None = None
    word_count_claim: object = None


def normalise(paragraphs: list[str]) -> list[str]:
    """NFC, inline junk removed, empty paragraphs gone."""
    cleaned = (strip_inline_junk(unicodedata.normalize("NFC", p)) for p in paragraphs)
    return [paragraph for paragraph in cleaned if paragraph.strip()]


def drop_leading_boilerplate(paragraphs: list[str], rules: CleaningRules) -> list[str]:
    """Furniture before the first real paragraph (site headers, menus)."""
    for index, paragraph in enumerate(paragraphs):
        if not is_boilerplate(paragraph, rules):
            return paragraphs[index:]
    return []


def split_dateline(paragraphs: list[str]) -> tuple[list[str], dict[str, str]]:
    """'VLADIVOSTOK, September 12. /TASS/. Text' -> ('Text', place/date/agency)."""
    if not paragraphs:
        return paragraphs, {}
    found = DATELINE.match(paragraphs[0])
    if not found:
        return paragraphs, {}
    rest = paragraphs[0][found.end() :].strip()
    dateline = {key: value.strip() for key, value in found.groupdict().items()}
    return ([rest] if rest else []) + paragraphs[1:], dateline


def paywall_reason(marker: str, cut_short: bool, given: CleaningInput) -> str | None:
    """Why the text is incomplete, or None when nothing says so."""
    if marker:
        return f"marker: {marker}"
    if given.accessible_for_free is False:
        return "isAccessibleForFree=false"
    return "text cut short" if cut_short else None


def cut_at_ellipsis_notice(paragraphs: list[str], rules: CleaningRules) -> tuple[list[str], bool]:
    """Cut after a paragraph that trails off ("…") right before a subscription notice."""
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1 : index + 3]
        if ends_in_ellipsis(paragraph) and notice_follows(following, rules):
            return paragraphs[: index + 1], True
    return paragraphs, False


def notice_follows(following: list[str], rules: CleaningRules) -> bool:
    """A short paragraph asking the reader to subscribe, register or log in."""
    short = [paragraph.lower() for paragraph in following if len(paragraph) < 400]
    return any(word in text for text in short for word in rules.subscription_notice)


def is_cut_short(words: int, claimed_words: int, pages: int) -> bool:
    """A body under ~250 words while the page advertises more."""
    if words >= SHORT_BODY_WORDS:
        return False
    return pages > 1 or claimed_words > max(words * 1.5, words + 50)


def finish_text(
    raw: list[str], given: CleaningInput, rules: CleaningRules = DEFAULT_RULES
) -> CleanedText:
    """Cut, clean and flag the paragraphs of one article."""
    paragraphs = drop_leading_boilerplate(normalise(raw[:MAX_PARAGRAPHS]), rules)
    kept, marker = cut_at_phrases(paragraphs, given.paywall_markers + rules.paywall_markers)
    kept, cut_short = cut_at_ellipsis_notice(kept, rules)
    kept, _ = cut_at_phrases(kept, given.cut_after + rules.generic_cuts)
    kept, teaser = cut_at_teaser(kept, rules)
    kept, dateline = split_dateline(drop_repeated_lines(clean_paragraphs(kept, rules), given.title))
    flags = Flags(teaser=teaser is not None)
    flags.paywall_reason = paywall_reason(marker, cut_short, given)
    words = count_words(" ".join(kept))
    claimed = advertised_words(paragraphs, given.word_count_claim)
    if flags.paywall_reason is None and is_cut_short(words, claimed, advertised_pages(teaser)):
        flags.paywall_reason = "text cut short"
    flags.paywalled = flags.paywall_reason is not None
    return CleanedText(kept, flags, {"dateline": dateline} if dateline else {})
