"""Relation phrases ("ties with Tokyo") and terms that count only beside certain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.tag import Tagger, TaxonomyError, load_taxonomy
from pipelines.taxonomy import THEME_IDS

SHIPPED = Path(__file__).resolve().parent.parent / "config" / "themes.toml"

HEAD = """
version = "test"

# Sums saturate slowly, so a theme reaches 0.5 only by being stated beside Russia.
[scoring]
theme_saturation = 50.0
stated_theme_score = 0.5
stated_theme_terms = 2

[relevance]
russia = [{ weight = 1.0, match = ["Russia", "Russian", "Moscow", "Россия", "России"] }]
asia = [{ weight = 1.0, match = ["Asia", "Asian", "Азия"] }]

[[relations]]
words = ["relations", "ties"]
linkers = ["with"]

[[relations]]
words = ["depends"]
linkers = ["on", "heavily on"]

[[relations]]
words = ["отношени*"]
linkers = ["с", "России с"]

[entities.japan]
name = "Japan"
kind = "country"
anchor = "asia"
aliases = ["Япония", "Японией"]

[entities.tokyo]
name = "Tokyo"
kind = "place"
anchor = "asia"
"""

THEMES = {
    "russia-japan": """
requires = ["japan", "tokyo"]
terms = [
  { weight = 1.0, entities = ["japan", "tokyo"] },
  { weight = 2.0, partners = ["japan", "tokyo"] },
]
""",
    "far-east-development": """
terms = [
  { weight = 0.5, match = ["Far East"] },
  { weight = 3.0, match = ["Far East"], near = ["investment", "development"] },
]
""",
}


def write_taxonomy(tmp_path: Path, themes: dict[str, str] = THEMES, head: str = HEAD) -> Path:
    parts = [head]
    for theme in THEME_IDS:
        body = themes.get(theme, f'terms = [{{ weight = 1.0, match = ["{theme} marker"] }}]')
        description = f"Test theme {theme}, defined only to complete the set of fixed ids."
        parts.append(f'[themes.{theme}]\nlabel = "{theme}"\ndescription = "{description}"\n')
        parts.append(body)
    path = tmp_path / "themes.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


@pytest.fixture
def tagger(tmp_path: Path) -> Tagger:
    return Tagger(load_taxonomy(write_taxonomy(tmp_path)), theme_threshold=0.0)


def scores(result) -> dict[str, float]:
    return {theme.id: theme.score for theme in result.themes}


def test_relation_phrase_states_the_theme_when_the_partner_is_named_again(tagger: Tagger):
    text = (
        "Russia wants a larger role in Asia. Russia's trade relations with Japan remain thin.\n\n"
        "Moscow still hopes Japan will return to the table."
    )
    result = tagger.tag(text)
    japan = next(theme for theme in result.themes if theme.id == "russia-japan")
    assert japan.score >= 0.5
    assert "relations with Japan" in [evidence.term for evidence in japan.evidence]
    # The phrase hides the name from the matcher, but still counts as a mention of it.
    assert {entity.id: entity.mentions for entity in result.entities}["japan"] == 2


def test_a_relation_phrase_said_once_is_an_aside(tagger: Tagger):
    text = "Russia wants a larger role in Asia. Analysts say Russia's ties with Japan are thin."
    assert scores(tagger.tag(text)).get("russia-japan", 0.0) < 0.5


def test_a_name_without_a_relation_word_is_not_a_relationship(tagger: Tagger):
    text = "Russia wants a role in Asia. Russian diplomats met in Japan, then in Japan again."
    assert scores(tagger.tag(text)).get("russia-japan", 0.0) < 0.5


def test_a_relation_phrase_after_a_name_is_not_part_of_a_roster(tagger: Tagger):
    # "India and depends on Japan" looks like a list of names joined by "and".
    text = (
        "Russia wants a larger role in Asia. Moscow sells grain to Tokyo and depends heavily "
        "on Japan for machinery. Japan is wary."
    )
    assert scores(tagger.tag(text))["russia-japan"] >= 0.5


def test_relation_phrases_are_made_in_each_language_with_inflected_names(tagger: Tagger):
    text = "Россия ищет роль в Азия. Отношения России с Японией остаются холодными. Япония ждёт."
    japan = next(theme for theme in tagger.tag(text).themes if theme.id == "russia-japan")
    assert japan.score >= 0.5
    assert "Отношения России с Японией" in [evidence.term for evidence in japan.evidence]


def test_near_terms_count_only_in_the_sentence_that_holds_the_word(tagger: Tagger):
    opening = "Russia courts Asian money in Asia. "
    beside = opening + "Russian investment in the Far East has doubled."
    apart = opening + "Investment doubled. Russian troops went to the Far East."
    assert scores(tagger.tag(beside))["far-east-development"] >= 0.5
    assert scores(tagger.tag(apart)).get("far-east-development", 0.0) < 0.5


def test_near_terms_in_a_title_count_beside_words_of_the_title(tagger: Tagger):
    text = "Russia courts Asian money, and officials say more will come."
    titled = tagger.tag(text, title="Far East development gathers pace")
    plain = tagger.tag(text, title="Far East gathers pace")
    assert scores(titled)["far-east-development"] > scores(plain).get("far-east-development", 0)


@pytest.mark.parametrize(
    ("themes", "head", "message"),
    [
        (
            {"russia-japan": 'terms = [{ weight = 2.0, partners = ["atlantis"] }]'},
            HEAD,
            "themes.russia-japan.terms[0].partners: unknown entity 'atlantis'",
        ),
        (
            {},
            HEAD.replace('match = ["Asia",', 'near = ["growth"], match = ["Asia",'),
            "relevance.asia[0].near: only theme terms can have near",
        ),
        (
            {"arctic": 'terms = [{ weight = 1.0, match = ["ice"], near = ["route**"] }]'},
            HEAD,
            "themes.arctic.terms[0].near[0]: unsupported term",
        ),
        ({}, HEAD.replace('linkers = ["with"]\n', ""), "relations[0].linkers: Field required"),
    ],
    ids=["unknown-partner", "near-in-relevance", "bad-near-word", "relation-without-linkers"],
)
def test_bad_phrase_rules_name_the_key(
    tmp_path: Path, themes: dict[str, str], head: str, message: str
):
    path = write_taxonomy(tmp_path, {**THEMES, **themes}, head)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(path)
    assert message in str(error.value)


def test_shipped_taxonomy_reads_relationships_and_regional_development():
    tagger = Tagger(load_taxonomy(SHIPPED))
    text = (
        "Moscow's place in Asia keeps shifting, officials in Moscow admit.\n\n"
        "Russia's relations with Vietnam rest on old arms contracts and new energy deals, "
        "and Russian diplomats expect Vietnam to buy more. Russia also wants capital for "
        "the Far East, and officials count on investment in the Russian Far East from Asia."
    )
    themes = scores(tagger.tag(text, title="Moscow looks east"))
    assert themes.get("southeast-asia", 0.0) >= 0.5
    assert themes.get("far-east-development", 0.0) >= 0.5
