"""Tagger behaviour: aliases, offsets, relevance weighting, JSON shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.tag import Tagger, TagResult, load_taxonomy

TAXONOMY = Path(__file__).resolve().parent.parent / "config" / "themes.toml"

ASIA_STORY = (
    "Vietnam's exports of electronics and furniture grew strongly this year, and Hanoi "
    "expects foreign investment from Singapore, South Korea and Japan to keep rising.\n\n"
    "Factories in the north are short of skilled workers, and the government plans new "
    "vocational schools. Officials said growth would stay above six percent, while "
    "economists warned that US tariffs could slow exports to America."
)
RUSSIA_ASIA_STORY = (
    "Russia and China signed new agreements on gas supplies during Vladimir Putin's visit "
    "to Beijing, where Xi Jinping praised the strategic partnership.\n\n"
    "The Power of Siberia 2 pipeline through Mongolia remains under discussion, and "
    "Gazprom hopes to agree a price with CNPC next year."
)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_taxonomy(TAXONOMY))


def entity_ids(result: TagResult) -> dict[str, int]:
    return {entity.id: entity.mentions for entity in result.entities}


@pytest.mark.parametrize(
    ("text", "entity", "mentions"),
    [
        ("Tokyo wants the Kuril Islands back.", "kuril-islands", 1),
        ("The Kurils and the Kurile Islands are one chain.", "kuril-islands", 2),
        ("Japan calls them the Northern Territories.", "kuril-islands", 1),
        ("Спор о Курилах и Курильских островах не решен.", "kuril-islands", 2),
        ("Южные Курилы остаются предметом спора.", "kuril-islands", 1),
        ("The EAEU, the EEU and the Eurasian Economic Union are one body.", "eaeu", 3),
        ("Страны ЕАЭС и Евразийского экономического союза.", "eaeu", 2),
        ("Xi met Putin; Xi Jinping later left.", "xi-jinping", 2),
        ("Си Цзиньпин встретился с Путиным.", "xi-jinping", 1),
        ("Путину и Путина приветствовали.", "vladimir-putin", 2),
        ("Kim Jong Un and Kim Jong-un are one person.", "kim-jong-un", 2),
        ("President Park and Park Geun-hye spoke.", "park-geun-hye", 2),
    ],
    ids=[
        "kuril-islands",
        "kurils-kurile",
        "northern-territories",
        "ru-inflected-kurils",
        "ru-southern-kurils",
        "eaeu-three-names",
        "ru-eaeu",
        "xi-short-and-full",
        "ru-xi",
        "ru-putin-cases",
        "kim-spellings",
        "park-full-and-title",
    ],
)
def test_aliases_resolve_to_one_entity(tagger: Tagger, text: str, entity: str, mentions: int):
    assert entity_ids(tagger.tag(text)).get(entity) == mentions


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("The pixie and the maxi dress.", "xi-jinping"),
        ("Xiamen is a port city.", "xi-jinping"),
        ("They walked in the park with Kim.", "park-geun-hye"),
        ("Kim said the kimchi was good.", "kim-jong-un"),
        ("The abbey at Abeokuta.", "shinzo-abe"),
        ("us and them", "united-states"),
    ],
    ids=["xi-inside-words", "xiamen", "park-the-noun", "kim-alone", "abe-inside-words", "us-lower"],
)
def test_short_aliases_do_not_fire_on_lookalikes(tagger: Tagger, text: str, entity: str):
    assert entity not in entity_ids(tagger.tag(text))


def test_abe_as_a_whole_word_is_found(tagger: Tagger):
    assert entity_ids(tagger.tag("Abe met Putin in Vladivostok."))["shinzo-abe"] == 1


@pytest.mark.parametrize(
    "text",
    [RUSSIA_ASIA_STORY, "Спор о Курильских островах — старый.\n\nЕАЭС и КНР.", "İstanbul, Russia"],
    ids=["english", "russian", "length-changing-lowercase"],
)
def test_evidence_offsets_index_the_text(tagger: Tagger, text: str):
    result = tagger.tag(text)
    evidence = [item for entity in result.entities for item in entity.evidence]
    evidence += [item for theme in result.themes for item in theme.evidence]
    assert evidence
    for item in evidence:
        assert text[item.start : item.end] == item.term


def test_title_evidence_is_marked(tagger: Tagger):
    result = tagger.tag(RUSSIA_ASIA_STORY, title="Putin in Beijing")
    putin = next(entity for entity in result.entities if entity.id == "vladimir-putin")
    assert [item.in_title for item in putin.evidence] == [True, False]
    themes = result.to_json()["themes"]
    assert any(item.get("in") == "title" for theme in themes for item in theme["evidence"])


def test_russia_in_asia_story_is_relevant(tagger: Tagger):
    result = tagger.tag(RUSSIA_ASIA_STORY)
    assert result.relevant
    assert {"russia-china", "energy"} <= {theme.id for theme in result.themes}


def test_asia_story_without_russia_is_not_relevant(tagger: Tagger):
    result = tagger.tag(ASIA_STORY)
    assert not result.relevant
    assert result.themes == []


def test_passing_mention_of_russia_is_not_relevant(tagger: Tagger):
    passing = ASIA_STORY + " Officials said the reforms were unlike those tried in Russia."
    result = tagger.tag(passing)
    assert "russia" in entity_ids(result)
    assert not result.relevant
    assert result.relevance < 0.3


def test_title_weighs_more_than_body(tagger: Tagger):
    sentence = "Russia and Japan discussed the Kuril Islands."
    in_body = tagger.tag(ASIA_STORY + "\n\n" + sentence, title="Economic news")
    in_title = tagger.tag(ASIA_STORY, title=sentence)
    assert in_title.relevance > in_body.relevance
    assert in_title.relevant


def test_sport_is_not_relevant(tagger: Tagger):
    text = (
        "Russian tennis player won the tournament in Tokyo, beating a Japanese player in the "
        "final of the championship. The Russian said Asia felt like home.\n\nHe will play "
        "in Shanghai next week, where Chinese fans expect a strong tournament."
    )
    assert not tagger.tag(text, title="Russian wins Tokyo tennis final").relevant


def test_to_json_has_exactly_the_documented_shape(tagger: Tagger):
    data = tagger.tag(RUSSIA_ASIA_STORY, title="Russia and China").to_json()
    assert set(data) == {"relevance", "relevant", "themes", "entities"}
    assert 0.0 <= data["relevance"] <= 1.0 and isinstance(data["relevant"], bool)
    for theme in data["themes"]:
        assert set(theme) == {"id", "score", "evidence"}
        for item in theme["evidence"]:
            assert set(item) - {"in"} == {"term", "start", "end"}
    for entity in data["entities"]:
        assert set(entity) == {"id", "name", "kind", "mentions"}


def test_results_are_sorted(tagger: Tagger):
    result = tagger.tag(RUSSIA_ASIA_STORY, title="Russia and China: Putin and Xi")
    theme_keys = [(-theme.score, theme.id) for theme in result.themes]
    entity_keys = [(-entity.mentions, entity.id) for entity in result.entities]
    assert theme_keys == sorted(theme_keys) and entity_keys == sorted(entity_keys)


def test_theme_threshold_filters_themes(tagger: Tagger):
    everything = Tagger(tagger.taxonomy, theme_threshold=0.0).tag(RUSSIA_ASIA_STORY)
    strict = Tagger(tagger.taxonomy, theme_threshold=0.99).tag(RUSSIA_ASIA_STORY)
    assert len(everything.themes) > len(strict.themes)
    assert all(theme.score >= 0.99 for theme in strict.themes)


def test_relevance_threshold_decides_relevant(tagger: Tagger):
    assert not Tagger(tagger.taxonomy, relevance_threshold=1.01).tag(RUSSIA_ASIA_STORY).relevant


def test_empty_text_is_tagged_as_nothing(tagger: Tagger):
    result = tagger.tag("")
    assert (result.relevance, result.relevant, result.themes, result.entities) == (0, False, [], [])
