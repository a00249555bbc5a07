"""Compile a taxonomy into one matcher plus, for every term, what a match of it counts towards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pipelines.tag_matcher import Hit, TermMatcher
from pipelines.taxonomy import Taxonomy, TermGroup

RUSSIA, ASIA, OFF_TOPIC = "russia", "asia", "off_topic"
_ANCHOR_SIGNALS = {"russia": (RUSSIA,), "asia": (ASIA,), "russia-asia": (RUSSIA, ASIA)}


@dataclass
class TermRoles:
    """What one matched term counts towards."""

    entities: list[int] = field(default_factory=list)
    themes: dict[int, float] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)


@dataclass
class TaxonomyIndex:
    matcher: TermMatcher
    roles: dict[int, TermRoles]
    theme_requires: list[frozenset[int]]
    _merged: dict[tuple[int, ...], TermRoles] = field(default_factory=dict)

    def roles_of(self, hits: list[Hit]) -> list[TermRoles]:
        """The roles of every hit, in order."""
        merged, merge = self._merged, self.merged_roles
        return [merged.get(hit.terms) or merge(hit.terms) for hit in hits]

    def merged_roles(self, terms: tuple[int, ...]) -> TermRoles:
        """Roles of a span matched by several terms at once: the highest weight of each."""
        if terms not in self._merged:
            self._merged[terms] = _merge([self.roles.get(term, TermRoles()) for term in terms])
        return self._merged[terms]


def _merge(roles: list[TermRoles]) -> TermRoles:
    if len(roles) == 1:
        return roles[0]
    merged = TermRoles()
    for role in roles:
        merged.entities += [entity for entity in role.entities if entity not in merged.entities]
        for theme, weight in role.themes.items():
            _raise_to(merged.themes, theme, weight)
        for signal, weight in role.signals.items():
            _raise_to(merged.signals, signal, weight)
    return merged


def build_index(taxonomy: Taxonomy) -> TaxonomyIndex:
    matcher = TermMatcher()
    roles: dict[int, TermRoles] = defaultdict(TermRoles)
    entity_terms = _register_entities(taxonomy, matcher, roles)
    for signal, groups in _signal_groups(taxonomy):
        for group in groups:
            for term in _group_terms(group, matcher, entity_terms):
                _raise_to(roles[term].signals, signal, group.weight)
    for number, theme in enumerate(taxonomy.themes):
        for group in theme.terms:
            for term in _group_terms(group, matcher, entity_terms):
                _raise_to(roles[term].themes, number, group.weight)
    matcher.compile()
    _inherit_word_signals(matcher, roles)
    return TaxonomyIndex(matcher, dict(roles), _requirements(taxonomy))


def _inherit_word_signals(matcher: TermMatcher, roles: dict[int, TermRoles]) -> None:
    """A phrase hides the words inside it ("Russia's Far East" hides "Russia"): let a phrase
    carry the relevance signals of the single words it contains, so anchors are never lost."""
    words = TermMatcher()
    numbers = {}
    for term, number in matcher.terms():
        if not any(mark in term for mark in " -") and roles[number].signals:
            numbers[words.add(term, case_sensitive=False)] = number
    words.compile()
    for term, number in matcher.terms():
        if any(mark in term for mark in " -"):
            for hit in words.find(term.replace("*", "")):
                for word in hit.terms:
                    for signal, weight in roles[numbers[word]].signals.items():
                        _raise_to(roles[number].signals, signal, weight)


def _raise_to(weights: dict, key: object, weight: float) -> None:
    """A term listed twice for one purpose keeps its highest weight."""
    weights[key] = max(weights.get(key, 0.0), weight)


def _register_entities(
    taxonomy: Taxonomy, matcher: TermMatcher, roles: dict[int, TermRoles]
) -> dict[str, list[int]]:
    entity_terms: dict[str, list[int]] = {}
    for number, entity in enumerate(taxonomy.entities):
        terms = [matcher.add(alias) for alias in (entity.name, *entity.aliases)]
        terms += [matcher.add(alias, case_sensitive=True) for alias in entity.cased]
        entity_terms[entity.id] = terms
        for term in terms:
            if number not in roles[term].entities:
                roles[term].entities.append(number)
            for signal in _ANCHOR_SIGNALS.get(entity.anchor, ()):
                _raise_to(roles[term].signals, signal, 1.0)
    return entity_terms


def _signal_groups(taxonomy: Taxonomy) -> list[tuple[str, tuple[TermGroup, ...]]]:
    rules = taxonomy.relevance
    return [(RUSSIA, rules.russia), (ASIA, rules.asia), (OFF_TOPIC, rules.off_topic)]


def _group_terms(
    group: TermGroup, matcher: TermMatcher, entity_terms: dict[str, list[int]]
) -> list[int]:
    terms = [matcher.add(term) for term in group.match]
    terms += [matcher.add(term, case_sensitive=True) for term in group.cased]
    for entity_id in group.entities:
        terms += entity_terms[entity_id]
    return terms


def _requirements(taxonomy: Taxonomy) -> list[frozenset[int]]:
    position = {entity.id: number for number, entity in enumerate(taxonomy.entities)}
    return [frozenset(position[key] for key in theme.requires) for theme in taxonomy.themes]
