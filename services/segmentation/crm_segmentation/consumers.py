"""Event type -> handler: what segmentation reads from the customer topic."""

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope, parse_payload, topics
from crm_kit.inbox import Handler
from crm_segmentation import handlers


async def customer_registered(session: AsyncSession, event: Envelope) -> None:
    await handlers.start_profile(session, parse_payload(event))


TOPICS = [topics.CUSTOMER]
HANDLERS: dict[str, Handler] = {
    "crm.customer.registered.v1": customer_registered,
}
