"""Storing past responses: an invitation row claims the natural key, so only its first arrival counts."""

from datetime import date
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_survey.models.tables import Invitation, ScoreRollup

invitations = Invitation.__table__
rollups = ScoreRollup.__table__


async def claim_invitation(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert the answered invitation unless its key is stored already; True when this call stored it.
    A concurrent import of the same response waits on the key and then finds it taken."""
    statement = insert(invitations).values(values).on_conflict_do_nothing(index_elements=["id"])
    inserted = await session.exec(statement.returning(invitations.c.id))
    return inserted.first() is not None



async def add_sums(session: AsyncSession, dealer_id: str,
                   sums: dict[tuple[str, date, str | None], dict[str, tuple[float, int]]]) -> None:
    """Add {(kind, month, advisor): {metric: (total, count)}} to the monthly sums directly (a history import
    is one writer per dealer), in key order as the rollup fold writes them, so the two wait on each other
    instead of deadlocking; live answers append increments and never touch these rows."""
    rows = sorted((dict(kind=kind, dealer_id=dealer_id, month=month, advisor_id=advisor_id or "", metric=metric,
                        total=float(total), count=count)
                   for (kind, month, advisor_id), metrics in sums.items()
                   for metric, (total, count) in metrics.items()),
                  key=lambda row: (row["kind"], row["dealer_id"], row["month"], row["advisor_id"], row["metric"]))
    if not rows:
        return
    statement = insert(rollups).values(rows)
    await session.exec(statement.on_conflict_do_update(
        index_elements=["kind", "dealer_id", "month", "advisor_id", "metric"],
        set_={"total": rollups.c.total + statement.excluded.total, "count": rollups.c.count + statement.excluded.count},
    ))
