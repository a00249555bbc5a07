"""Golden pages: saved pages of the real sources' shape, with their exact clean text.

Each `tests/data/pages/<name>.html` (or `.json` for a WordPress REST post) has a
`<name>.expected.txt` with the exact text and a `<name>.expected.json` with the page URL,
the rules key, the feed date if any, and the metadata and flags expected.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from pipelines.extract import ExtractedArticle, SiteRules, extract_article, extract_wordpress_post

PAGES = Path(__file__).parent / "data" / "pages"

# Per-source rules, as the sources' config entries give them (see sources.md §1a and §2).
RULES: dict[str, SiteRules] = {
    "none": SiteRules(),
    "diplomat": SiteRules(
        content=".td-prose",
        remove=(
            "aside#td-box-newsletter",
            ".td-share",
            ".td-ad",
            ".td-ad-inline-txt",
            ".td-story-magazine__link",
            "[id^=caption-attachment]",
        ),
        cut_after=("Recent Features",),
    ),
    "wpr": SiteRules(
        paywall_markers=("Keep reading for free!", "Already a subscriber? Log in here"),
        cut_after=("What you'll get with an All-Access subscription",),
    ),
    "policyforum": SiteRules(
        content=".entry-content",
        cut_after=(
            "Back to Top",
            "Join the APP Society",
            "Comments are closed.",
            "Press Ctrl+C to copy",
        ),
    ),
    "eastasiaforum": SiteRules(content=".entry-content"),
    "carnegie": SiteRules(content=".post-body", remove=(".post-teasers",)),
    "valdai": SiteRules(content=".article-text", cut_after=("List of speakers",)),
    "riac": SiteRules(content=".article-detail-text"),
    "lowy": SiteRules(remove=(".site-menu",)),
    "asiatimes": SiteRules(content="article", remove=(".sharedaddy",)),
    "tass": SiteRules(content=".text-content"),
    "nikkei": SiteRules(remove=(".ad",)),
    "nikkei_jp": SiteRules(
        content=".article-body", paywall_markers=("［有料会員限定］", "この記事は会員限定です")
    ),
}


def page_names() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))


def load_case(name: str) -> tuple[dict[str, Any], str]:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text("utf-8"))
    text = (PAGES / f"{name}.expected.txt").read_text("utf-8").rstrip("\n")
    return expected, text


def extract_page(name: str, case: dict[str, Any]) -> ExtractedArticle:
    rules = RULES[case.get("rules", "none")]
    if (PAGES / f"{name}.json").exists():
        post = json.loads((PAGES / f"{name}.json").read_text("utf-8"))
        return extract_wordpress_post(post, rules)
    html = (PAGES / f"{name}.html").read_text("utf-8")
    return extract_article(html, case.get("url"), rules, case.get("listed_date"))


@pytest.mark.parametrize("name", page_names())
def test_golden_page_text_is_exact(name: str) -> None:
    case, text = load_case(name)
    assert extract_page(name, case).text == text


@pytest.mark.parametrize("name", page_names())
def test_golden_page_metadata_and_flags(name: str) -> None:
    case, _ = load_case(name)
    found = asdict(extract_page(name, case))
    expected = case["expected"]
    assert {key: found[key] for key in expected} == expected


# Junk that real pages of these sources put around their articles; none may survive.
SEED_STYLE_JUNK = [
    "Keep reading for free",
    "Subscribe now",
    "Already a subscriber",
    "SUBSCRIBE NOW",
    "Free Newsletter",
    "Back to Top",
    "Join the APP Society",
    "Comments are closed",
    "Press Ctrl+C to copy",
    "Policy Forum. March",
    "Read the full story at The Diplomat",
    "Recent Features",
    "Credit: ",
    "Photo: ",
    "via AFP",
    "{{",
    "/TASS/",
    "Published daily by the Lowy Institute",
    "List of speakers",
    '"authors"',
    "Kazakhstan's Uranium Is Going East",
    "ArrowArtboard",
    "有料会員限定",
    "この記事は会員限定です",
    "Enjoying this article?",
    "Share this",
    "Sign up for our newsletter",
    "Advertisement",
]


@pytest.mark.parametrize("name", page_names())
def test_golden_page_keeps_no_seed_style_junk(name: str) -> None:
    case, _ = load_case(name)
    text = extract_page(name, case).text
    assert [junk for junk in SEED_STYLE_JUNK if junk in text] == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("wpr_paywall", "marker: Keep reading for free!"),
        ("nikkei_jp_paywall", "marker: ［有料会員限定］"),
    ],
    ids=["wpr-server-side-paywall", "nikkei-japanese-paywall"],
)
def test_paywalled_pages_are_flagged(name: str, reason: str) -> None:
    case, _ = load_case(name)
    article = extract_page(name, case)
    assert (article.paywalled, article.paywall_reason) == (True, reason)


def test_syndicated_teaser_is_flagged_with_its_full_story_link() -> None:
    case, _ = load_case("diplomat_teaser")
    article = extract_page("diplomat_teaser", case)
    assert article.teaser
    assert article.full_story_url == "https://thediplomat.com/2024/02/moscows-far-east-gamble/"
