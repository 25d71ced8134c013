"""What the survey service reads: customers' language, consent, erasure and merges, visits (SSI/CSI
triggers) from crm.customer.v1, and resolved complaints (follow-up surveys) from crm.care.v1."""

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope, parse_payload, topics
from crm_kit.inbox import Handler
from crm_survey.handlers import triggers

TOPICS = [topics.CUSTOMER, topics.CARE]


async def customer_facts(session: AsyncSession, event: Envelope) -> None:
    facts = parse_payload(event)
    await triggers.customer_facts(session, facts.customer_id, facts.dealer_id, facts.language)


async def consent_changed(session: AsyncSession, event: Envelope) -> None:
    consent = parse_payload(event)
    if consent.purpose == "survey":
        await triggers.consent_changed(session, consent.customer_id, consent.dealer_id, consent.channel,
                                       consent.granted)


async def customer_erased(session: AsyncSession, event: Envelope) -> None:
    erased = parse_payload(event)
    await triggers.customer_erased(session, erased.customer_id, erased.dealer_id)


async def customer_merged(session: AsyncSession, event: Envelope) -> None:
    merged = parse_payload(event)
    await triggers.customer_merged(session, merged.survivor_id, merged.duplicate_id, merged.dealer_id)


async def visit_recorded(session: AsyncSession, event: Envelope) -> None:
    await triggers.visit_recorded(session, parse_payload(event))


async def complaint_resolved(session: AsyncSession, event: Envelope) -> None:
    await triggers.complaint_resolved(session, parse_payload(event))


HANDLERS: dict[str, Handler] = {
    "crm.customer.registered.v1": customer_facts,
    "crm.customer.updated.v1": customer_facts,
    "crm.consent.changed.v1": consent_changed,
    "crm.customer.erased.v1": customer_erased,
    "crm.customer.merged.v1": customer_merged,
    "crm.visit.recorded.v1": visit_recorded,
    "crm.complaint.resolved.v1": complaint_resolved,
}
