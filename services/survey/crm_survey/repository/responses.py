"""Responses and hot alerts."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit.pagination import newest_first
from crm_survey.models.tables import HotAlertRecord, SurveyResponse


def add(session: AsyncSession, row: SurveyResponse | HotAlertRecord) -> None:
    session.add(row)


async def get(session: AsyncSession, response_id: uuid.UUID) -> SurveyResponse | None:
    return await session.get(SurveyResponse, response_id)


async def of_invitation(session: AsyncSession, invitation_id: uuid.UUID) -> SurveyResponse | None:
    query = select(SurveyResponse).where(SurveyResponse.invitation_id == invitation_id)
    return (await session.exec(query)).first()


async def erase_free_text(session: AsyncSession, customer_id: uuid.UUID) -> None:
    await session.exec(update(SurveyResponse).where(SurveyResponse.customer_id == customer_id).values(free_text={}))
    await session.exec(update(HotAlertRecord).where(HotAlertRecord.customer_id == customer_id).values(comment=None))


async def alert(session: AsyncSession, alert_id: uuid.UUID, for_update: bool = False) -> HotAlertRecord | None:
    return await session.get(HotAlertRecord, alert_id, with_for_update=for_update)


async def open_alerts_by_dealer(session: AsyncSession) -> list[tuple[str, int]]:
    query = (sa.select(HotAlertRecord.dealer_id, sa.func.count()).where(HotAlertRecord.status == "open")
             .group_by(HotAlertRecord.dealer_id))
    return [(dealer, count) for dealer, count in (await session.exec(query)).all()]


async def page(session: AsyncSession, dealers: frozenset[str] | None, *, customer_id: uuid.UUID | None,
               kind: str | None, channel: str | None, after: tuple[datetime, uuid.UUID] | None,
               limit: int) -> list[SurveyResponse]:
    query = select(SurveyResponse)
    if customer_id:
        query = query.where(SurveyResponse.customer_id == customer_id)
    if kind:
        query = query.where(SurveyResponse.kind == kind)
    if channel:
        query = query.where(SurveyResponse.channel == channel)
    query = newest_first(query, (SurveyResponse.recorded_at, SurveyResponse.id), after, limit,
                         dealer_column=SurveyResponse.dealer_id, dealers=dealers)
    return list((await session.exec(query)).all())


async def alerts_page(session: AsyncSession, dealers: frozenset[str] | None, *, status: str | None,
                      after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[HotAlertRecord]:
    query = select(HotAlertRecord)
    if status:
        query = query.where(HotAlertRecord.status == status)
    query = newest_first(query, (HotAlertRecord.raised_at, HotAlertRecord.id), after, limit,
                         dealer_column=HotAlertRecord.dealer_id, dealers=dealers)
    return list((await session.exec(query)).all())
