"""Cursor pagination: opaque cursors carry the sort key of the last item returned."""

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

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


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise Problem(400, "Bad Request", "The cursor is not one this API gave out.",
                      errors=[field_error("query", "cursor", "unknown cursor")])
    return values


def page_of(items: list[T], limit: int, sort_key) -> Page[T]:
    """Fetch limit + 1 rows, pass them here: the extra row only says a next page exists."""
    if len(items) <= limit:
        return Page(items=items)
    items = items[:limit]
    return Page(items=items, next_cursor=encode_cursor(*sort_key(items[-1])))
