"""What the care routes share: dealer scope for reads and writes, cursors, the problems routes document."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crm_care.handlers.common import visible
from crm_kit.auth import write_dealer
from crm_kit.pagination import Page, encode_cursor, position_after
from crm_kit.responses import problems

__all__ = ["position_after", "visible", "write_dealer"]  # routes use them too

PREFIX = "/api/v1/care"
NOT_FOUND = problems(404)
CONFLICT = problems(409)
BAD_CURSOR = problems(400)
FORBIDDEN = problems(403, s403="A permission you do not have, or not one of your dealers")


def page(rows: list[sa.Row], limit: int, shape: Callable[[sa.Row], Any], key: Callable[[Any], tuple]) -> Page:
    """`rows` holds up to limit + 1: the extra one only says that a next page exists."""
    items = [shape(row) for row in rows[:limit]]
    cursor = encode_cursor(*key(items[-1])) if len(rows) > limit else None
    return Page(items=items, next_cursor=cursor)


def after_time_id(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """Most care lists run in time order, ties broken by id."""
    return position_after(cursor, datetime.fromisoformat, uuid.UUID)
