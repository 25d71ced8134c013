"""Cursor pagination: opaque cursors carry the sort key of the last item returned.

Every service reads its cursors through `position_after`, so a cursor this API did not give out (forged,
garbled, of another list) answers 400 naming `cursor`, never a 500 from a parser deep in a route.
"""

import base64
import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel

from crm_kit.problems import Problem, field_error

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([str(v) if not isinstance(v, int | float | str) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _unknown_cursor() -> Problem:
    return Problem(400, "Bad Request", "The cursor is not one this API gave out.",
                   errors=[field_error("query", "cursor", "unknown cursor")])


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise _unknown_cursor()
    return values


def position_after(cursor: str | None, *parsers: Callable[[Any], Any]) -> tuple | None:
    """The sort key a page's cursor carries, each value read by its parser (e.g. `uuid.UUID`)."""
    if cursor is None:
        return None
    values = decode_cursor(cursor, len(parsers))
    try:
        return tuple(parse(value) for parse, value in zip(parsers, values, strict=True))
    except (TypeError, ValueError, OverflowError):
        raise _unknown_cursor() from None


def _keyset_page(query, sort_columns: Iterable, after: tuple | None, limit: int, *, descending: bool,
                dealer_column, dealers: frozenset[str] | None, dealer_id: str | None):
    columns = list(sort_columns)
    if dealers is not None:
        query = query.where(dealer_column.in_(dealers))
    if dealer_id:
        query = query.where(dealer_column == dealer_id)
    if after is not None:
        position, bound = sa.tuple_(*columns), sa.tuple_(*(sa.literal(value) for value in after))
        query = query.where(position < bound if descending else position > bound)
    return query.order_by(*(column.desc() if descending else column for column in columns)).limit(limit + 1)


def newest_first(query, sort_columns: Iterable, after: tuple | None, limit: int, *,
                 dealer_column=None, dealers: frozenset[str] | None = None, dealer_id: str | None = None):
    """Dealer scope (`dealers` None: every dealer; `dealer_id`: the one asked for), then keyset pagination
    on `sort_columns` descending, from `after` (the cursor's position) on.

    Asks for limit + 1 rows: the extra one only tells `page_of` that a next page exists.
    """
    return _keyset_page(query, sort_columns, after, limit, descending=True, dealer_column=dealer_column,
                        dealers=dealers, dealer_id=dealer_id)


def oldest_first(query, sort_columns: Iterable, after: tuple | None, limit: int, *,
                 dealer_column=None, dealers: frozenset[str] | None = None, dealer_id: str | None = None):
    """`newest_first` in ascending order: queues (due first) and calendars (soonest first)."""
    return _keyset_page(query, sort_columns, after, limit, descending=False, dealer_column=dealer_column,
                        dealers=dealers, dealer_id=dealer_id)


def page_of(items: list[T], limit: int, sort_key) -> Page[T]:
    """Fetch limit + 1 rows, pass them here: the extra row only says a next page exists."""
    if len(items) <= limit:
        return Page(items=items)
    items = items[:limit]
    return Page(items=items, next_cursor=encode_cursor(*sort_key(items[-1])))
