"""Merging a duplicate into a survivor, and erasing a person on request (PIPL)."""

import uuid
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.customer import CustomerErased, CustomerMerged
from crm_customer.handlers.common import event, live_customer, stage_all, visible
from crm_customer.handlers.customers import mobiles_of, updated
from crm_customer.models import Consent, Customer
from crm_customer.repository import customers as repository
from crm_kit.auth import Principal
from crm_kit.problems import field_error, invalid

# Blank fields of the survivor that the duplicate can fill in.
FILLABLE = ("email", "wechat_openid", "gender", "birth_date", "province", "city", "address", "credit_code",
            "age_band", "income_band", "education", "marital_status", "children", "source_channel")
ID_COLUMNS = ("id_number_cipher", "id_number_key", "id_number_hash", "id_number_masked")
ERASED_NAME = "(erased)"


async def merge(session: AsyncSession, principal: Principal, survivor_id: uuid.UUID,
                duplicate_id: uuid.UUID) -> Customer:
    if survivor_id == duplicate_id:
        raise invalid(field_error("body", "duplicate_id", "a customer cannot be merged into itself"))
    async with session.begin():
        # Lock in id order so two merges of the same pair cannot deadlock.
        locked = {}
        for customer_id in sorted((survivor_id, duplicate_id)):
            locked[customer_id] = await repository.get_customer(session, customer_id, for_update=True)
        survivor = live_customer(principal, locked[survivor_id])
        duplicate = visible(principal, locked[duplicate_id], "customer")
        if duplicate.merged_into == survivor.id:
            return survivor  # merged already: a retried request changes nothing
        if duplicate.merged_into is not None or duplicate.dealer_id != survivor.dealer_id:
            raise invalid(field_error("body", "duplicate_id", "not a live customer of the survivor's dealer"))
        now = datetime.now(UTC)
        vehicle_ids = await repository.move_records(session, duplicate.id, survivor.id)
        await _merge_consents(session, duplicate, survivor)
        changed = sorted(_fill_blanks(survivor, duplicate) + _take_numbers(survivor, duplicate))
        if changed:
            survivor.version += 1
            survivor.updated_at = now
        duplicate.merged_into = survivor.id
        duplicate.mobile, duplicate.other_mobiles = None, []
        for column in ID_COLUMNS:
            setattr(duplicate, column, None)
        duplicate.version += 1
        duplicate.updated_at = now
        repository.add(session, survivor, duplicate)
        await session.flush()
        await repository.sync_mobiles(session, [duplicate, survivor])
        # Keyed by the duplicate: its earlier events are ordered before the merge that re-keys them.
        events = [event(CustomerMerged(survivor_id=survivor.id, duplicate_id=duplicate.id,
                                       dealer_id=survivor.dealer_id, vehicle_ids=vehicle_ids, merged_at=now),
                        duplicate.id, survivor.dealer_id)]
        if changed:
            events.append(updated(survivor, changed))
        await stage_all(session, events)
    return survivor


def _fill_blanks(survivor: Customer, duplicate: Customer) -> list[str]:
    changed = [name for name in FILLABLE if getattr(survivor, name) is None and getattr(duplicate, name) is not None]
    for name in changed:
        setattr(survivor, name, getattr(duplicate, name))
    if survivor.id_number_hash is None and duplicate.id_number_hash is not None:
        for column in ID_COLUMNS:
            setattr(survivor, column, getattr(duplicate, column))
        changed.append("id_number")
    if not survivor.contacts and duplicate.contacts:
        survivor.contacts = duplicate.contacts
        changed.append("contacts")
    merged_tags = sorted(set(survivor.tags) | set(duplicate.tags))
    if merged_tags != sorted(survivor.tags):
        survivor.tags = merged_tags
        changed.append("tags")
    return sorted(changed)


def _take_numbers(survivor: Customer, duplicate: Customer) -> list[str]:
    """The duplicate's numbers become the survivor's other numbers: the person may still call from them.
    The limit of four other numbers is for what a client sends; a merge keeps every number."""
    kept = mobiles_of(survivor)
    moved = [number for number in mobiles_of(duplicate) if number not in kept]
    if not moved:
        return []
    survivor.other_mobiles = [*survivor.other_mobiles, *moved]
    return ["other_mobiles"]


async def _merge_consents(session: AsyncSession, duplicate: Customer, survivor: Customer) -> None:
    """The newer answer per purpose and channel wins: a withdrawal on either record stays withdrawn
    unless granted again later."""
    kept = {(c.purpose, c.channel): c for c in await repository.consents_of(session, survivor.id)}
    incoming = await repository.consents_of(session, duplicate.id)
    await repository.delete_consents(session, duplicate.id)
    for consent in incoming:
        current = kept.get((consent.purpose, consent.channel))
        if current is None or consent.changed_at > current.changed_at:
            await session.merge(Consent(**{**consent.model_dump(), "customer_id": survivor.id}))


async def erase(session: AsyncSession, principal: Principal, customer_id: uuid.UUID) -> Customer:
    """Anonymise the person; vehicles and visits stay as anonymous facts for the statistics."""
    async with session.begin():
        customer = live_customer(principal, await repository.get_customer(session, customer_id, for_update=True))
        if customer.erased_at is not None:
            return customer
        now = datetime.now(UTC)
        customer.name = ERASED_NAME
        for column in ("mobile", "email", "wechat_openid", "birth_date", "address", "credit_code", "gender",
                       *ID_COLUMNS):
            setattr(customer, column, None)
        customer.tags, customer.other_mobiles, customer.contacts = [], [], []
        customer.marital_status = customer.children = None
        customer.lunar_birthday = False
        customer.erased_at = now
        customer.updated_at = now
        customer.version += 1
        repository.add(session, customer)
        await repository.delete_consents(session, customer.id)
        await repository.sync_mobiles(session, [customer])
        await repository.forget_personal_traces(session, customer.id)
        await stage_all(session, [event(CustomerErased(customer_id=customer.id, dealer_id=customer.dealer_id,
                                                       erased_at=now), customer.id, customer.dealer_id)])
    return customer
