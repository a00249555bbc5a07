"""Site-wide pieces: robots.txt, the digest saved query and the article page's context.

- `/robots.txt` asks every crawler to stay away, so a public deployment is not indexed.
- The weekly digest saved query is `pipelines.digest.DIGEST_SQL`, the very query behind the
  `pivotwatch digest` CSV, so both give the same rows.
- The article page (the `articles` row page) gets the article's themes with their
  evidence, entities, copies ("also appeared in") and related articles.
"""

from __future__ import annotations

import json
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from pipelines.digest import DIGEST_SQL

ROBOTS_TXT = "User-agent: *\nDisallow: /\n"

ARTICLE_SQL = {
    "article_themes": """
        select t.theme_id, th.label, t.score, t.evidence from article_themes t
        join themes th on th.id = t.theme_id where t.article_id = :id
        order by t.score desc, t.theme_id""",
    "article_entities": """
        select e.entity_id, n.name, n.kind, e.mentions from article_entities e
        join entities n on n.id = e.entity_id where e.article_id = :id
        order by e.mentions desc, n.name""",
    "copies": """
        select a.id, a.url, s.title as source, a.published from articles a
        join sources s on s.name = a.source
        where a.duplicate_of = :id
            or a.id = (select duplicate_of from articles where id = :id)
        order by a.published""",
    "related_articles": """
        select a.id, a.title, s.title as source, a.published, r.score from related r
        join articles a on a.id = r.other_id join sources s on s.name = a.source
        where r.article_id = :id order by r.score desc limit 10""",
}


async def robots_txt() -> Response:
    return Response.text(ROBOTS_TXT)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/robots\.txt$", robots_txt)]


@hookimpl
def canned_queries(database: str) -> dict[str, Any]:
    if database != "pivotwatch":
        return {}
    return {
        "digest": {
            "title": "Weekly digest",
            "description": (
                "The digest as `pivotwatch digest` writes it: one row per piece from `since` "
                "(a date such as 2025-01-06) to `until`; the other fields are optional "
                "filters (comma-separated lists for theme, source and entity)."
            ),
            "sql": DIGEST_SQL,
        }
    }


def evidence_terms(evidence: str | None) -> list[str]:
    """The distinct matched terms of an evidence JSON list, in order of appearance."""
    try:
        items = json.loads(evidence or "[]")
    except ValueError:
        return []
    terms = [str(item.get("term", "")) for item in items if isinstance(item, dict)]
    return list(dict.fromkeys(term for term in terms if term))


async def article_context(datasette: Any, database: str, article_id: str) -> dict[str, Any]:
    db = datasette.get_database(database)
    context: dict[str, Any] = {}
    for name, sql in ARTICLE_SQL.items():
        rows = [dict(row) for row in (await db.execute(sql, {"id": article_id})).rows]
        context[name] = rows
    for theme in context["article_themes"]:
        theme["terms"] = evidence_terms(theme.pop("evidence"))
    return context


@hookimpl
def extra_template_vars(view_name: str, table: str | None, request: Any, datasette: Any) -> Any:
    if view_name != "row" or table != "articles" or request is None:
        return None
    article_id = request.url_vars.get("pks", "")

    async def inner() -> dict[str, Any]:
        return await article_context(datasette, request.url_vars["database"], article_id)

    return inner
