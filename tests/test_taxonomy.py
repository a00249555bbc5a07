"""Taxonomy loading: the shipped file is valid, and a bad file names the file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipelines.tag import TaxonomyError, load_taxonomy
from pipelines.tag_matcher import TermMatcher
from pipelines.taxonomy import ENTITY_KINDS, THEME_IDS

TAXONOMY = Path(__file__).resolve().parent.parent / "config" / "themes.toml"


def test_shipped_taxonomy_is_complete():
    taxonomy = load_taxonomy(TAXONOMY)
    assert taxonomy.version
    assert [theme.id for theme in taxonomy.themes] == list(THEME_IDS)
    assert all(len(theme.description.split()) >= 25 for theme in taxonomy.themes)
    assert {entity.kind for entity in taxonomy.entities} == set(ENTITY_KINDS)


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = TAXONOMY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "themes.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def first_weight_line(theme: str) -> str:
    text = TAXONOMY.read_text(encoding="utf-8")
    start = text.index(f"[[themes.{theme}.terms]]")
    return text[start : text.index("\n", text.index("weight", start))]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            first_weight_line("energy"),
            first_weight_line("energy").replace("weight = 3.0", "weight = -1.0"),
            "themes.energy.terms[0].weight: Input should be greater than 0",
        ),
        ('version = "', 'versoin = "', "versoin: Extra inputs are not permitted"),
        (
            'name = "Primorsky Krai"\nkind = "place"',
            'name = "Primorsky Krai"\nkind = "planet"',
            "entities.primorsky-krai.kind: Input should be",
        ),
        ("themes.arctic", "themes.polar", "themes.polar: unknown theme id"),
        ('"Kuriles",', '"Kuril**",', "entities.kuril-islands.aliases[3]: unsupported term"),
        ('entities = ["afghanistan"]', 'entities = ["atlantis"]', "unknown entity 'atlantis'"),
        ("[entities.rostec]", "[entities.Rostec]", "entities.Rostec: id must be a lowercase slug"),
        ("theme_saturation = ", "theme_saturation = -", "scoring.theme_saturation: Input should"),
        ('label = "Arctic"', "label = 3", "themes.arctic.label: Input should be a valid string"),
    ],
    ids=[
        "negative-weight",
        "unknown-top-key",
        "bad-entity-kind",
        "unknown-theme",
        "bad-term",
        "unknown-entity-reference",
        "entity-id-not-slug",
        "negative-setting",
        "label-not-text",
    ],
)
def test_bad_taxonomy_names_file_and_key(tmp_path: Path, old: str, new: str, message: str):
    path = write_variant(tmp_path, old, new)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_missing_theme_is_named(tmp_path: Path):
    text = TAXONOMY.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    del data["themes"]["arctic"]
    start = text.index("[themes.arctic]")
    end = text.index("[themes.ukraine-war-asia]")
    path = tmp_path / "themes.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(TaxonomyError, match="themes.arctic: theme missing"):
        load_taxonomy(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("version = ", "not valid TOML")],
    ids=["missing-file", "broken-toml"],
)
def test_unreadable_file_is_named(tmp_path: Path, content: str | None, message: str):
    path = tmp_path / "themes.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message) as error:
        load_taxonomy(path)
    assert str(error.value).startswith(str(path))


@pytest.mark.parametrize(
    ("terms", "text", "found"),
    [
        (["Far East", "Far Eastern Federal District"], "the Far Eastern Federal District", [1]),
        (["Asia-Pacific"], "Asia Pacific and Asia - Pacific", [0, 0]),
        (["Курил*"], "Курилы, Курильских", [0, 0]),
        (["поворот* на Восток"], "поворота на Восток", [0]),
        (["gas"], "gasoline and gas", [0]),
        (["2+2"], "the 2+2 talks", [0]),
    ],
    ids=["longest-phrase-wins", "space-or-hyphen", "stem", "stem-in-phrase", "whole-words", "plus"],
)
def test_matcher_finds_terms(terms: list[str], text: str, found: list[int]):
    matcher = TermMatcher()
    numbers = [matcher.add(term) for term in terms]
    matcher.compile()
    hits = matcher.find(text)
    assert [numbers.index(terms[0]) for terms, *_ in hits] == found
