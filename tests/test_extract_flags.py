"""Paywall and teaser flags, summaries and the generic path, on small pages."""

from __future__ import annotations

from pipelines.extract import SiteRules, extract_article, main_text
from pipelines.extract_flags import count_words, lead_summary

SENTENCE = "Russia and Vietnam agreed to expand their oil venture in the South China Sea."


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def paragraphs(count: int, sentence: str = SENTENCE) -> str:
    return "".join(f"<p>{sentence} Point {n} follows from it.</p>" for n in range(count))


def test_teaser_advertising_more_pages_is_flagged_cut_short() -> None:
    html = page(
        paragraphs(3)
        + '<p><a href="/2024/01/full/">Read the full 3 page story at The Diplomat</a></p>'
    )
    article = extract_article(html, "https://thediplomat.com/2024/01/teaser/")
    assert article.teaser
    assert article.full_story_url == "https://thediplomat.com/2024/01/full/"
    assert (article.paywalled, article.paywall_reason) == (True, "text cut short")
    assert "Read the full" not in article.text


def test_aggregator_read_full_article_link_is_a_teaser() -> None:
    html = page(paragraphs(3) + '<p><a href="https://example.org/a">Read Full Article »</a></p>')
    article = extract_article(html, "https://www.realclearworld.com/x")
    assert (article.teaser, article.full_story_url) == (True, "https://example.org/a")


def test_text_ending_in_ellipsis_before_a_subscription_notice_is_cut_short() -> None:
    html = page(
        paragraphs(3) + "<p>The decision on the pipeline route, officials say, depends on…</p>"
        "<p>To read the rest, become a subscriber today.</p>"
    )
    article = extract_article(html, "https://example.org/a")
    assert (article.paywalled, article.paywall_reason) == (True, "text cut short")


def test_is_accessible_for_free_false_flags_without_any_marker() -> None:
    head = (
        '<script type="application/ld+json">'
        '{"@type":"NewsArticle","isAccessibleForFree":false}</script>'
    )
    article = extract_article(page(paragraphs(6), head), "https://example.org/a")
    assert article.accessible_for_free is False
    assert (article.paywalled, article.paywall_reason) == (True, "isAccessibleForFree=false")


def test_short_body_while_page_claims_a_long_read_is_cut_short() -> None:
    head = '<script type="application/ld+json">{"@type":"Article","wordCount":"1800"}</script>'
    article = extract_article(page(paragraphs(3), head), "https://example.org/a")
    assert article.paywall_reason == "text cut short"


def test_site_paywall_marker_cuts_and_names_the_marker() -> None:
    rules = SiteRules(paywall_markers=("Members only beyond this point",))
    html = page(paragraphs(4) + "<p>Members only beyond this point.</p><p>Secret text.</p>")
    article = extract_article(html, "https://example.org/a", rules)
    assert article.paywall_reason == "marker: Members only beyond this point"
    assert "Secret text" not in article.text


def test_full_free_article_is_not_flagged() -> None:
    article = extract_article(page(paragraphs(6)), "https://example.org/a")
    assert (article.paywalled, article.teaser, article.paywall_reason) == (False, False, None)


def test_summary_stops_near_sixty_words_at_a_sentence_end() -> None:
    summary = lead_summary(["Share", f"{SENTENCE} " * 8])
    assert 40 <= count_words(summary) <= 60
    assert summary.endswith(".") and not summary.startswith("Share")


def test_summary_skips_short_labels_and_cuts_a_run_on_sentence() -> None:
    run_on = " ".join(["word"] * 100)
    summary = lead_summary(["Key facts", run_on])
    assert summary.endswith("…") and count_words(summary) == 60


def test_main_text_separates_paragraphs_with_blank_lines() -> None:
    html = page("<h2>Background</h2>" + paragraphs(2)) + "<nav><a href='/'>Home</a></nav>"
    text = main_text(html)
    assert text.split("\n\n")[1].startswith(SENTENCE)
    assert "Home" not in text


def test_lists_and_tables_inside_the_article_become_lines_of_text() -> None:
    table = (
        "<table><tr><th>Year</th><th>Trade, $bn</th></tr><tr><td>2023</td><td>240</td></tr></table>"
    )
    items = (
        "<ul><li>Oil supplies rose sharply during the year.</li>"
        "<li>Coal exports fell slightly.</li></ul>"
    )
    text = extract_article(page(paragraphs(4) + items + table), "https://example.org/a").text
    assert "Oil supplies rose sharply during the year." in text.split("\n\n")
    assert "2023" in text and "240" in text


def test_missing_content_selector_falls_back_to_the_generic_extractor() -> None:
    rules = SiteRules(content=".no-such-body", remove=("nav",))
    article = extract_article(page(paragraphs(4)), "https://example.org/a", rules)
    assert article.text.startswith(SENTENCE)


def test_feed_date_is_used_when_the_page_states_none_and_beats_the_url() -> None:
    article = extract_article(
        page(paragraphs(4)), "https://example.org/2020/01/02/a/", listed_date="2020-01-03T05:00:00Z"
    )
    assert (article.published, article.published_from) == ("2020-01-03T05:00:00Z", "feed")


def test_url_date_is_the_last_resort_before_text() -> None:
    article = extract_article(page(paragraphs(4)), "https://example.org/2020/01/a/")
    assert (article.published, article.published_precision) == ("2020-01-01T00:00:00Z", "month")
    assert article.published_from == "url"


def test_a_selector_the_parser_rejects_falls_back_to_the_generic_extractor() -> None:
    rules = SiteRules(content="div[", remove=("..x",))
    article = extract_article(page(paragraphs(4)), "https://example.org/a", rules)
    assert article.text.startswith(SENTENCE)


def test_a_short_page_whose_full_story_link_was_dropped_is_still_a_teaser() -> None:
    body = " ".join(["Moscow and Beijing talk about the Far East at every forum."] * 8)
    page = (
        "<html><body><main><article><h1>Uneven partnership</h1>"
        f"<div class='repost-body'><p>{body}</p><p>{body}</p></div>"
        "<p class='full-story'><a href='https://thediplomat.com/2026/11/uneven/'>"
        "Read the full story at The Diplomat</a></p></article>"
        "<aside><h2>Most Popular</h2><ol><li><a href='#'>Other</a></li></ol></aside>"
        "</main></body></html>"
    )
    article = extract_article(page, "https://digest.example/reposts/uneven.html")
    assert article.teaser
    assert article.full_story_url == "https://thediplomat.com/2026/11/uneven/"
    assert "Read the full story" not in article.text
