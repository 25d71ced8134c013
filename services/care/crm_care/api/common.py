"""What the care routes share: dealer scope for reads and writes, cursors, the problems routes document."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crm_care.handlers.common import visible
from crm_kit.auth import write_dealer
from crm_kit.pagination import Page, encode_cursor, position_after

__all__ = ["position_after", "visible", "write_dealer"]  # routes use them too

PREFIX = "/api/v1/care"
_PROBLEM = {"content": {"application/problem+json": {}}}
NOT_FOUND = {404: {"description": "No such record, or another dealer's", **_PROBLEM}}
CONFLICT = {409: {"description": "Refused in the record's current state", **_PROBLEM}}
BAD_CURSOR = {400: {"description": "A cursor this API did not give out", **_PROBLEM}}
FORBIDDEN = {403: {"description": "Not one of your dealers", **_PROBLEM}}


def page(rows: list[sa.Row], limit: int, shape: Callable[[sa.Row], Any], key: Callable[[Any], tuple]) -> Page:
    """`rows` holds up to limit + 1: the extra one only says that a next page exists."""
    items = [shape(row) for row in rows[:limit]]
    cursor = encode_cursor(*key(items[-1])) if len(rows) > limit else None
    return Page(items=items, next_cursor=cursor)


def after_time_id(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """Most care lists run in time order, ties broken by id."""
    return position_after(cursor, datetime.fromisoformat, uuid.UUID)
