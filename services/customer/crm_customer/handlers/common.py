"""What every use case shares: events into the outbox, refusals as problems, PII sealing."""

import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from functools import cache
from types import SimpleNamespace
from typing import Any

from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import REGISTRY, Envelope, Payload
from crm_customer.domain import Refusal
from crm_customer.domain.customers import birthday_mm_dd, lunar_month_day
from crm_customer.domain.identity import mask_id_number
from crm_customer.domain.pii import Keyring, Sealed, UnknownKey
from crm_customer.models import Customer
from crm_kit.auth import Principal, check_dealer
from crm_kit.outbox import WAKE_RELAY, outbox, service_event
from crm_kit.problems import Problem, field_error, invalid, not_found

SERVICE = "customer"
# The import job whose batch is being handled: every event built meanwhile carries it (`importjob`), as every
# event of a request carries the request id.
import_job: ContextVar[str | None] = ContextVar("import_job", default=None)


def event(payload: Payload, subject: uuid.UUID | str, dealer_id: str) -> Envelope:
    return service_event(payload, subject, dealer_id, service=SERVICE, import_job=import_job.get())


async def stage_all(session: AsyncSession, events: Iterable[Envelope]) -> None:
    """The kit's `stage`, many rows in one statement (an import batch stages hundreds of events)."""
    rows = [{"event_id": e.id, "topic": REGISTRY[e.type].topic, "key": e.subject, "type": e.type,
             "envelope": e.model_dump(mode="json", exclude_none=True)} for e in events]
    if rows:
        connection = await session.connection()
        await connection.execute(outbox.insert(), rows)
        await connection.execute(WAKE_RELAY)  # the relay publishes them as soon as this commits


def new_row(table: type[SQLModel], /, **values: Any) -> SimpleNamespace:
    """A new row of `table` as a plain object, every column defaulted. SQLModel's table constructor costs about
    a millisecond an object (it inspects each default factory every time): too slow for 100k-row imports.
    Rows are written with `repository.insert`; reads of existing rows still come back as models."""
    fixed, factories = _defaults(table)
    row = {**fixed, **{name: factory() for name, factory in factories.items() if name not in values},
           **{name: value for name, value in values.items() if name in fixed or name in factories}}
    return SimpleNamespace(**row)


@cache
def _defaults(table: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fixed default of each column, default factory of each column that has one): read once per table."""
    fixed, factories = {}, {}
    for name, field in table.model_fields.items():
        if field.default_factory is not None:
            factories[name] = field.default_factory
        else:
            fixed[name] = None if field.default is PydanticUndefined else field.default
    return fixed, factories


def refuse(refusals: list[Refusal], location: str = "body") -> Problem:
    return invalid(*(field_error(location, field, detail) for field, detail in refusals))


def customer_facts(customer: Customer) -> dict[str, Any]:
    return {"kind": customer.kind, "status": customer.status, "gender": customer.gender,
            "birthday": birthday_mm_dd(customer.birth_date), "lunar_birthday": customer.lunar_birthday,
            "lunar_birthday_md": lunar_month_day(customer.birth_date) if customer.lunar_birthday else None,
            "language": customer.language, "city": customer.city, "source_channel": customer.source_channel}


def seal_id_number(keyring: Keyring, number: str | None, dealer_id: str) -> dict[str, Any]:
    """The four columns that hold an ID number: ciphertext, key id, lookup hash and its masked form."""
    if number is None:
        return {"id_number_cipher": None, "id_number_key": None, "id_number_hash": None, "id_number_masked": None}
    sealed = keyring.seal(number, dealer_id)
    return {"id_number_cipher": sealed.ciphertext, "id_number_key": sealed.key_id,
            "id_number_hash": keyring.lookup_hash(number), "id_number_masked": mask_id_number(number)}


def open_id_number(keyring: Keyring, customer: Customer) -> str | None:
    if customer.id_number_cipher is None or customer.id_number_key is None:
        return None
    try:
        return keyring.open(Sealed(customer.id_number_key, customer.id_number_cipher), customer.dealer_id)
    except UnknownKey:  # its key was retired (or a dev key was lost on restart): callers show the masked form
        return None


def visible(principal: Principal, record, what: str):
    """The record if the principal may see it; otherwise 404, as if it did not exist."""
    if record is None:
        raise not_found(what)
    check_dealer(principal, record.dealer_id, what)
    return record


def live_customer(principal: Principal, customer: Customer | None) -> Customer:
    customer = visible(principal, customer, "customer")
    if customer.merged_into is not None:
        raise Problem(404, "Not Found", "This customer was merged into another.", merged_into=str(customer.merged_into))
    return customer
