"""Consent per purpose and channel, showroom leads and their conversion, the PII access log."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.customer import ConsentChanged, LeadConverted, LeadCreated
from crm_customer.domain.contact import InvalidMobile, normalise_mobile
from crm_customer.domain.identity import normalise_resident_id
from crm_customer.domain.pii import Keyring, Sealed
from crm_customer.handlers.common import event, live_customer, refuse, seal_id_number, stage_all, visible
from crm_customer.handlers.customers import new_customer, registered, updated
from crm_customer.models import Consent, ConsentChange, ConsentCreate, Customer, Lead, LeadConversion, LeadCreate
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import records as repository
from crm_kit.auth import Principal
from crm_kit.idempotency import first_answer
from crm_kit.problems import Problem, field_error, not_found


async def set_consent(session: AsyncSession, principal: Principal, customer_id: uuid.UUID,
                      data: ConsentCreate, idempotency_key: str | None = None) -> Consent:
    """Granting what is granted (or withdrawing what is withdrawn) again changes nothing and says nothing.
    A keyed retry changes nothing either, even if the answer was changed in between by another request."""
    async with session.begin():
        customer = live_customer(principal, await customer_repository.get_customer(session, customer_id))
        if customer.erased_at:
            raise Problem(409, "Conflict", "This customer was erased.")
        current = await repository.consent(session, customer.id, data.purpose, data.channel)
        earlier = await first_answer(session, idempotency_key, customer.dealer_id,
                                     f"POST /customers/{customer.id}/consents", data.model_dump(mode="json"),
                                     customer.id, status_code=200)
        if earlier:
            if current is None:
                raise not_found("consent")
            return current
        if current is not None and current.granted == data.granted:
            return current
        now = datetime.now(UTC)
        row = Consent(customer_id=customer.id, dealer_id=customer.dealer_id, changed_at=now, **data.model_dump())
        await repository.upsert_consent(session, row)
        customer_repository.add(session, ConsentChange(customer_id=customer.id, changed_by=principal.subject,
                                                       changed_at=now, **data.model_dump()))
        await stage_all(session, [event(ConsentChanged(
            customer_id=customer.id, dealer_id=customer.dealer_id, purpose=data.purpose, channel=data.channel,
            granted=data.granted, changed_at=now, source=data.source), customer.id, customer.dealer_id)])
    return row


async def consents(session: AsyncSession, principal: Principal, customer_id: uuid.UUID) -> list[Consent]:
    async with session.begin():
        customer = live_customer(principal, await customer_repository.get_customer(session, customer_id))
        return await customer_repository.consents_of(session, customer.id)


async def create_lead(session: AsyncSession, keyring: Keyring, data: LeadCreate, dealer_id: str,
                      idempotency_key: str | None = None) -> Lead:
    refusals, mobile, number = [], None, None
    try:
        mobile = normalise_mobile(data.mobile) if data.mobile else None
    except InvalidMobile as error:
        refusals.append(("mobile", str(error)))
    try:
        number = normalise_resident_id(data.id_number, date.today()) if data.id_number else None
    except ValueError as error:
        refusals.append(("id_number", str(error)))
    if refusals:
        raise refuse(refusals)
    sealed = seal_id_number(keyring, number, dealer_id)
    now = datetime.now(UTC)
    lead = Lead(dealer_id=dealer_id, name=data.name.strip(), mobile=mobile, source_channel=data.source_channel,
                interested_model=data.interested_model, created_at=now,
                **{k: v for k, v in sealed.items() if k != "id_number_masked"})
    async with session.begin():
        earlier = await first_answer(session, idempotency_key, dealer_id, "POST /leads",
                                     data.model_dump(mode="json", exclude_unset=True), lead.id)
        if earlier:
            first = await repository.get_lead(session, uuid.UUID(earlier.resource_id))
            if first is None:
                raise not_found("lead")
            return first
        customer_repository.add(session, lead)
        await stage_all(session, [event(LeadCreated(lead_id=lead.id, dealer_id=dealer_id,
                                                    source_channel=lead.source_channel,
                                                    interested_model=lead.interested_model, created_at=now),
                                        lead.id, dealer_id)])
    return lead


async def read_lead(session: AsyncSession, principal: Principal, lead_id: uuid.UUID) -> Lead:
    async with session.begin():
        return visible(principal, await repository.get_lead(session, lead_id), "lead")


async def list_leads(session: AsyncSession, principal: Principal, filters: dict[str, Any], *,
                     after: repository.Position | None, limit: int) -> list[Lead]:
    async with session.begin():
        return await repository.list_leads(session, principal.dealer_filter(), **filters, after=after, limit=limit)


async def convert_lead(session: AsyncSession, keyring: Keyring, principal: Principal,
                       lead_id: uuid.UUID) -> LeadConversion:
    """Finds the dealer's existing customer by mobile or ID number before creating one; converting a
    converted lead answers the same conversion again."""
    async with session.begin():
        lead = visible(principal, await repository.get_lead(session, lead_id, for_update=True), "lead")
        if lead.customer_id is not None:
            return LeadConversion(lead_id=lead.id, customer_id=lead.customer_id, existing_customer=True)
        existing = await customer_repository.find_duplicate(session, lead.dealer_id, mobiles=[lead.mobile],
                                                            id_hash=lead.id_number_hash)
        now = datetime.now(UTC)
        events = []
        if existing is not None:
            customer = existing
            if customer.status == "lead":
                customer.status, customer.version, customer.updated_at = "customer", customer.version + 1, now
                customer_repository.add(session, customer)
                events.append(updated(customer, ["status"]))
        else:
            customer = _customer_of(keyring, lead, now)
            await customer_repository.insert(session, Customer, [customer])
            await customer_repository.sync_mobiles(session, [customer])
            events.append(registered(customer))
        lead.customer_id, lead.converted_at = customer.id, now
        customer_repository.add(session, lead)
        await session.flush()
        events.append(event(LeadConverted(lead_id=lead.id, customer_id=customer.id, dealer_id=lead.dealer_id,
                                          existing_customer=existing is not None, converted_at=now),
                            customer.id, lead.dealer_id))
        await stage_all(session, events)
    return LeadConversion(lead_id=lead.id, customer_id=customer.id, existing_customer=existing is not None)


def _customer_of(keyring: Keyring, lead: Lead, now: datetime) -> Customer:
    if lead.mobile is None:
        # The request has no body to be wrong: it is the lead's state that stands in the way.
        raise Problem(409, "Conflict", "The lead cannot become a customer yet.", errors=[
            field_error("body", "mobile", "the lead has no mobile: add one before converting")])
    number = None
    if lead.id_number_cipher and lead.id_number_key:
        number = keyring.open(Sealed(lead.id_number_key, lead.id_number_cipher), lead.dealer_id)
    values = {"name": lead.name, "mobile": lead.mobile, "kind": "person", "status": "customer",
              "source_channel": lead.source_channel, "id_number": number}
    return new_customer(values, keyring, lead.dealer_id, now)


