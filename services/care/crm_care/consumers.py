"""Event type -> handler: what care reads from the customer, segmentation and survey topics."""

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.handlers import facts, surveys
from crm_contracts import Envelope, parse_payload, topics
from crm_kit.inbox import Handler


def thin(use_case: Callable[[AsyncSession, object], Awaitable[None]]) -> Handler:
    async def handle(session: AsyncSession, event: Envelope) -> None:
        await use_case(session, parse_payload(event))

    handle.__name__ = use_case.__name__
    return handle


TOPICS = [topics.CUSTOMER, topics.SEGMENTATION, topics.SURVEY]
HANDLERS: dict[str, Handler] = {
    "crm.customer.registered.v1": thin(facts.customer_known),
    "crm.customer.updated.v1": thin(facts.customer_known),
    "crm.customer.erased.v1": thin(facts.customer_erased),
    "crm.customer.merged.v1": thin(facts.customer_merged),
    "crm.consent.changed.v1": thin(facts.consent_changed),
    "crm.vehicle.registered.v1": thin(facts.vehicle_known),
    "crm.vehicle.updated.v1": thin(facts.vehicle_known),
    "crm.vehicle.transferred.v1": thin(facts.vehicle_transferred),
    "crm.odometer.recorded.v1": thin(facts.odometer_recorded),
    "crm.visit.recorded.v1": thin(facts.visit_recorded),
    "crm.customer.status_changed.v1": thin(facts.status_changed),
    "crm.first_service.lost.v1": thin(facts.first_service_lost),
    "crm.survey.invitation.created.v1": thin(surveys.invitation_created),
    "crm.survey.hot_alert.raised.v1": thin(surveys.hot_alert_raised),
}
