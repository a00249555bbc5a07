"""Tag, class and id hints that mark page furniture (navigation, share bars, ads...)."""

from __future__ import annotations

import re
from functools import lru_cache

JUNK_TAGS = frozenset({"nav", "footer", "aside", "header", "menu"})
# Whole-word matches inside class/id values; "sidebar" matches "left-sidebar" but
# "ad" does not match "header" or "read". Wrappers that hold most of the page's text
# are forgiven later, so a greedy word here costs little.
JUNK_WORDS = re.compile(
    r"(?<![a-z0-9])(?:"
    r"nav|navbar|navigation|menu|menus|submenu|footer|site-?header|masthead|sidebar|"
    r"breadcrumbs?|comments?|comment-?list|share|shares|sharing|sharebar|social|"
    r"related|recommended|recommendations|promo|promos|advert\w*|ads?|adv|adslot|"
    r"dfp|banner|cookies?|consent|gdpr|newsletter|subscribe|subscription|signup|"
    r"popup|modal|pagination|pager|tagcloud|toolbar|"
    r"skip-?link|sponsored|outbrain|taboola|most-?read|most-?popular|trending|login|"
    r"byline|author-?bio|disclaimer|copyright|rss|breaking|ticker|paywall|"
    r"further-?reading|read-?more|more-?stories|recirc|sr-only|"
    r"visually-?hidden|screen-?reader-?text|print-?only|"
    r"signature|user-?info|user-?details|user-?stats|user-?title|postprofile|"
    r"poster-?info|member-?info|message-?user-?details|reactions?-?bar|post-?stats"
    r")(?![a-z0-9])",
    re.IGNORECASE,
)
# Furniture that can read like prose (cookie notices, comment threads, sign-up pitches):
# never forgiven for reading well, only for holding most of the page.
PROSE_JUNK_WORDS = re.compile(
    r"(?<![a-z0-9])(?:comments?|comment-?list|cookies?|consent|gdpr|newsletter|subscribe|"
    r"subscription|signup|paywall|related|disclaimer|copyright|author-?bio)(?![a-z0-9])",
    re.IGNORECASE,
)
JUNK_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "menu", "dialog"})
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def junk_hint(attributes: dict[str, str | None]) -> int:
    """0 for no hint, 1 for furniture, 2 for furniture that can read like prose."""
    role = attributes.get("role")
    if role and role.lower() in JUNK_ROLES:
        return 1
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return names_hint(names) if len(names) > 3 else 0


@lru_cache(maxsize=8192)
def names_hint(names: str) -> int:
    """junk_hint for a class+id string; pages repeat the same few, so it is cached."""
    if JUNK_WORDS.search(names) is None:
        return 0
    return 2 if PROSE_JUNK_WORDS.search(names) else 1


def is_hidden(attributes: dict[str, str | None]) -> bool:
    """Whether the element is hidden from readers (hidden attribute, inline style)."""
    if "hidden" in attributes:
        # React streaming puts server-rendered content in <div hidden id="S:0"> first.
        return not (attributes.get("id") or "").startswith("S:")
    if attributes.get("aria-hidden") == "true":
        return True
    style = attributes.get("style")
    return style is not None and HIDDEN_STYLE.search(style) is not None
