"""Tagging stage: relevance to Russia in Asia, themes and entities, each with its evidence.

    taxonomy = load_taxonomy("config/themes.toml")
    result = Tagger(taxonomy).tag(text, title=title)
    result.to_json()

The text is the body; its first paragraph (up to the first blank line) is the lead. Title and
lead weigh more than the body. Evidence offsets index `text` as given; evidence found in the
title carries `in_title` (``"in": "title"`` in JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pipelines.entities import EntityTag, Evidence, Place, entity_tags, evidence_json, named
from pipelines.tag_index import build_index
from pipelines.tag_scoring import (
    Sourced,
    Tally,
    lead_end,
    relevance_score,
    tally_hits,
    theme_scores,
    zone_weights,
)
from pipelines.taxonomy import Entity, Taxonomy, TaxonomyError, Theme, read_taxonomy

__all__ = [
    "Entity",
    "EntityTag",
    "Evidence",
    "TagResult",
    "TagValues",
    "Tagger",
    "Tags",
    "Taxonomy",
    "TaxonomyError",
    "Theme",
    "ThemeTag",
    "load_taxonomy",
]

DEFAULT_THEME_THRESHOLD = 0.5

# theme or entity id -> (score or mentions, evidence JSON), as stored
TagValues = dict[str, tuple[float | int, str]]


class Tags(NamedTuple):
    """An article's tags by number in the taxonomy, thresholds applied."""

    relevance: float
    relevant: bool
    themes: dict[int, tuple[float, list[Place]]]  # theme -> (score, evidence)
    entities: dict[int, list[Place]]  # entity -> its mentions
    # every theme with evidence, above its threshold or not: a change of weights or
    # thresholds moves scores and crosses thresholds, but leaves this as it was
    evidence: dict[int, list[Place]]


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and validate the taxonomy file, and compile its matcher once."""
    taxonomy = read_taxonomy(path)
    taxonomy.index = build_index(taxonomy)
    return taxonomy


@dataclass
class ThemeTag:
    id: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        evidence = [item.to_json() for item in self.evidence]
        return {"id": self.id, "score": self.score, "evidence": evidence}


@dataclass
class TagResult:
    relevance: float
    relevant: bool
    themes: list[ThemeTag] = field(default_factory=list)
    entities: list[EntityTag] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "relevance": self.relevance,
            "relevant": self.relevant,
            "themes": [theme.to_json() for theme in self.themes],
            "entities": [entity.to_json() for entity in self.entities],
        }


class Tagger:
    """Tags one article at a time; holds nothing but the compiled taxonomy and thresholds."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        relevance_threshold: float = 0.5,
        theme_threshold: float = DEFAULT_THEME_THRESHOLD,
    ) -> None:
        if taxonomy.index is None:
            taxonomy.index = build_index(taxonomy)
        self.taxonomy = taxonomy
        self.relevance_threshold = relevance_threshold
        self.theme_threshold = theme_threshold

    def tag(self, text: str, title: str | None = None) -> TagResult:
        return self.result(self.scored(text, title))

    def scored(self, text: str, title: str | None = None) -> Tags:
        """The tags of `tag(text, title)` by theme and entity number, before the objects of
        the result are built: what re-tagging an archive compares with what is stored."""
        relevance, scores, tally = self._score(text, title or "")
        evidence = tally.theme_evidence
        themes = {
            number: (score, evidence[number])
            for number, score in scores.items()
            if score >= self.theme_threshold
        }
        relevant = relevance >= self.relevance_threshold
        return Tags(relevance, relevant, themes, tally.mentions, tally.theme_evidence)

    def result(self, tags: Tags) -> TagResult:
        """The tag result: themes by score, entities by mentions."""
        themes = self.taxonomy.themes
        theme_tags = [
            ThemeTag(themes[number].id, score, named(places))
            for number, (score, places) in tags.themes.items()
        ]
        theme_tags.sort(key=lambda tag: (-tag.score, tag.id))
        entities = entity_tags(self.taxonomy.entities, tags.entities)
        return TagResult(tags.relevance, tags.relevant, theme_tags, entities)

    def theme_rows(self, tags: Tags) -> TagValues:
        """What storing these tags writes to `article_themes`: (score, evidence JSON) by id."""
        themes = self.taxonomy.themes
        return {
            themes[number].id: (round(score, 4), evidence_json(evidence))
            for number, (score, evidence) in tags.themes.items()
        }

    def entity_rows(self, tags: Tags) -> TagValues:
        """What storing these tags writes to `article_entities`: (mentions, evidence JSON)."""
        entities = self.taxonomy.entities
        return {
            entities[number].id: (len(places), evidence_json(places))
            for number, places in tags.entities.items()
        }

    def _score(self, text: str, title: str) -> tuple[float, dict[int, float], Tally]:
        """The relevance, every theme's score (thresholds not applied) and the evidence."""
        rules, index = self.taxonomy.scoring, self.taxonomy.index
        boundary = lead_end(text)
        weights = zone_weights(rules, text, boundary)
        title_hits = Sourced(title, index.matcher.find(title))
        text_hits = Sourced(text, index.matcher.find(text), boundary)
        tally = tally_hits(index, rules, title_hits, text_hits, weights)
        return relevance_score(tally, rules), theme_scores(tally, index, rules), tally
