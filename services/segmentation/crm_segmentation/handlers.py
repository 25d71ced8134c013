"""Use cases of the segmentation service."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.customer import CustomerRegistered
from crm_segmentation import repository
from crm_segmentation.models import Profile


async def start_profile(session: AsyncSession, registered: CustomerRegistered) -> None:
    await repository.upsert_profile(session, Profile(
        customer_id=registered.customer_id, dealer_id=registered.dealer_id, kind=registered.kind,
        status=registered.status, registered_at=registered.registered_at, updated_at=datetime.now(UTC)))
