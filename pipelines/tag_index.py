"""Compile a taxonomy into one matcher plus, for every term, what a match of it counts towards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pipelines.tag_matcher import Hit, TermMatcher
from pipelines.taxonomy import Taxonomy, TermGroup

RUSSIA, ASIA, OFF_TOPIC = "russia", "asia", "off_topic"
_PAYLOAD = itemgetter(4)  # of a Hit
_ANCHOR_SIGNALS = {"russia": (RUSSIA,), "asia": (ASIA,), "russia-asia": (RUSSIA, ASIA)}


# A theme's term group with `near` words: (theme number, group number).
WordSet = tuple[int, int]


@dataclass
class TermRoles:
    """What one matched term counts towards."""

    entities: list[int] = field(default_factory=list)
    themes: dict[int, float] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)
    # the partner a relation phrase names ("ties with Tokyo": Tokyo), else -1
    partner: int = -1
    # opens a relation phrase: a relation word and its linker ("ties with")
    lead: bool = False
    # theme -> (weight, word set) of weights that hold only beside a word of that set
    conditional: dict[int, list[tuple[float, WordSet]]] = field(default_factory=dict)
    # the word sets this term belongs to
    near: frozenset[WordSet] = frozenset()
    # set by `settle`: whether a match counts for anything itself, beyond helping other
    # terms, and whether it takes part in a relation phrase or a condition (checked per
    # hit, so kept as plain attributes rather than computed)
    counts: bool = True
    special: bool = False
    # also set by `settle`, for the loop that adds up every hit of every article: the
    # weights as tuples, whether the term names Russia, and whether it names another
    # entity or signals a theme
    signal_items: tuple[tuple[str, float], ...] = ()
    theme_items: tuple[tuple[int, float], ...] = ()
    russian: bool = False
    named: bool = False
    telling: bool = False
    # what the loop reads of every hit, in one tuple: (signal_items, telling, named,
    # partner, entities, theme_items)
    plan: tuple[Any, ...] = ((), False, False, -1, (), ())

    def settle(self) -> TermRoles:
        self.counts = bool(self.signals or self.entities or self.themes or self.conditional)
        self.special = bool(self.lead or self.conditional or self.near)
        self.signal_items = tuple(self.signals.items())
        self.theme_items = tuple(self.themes.items())
        self.russian = RUSSIA in self.signals
        self.named = bool(self.entities) and not self.russian
        self.telling = bool(self.entities or self.themes)
        self.plan = (
            self.signal_items,
            self.telling,
            self.named,
            self.partner,
            self.entities,
            self.theme_items,
        )
        return self


@dataclass
class TaxonomyIndex:
    matcher: TermMatcher
    roles: dict[int, TermRoles]
    theme_requires: list[frozenset[int]]
    # entity -> the themes, with weights, of a relation phrase that names it as the partner
    partner_themes: dict[int, dict[int, float]] = field(default_factory=dict)
    _merged: dict[tuple[int, ...], TermRoles] = field(default_factory=dict)
    _met: dict[tuple[int, frozenset[WordSet]], TermRoles] = field(default_factory=dict)
    _related: dict[tuple[int, int, int], TermRoles] = field(default_factory=dict)

    def roles_of(self, hits: list[Hit]) -> list[TermRoles]:
        """The roles of every hit, in order: the matcher gives each hit its roles."""
        return list(map(_PAYLOAD, hits))

    def met_roles(self, role: TermRoles, words: frozenset[WordSet]) -> TermRoles:
        """`role` with the conditional weights whose words are in its sentence added."""
        key = (id(role), words)
        if key not in self._met:
            met = TermRoles(role.entities, dict(role.themes), role.signals, role.partner)
            for theme, conditions in role.conditional.items():
                for weight, word_set in conditions:
                    if word_set in words:
                        _raise_to(met.themes, theme, weight)
            self._met[key] = met.settle()
        return self._met[key]

    def partner_in(self, role: TermRoles) -> int:
        """The first entity of `role` that some theme takes as a partner, else -1."""
        for entity in role.entities:
            if entity in self.partner_themes:
                return entity
        return -1

    def related_roles(self, lead: TermRoles, name: TermRoles, partner: int) -> TermRoles:
        """Roles of a relation phrase: its words', its name's, and the partner's themes."""
        key = (id(lead), id(name), partner)
        if key not in self._related:
            related = _merge([TermRoles(signals=lead.signals), name])
            for theme, weight in self.partner_themes[partner].items():
                _raise_to(related.themes, theme, weight)
            related.partner = partner
            self._related[key] = related.settle()
        return self._related[key]

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
        merged.partner = max(merged.partner, role.partner)
        merged.lead = merged.lead or role.lead
        merged.near |= role.near
        for theme, conditions in role.conditional.items():
            merged.conditional.setdefault(theme, []).extend(conditions)
        for theme, weight in role.themes.items():
            _raise_to(merged.themes, theme, weight)
        for signal, weight in role.signals.items():
            _raise_to(merged.signals, signal, weight)
    return merged.settle()


def build_index(taxonomy: Taxonomy) -> TaxonomyIndex:
    matcher = TermMatcher()
    roles: dict[int, TermRoles] = defaultdict(TermRoles)
    entity_terms = _register_entities(taxonomy, matcher, roles)
    _register_leads(taxonomy, matcher, roles)
    partner_themes: dict[int, dict[int, float]] = defaultdict(dict)
    position = {entity.id: number for number, entity in enumerate(taxonomy.entities)}
    for signal, groups in _signal_groups(taxonomy):
        for group in groups:
            for term in _group_terms(group, matcher, entity_terms):
                _raise_to(roles[term].signals, signal, group.weight)
    for number, theme in enumerate(taxonomy.themes):
        for place, group in enumerate(theme.terms):
            terms = _group_terms(group, matcher, entity_terms)
            for key in group.partners:
                _raise_to(partner_themes[position[key]], number, group.weight)
            if group.near:
                _add_conditions((number, place), group, terms, matcher, roles)
                continue
            for term in terms:
                _raise_to(roles[term].themes, number, group.weight)
    matcher.compile()
    _inherit_word_signals(matcher, roles)
    for role in roles.values():
        role.settle()
    index = TaxonomyIndex(matcher, dict(roles), _requirements(taxonomy), dict(partner_themes))
    matcher.describe_with(index.merged_roles)
    return index


def _add_conditions(
    word_set: WordSet,
    group: TermGroup,
    terms: list[int],
    matcher: TermMatcher,
    roles: dict[int, TermRoles],
) -> None:
    """The group's terms count for its theme only in a sentence holding one of `group.near`."""
    theme = word_set[0]
    for word in group.near:
        term = matcher.add(word)
        roles[term].near = roles[term].near | {word_set}
    for term in terms:
        roles[term].conditional.setdefault(theme, []).append((group.weight, word_set))


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
            for terms, *_ in words.find(term.replace("*", "")):
                for word in terms:
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


def _register_leads(taxonomy: Taxonomy, matcher: TermMatcher, roles: dict[int, TermRoles]) -> None:
    """Relation words with their linkers ("ties with"): a name right after one of them is
    joined to it while tagging (see `pipelines.tag_scoring`), so the phrases are not spelled
    out here for every alias of every partner."""
    for relation in taxonomy.relations:
        for word in relation.words:
            for linker in relation.linkers:
                roles[matcher.add(f"{word} {linker}")].lead = True


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
