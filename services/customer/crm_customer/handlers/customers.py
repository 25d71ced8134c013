"""Registering, changing, reading and deleting one customer."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.customer import CustomerErased, CustomerRegistered, CustomerUpdated
from crm_customer.domain.customers import normalise_customer
from crm_customer.domain.identity import resident_id_warning
from crm_customer.domain.pii import Keyring
from crm_customer.handlers.common import (
    customer_facts,
    event,
    live_customer,
    new_row,
    open_id_number,
    refuse,
    seal_id_number,
    stage_all,
)
from crm_customer.models import Customer, CustomerCreate, CustomerUpdate, PiiAccess
from crm_customer.repository import customers as repository
from crm_kit.auth import Principal
from crm_kit.db import reading
from crm_kit.idempotency import first_answer
from crm_kit.logs import request_id
from crm_kit.problems import Problem, not_found
from crm_kit.versioning import check_if_match

UNMASKED_FIELDS = ["name", "mobile", "other_mobiles", "contacts", "email", "wechat_openid", "birth_date", "address",
                   "id_number"]


def duplicate_problem(existing: Customer) -> Problem:
    return Problem(409, "Conflict", "A customer with this mobile or ID number already exists at this dealer.",
                   existing_id=str(existing.id))


def id_number_warnings(values: dict[str, Any]) -> list[str]:
    warning = resident_id_warning(values.get("id_number"))
    return [f"id_number: {warning}"] if warning else []


def mobiles_of(customer: Customer) -> list[str]:
    return [number for number in (customer.mobile, *customer.other_mobiles) if number]


def columns_of(values: dict[str, Any], keyring: Keyring, dealer_id: str) -> dict[str, Any]:
    """Normalised field values -> table columns (the ID number sealed)."""
    columns = {k: v for k, v in values.items() if k not in ("id_number", "dealer_id")}
    if "id_number" in values:
        columns.update(seal_id_number(keyring, values["id_number"], dealer_id))
    return columns


def new_customer(values: dict[str, Any], keyring: Keyring, dealer_id: str, now: datetime) -> Customer:
    """A new row, written with `repository.insert` (typed as the model it becomes)."""
    columns = {k: v for k, v in columns_of(values, keyring, dealer_id).items() if v is not None}
    return new_row(Customer, **columns, dealer_id=dealer_id, created_at=now, updated_at=now)


def registered(customer: Customer):
    return event(CustomerRegistered(customer_id=customer.id, dealer_id=customer.dealer_id,
                                    registered_at=customer.created_at, **customer_facts(customer)),
                 customer.id, customer.dealer_id)


def updated(customer: Customer, changed: list[str]):
    return event(CustomerUpdated(customer_id=customer.id, dealer_id=customer.dealer_id, changed=changed,
                                 version=customer.version, updated_at=customer.updated_at,
                                 **customer_facts(customer)), customer.id, customer.dealer_id)


def apply_changes(customer: Customer, columns: dict[str, Any], now: datetime) -> list[str]:
    """Set what differs; returns the changed field names (the sealed ID number reported as `id_number`)."""
    changed = set()
    id_changed = "id_number_hash" in columns and columns["id_number_hash"] != customer.id_number_hash
    for name, value in columns.items():
        if name.startswith("id_number_"):
            if id_changed:
                setattr(customer, name, value)
                changed.add("id_number")
        elif getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.add(name)
    if changed:
        customer.version += 1
        customer.updated_at = now
    return sorted(changed)


async def register_customer(session: AsyncSession, keyring: Keyring, data: CustomerCreate, dealer_id: str,
                            idempotency_key: str | None = None) -> tuple[Customer, list[str]]:
    given = data.model_dump(exclude_unset=True)
    given["kind"] = data.kind
    values, refusals = normalise_customer(given, data.kind, date.today())
    if refusals:
        raise refuse(refusals)
    warnings = id_number_warnings(values)
    customer = new_customer(values, keyring, dealer_id, datetime.now(UTC))
    try:
        async with session.begin():
            earlier = await first_answer(session, idempotency_key, dealer_id, "POST /customers",
                                         data.model_dump(mode="json", exclude_unset=True), customer.id)
            if earlier:
                return await _first_customer(session, earlier.resource_id), warnings
            existing = await repository.find_duplicate(session, dealer_id, mobiles=mobiles_of(customer),
                                                       id_hash=customer.id_number_hash)
            if existing:
                raise duplicate_problem(existing)
            await repository.insert(session, Customer, [customer])
            await repository.sync_mobiles(session, [customer])
            await stage_all(session, [registered(customer)])
    except IntegrityError:  # another request registered one of these numbers a moment ago
        async with session.begin():
            existing = await repository.find_duplicate(session, dealer_id, mobiles=mobiles_of(customer),
                                                       id_hash=customer.id_number_hash)
        raise duplicate_problem(existing) if existing else Problem(409, "Conflict", "Try again.") from None
    return customer, warnings


async def _first_customer(session: AsyncSession, customer_id: str) -> Customer:
    customer = await repository.get_customer(session, uuid.UUID(customer_id))
    if customer is None:  # deleted since: the retry cannot be answered with it
        raise not_found("customer")
    return customer


async def update_customer(session: AsyncSession, keyring: Keyring, principal: Principal, customer_id: uuid.UUID,
                          data: CustomerUpdate, if_match: str | None) -> tuple[Customer, list[str]]:
    given = data.model_dump(exclude_unset=True)
    async with session.begin():
        customer = live_customer(principal, await repository.get_customer(session, customer_id, for_update=True))
        check_if_match(if_match, customer.version)
        if customer.erased_at:
            raise Problem(409, "Conflict", "This customer was erased.")
        current = {"id_number": open_id_number(keyring, customer), "birth_date": customer.birth_date,
                   "gender": customer.gender, "mobile": customer.mobile, "other_mobiles": customer.other_mobiles}
        values, refusals = normalise_customer(given, customer.kind, date.today(), current)
        if refusals:
            raise refuse(refusals)
        columns = columns_of(values, keyring, customer.dealer_id)
        existing = await repository.find_duplicate(
            session, customer.dealer_id, mobiles=[values.get("mobile"), *values.get("other_mobiles", [])],
            id_hash=columns.get("id_number_hash"), other_than=customer.id)
        if existing:
            raise duplicate_problem(existing)
        changed = apply_changes(customer, columns, datetime.now(UTC))
        if changed:
            repository.add(session, customer)
            if {"mobile", "other_mobiles"} & set(changed):
                await _take_numbers(session, customer)
            await stage_all(session, [updated(customer, changed)])
    return customer, id_number_warnings(values)


async def _take_numbers(session: AsyncSession, customer: Customer) -> None:
    try:
        await session.flush()
        await repository.sync_mobiles(session, [customer])
    except IntegrityError:
        raise Problem(409, "Conflict", "Another customer of this dealer took one of these numbers a moment ago; "
                                       "read it again and retry.") from None


async def read_customer(session: AsyncSession, principal: Principal, customer_id: uuid.UUID) -> Customer:
    return live_customer(principal, await reading(session, lambda: repository.get_customer(session, customer_id)))


async def log_unmasked(session: AsyncSession, principal: Principal, customers: list[Customer], action: str) -> None:
    """Every read that shows personal data unmasked leaves a line the CS information manager can query."""
    now = datetime.now(UTC)
    entries = [PiiAccess(at=now, principal=principal.subject, dealer_id=c.dealer_id, customer_id=c.id,
                         action=action, fields=UNMASKED_FIELDS, records=1, request_id=request_id.get())
               for c in customers if c.erased_at is None]
    if entries:
        async with session.begin():
            repository.log_access(session, entries)


async def delete_customer(session: AsyncSession, principal: Principal, customer_id: uuid.UUID) -> None:
    """Only a record without vehicles or visits is deleted outright (a mistaken entry); one with history
    is erased instead, which keeps the anonymous facts the statistics need."""
    async with session.begin():
        customer = live_customer(principal, await repository.get_customer(session, customer_id, for_update=True))
        if await repository.has_history(session, customer.id):
            raise Problem(409, "Conflict", "This customer has vehicles or visits: erase it instead (POST .../erase).")
        await repository.delete_customer(session, customer)
        await stage_all(session, [event(CustomerErased(customer_id=customer.id, dealer_id=customer.dealer_id,
                                                       erased_at=datetime.now(UTC)), customer.id, customer.dealer_id)])

