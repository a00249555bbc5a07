"""Theme and entity facets and filters for the article lists, and precomputed counts.

Themes and entities are many-to-many (article_themes, article_entities), which Datasette's
column facets cannot count. `?_theme=energy` and `?_entity=china` filter the list (several
values narrow it further), and the `theme` and `entity` facet types count the filtered
articles per theme or entity through the indexed link tables, in one grouping query each.

The unfiltered `article_list` (the landing list, 100,000+ rows on a mature database) reads
its facet counts from `article_list_counts`, which triggers keep at write time; the
`counted` facet type is Datasette's column facet with that shortcut. Filtered lists and
searches are counted live.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet, Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args

ARTICLE_LISTS = {"article_list", "articles"}
COUNTED_LIST = "article_list"


def is_whole_list(facet: Facet) -> bool:
    """True when the facet counts the unfiltered article_list, so stored counts apply."""
    return facet.table == COUNTED_LIST and not facet.params and " where " not in facet.sql


async def stored_counts(facet: Facet, sql: str) -> Any:
    return await facet.ds.execute(facet.database, sql, truncate=False)


class CountedColumnFacet(ColumnFacet):
    """A column facet that reads the unfiltered list's counts from article_list_counts."""

    type = "counted"
    stored_sql = {
        "source": "select s.title as value, c.count from article_list_counts c "
        "join sources s on s.name = c.value where c.facet = 'source' and c.count > 0",
        "source_type": "select s.source_type as value, sum(c.count) as count "
        "from article_list_counts c join sources s on s.name = c.value "
        "where c.facet = 'source' group by s.source_type having sum(c.count) > 0",
    }

    def sql_for(self, column: str, limit: int) -> str:
        counts = self.stored_sql.get(column) or (
            f"select value, count from article_list_counts where facet = '{column}' and count > 0"
        )
        return f"select * from ({counts}) order by count desc, value limit {limit}"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        if not is_whole_list(self):
            return await super().facet_results()
        size = self.get_facet_size()
        results = []
        for config in self.get_configs():
            column = config["config"].get("column") or config["config"]["simple"]
            rows = await stored_counts(self, self.sql_for(column, size + 1))
            results.append(self.describe(column, rows.rows, size))
        return results, []

    def describe(self, column: str, rows: list[Any], size: int) -> dict[str, Any]:
        return {
            "name": column,
            "type": self.type,
            "hideable": False,
            "toggle_url": "",
            "results": [self.result(column, row) for row in rows[:size]],
            "truncated": len(rows) > size,
        }

    def result(self, column: str, row: Any) -> dict[str, Any]:
        path = path_with_added_args(self.request, {column: row["value"]})
        return {
            "value": row["value"],
            "label": row["value"],
            "count": row["count"],
            "toggle_url": self.ds.urls.path(path),
            "selected": False,
        }


class LinkFacet(Facet):
    """Counts of the listed articles per linked theme or entity."""

    link_table = ""
    link_column = ""
    label_table = ""
    label_column = ""
    parameter = ""

    def facet_sql(self, limit: int) -> str:
        if is_whole_list(self):
            return f"""
                select c.value, labels.{self.label_column} as label, c.count
                from article_list_counts c
                join {self.label_table} as labels on labels.id = c.value
                where c.facet = '{self.type}' and c.count > 0
                order by c.count desc, c.value limit {limit}
            """
        return f"""
            select link.{self.link_column} as value, labels.{self.label_column} as label,
                count(*) as count
            from {self.link_table} as link
            join {self.label_table} as labels on labels.id = link.{self.link_column}
            where link.article_id in (select id from ({self.sql}))
            group by link.{self.link_column}
            order by count desc, value limit {limit}
        """

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        if self.table not in ARTICLE_LISTS or not self.get_configs():
            return [], []
        size = self.get_facet_size()
        try:
            rows = await self.ds.execute(
                self.database,
                self.facet_sql(size + 1),
                self.params,
                truncate=False,
                custom_time_limit=self.ds.setting("facet_time_limit_ms"),
            )
        except QueryInterrupted:
            return [], [self.type]
        return [self.describe(rows.rows, size)], []

    def describe(self, rows: list[Any], size: int) -> dict[str, Any]:
        selected = set(self.request.args.getlist(self.parameter))
        return {
            "name": self.type,
            "type": self.type,
            "hideable": False,
            "toggle_url": "",
            "results": [self.result(row, row["value"] in selected) for row in rows[:size]],
            "truncated": len(rows) > size,
        }

    def result(self, row: Any, selected: bool) -> dict[str, Any]:
        if selected:
            path = path_with_removed_args(self.request, {self.parameter: row["value"]})
        else:
            path = path_with_added_args(self.request, {self.parameter: row["value"]})
        return {
            "value": row["value"],
            "label": row["label"],
            "count": row["count"],
            "toggle_url": self.ds.urls.path(path),
            "selected": selected,
        }


class ThemeFacet(LinkFacet):
    type = "theme"
    link_table = "article_themes"
    link_column = "theme_id"
    label_table = "themes"
    label_column = "label"
    parameter = "_theme"


class EntityFacet(LinkFacet):
    type = "entity"
    link_table = "article_entities"
    link_column = "entity_id"
    label_table = "entities"
    label_column = "name"
    parameter = "_entity"


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [CountedColumnFacet, ThemeFacet, EntityFacet]


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    if table not in ARTICLE_LISTS:
        return None
    where_clauses: list[str] = []
    params: dict[str, str] = {}
    descriptions: list[str] = []
    for facet in (ThemeFacet, EntityFacet):
        for number, value in enumerate(request.args.getlist(facet.parameter)):
            name = f"{facet.type}_{number}"
            where_clauses.append(
                f"id in (select article_id from {facet.link_table} "
                f"where {facet.link_column} = :{name})"
            )
            params[name] = value
            descriptions.append(f'{facet.type} is "{value}"')
    return FilterArguments(where_clauses, params, descriptions)
