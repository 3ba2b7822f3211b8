"""Server-side grids: paging, sorting and filtering read from the query string, per grid.

Several grids share one page (the Export tab has three), so each reads its own
prefixed parameters (``p_page``, ``e_sort``...). Sorting only accepts the columns a
grid declares, so a URL can never inject an ORDER BY.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Integer, func, literal, select, union_all
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from ledgerbridge.store.bounds import MAX_OFFSET, MAX_PAGE, parse_bounded

PAGE_SIZES = (10, 25, 50, 100)


@dataclass(slots=True)
class Grid:
    """One grid's state from the URL, and the rows of the page it asks for."""

    prefix: str
    params: QueryParams
    sortable: dict[str, Any]
    default_sort: str
    default_desc: bool = False
    size: int = 25
    rows: list[Any] | None = None
    total: int = 0

    def arg(self, name: str, default: str = "") -> str:
        return self.params.get(f"{self.prefix}{name}", default)

    @property
    def page(self) -> int:
        value = self.arg("page", "1")
        return parse_bounded(value, low=1, high=MAX_OFFSET) or 1

    @property
    def page_size(self) -> int:
        value = self.arg("size", str(self.size))
        size = parse_bounded(value, low=1, high=MAX_PAGE)
        return size if size in PAGE_SIZES else self.size

    @property
    def sort(self) -> str:
        value = self.arg("sort", self.default_sort)
        return value if value in self.sortable else self.default_sort

    @property
    def desc(self) -> bool:
        value = self.arg("dir")
        return (value == "desc") if value in ("asc", "desc") else (self.default_desc and self.sort == self.default_sort)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    def load(self, session: Session, query: Any, tie_breaker: Any, narrow: Any = None) -> Grid:
        """Count, sort and page ``query``, ``tie_breaker`` (a unique column) making the order total.

        ``narrow`` is the same rows selected from the driving table alone (``tie_breaker``'s table), for a
        caller whose filters need no join: the count is taken on it, and so are the page's keys when the sort
        column is of that table, the joins then run for the page's rows only rather than for every row
        skipped by OFFSET. A page past the middle is read in the reverse order from the end, so OFFSET is at
        most half the total.
        """
        self.total = session.scalar(select(func.count()).select_from(
            (narrow if narrow is not None else query).order_by(None).subquery())) or 0
        column = self.sortable[self.sort]
        page = min(self.page, self.pages)
        offset, limit, desc = (page - 1) * self.page_size, self.page_size, self.desc
        backwards = offset > self.total // 2
        if backwards:
            limit = min(self.page_size, self.total - offset)
            offset, desc = max(0, self.total - offset - limit), not desc
        order = (column.desc() if desc else column.asc(), tie_breaker.desc() if desc else tie_breaker.asc())
        # Deferred join: the page's keys first, from the driving table alone when the sort allows (an index
        # walk) or else from the query cut down to its key (narrow rows to join and sort, never whole
        # documents), then the full rows for those keys only, driven by the keys as a list of literals and
        # put in their order here (with an ORDER BY, or a plain IN, the planner may rather walk the whole
        # sort index than look up 25 keys).
        on_driving_table = narrow is not None and getattr(column, "table", None) is tie_breaker.table
        keys_query = narrow if on_driving_table else query
        keys = session.scalars(keys_query.with_only_columns(tie_breaker).order_by(*order).limit(limit)
                               .offset(offset)).all()
        rows = []
        if keys:
            keyed = union_all(*(select(literal(k, Integer).label("grid_key")) for k in keys)).subquery("grid_page")
            found = {row.grid_key: row for row in session.execute(
                query.add_columns(keyed.c.grid_key).join(keyed, keyed.c.grid_key == tie_breaker))}
            rows = [found[k] for k in keys if k in found]
        self.rows = rows[::-1] if backwards else rows
        return self

    def url(self, **changes: Any) -> str:
        """This page's URL with some of this grid's parameters changed (the other grids' are kept)."""
        query = dict(self.params)
        for key in ("msg", "err"):
            query.pop(key, None)
        for key, value in changes.items():
            name = f"{self.prefix}{key}"
            if value is None:
                query.pop(name, None)
            else:
                query[name] = str(value)
        return "?" + urlencode(query)

    def sort_url(self, column: str) -> str:
        desc = not self.desc if column == self.sort else False
        return self.url(sort=column, dir="desc" if desc else "asc", page=1)

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.desc else "ascending"

    @property
    def first_row(self) -> int:
        return 0 if not self.total else (min(self.page, self.pages) - 1) * self.page_size + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.first_row + self.page_size - 1)
