"""Versioned writes of a dealer's own settings rows (contact policy, plans, wordings): compare and set."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit.versioning import UNSTORED


async def current(session: AsyncSession, table: sa.Table, key: dict[str, Any]) -> int:
    """The row's version, locked until the transaction ends; UNSTORED while there is no row."""
    query = sa.select(table.c.version).where(*(table.c[name] == value for name, value in key.items()))
    found = (await session.exec(query.with_for_update())).first()
    return found[0] if found else UNSTORED


async def save(session: AsyncSession, table: sa.Table, key: dict[str, Any], values: dict[str, Any],
               read_version: int) -> int | None:
    """Writes the row as version read_version + 1; None when another write got there first (a row that did
    not exist when read, so nothing was locked)."""
    statement = insert(table).values(**key, **values, version=read_version + 1)
    changed = {name: statement.excluded[name] for name in [*values, "version"]}
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=changed,
                                                where=table.c.version == read_version)
    return (await session.exec(statement.returning(table.c.version))).scalar_one_or_none()


async def versions(session: AsyncSession, table: sa.Table, dealer_id: str, name: str) -> dict[Any, int]:
    """Each stored row's version, by the value of one key column, for one dealer."""
    query = sa.select(table.c[name], table.c.version).where(table.c.dealer_id == dealer_id)
    return {key: version for key, version in (await session.exec(query)).all()}
