"""Templates and dealer settings."""

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_survey.models.tables import DealerSurveySettings, TemplateVersion


async def get_version(session: AsyncSession, template_id: uuid.UUID, version: int) -> TemplateVersion | None:
    return await session.get(TemplateVersion, (template_id, version))


async def latest_version(session: AsyncSession, template_id: uuid.UUID, *, published: bool = False,
                         for_update: bool = False) -> TemplateVersion | None:
    query = select(TemplateVersion).where(TemplateVersion.template_id == template_id)
    if published:
        query = query.where(TemplateVersion.status == "published")
    query = query.order_by(TemplateVersion.version.desc()).limit(1)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def versions(session: AsyncSession, template_id: uuid.UUID) -> list[TemplateVersion]:
    query = select(TemplateVersion).where(TemplateVersion.template_id == template_id).order_by(
        TemplateVersion.version)
    return list((await session.exec(query)).all())


async def list_latest(session: AsyncSession, dealers: frozenset[str] | None,
                      kind: str | None = None) -> list[TemplateVersion]:
    """The newest version of every template the caller may see: the network's and its dealers' own."""
    newest = sa.select(TemplateVersion.template_id, sa.func.max(TemplateVersion.version).label("version")).group_by(
        TemplateVersion.template_id).subquery()
    query = select(TemplateVersion).join(newest, sa.and_(TemplateVersion.template_id == newest.c.template_id,
                                                         TemplateVersion.version == newest.c.version))
    if dealers is not None:
        query = query.where(sa.or_(TemplateVersion.dealer_id.is_(None), TemplateVersion.dealer_id.in_(dealers)))
    if kind:
        query = query.where(TemplateVersion.kind == kind)
    return sorted((await session.exec(query)).all(), key=lambda t: (t.kind, t.name, str(t.template_id)))


def add_version(session: AsyncSession, version: TemplateVersion) -> None:
    session.add(version)


async def ship(session: AsyncSession, rows: Iterable[dict]) -> None:
    """Insert the shipped templates unless a replica or an earlier start already did."""
    for row in rows:
        await session.exec(insert(TemplateVersion).values(**row).on_conflict_do_nothing())


async def dealer_settings(session: AsyncSession, dealer_id: str, lock: bool = False
                          ) -> DealerSurveySettings | None:
    return await session.get(DealerSurveySettings, dealer_id, with_for_update=lock)


async def save_dealer_settings(session: AsyncSession, settings: DealerSurveySettings) -> DealerSurveySettings:
    return await session.merge(settings)
