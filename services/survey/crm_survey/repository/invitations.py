"""Invitations and the customers' survey facts."""

import uuid
from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit.pagination import newest_first
from crm_survey.models.tables import Invitation, SurveyCustomer

LIVE = ("scheduled", "sent", "opened", "answered", "expired")


async def customer(session: AsyncSession, customer_id: uuid.UUID, for_update: bool = False) -> SurveyCustomer | None:
    return await session.get(SurveyCustomer, customer_id, with_for_update=for_update)


async def customers(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, SurveyCustomer]:
    rows = (await session.exec(select(SurveyCustomer).where(col(SurveyCustomer.customer_id).in_(ids)))).all()
    return {row.customer_id: row for row in rows}


def add(session: AsyncSession, row: Invitation | SurveyCustomer) -> None:
    session.add(row)


async def get(session: AsyncSession, invitation_id: uuid.UUID, for_update: bool = False) -> Invitation | None:
    return await session.get(Invitation, invitation_id, with_for_update=for_update)


async def by_token(session: AsyncSession, token: str, for_update: bool = False) -> Invitation | None:
    query = select(Invitation).where(Invitation.token == token)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def exists_for(session: AsyncSession, *, visit_id: uuid.UUID | None = None, kind: str | None = None,
                     case_id: uuid.UUID | None = None) -> bool:
    query = select(Invitation.id)
    if case_id is not None:
        query = query.where(Invitation.case_id == case_id)
    else:
        query = query.where(Invitation.visit_id == visit_id, Invitation.kind == kind)
    return (await session.exec(query.limit(1))).first() is not None


async def live_send_times(session: AsyncSession, customer_id: uuid.UUID) -> list[datetime]:
    query = select(Invitation.send_at).where(Invitation.customer_id == customer_id,
                                             col(Invitation.status).in_(LIVE))
    return list((await session.exec(query)).all())


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Invitation]:
    """Scheduled invitations whose time has come; SKIP LOCKED lets replicas share them without doubling."""
    query = (select(Invitation).where(Invitation.status == "scheduled", Invitation.send_at <= now)
             .order_by(Invitation.send_at).limit(limit).with_for_update(skip_locked=True))
    return list((await session.exec(query)).all())


async def claim_expiring(session: AsyncSession, now: datetime, limit: int) -> list[Invitation]:
    query = (select(Invitation).where(col(Invitation.status).in_(("sent", "opened")), Invitation.expires_at <= now)
             .order_by(Invitation.expires_at).limit(limit).with_for_update(skip_locked=True))
    return list((await session.exec(query)).all())


async def suppress_scheduled(session: AsyncSession, customer_id: uuid.UUID, reason: str) -> None:
    await session.exec(update(Invitation).where(Invitation.customer_id == customer_id,
                                                Invitation.status == "scheduled")
                       .values(status="suppressed", suppressed_reason=reason))


async def rekey(session: AsyncSession, duplicate: uuid.UUID, survivor: uuid.UUID, tables: list[type]) -> None:
    for table in tables:
        await session.exec(update(table).where(table.customer_id == duplicate).values(customer_id=survivor))


async def page(session: AsyncSession, dealers: frozenset[str] | None, *, customer_id: uuid.UUID | None,
               status: str | None, kind: str | None, after: tuple[datetime, uuid.UUID] | None,
               limit: int) -> list[Invitation]:
    query = select(Invitation)
    if customer_id:
        query = query.where(Invitation.customer_id == customer_id)
    if status:
        query = query.where(Invitation.status == status)
    if kind:
        query = query.where(Invitation.kind == kind)
    query = newest_first(query, (Invitation.created_at, Invitation.id), after, limit,
                         dealer_column=Invitation.dealer_id, dealers=dealers)
    return list((await session.exec(query)).all())
