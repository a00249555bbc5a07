"""Entity tags: every alias resolved to one entity id, counted as mentions with evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import starmap
from typing import NamedTuple

from pipelines.taxonomy import Entity

# Evidence as the tagger records it, (term, start, end, in_title): a plain tuple, since one
# is made for most hits of every article and a named tuple costs a call to make. One hit
# gives one, shared by the themes and the entity it counts towards; nothing changes it once
# tagged. The tag result names its fields (`Evidence`).
Place = tuple[str, int, int, bool]


class Evidence(NamedTuple):
    """A matched surface form; `start`/`end` index the tagged text (`in_title`: the title)."""

    term: str
    start: int
    end: int
    in_title: bool = False

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"term": self.term, "start": self.start, "end": self.end}
        if self.in_title:
            data["in"] = "title"
        return data


@dataclass(slots=True)
class EntityTag:
    id: str
    name: str
    kind: str
    mentions: int
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "mentions": self.mentions}


def entity_tags(entities: list[Entity], mentions: dict[int, list[Place]]) -> list[EntityTag]:
    """Sorted by mentions (descending), then id."""
    tags = [_entity_tag(entities[number], places) for number, places in mentions.items()]
    return sorted(tags, key=lambda tag: (-tag.mentions, tag.id))


def _entity_tag(entity: Entity, places: list[Place]) -> EntityTag:
    return EntityTag(entity.id, entity.name, entity.kind, len(places), named(places))


def named(places: list[Place]) -> list[Evidence]:
    """The places as `Evidence`, their fields named."""
    return list(starmap(Evidence, places))


_QUOTED_LIMIT = 50_000
_quoted: dict[str, str] = {}


def evidence_json(evidence: list[Place]) -> str:
    """`json.dumps([item.to_json() for item in evidence], ensure_ascii=False)`, quicker.

    Every tag row of every stored article carries one of these, and the same few terms
    recur in all of them: each term is quoted once and the rest is plain formatting.
    """
    items = []
    for term, start, end, in_title in evidence:
        quoted = _quoted.get(term) or _quote(term)
        title = ', "in": "title"' if in_title else ""
        items.append(f'{{"term": {quoted}, "start": {start}, "end": {end}{title}}}')
    return f"[{', '.join(items)}]"


def _quote(term: str) -> str:
    if len(_quoted) > _QUOTED_LIMIT:
        _quoted.clear()
    _quoted[term] = quoted = json.dumps(term, ensure_ascii=False)
    return quoted
