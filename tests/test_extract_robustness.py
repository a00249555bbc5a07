"""Hostile input never raises out of the extractor and finishes in bounded time."""

from __future__ import annotations

import json
import random
import time

import pytest

from pipelines.extract import ExtractedArticle, extract_article, extract_wordpress_post, main_text

PROSE = "<p>Russia and Mongolia discussed a new rail link to China at length on Tuesday.</p>"


def deeply_nested(levels: int) -> str:
    return "<div>" * levels + PROSE + "</div>" * levels


def unclosed_nesting(levels: int) -> str:
    return "<html><body>" + "<span><b><i>" * (levels // 3) + PROSE


def binary_soup(size: int) -> str:
    # A fixed seed: the same bytes on every run.
    noise = random.Random(1729).randbytes(size)
    return noise.decode("latin-1")


def huge_page(megabytes: int) -> str:
    paragraph = PROSE + "<div class='share'><a href='#'>Share</a></div>"
    return "<html><body>" + paragraph * (megabytes * 1_000_000 // len(paragraph)) + "</body></html>"


HOSTILE = [
    ("empty", ""),
    ("whitespace", " \n\t "),
    ("text-only", "just words, no markup"),
    ("malformed-tags", "<html><body><p>Open <b>bold <i>italic</p></b> <div <<>> </ p>" + PROSE),
    ("unclosed-comment", "<html><body>" + PROSE + "<!-- never closed"),
    ("script-only", "<script>" + "var x = '<p>';" * 1000 + "</script>"),
    ("binary", binary_soup(200_000)),
    ("nul-and-controls", "<p>a\x00b\x01c\x1bd</p>" * 100 + PROSE),
    ("mis-encoded-utf8-as-latin1", "<p>" + "Россия и Китай".encode().decode("latin-1") + "</p>"),
    ("replacement-chars", "<p>" + "\ufffd" * 5000 + "</p>"),
    ("lone-surrogates", "<p>\ud800\udfff text</p>" + PROSE),
    ("nested-10000", deeply_nested(10_000)),
    ("unclosed-30000", unclosed_nesting(30_000)),
    ("broken-json-ld", '<script type="application/ld+json">{"@type": [[[</script>' + PROSE),
    ("broken-next-data", '<script id="__NEXT_DATA__">{"props": {"pageProps": 5}}</script>'),
    ("huge-10mb", huge_page(10)),
]


@pytest.mark.parametrize(("case", "html"), HOSTILE, ids=[case for case, _ in HOSTILE])
def test_hostile_html_never_raises_and_finishes_quickly(case: str, html: str) -> None:
    started = time.perf_counter()
    article = extract_article(html, "https://example.org/2024/01/02/a/")
    text = main_text(html, "https://example.org/a")
    assert isinstance(article, ExtractedArticle)
    assert isinstance(text, str) and isinstance(article.text, str)
    assert time.perf_counter() - started < 10


def test_deep_nesting_still_yields_the_text() -> None:
    assert "rail link to China" in extract_article(deeply_nested(10_000)).text


@pytest.mark.parametrize(
    "post",
    [
        None,
        [],
        "text",
        {},
        {"title": 5, "content": {"rendered": None}},
        {"_embedded": {"author": 3}},
    ],
    ids=["none", "list", "string", "empty", "wrong-types", "wrong-embedded"],
)
def test_wordpress_post_of_any_shape_never_raises(post: object) -> None:
    article = extract_wordpress_post(post)  # type: ignore[arg-type]
    assert article.text == ""


def test_wordpress_post_survives_a_json_round_trip_of_odd_values() -> None:
    post = json.loads('{"title": {"rendered": "<b>A</b> &amp; B"}, "date_gmt": "not a date"}')
    article = extract_wordpress_post(post)
    assert (article.title, article.published) == ("A & B", None)
