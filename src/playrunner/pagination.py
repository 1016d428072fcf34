"""Pages of results, the same way for every listing: a default and a hard maximum size, and
one query shape (how many match in all, then one page in the listing's order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from playrunner.errors import InvalidRequest

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def check_page_size(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")


def count_rows(session: Session, query: Select[*Ts]) -> int:
    """How many rows ``query`` has, whatever its order and page."""
    unordered = query.order_by(None).limit(None).offset(None)
    return session.scalar(select(func.count()).select_from(unordered.subquery())) or 0


def page_of_rows(
    session: Session, query: Select[*Ts], limit: int, offset: int
) -> tuple[list[Row[*Ts]], int]:
    """One page of ``query`` (ordered as it is) and how many rows match in all."""
    check_page_size(limit)
    rows = list(session.execute(query.limit(limit).offset(offset)))
    return rows, count_rows(session, query)


def page_of(session: Session, query: Select[T], limit: int, offset: int) -> tuple[list[T], int]:
    """``page_of_rows`` for a query of one entity or column: the values themselves."""
    check_page_size(limit)
    items = list(session.scalars(query.limit(limit).offset(offset)))
    return items, count_rows(session, query)


def every_page(fetch: Callable[[int, int], tuple[list[T], int]]) -> list[T]:
    """Everything a paged listing has, fetched a full page at a time (``fetch(limit,
    offset)``): for exports and the CLI, through the same function as the API's pages."""
    found: list[T] = []
    while True:
        page, total = fetch(MAX_PAGE_SIZE, len(found))
        found.extend(page)
        if not page or len(found) >= total:
            return found
