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

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

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
        return max(1, int(value)) if value.isdigit() else 1

    @property
    def page_size(self) -> int:
        value = self.arg("size", str(self.size))
        return int(value) if value.isdigit() and int(value) in PAGE_SIZES else self.size

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

    def load(self, session: Session, query: Any, tie_breaker: Any) -> Grid:
        self.total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        column = self.sortable[self.sort]
        order = column.desc() if self.desc else column.asc()
        tie = tie_breaker.desc() if self.desc else tie_breaker.asc()
        page = min(self.page, self.pages)
        self.rows = list(session.execute(query.order_by(order, tie).limit(self.page_size)
                                         .offset((page - 1) * self.page_size)))
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
