"""Paywall and teaser flags, the lead summary and word counts of a cleaned text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from pipelines.clean import DEFAULT_RULES, CleaningRules

WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+"
)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
READING_MINUTES = re.compile(r"\b(\d{1,3})[ -]min(?:ute)?s?(?: read|\b)", re.IGNORECASE)
CLOSING_MARKS = " \t\"'”’»)]"
SUMMARY_WORDS = 60
SHORT_BODY_WORDS = 250
WORDS_PER_MINUTE = 200


@dataclass
class Flags:
    """What the cleaning found out about the page's completeness."""

    paywalled: bool = False
    paywall_reason: str | None = None
    teaser: bool = False
    full_story_url: str | None = None


def ends_in_ellipsis(paragraph: str) -> bool:
    """'... depends on…' or 'depends on...' (closing quotes and brackets aside)."""
    return paragraph.rstrip(CLOSING_MARKS).endswith(("…", "..."))


def count_words(text: str) -> int:
    """Words, with each CJK character counted as one (those scripts use no spaces)."""
    if CJK.search(text) is None:
        return len(text.split())
    return len(WORD.findall(text))


def find_teaser(
    paragraphs: list[str], rules: CleaningRules = DEFAULT_RULES
) -> tuple[int, re.Match[str] | None]:
    """(paragraph index, match) of the first teaser ending, or (-1, None)."""
    for index, paragraph in enumerate(paragraphs):
        lowered = paragraph.lower()
        if not any(word in lowered for word in rules.teaser_words):
            continue
        for pattern in rules.teaser_patterns:
            found = pattern.search(paragraph)
            if found:
                return index, found
    return -1, None


def cut_at_teaser(
    paragraphs: list[str], rules: CleaningRules = DEFAULT_RULES
) -> tuple[list[str], re.Match[str] | None]:
    """Cut the text where a teaser ending starts; returns the kept part and the match."""
    index, found = find_teaser(paragraphs, rules)
    if found is None:
        return paragraphs, None
    head = paragraphs[index][: found.start()].strip()
    return paragraphs[:index] + ([head] if head else []), found


def teaser_link(
    tree: LexborHTMLParser, url: str | None, rules: CleaningRules = DEFAULT_RULES
) -> str | None:
    """Absolute href of the link whose text is the teaser's "Read the full story"."""
    for link in tree.css("a[href]"):
        text = " ".join((link.text(deep=True) or "").split())
        if text and any(pattern.search(text) for pattern in rules.teaser_patterns):
            href = (link.attributes.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:")):
                return urljoin(url, href) if url else href
    return None


def advertised_pages(found: re.Match[str] | None) -> int:
    """The page count a teaser line advertises ("Read the full 3 page story")."""
    if found is None or "pages" not in found.re.groupindex or not found.group("pages"):
        return 1
    return int(found.group("pages"))


def advertised_words(page_texts: list[str], word_count_claim: object) -> int:
    """Length the page claims: JSON-LD wordCount or an "N min read" line."""
    if isinstance(word_count_claim, int | str) and str(word_count_claim).isdigit():
        return int(word_count_claim)
    for text in page_texts:
        found = READING_MINUTES.search(text) if len(text) < 80 else None
        if found:
            return int(found.group(1)) * WORDS_PER_MINUTE
    return 0


def first_sentences(paragraph: str) -> list[str]:
    return [part.strip() for part in SENTENCE_BREAK.split(paragraph) if part.strip()]


def is_lead_paragraph(paragraph: str) -> bool:
    """Prose worth quoting as the lead: not a heading, label or list scrap."""
    return count_words(paragraph) >= 8 or paragraph.rstrip().endswith((".", "。", "!", "?"))


def lead_summary(paragraphs: list[str], limit: int = SUMMARY_WORDS) -> str:
    """The first sentences of the text, up to about `limit` words."""
    chosen: list[str] = []
    total = 0
    for paragraph in (p for p in paragraphs if is_lead_paragraph(p)):
        for sentence in first_sentences(paragraph):
            words = count_words(sentence)
            if chosen and total + words > limit:
                return join_sentences(chosen)
            chosen.append(sentence if words <= limit else truncate_words(sentence, limit))
            total += words
            if total >= limit:
                return join_sentences(chosen)
    return join_sentences(chosen)


def join_sentences(sentences: list[str]) -> str:
    joined = " ".join(sentences)
    return re.sub(r"(?<=[。！？]) ", "", joined)


def truncate_words(sentence: str, limit: int) -> str:
    """The first `limit` words of a sentence that runs on, with an ellipsis."""
    spans = list(WORD.finditer(sentence))
    return sentence[: spans[limit - 1].end()].rstrip() + "…" if len(spans) > limit else sentence
