"""Event type -> handler: what segmentation reads from the customer topic."""

import contextlib
from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope, topics
from crm_kit.handling import on_payload
from crm_kit.inbox import Handler
from crm_segmentation.handlers import events
from crm_segmentation.handlers.context import Clock

TOPICS = [topics.CUSTOMER]
IMPORT_COMPLETED = "crm.customer.import.completed.v1"
# What an import stages: facts whose profiles its rescore recomputes (merges and erasures never wait)
IMPORTED_FACTS = {"crm.customer.registered.v1", "crm.customer.updated.v1", "crm.consent.changed.v1",
                  "crm.vehicle.registered.v1", "crm.vehicle.updated.v1", "crm.vehicle.transferred.v1",
                  "crm.odometer.recorded.v1", "crm.visit.recorded.v1", "crm.lead.created.v1",
                  "crm.lead.converted.v1"}

USE_CASES: dict[str, Callable[..., Awaitable[None]]] = {
    "crm.customer.registered.v1": events.customer_registered,
    "crm.customer.updated.v1": events.customer_updated,
    "crm.customer.merged.v1": events.customer_merged,
    "crm.customer.erased.v1": events.customer_erased,
    "crm.consent.changed.v1": events.consent_changed,
    "crm.vehicle.registered.v1": events.vehicle_registered,
    "crm.vehicle.updated.v1": events.vehicle_registered,
    "crm.vehicle.transferred.v1": events.vehicle_transferred,
    "crm.odometer.recorded.v1": events.odometer_recorded,
    "crm.visit.recorded.v1": events.visit_recorded,
    "crm.lead.converted.v1": events.lead_converted,
    "crm.lead.created.v1": events.lead_created,
    IMPORT_COMPLETED: events.import_completed,
}


def handlers_for(clock: Clock) -> dict[str, Handler]:
    """The consumer's table; the events of one transaction share a context (see `events.for_transaction`).

    An event an import staged is counted as applied in the transaction of its effect, and its customer is
    left for the import's rescore (see `handlers.imports` and `Context.touch`).
    """

    @contextlib.asynccontextmanager
    async def applying(session: AsyncSession, event: Envelope):
        context = events.for_transaction(session, clock)
        context.importing = event.importjob is not None and event.type in IMPORTED_FACTS
        try:
            yield context
        finally:
            context.importing = False
        if event.type != IMPORT_COMPLETED:
            context.landing.count(event.importjob, event.dealerid)

    return {event_type: on_payload(use_case, applying) for event_type, use_case in USE_CASES.items()}
