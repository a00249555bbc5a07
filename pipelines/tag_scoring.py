"""Turn term hits into weighted evidence: relevance signals, theme scores, entity mentions.

Every hit is weighed by where it sits (title, lead, body). Body hits are divided by the
body's length in units of `body_words_per_unit` words, raised to `body_length_exponent`, so a
long article needs more mentions than a short one: density, not raw counts, decides (the
exponent below 1 because a long article also repeats its key words less often per word).
Each term counts at most `repeat_limit` times per theme or signal, so one repeated word
cannot carry a theme on its own. Theme evidence is also weighed by its distance from a
mention of Russia (see `pipelines.tag_context`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from pipelines.tag_context import (
    TITLE_UNIT,
    Units,
)
from pipelines.tag_index import ASIA, OFF_TOPIC, RUSSIA, TaxonomyIndex, TermRoles
from pipelines.tag_matcher import Hit
from pipelines.taxonomy import ScoringRules

TITLE, LEAD, BODY = "title", "lead", "body"
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LEAD_MAX_CHARS = 800
_CHARS_PER_WORD = 6
STRONG_TERM = 2.0
DECISIVE_TERM = 3.0


class Placed(NamedTuple):
    """A hit with its zone and the text it was found in."""

    start: int
    end: int
    zone: str
    surface: str


@dataclass
class Tally:
    """Weighted evidence gathered from one article."""

    signals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    up_front: set[str] = field(default_factory=set)
    themes: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    theme_evidence: dict[int, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    mentions: dict[int, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    repeats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    anchored: set[int] = field(default_factory=set)
    stated: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


def lead_end(text: str) -> int:
    """End of the first paragraph: the first blank line, else the first line break, capped."""
    blank = _BLANK_LINE.search(text, 0, _LEAD_MAX_CHARS + 2)
    if blank:
        return blank.start()
    newline = text.find("\n", 0, _LEAD_MAX_CHARS)
    if newline > 0:
        return newline
    space = text.rfind(" ", 0, _LEAD_MAX_CHARS)
    return len(text) if len(text) <= _LEAD_MAX_CHARS or space < 0 else space


def zone_weights(rules: ScoringRules, text: str, boundary: int) -> dict[str, float]:
    body_words = (len(text) - boundary) / _CHARS_PER_WORD
    units = max(1.0, body_words / rules.body_words_per_unit) ** rules.body_length_exponent
    return {TITLE: rules.title_weight, LEAD: rules.lead_weight, BODY: rules.body_weight / units}


def tally_hits(
    index: TaxonomyIndex,
    rules: ScoringRules,
    placed_hits: list[tuple[Hit, Placed]],
    weights: dict[str, float],
    units: Units,
) -> Tally:
    tally = Tally()
    roles = [index.merged_roles(hit.terms) for hit, _ in placed_hits]
    in_title = sum(place.zone == TITLE for _, place in placed_hits)
    keys = [TITLE_UNIT] * in_title
    keys += units.keys([place.start for _, place in placed_hits[in_title:]])
    sentences, paragraphs = _russian_units(roles, keys)
    for role, (_, place), (sentence, paragraph) in zip(roles, placed_hits, keys, strict=True):
        # Inlined rather than looked up: this loop runs for every hit of every article.
        if sentence in sentences:
            factor = rules.russia_sentence_boost
            if role.themes:
                _note_stated(tally, role, place.surface.lower())
        elif paragraph in paragraphs:
            factor = 1.0
        else:
            factor = rules.unanchored_theme_factor
        _count(tally, role, place, weights[place.zone], rules, factor)
        if role.entities and paragraph in paragraphs:
            tally.anchored.update(role.entities)
    return tally


def _russian_units(
    roles: list[TermRoles], keys: list[tuple[int, int]]
) -> tuple[set[int], set[int]]:
    """The sentences and paragraphs that name Russia (or a Russian actor)."""
    sentences, paragraphs = set(), set()
    for role, (sentence, paragraph) in zip(roles, keys, strict=True):
        if RUSSIA in role.signals:
            sentences.add(sentence)
            paragraphs.add(paragraph)
    return sentences, paragraphs


def _note_stated(tally: Tally, roles: TermRoles, surface: str) -> None:
    """Decisive terms said in a sentence that names Russia: the theme is stated outright."""
    for theme, theme_weight in roles.themes.items():
        if theme_weight >= DECISIVE_TERM:
            tally.stated[theme].add(surface)


def _count(
    tally: Tally,
    roles: TermRoles,
    place: Placed,
    weight: float,
    rules: ScoringRules,
    theme_factor: float,
) -> None:
    weight *= _repeat_factor(tally, place.surface.lower(), rules)
    for entity in roles.entities:
        tally.mentions[entity].append(place)
    for signal, signal_weight in roles.signals.items():
        tally.signals[signal] += signal_weight * weight
        if place.zone != BODY:
            tally.up_front.add(signal)
    for theme, theme_weight in roles.themes.items():
        tally.theme_evidence[theme].append(place)
        # Only a decisive term is boosted beside Russia: "trade" or "military" sit beside
        # Russia in almost every sentence of these articles and say little on their own.
        factor = theme_factor if theme_factor <= 1.0 or theme_weight >= STRONG_TERM else 1.0
        tally.themes[theme] += theme_weight * weight * factor


def _repeat_factor(tally: Tally, key: str, rules: ScoringRules) -> float:
    """Each repeat of the same word counts less, and after `repeat_limit` not at all."""
    tally.repeats[key] += 1
    seen = tally.repeats[key]
    return rules.repeat_decay ** (seen - 1) if seen <= rules.repeat_limit else 0.0


def saturate(raw: float, saturation: float) -> float:
    """Map a non-negative sum of weights onto 0..1; `saturation` gives 0.63."""
    return 1.0 - math.exp(-raw / saturation)


def russia_strength(tally: Tally, rules: ScoringRules) -> float:
    """How much Russia is a principal subject; weaker when absent from title and lead."""
    strength = saturate(tally.signals[RUSSIA], rules.russia_saturation)
    if RUSSIA not in tally.up_front:
        strength *= rules.russia_in_title_or_lead
    return strength


def relevance_score(tally: Tally, rules: ScoringRules) -> float:
    asia = saturate(tally.signals[ASIA], rules.asia_saturation)
    off_topic = saturate(tally.signals[OFF_TOPIC], rules.off_topic_saturation)
    return round(russia_strength(tally, rules) * asia * (1.0 - off_topic), 4)


def theme_context(tally: Tally, rules: ScoringRules) -> float:
    """Themes describe Russia's role in Asia: without Russia or Asia no theme, with only a
    passing mention of either a discount, and sport or company news discounts them too."""
    russia = russia_strength(tally, rules)
    asia = saturate(tally.signals[ASIA], rules.asia_saturation)
    if russia == 0.0 or asia == 0.0:
        return 0.0
    off_topic = saturate(tally.signals[OFF_TOPIC], rules.off_topic_saturation)
    passing = min(russia, asia) < rules.principal_strength
    return (rules.passing_theme_factor if passing else 1.0) * (1.0 - off_topic)


def theme_scores(tally: Tally, index: TaxonomyIndex, rules: ScoringRules) -> dict[int, float]:
    context = theme_context(tally, rules)
    if context == 0.0:
        return {}
    # A partner named only where Russia is not does not make a bilateral theme.
    mentioned = tally.anchored
    scores = {
        theme: round(saturate(raw * context, rules.theme_saturation), 4)
        for theme, raw in tally.themes.items()
        if not index.theme_requires[theme] or index.theme_requires[theme] & mentioned
    }
    if context == 1.0 and rules.stated_theme_score:
        for theme in scores.keys() & tally.stated.keys():
            if len(tally.stated[theme]) >= rules.stated_theme_terms:
                scores[theme] = max(scores[theme], rules.stated_theme_score)
    return scores
