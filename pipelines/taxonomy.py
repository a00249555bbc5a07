"""The tagging taxonomy: themes, entities and relevance vocabulary, read from one TOML file.

The file is validated once; every error names the file and the key path, e.g.
``config/themes.toml: themes.energy.terms[3].weight: Input should be greater than 0``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.tag_trie import TermSyntaxError, split_term

THEME_IDS = (
    "pivot-to-asia",
    "russia-china",
    "russia-japan",
    "korean-peninsula",
    "far-east-development",
    "energy",
    "arms-trade",
    "military-cooperation",
    "regional-institutions",
    "southeast-asia",
    "india",
    "trade-investment",
    "territorial-disputes",
    "us-and-great-powers",
    "identity-ideology",
    "central-asia-mongolia",
    "arctic",
    "ukraine-war-asia",
    "australia-pacific",
)
ENTITY_KINDS = ("country", "place", "organisation", "person")
_MAX_PROBLEMS = 5
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class TaxonomyError(ValueError):
    """The taxonomy file is missing, unreadable or invalid; the message names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TermGroupModel(_Strict):
    weight: float = Field(gt=0)
    match: list[str] = []
    cased: list[str] = []
    entities: list[str] = []
    partners: list[str] = []
    near: list[str] = []


class _RelationWordsModel(_Strict):
    words: list[str] = Field(min_length=1)
    linkers: list[str] = Field(min_length=1)


class _ThemeModel(_Strict):
    label: str = Field(min_length=1)
    description: str = Field(min_length=40)
    requires: list[str] = []
    terms: list[_TermGroupModel] = Field(min_length=1)


class _EntityModel(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["country", "place", "organisation", "person"]
    anchor: Literal["russia", "asia", "russia-asia", "none"] = "none"
    aliases: list[str] = []
    cased: list[str] = []


class _RelevanceModel(_Strict):
    russia: list[_TermGroupModel] = Field(min_length=1)
    asia: list[_TermGroupModel] = Field(min_length=1)
    off_topic: list[_TermGroupModel] = []


class _ScoringModel(_Strict):
    title_weight: float = Field(default=3.0, gt=0)
    lead_weight: float = Field(default=2.0, gt=0)
    body_weight: float = Field(default=1.0, gt=0)
    body_words_per_unit: int = Field(default=300, gt=0)
    body_length_exponent: float = Field(default=1.0, gt=0, le=1)
    repeat_limit: int = Field(default=3, gt=0)
    repeat_decay: float = Field(default=0.7, gt=0, le=1)
    theme_saturation: float = Field(default=4.0, gt=0)
    russia_saturation: float = Field(default=3.0, gt=0)
    asia_saturation: float = Field(default=3.0, gt=0)
    off_topic_saturation: float = Field(default=3.0, gt=0)
    russia_in_title_or_lead: float = Field(default=0.5, ge=0, le=1)
    passing_theme_factor: float = Field(default=0.5, ge=0, le=1)
    principal_strength: float = Field(default=0.5, ge=0, le=1)
    russia_sentence_boost: float = Field(default=1.0, ge=1)
    unanchored_theme_factor: float = Field(default=1.0, ge=0, le=1)
    stated_theme_score: float = Field(default=0.0, ge=0, le=1)
    stated_theme_terms: int = Field(default=1, gt=0)


class _TaxonomyModel(_Strict):
    version: str = Field(min_length=1)
    scoring: _ScoringModel = _ScoringModel()
    relevance: _RelevanceModel
    relations: list[_RelationWordsModel] = []
    themes: dict[str, _ThemeModel]
    entities: dict[str, _EntityModel]


@dataclass(frozen=True)
class TermGroup:
    """Terms that signal one thing with one weight; `entities` reuse those entities' aliases,
    `partners` make phrases of those entities' aliases with the relation words
    ("relations with Japan", "отношения с Японией"), and with `near` the group's terms
    count only in a sentence that also holds one of those words ("Far East" beside
    "investment")."""

    weight: float
    match: tuple[str, ...] = ()
    cased: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    near: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationWords:
    """Words that make the partner after them the subject of a relationship: a word, a
    linker, then the partner ("ties" "with" "Tokyo"). One set per language."""

    words: tuple[str, ...]
    linkers: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str
    terms: tuple[TermGroup, ...]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    kind: str
    anchor: str = "none"
    aliases: tuple[str, ...] = ()
    cased: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelevanceRules:
    russia: tuple[TermGroup, ...]
    asia: tuple[TermGroup, ...]
    off_topic: tuple[TermGroup, ...]


@dataclass(frozen=True)
class ScoringRules:
    title_weight: float
    lead_weight: float
    body_weight: float
    body_words_per_unit: int
    body_length_exponent: float
    repeat_limit: int
    repeat_decay: float
    theme_saturation: float
    russia_saturation: float
    asia_saturation: float
    off_topic_saturation: float
    russia_in_title_or_lead: float
    passing_theme_factor: float
    principal_strength: float
    russia_sentence_boost: float
    unanchored_theme_factor: float
    stated_theme_score: float
    stated_theme_terms: int


@dataclass
class Taxonomy:
    """Parsed and validated; `pipelines.tag.load_taxonomy` also compiles it once (`index`)."""

    version: str
    themes: list[Theme]
    entities: list[Entity]
    relevance: RelevanceRules
    scoring: ScoringRules
    source: str = "<memory>"
    relations: tuple[RelationWords, ...] = ()
    index: Any = field(default=None, repr=False, compare=False)


def read_taxonomy(path: str | Path) -> Taxonomy:
    """Read, validate and return the taxonomy in `path`; raise TaxonomyError naming the key."""
    source = str(path)
    model = _validate(_read_toml(Path(path), source), source)
    taxonomy = _build(model, source)
    _check_references(taxonomy, source)
    return taxonomy


def _read_toml(path: Path, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TaxonomyError(f"{source}: cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise TaxonomyError(f"{source}: not valid TOML: {error}") from error


def _validate(data: dict[str, object], source: str) -> _TaxonomyModel:
    try:
        return _TaxonomyModel.model_validate(data)
    except ValidationError as error:
        problems = [f"{key_path(item['loc'])}: {item['msg']}" for item in error.errors()]
        raise TaxonomyError(f"{source}: " + "; ".join(problems[:_MAX_PROBLEMS])) from error


def key_path(location: tuple[int | str, ...]) -> str:
    """('themes', 'energy', 'terms', 3) -> 'themes.energy.terms[3]'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _group(model: _TermGroupModel) -> TermGroup:
    return TermGroup(
        model.weight,
        tuple(model.match),
        tuple(model.cased),
        tuple(model.entities),
        tuple(model.partners),
        tuple(model.near),
    )


def _groups(models: list[_TermGroupModel]) -> tuple[TermGroup, ...]:
    return tuple(_group(model) for model in models)


def _build(model: _TaxonomyModel, source: str) -> Taxonomy:
    themes = [
        Theme(key, theme.label, theme.description, _groups(theme.terms), tuple(theme.requires))
        for key, theme in model.themes.items()
    ]
    entities = [
        Entity(key, e.name, e.kind, e.anchor, tuple(e.aliases), tuple(e.cased))
        for key, e in model.entities.items()
    ]
    relevance = model.relevance
    rules = RelevanceRules(
        _groups(relevance.russia), _groups(relevance.asia), _groups(relevance.off_topic)
    )
    scoring = ScoringRules(**model.scoring.model_dump())
    relations = tuple(
        RelationWords(tuple(words.words), tuple(words.linkers)) for words in model.relations
    )
    return Taxonomy(model.version, themes, entities, rules, scoring, source, relations)


def _check_references(taxonomy: Taxonomy, source: str) -> None:
    """Theme ids fixed, entity ids are slugs, references resolve, every term parses."""
    problems = _theme_id_problems(taxonomy) + _entity_problems(taxonomy)
    problems += _term_problems(taxonomy, {entity.id for entity in taxonomy.entities})
    if problems:
        raise TaxonomyError(f"{source}: " + "; ".join(problems[:_MAX_PROBLEMS]))


def _theme_id_problems(taxonomy: Taxonomy) -> list[str]:
    found = [theme.id for theme in taxonomy.themes]
    unknown = [f"themes.{key}: unknown theme id" for key in found if key not in THEME_IDS]
    missing = [f"themes.{key}: theme missing" for key in THEME_IDS if key not in found]
    return unknown + missing


def _entity_problems(taxonomy: Taxonomy) -> list[str]:
    return [
        f"entities.{entity.id}: id must be a lowercase slug"
        for entity in taxonomy.entities
        if not _SLUG.fullmatch(entity.id)
    ]


def _term_problems(taxonomy: Taxonomy, entity_ids: set[str]) -> list[str]:
    problems = []
    for prefix, groups in _all_groups(taxonomy):
        for number, group in enumerate(groups):
            problems += _group_problems(f"{prefix}[{number}]", group, entity_ids)
    for prefix, groups in _all_groups(taxonomy):
        if not prefix.startswith("relevance."):
            continue
        problems += [
            f"{prefix}[{number}].{key}: only theme terms can have {key}"
            for number, group in enumerate(groups)
            for key, value in (("near", group.near), ("partners", group.partners))
            if value
        ]
    for theme in taxonomy.themes:
        problems += [
            f"themes.{theme.id}.requires: unknown entity {key!r}"
            for key in theme.requires
            if key not in entity_ids
        ]
    for entity in taxonomy.entities:
        problems += _syntax_problems(f"entities.{entity.id}.aliases", entity.aliases)
        problems += _syntax_problems(f"entities.{entity.id}.cased", entity.cased)
    for number, relation in enumerate(taxonomy.relations):
        problems += _syntax_problems(f"relations[{number}].words", relation.words)
        problems += _syntax_problems(f"relations[{number}].linkers", relation.linkers)
    return problems


def _all_groups(taxonomy: Taxonomy) -> list[tuple[str, tuple[TermGroup, ...]]]:
    rules = taxonomy.relevance
    return [
        ("relevance.russia", rules.russia),
        ("relevance.asia", rules.asia),
        ("relevance.off_topic", rules.off_topic),
    ] + [(f"themes.{theme.id}.terms", theme.terms) for theme in taxonomy.themes]


def _group_problems(prefix: str, group: TermGroup, entity_ids: set[str]) -> list[str]:
    problems = [
        f"{prefix}.{field}: unknown entity {key!r}"
        for field, keys in (("entities", group.entities), ("partners", group.partners))
        for key in keys
        if key not in entity_ids
    ]
    if not (group.match or group.cased or group.entities or group.partners):
        problems.append(f"{prefix}: no terms (give match, cased, entities or partners)")
    problems += _syntax_problems(f"{prefix}.match", group.match)
    problems += _syntax_problems(f"{prefix}.near", group.near)
    return problems + _syntax_problems(f"{prefix}.cased", group.cased)


def _syntax_problems(prefix: str, terms: tuple[str, ...]) -> list[str]:
    problems = []
    for number, term in enumerate(terms):
        try:
            split_term(term)
        except TermSyntaxError as error:
            problems.append(f"{prefix}[{number}]: {error}")
    return problems
