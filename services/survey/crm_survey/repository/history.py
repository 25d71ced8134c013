"""Storing past responses: an invitation row claims the natural key, so only its first arrival counts."""

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_survey.models.tables import Invitation

invitations = Invitation.__table__


async def claim_invitation(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert the answered invitation unless its key is stored already; True when this call stored it.
    A concurrent import of the same response waits on the key and then finds it taken."""
    statement = insert(invitations).values(values).on_conflict_do_nothing(index_elements=["id"])
    inserted = await session.exec(statement.returning(invitations.c.id))
    return inserted.first() is not None

