"""The cleaning rules file and how its rules apply to single paragraphs."""

from __future__ import annotations

import tomllib

import pytest

from pipelines.clean import (
    RULES_PATH,
    clean_paragraphs,
    compile_rules,
    cut_at_phrases,
    drop_repeated_lines,
    is_boilerplate,
    strip_inline_junk,
)

BOILERPLATE = [
    ("share", "Share"),
    ("related-heading", "Related Articles:"),
    ("most-read", "Most read"),
    ("recent-features", "Recent Features"),
    ("advertisement", "ADVERTISEMENT"),
    ("credit-ap", "Credit: AP Photo/Alexander Zemlianichenko"),
    ("photo-via-afp", "Photo: Mikhail Metzel / Sputnik via AFP"),
    (
        "caption-with-credit",
        "Xi Jinping and Vladimir Putin in Moscow. Photo: Sergei Bobylev / TASS",
    ),
    ("cookie-banner", "We use cookies to give you the best experience. By continuing you agree."),
    ("newsletter", "Sign up for our weekly newsletter on Asian security"),
    ("copy-prompt", "Press Ctrl+C to copy"),
    ("app-society", "Join the APP Society"),
    ("comments-closed", "Comments are closed."),
    (
        "policy-forum-citation",
        "Lee, Anna, 'Moscow and the Mekong', Policy Forum, 3 May 2024, "
        "https://www.policyforum.net/moscow-and-the-mekong/",
    ),
    ("lowy-masthead", "Published daily by the Lowy Institute"),
    ("valdai-speakers", "List of speakers"),
    ("realclear-teaser", "Read Full Article »"),
    (
        "nikkei-svg-titles",
        "ArrowArtboardCreated with Sketch.Title ChevronIcon FacebookIcon Twitter",
    ),
    ("byline", "By Richard Roe"),
    ("name-and-date", "Ivan Petrov | 12 September 2024"),
    ("bare-date", "14.10.2024"),
    ("forum-stats", "Joined: Aug 2008"),
    ("copyright", "© 2024 Example Media. All rights reserved."),
]
PROSE = [
    ("sentence-ending-in-date", "Putin visited Hanoi on June 20, 2024"),
    ("sentence-with-share", "Russia's share of India's arms imports fell below half."),
    ("sentence-with-photo", "The photo of the summit showed Kim and Putin smiling."),
    ("sentence-about-cookies", "Soldiers at the border post were given cookies and tea."),
    ("quoted-policy", "Officials said the 'Act East' policy remains a priority for Delhi."),
]


@pytest.mark.parametrize(("case", "text"), BOILERPLATE, ids=[case for case, _ in BOILERPLATE])
def test_boilerplate_paragraphs_are_recognised(case: str, text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(("case", "text"), PROSE, ids=[case for case, _ in PROSE])
def test_article_sentences_are_not_boilerplate(case: str, text: str) -> None:
    assert not is_boilerplate(text)


def test_rules_file_compiles_and_every_pattern_is_a_valid_regex() -> None:
    with RULES_PATH.open("rb") as handle:
        rules = compile_rules(tomllib.load(handle))
    assert "share" in rules.drop_exact
    assert rules.paywall_markers and rules.teaser_patterns


def test_angular_template_leaks_are_removed_from_inside_a_paragraph() -> None:
    leaked = "Talks began {{dayPoint.date | date : 'd MMMM yyyy'}} in Vladivostok."
    assert strip_inline_junk(leaked) == "Talks began in Vladivostok."


def test_cut_keeps_the_text_before_the_first_phrase_in_the_same_paragraph() -> None:
    paragraphs = ["First point.", "Second point. Keep reading for free! Pitch.", "More pitch."]
    kept, phrase = cut_at_phrases(paragraphs, ("Subscribe now", "Keep reading for free!"))
    assert (kept, phrase) == (["First point.", "Second point."], "Keep reading for free!")


def test_cut_without_any_phrase_keeps_everything() -> None:
    assert cut_at_phrases(["One.", "Two."], ("Back to Top",)) == (["One.", "Two."], "")


def test_repeated_headline_and_duplicate_short_lines_are_dropped() -> None:
    paragraphs = ["Russia’s Pivot East", "Body text.", "Key facts", "Key facts", "End."]
    assert drop_repeated_lines(paragraphs, "Russia's Pivot East") == [
        "Body text.",
        "Key facts",
        "End.",
    ]


def test_clean_paragraphs_keeps_order_of_what_remains() -> None:
    paragraphs = ["Share", "Moscow and Delhi signed a deal.", "Advertisement", "It covers oil."]
    assert clean_paragraphs(paragraphs) == ["Moscow and Delhi signed a deal.", "It covers oil."]


def test_a_cut_phrase_in_a_masthead_line_drops_only_that_line() -> None:
    body = ["The Interpreter", "Published daily by the Lowy Institute"] + [
        "Russian and Chinese bombers flew a joint patrol near Japan on Friday." * 3
    ] * 4
    kept, phrase = cut_at_phrases(
        body + ["Published daily by the Lowy Institute", "Menu"],
        ("Published daily by the Lowy Institute",),
    )
    assert kept == ["The Interpreter"] + body[2:]
    assert phrase == "Published daily by the Lowy Institute"


def test_every_teaser_pattern_contains_one_of_the_prefilter_words() -> None:
    with RULES_PATH.open("rb") as handle:
        teaser = tomllib.load(handle)["teaser"]
    for pattern in teaser["patterns"]:
        assert any(word in pattern for word in teaser["words"]), pattern
