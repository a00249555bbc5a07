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
from collections.abc import Hashable
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, itemgetter
from typing import NamedTuple

from pipelines.entities import Place
from pipelines.tag_context import Units, sentence_numbers
from pipelines.tag_index import ASIA, OFF_TOPIC, RUSSIA, TaxonomyIndex, TermRoles, WordSet
from pipelines.tag_matcher import Hit
from pipelines.taxonomy import ScoringRules

TITLE, LEAD, BODY = "title", "lead", "body"
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LEAD_MAX_CHARS = 800
_CHARS_PER_WORD = 6
_LIST_GAP_MAX = 8  # a joint between names in a list is short: ", ", " and ", ", and "
_LIST_GAP = re.compile(r"\s*,\s*(?:(?:and|or|и|или)\s+)?|\s+(?:and|or|и|или)\s+", re.IGNORECASE)
STRONG_TERM = 2.0
DECISIVE_TERM = 3.0


# A theme term said in a sentence that names Russia: (surface as written, sentence number,
# weight, the entity a relation phrase names or -1). A plain tuple, like `Place`: one is
# made for most hits, and a named tuple costs a call to make.
Statement = tuple[str, int, float, int]


@dataclass
class Tally:
    """Weighted evidence gathered from one article."""

    signals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    up_front: set[str] = field(default_factory=set)
    themes: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    theme_evidence: dict[int, list[Place]] = field(default_factory=lambda: defaultdict(list))
    mentions: dict[int, list[Place]] = field(default_factory=lambda: defaultdict(list))
    repeats: dict[Hashable, int] = field(default_factory=dict)
    anchored: set[int] = field(default_factory=set)
    # theme -> the theme's terms said in sentences that name Russia
    stated: dict[int, list[Statement]] = field(default_factory=lambda: defaultdict(list))


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


_NAMES_RUSSIA = attrgetter("russian")
_SPECIAL = attrgetter("special")
_LEADS = attrgetter("lead")
_NEAR = attrgetter("near")
_COUNTS = attrgetter("counts")
_START = itemgetter(1)


def tally_hits(
    index: TaxonomyIndex,
    rules: ScoringRules,
    title: Sourced,
    text: Sourced,
    weights: dict[str, float],
) -> Tally:
    """Weigh the title's hits, then the text's (their order fixes the sums to the last bit)."""
    # The title is one sentence and one paragraph.
    one_unit = Units([], [])
    title, title_roles, _ = _read_phrases(index, title, index.roles_of(title.hits), one_unit)
    text, text_roles, units = _read_phrases(index, text, index.roles_of(text.hits), None)
    near, far = rules.russia_sentence_boost, rules.unanchored_theme_factor
    russian = any(map(_NAMES_RUSSIA, title_roles))
    title_kind = (near, TITLE_SENTENCE, True) if russian else (far, None, False)
    tally = Tally()
    in_title = [0] * len(title_roles)
    _add_hits(tally, rules, weights, title, title_roles, (in_title, [title_kind]), _ALL_TITLE)
    sentences = _sentence_kinds(text, text_roles, near, far, units)
    _add_hits(tally, rules, weights, text, text_roles, sentences, (LEAD, text.boundary))
    return tally


def _read_phrases(
    index: TaxonomyIndex, sourced: Sourced, roles: list[TermRoles], units: Units | None
) -> tuple[Sourced, list[TermRoles], Units | None]:
    """Join relation phrases, weigh terms by the words beside them, drop helper words; most
    texts have none of these, and one scan of the roles lets them skip all three steps."""
    if not any(map(_SPECIAL, roles)):
        return sourced, roles, units
    sourced, roles = _join_relations(index, sourced, roles)
    roles, units = _meet_conditions(index, sourced, roles, units)
    return _drop_helpers(sourced, roles, units)


_RELATION_GAP_MAX = 3  # between "ties with" and the name: a space or two


def _join_relations(
    index: TaxonomyIndex, sourced: Sourced, roles: list[TermRoles]
) -> tuple[Sourced, list[TermRoles]]:
    """Join each relation word and linker ("ties with") to a partner's name right after it
    ("Tokyo") into one hit, "ties with Tokyo", that counts for the partner's theme."""
    if not any(map(_LEADS, roles)):
        return sourced, roles
    source, hits = sourced.source, sourced.hits
    joined_hits: list[Hit] = []
    joined_roles: list[TermRoles] = []
    skip = False
    for number, (hit, role) in enumerate(zip(hits, roles, strict=True)):
        if skip:
            skip = False
            continue
        if role.lead and number + 1 < len(hits):
            terms, start, end, key, _ = hit
            name_terms, name_start, name_end, name_key, _ = hits[number + 1]
            partner = index.partner_in(roles[number + 1])
            gap = source[end:name_start]
            if partner >= 0 and len(gap) <= _RELATION_GAP_MAX and not gap.strip():
                related = index.related_roles(role, roles[number + 1], partner)
                joined = (terms + name_terms, start, name_end, (key, name_key), related)
                joined_hits.append(joined)
                joined_roles.append(related)
                skip = True
                continue
        joined_hits.append(hit)
        joined_roles.append(role)
    return sourced._replace(hits=joined_hits), joined_roles


def _drop_helpers(
    sourced: Sourced, roles: list[TermRoles], units: Units | None
) -> tuple[Sourced, list[TermRoles], Units | None]:
    """Drop the hits of words that only helped other terms ("investment" beside "Far
    East", "ties with" before a name): they count for nothing themselves, and common words
    among them would make every later step walk through many more hits."""
    if all(map(_COUNTS, roles)):
        return sourced, roles, units
    keep = [number for number, role in enumerate(roles) if role.counts]
    hits = [sourced.hits[number] for number in keep]
    if units is not None and units.sentence_of:
        units = units._replace(sentence_of=[units.sentence_of[number] for number in keep])
    return sourced._replace(hits=hits), [roles[number] for number in keep], units


def _meet_conditions(
    index: TaxonomyIndex, sourced: Sourced, roles: list[TermRoles], units: Units | None
) -> tuple[list[TermRoles], Units | None]:
    """Give terms that count only beside certain words ("Far East" beside "investment")
    their weight where such a word shares their sentence. Returns the roles and the hits'
    `Units` if they had to be found (else `units` as given)."""
    if not any(map(_NEAR, roles)):
        return roles, units
    waiting = [number for number, role in enumerate(roles) if role.conditional]
    if not waiting:
        return roles, units
    if units is None:
        units = sentence_numbers(sourced.source, list(map(_START, sourced.hits)))
    sentence_of = units.sentence_of or [0] * len(roles)
    words: dict[int, frozenset[WordSet]] = defaultdict(frozenset)
    for role, sentence in zip(roles, sentence_of, strict=True):
        if role.near:
            words[sentence] |= role.near
    met = list(roles)
    for number in waiting:
        nearby = words.get(sentence_of[number])
        if nearby:
            met[number] = index.met_roles(roles[number], nearby)
    return met, units


# How to count the hits of one sentence: (theme factor, the number of the sentence if it
# names Russia (else None), whether its paragraph names Russia).
Kind = tuple[float, int | None, bool]
TITLE_SENTENCE = -1
# The first zone of a source, and where it ends: the title is all title.
_ALL_TITLE = (TITLE, math.inf)


def _sentence_kinds(
    text: Sourced, roles: list[TermRoles], near: float, far: float, units: Units | None
) -> tuple[list[int], list[Kind]]:
    """The sentence number of each hit, and how to count the hits of each sentence."""
    hits = text.hits
    russian = list(map(_NAMES_RUSSIA, roles))
    if not any(russian):
        # No sentence of the text names Russia: every hit there is context, and no sentence
        # or paragraph needs numbering.
        return [0] * len(hits), [(far, None, False)]
    sentence_of, paragraph_of = units or sentence_numbers(text.source, list(map(_START, hits)))
    sentences = set(compress(sentence_of, russian))
    paragraphs = {paragraph_of[sentence] for sentence in sentences}
    # Worked out per sentence rather than per hit: a text has fewer sentences than hits.
    kinds: list[Kind] = [
        (near, sentence, True)
        if sentence in sentences
        else (1.0, None, True)
        if paragraph in paragraphs
        else (far, None, False)
        for sentence, paragraph in enumerate(paragraph_of)
    ]
    return sentence_of, kinds


def _add_hits(
    tally: Tally,
    rules: ScoringRules,
    weights: dict[str, float],
    sourced: Sourced,
    roles: list[TermRoles],
    sentences: tuple[list[int], list[Kind]],
    first_zone: tuple[str, float],
) -> None:
    """Add every hit of one source to the tally.

    `sentences` holds the sentence number of each hit and how to count each sentence's
    hits (see `_sentence_kinds`); hits before `first_zone`'s offset are in its zone (the
    title, or the lead), the others in the body.

    One loop with its work inlined, its lookups bound to locals and its records plain
    tuples: it runs for every hit of every article, and calls and attribute lookups per hit
    cost more than the sums.
    """
    source, limit = sourced.source, rules.repeat_limit
    # Each repeat of the same word counts less, and after `repeat_limit` not at all: the
    # weight of the n-th mention in each zone, worked out once.
    decay = [rules.repeat_decay**repeat for repeat in range(limit)]
    scaled = {zone: [weight * factor for factor in decay] for zone, weight in weights.items()}
    repeats, mentions, signals = tally.repeats, tally.mentions, tally.signals
    up_front: set[str] = set()
    themes, evidence, stated_by = tally.themes, tally.theme_evidence, tally.stated
    anchored_entities = tally.anchored
    listed_to = -1  # end of the last name that could open a list of names
    sentence_of, kinds = sentences
    zone_before, boundary = first_zone
    first_weights, body_weights, in_title = scaled[zone_before], scaled[BODY], zone_before == TITLE
    for (_, start, end, key, _), role, sentence in zip(
        sourced.hits, roles, sentence_of, strict=True
    ):
        factor, said_in, anchored = kinds[sentence]
        seen = repeats.get(key, 0)
        repeats[key] = seen + 1
        up_front_hit = start < boundary
        weight = (first_weights if up_front_hit else body_weights)[seen] if seen < limit else 0.0
        signal_items, telling, named, partner, entities, theme_items = role.plan
        if signal_items:
            for signal, signal_weight in signal_items:
                signals[signal] += signal_weight * weight
            if up_front_hit:
                up_front.update(role.signals)
        if not telling:
            listed_to = -1
            continue
        # "China, India, Indonesia and Vietnam": a roster of names, each after the first
        # joined by a comma or "and", says nothing of Russia's ties with each of them. A
        # relation phrase opens with its own word ("India and depends on China"), not a name.
        if named:
            listed = (
                listed_to >= 0
                and partner < 0
                and start - listed_to <= _LIST_GAP_MAX
                and _LIST_GAP.fullmatch(source, listed_to, start) is not None
            )
            listed_to = end
        else:
            listed, listed_to = False, -1
        surface = source[start:end]
        place = (surface, start, end, in_title)
        if entities:
            for entity in entities:
                mentions[entity].append(place)
            if anchored:
                anchored_entities.update(entities)
        for theme, theme_weight in theme_items:
            evidence[theme].append(place)
            if listed:
                continue
            # Only a strong term is boosted beside Russia: "trade" or "military" sit beside
            # Russia in almost every sentence of these articles and say little on their own.
            boost = factor if factor <= 1.0 or theme_weight >= STRONG_TERM else 1.0
            themes[theme] += theme_weight * weight * boost
            if said_in is not None:
                stated_by[theme].append((surface, said_in, theme_weight, partner))
    tally.up_front.update(up_front)


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
    mentioned, requires, saturation = tally.anchored, index.theme_requires, rules.theme_saturation
    scores = {
        # saturate(), inlined: this runs for every theme of every article
        theme: round(1.0 - math.exp(-(raw * context) / saturation), 4)
        for theme, raw in tally.themes.items()
        if not requires[theme] or requires[theme] & mentioned
    }
    stated = rules.stated_theme_score
    if context == 1.0 and stated:
        named_again = {entity for entity, places in tally.mentions.items() if len(places) > 1}
        for theme in scores.keys() & tally.stated.keys():
            # Weighing statements costs more than the comparison that often makes it moot.
            if scores[theme] < stated and _states_theme(
                tally.stated[theme], named_again, rules.stated_theme_terms
            ):
                scores[theme] = stated
    return scores


def _states_theme(said: list[Statement], named_again: set[int], points_needed: int) -> bool:
    """Whether the terms said in sentences that name Russia state a theme firmly enough.

    A decisive phrase of several words ("arms exports", "Asian identity") scores two
    points, any other strong term one, and a supporting term ("U.S." beside "multipolarity")
    one when its sentence also holds a decisive term of the theme. Each term scores once,
    its best. A relation phrase ("ties with Tokyo") scores two only when the article names
    that partner again: once, it is usually an aside in a story about something else.
    """
    points: dict[str, int] = {}
    total = 0
    decisive: set[int] | None = None  # sentences with a decisive term, found if needed
    for surface, sentence, weight, partner in said:
        if partner >= 0:
            value = 2 if partner in named_again else 1
        elif weight >= DECISIVE_TERM and " " in surface.strip():
            value = 2
        elif weight >= STRONG_TERM:
            value = 1
        else:
            if decisive is None:
                decisive = {sentence for _, sentence, weight, _ in said if weight >= DECISIVE_TERM}
            if sentence not in decisive:
                continue  # scores nothing, and a term's points never go down
            value = 1
        term = surface.lower()
        gained = value - points.get(term, 0)
        if gained > 0:
            points[term] = value
            total += gained
            if total >= points_needed:
                return True
    return False
