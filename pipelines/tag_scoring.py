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

from pipelines.tag_context import unit_keys
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
    repeats: dict[str, int] = field(default_factory=dict)
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


class Sourced(NamedTuple):
    """The hits found in one source (title or text); `boundary` ends the text's lead."""

    source: str
    hits: list[Hit]
    boundary: int = 0


def tally_hits(
    index: TaxonomyIndex,
    rules: ScoringRules,
    title: Sourced,
    text: Sourced,
    weights: dict[str, float],
) -> Tally:
    """Weigh the title's hits, then the text's (their order fixes the sums to the last bit)."""
    roles_of = index.merged_roles
    title_roles = [roles_of(hit.terms) for hit in title.hits]
    text_roles = [roles_of(hit.terms) for hit in text.hits]
    counter = _Counter(rules, weights)
    counter.count_title(title, title_roles)
    russian = [number for number, role in enumerate(text_roles) if RUSSIA in role.signals]
    if russian:
        counter.count_text(text, text_roles, russian)
    else:
        # No sentence of the text names Russia: every hit there is context, and no sentence
        # or paragraph needs numbering.
        counter.count_unanchored(text, text_roles)
    return counter.tally


class _Counter:
    """Adds hits to a tally; theme factors depend on the distance from Russia."""

    def __init__(self, rules: ScoringRules, weights: dict[str, float]) -> None:
        self.tally = Tally()
        self.weights = weights
        self.near = rules.russia_sentence_boost
        self.far = rules.unanchored_theme_factor
        self.decay, self.limit = rules.repeat_decay, rules.repeat_limit

    def count_title(self, title: Sourced, roles: list[TermRoles]) -> None:
        """The title is one sentence and one paragraph."""
        russian = any(RUSSIA in role.signals for role in roles)
        factor = self.near if russian else self.far
        for hit, role in zip(title.hits, roles, strict=True):
            self.count(role, hit, title.source, TITLE, factor, russian)
            if role.entities and russian:
                self.tally.anchored.update(role.entities)

    def count_unanchored(self, text: Sourced, roles: list[TermRoles]) -> None:
        for hit, role in zip(text.hits, roles, strict=True):
            zone = LEAD if hit.start < text.boundary else BODY
            self.count(role, hit, text.source, zone, self.far, False)

    def count_text(self, text: Sourced, roles: list[TermRoles], russian: list[int]) -> None:
        keys = unit_keys(text.source, [hit.start for hit in text.hits])
        sentences = {keys[number][0] for number in russian}
        paragraphs = {keys[number][1] for number in russian}
        anchored = self.tally.anchored
        for hit, role, (sentence, paragraph) in zip(text.hits, roles, keys, strict=True):
            zone = LEAD if hit.start < text.boundary else BODY
            in_paragraph = paragraph in paragraphs
            if sentence in sentences:
                self.count(role, hit, text.source, zone, self.near, True)
            else:
                factor = 1.0 if in_paragraph else self.far
                self.count(role, hit, text.source, zone, factor, False)
            if role.entities and in_paragraph:
                anchored.update(role.entities)

    def count(
        self, roles: TermRoles, hit: Hit, source: str, zone: str, factor: float, stated: bool
    ) -> None:
        """Add one hit; `stated`: it sits in a sentence that names Russia."""
        tally = self.tally
        surface = source[hit.start : hit.end]
        key = surface.lower()
        # Each repeat of the same word counts less, and after `repeat_limit` not at all.
        seen = tally.repeats.get(key, 0) + 1
        tally.repeats[key] = seen
        weight = self.weights[zone] * (self.decay ** (seen - 1) if seen <= self.limit else 0.0)
        if roles.signals:
            self._add_signals(roles.signals, weight, zone)
        if roles.entities or roles.themes:
            place = Placed(hit.start, hit.end, zone, surface)
            for entity in roles.entities:
                tally.mentions[entity].append(place)
            if roles.themes:
                self._add_themes(roles.themes, place, weight, factor, key if stated else None)

    def _add_signals(self, signals: dict[str, float], weight: float, zone: str) -> None:
        totals = self.tally.signals
        for signal, signal_weight in signals.items():
            totals[signal] += signal_weight * weight
        if zone != BODY:
            self.tally.up_front.update(signals)

    def _add_themes(
        self, themes: dict[int, float], place: Placed, weight: float, factor: float, key: str | None
    ) -> None:
        """`key`: the hit's word when it sits in a sentence that names Russia."""
        tally = self.tally
        for theme, theme_weight in themes.items():
            tally.theme_evidence[theme].append(place)
            # Only a strong term is boosted beside Russia: "trade" or "military" sit beside
            # Russia in almost every sentence of these articles and say little on their own.
            boost = factor if factor <= 1.0 or theme_weight >= STRONG_TERM else 1.0
            tally.themes[theme] += theme_weight * weight * boost
            if key is not None and theme_weight >= DECISIVE_TERM:
                # A decisive term in a sentence that names Russia: the theme is stated.
                tally.stated[theme].add(key)


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
