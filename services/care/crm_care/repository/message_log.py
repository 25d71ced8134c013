"""Statements behind the message log and the dealers' templates."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import messages, templates
from crm_care.repository import one, rows
from crm_kit.pagination import oldest_first

SHOWN = [c for c in messages.c if c.name != "variables"]
TEMPLATE_KEY = ["dealer_id", "purpose", "channel", "language"]


async def message(session: AsyncSession, message_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(*SHOWN).where(messages.c.id == message_id))


async def messages_page(session: AsyncSession, dealer_filter, *, filters: dict,
                        after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    query = sa.select(*SHOWN)
    for name, value in filters.items():
        if value is not None:
            query = query.where(messages.c[name] == value)
    return await rows(session, oldest_first(query, [messages.c.created_at, messages.c.id], after, limit,
                                            dealer_column=messages.c.dealer_id, dealers=dealer_filter))


async def templates_page(session: AsyncSession, dealer_id: str, after: tuple[str, str, str] | None,
                         limit: int) -> list[sa.Row]:
    query = sa.select(templates).where(templates.c.dealer_id == dealer_id)
    if after:
        query = query.where(sa.tuple_(templates.c.purpose, templates.c.channel, templates.c.language) > after)
    return await rows(session, query.order_by(templates.c.purpose, templates.c.channel, templates.c.language)
                      .limit(limit + 1))


async def template(session: AsyncSession, key: dict) -> sa.Row | None:
    return await one(session, sa.select(templates).where(*(templates.c[k] == key[k] for k in TEMPLATE_KEY)))
