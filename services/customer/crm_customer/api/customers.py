"""/api/v1/customers: the customer record, search, merge, erasure and consent."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from crm_contracts import permissions
from crm_customer.api.shaping import KeyringDep, customer_public, unmasked_for
from crm_customer.domain.contact import InvalidMobile, normalise_mobile
from crm_customer.domain.vehicles import normalise_plate
from crm_customer.handlers import customers as handlers
from crm_customer.handlers import engagement, lifecycle
from crm_customer.models import (
    ConsentCreate,
    ConsentPublic,
    CustomerCreate,
    CustomerPublic,
    CustomerUpdate,
    MergeRequest,
)
from crm_customer.models.customers import CustomerStatus
from crm_customer.repository import customers as repository
from crm_kit.auth import Principal, require, write_dealer
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.problems import field_error, invalid
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, etag

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.post("", status_code=201, response_model=CustomerPublic, responses=problems(409))
async def register_customer(data: CustomerCreate, session: SessionDep, response: Response, keyring: KeyringDep,
                            idempotency_key: IdempotencyKey = None,
                            principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> CustomerPublic:
    customer, warnings = await handlers.register_customer(session, keyring, data,
                                                          write_dealer(principal, data.dealer_id), idempotency_key)
    response.headers["Location"] = f"{router.prefix}/{customer.id}"
    response.headers["ETag"] = etag(customer.version)
    return customer_public(customer, keyring, unmasked_for(principal), warnings)


@router.get("", response_model=Page[CustomerPublic])
async def search_customers(
    session: SessionDep, keyring: KeyringDep, principal: Principal = require(permissions.CUSTOMERS_READ),
    name: Annotated[str | None, Query(description="Name prefix")] = None,
    mobile: str | None = None, plate: str | None = None, vin: str | None = None, tag: str | None = None,
    status: CustomerStatus | None = None, dealer_id: str | None = None,
    created_from: datetime | None = None, created_to: datetime | None = None,
    sort: Literal["created_at", "-created_at", "name", "-name"] = "created_at",
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[CustomerPublic]:
    filters = {"name": name, "tag": tag, "status": status, "dealer_id": dealer_id, "created_from": created_from,
               "created_to": created_to, "vin": vin.strip().upper() if vin else None}
    problems = []
    try:
        filters["mobile"] = normalise_mobile(mobile) if mobile else None
    except InvalidMobile as error:
        problems.append(field_error("query", "mobile", str(error)))
    try:
        filters["plate"] = normalise_plate(plate) if plate else None
    except ValueError as error:
        problems.append(field_error("query", "plate", str(error)))
    if problems:
        raise invalid(*problems)
    after = position_after(cursor, datetime.fromisoformat if sort.lstrip("-") == "created_at" else str, uuid.UUID)
    async with session.begin():
        found = await repository.search(session, principal.dealer_filter(), filters, sort=sort, limit=limit,
                                        after=after)
    key = sort.lstrip("-")
    page = page_of(found, limit, lambda c: (getattr(c, key).isoformat() if key == "created_at" else c.name, c.id))
    if unmasked_for(principal):
        await handlers.log_unmasked(session, principal, page.items, "list")
    return Page(items=[customer_public(c, keyring, unmasked_for(principal)) for c in page.items],
                next_cursor=page.next_cursor)


@router.get("/{customer_id}", response_model=CustomerPublic)
async def get_customer(customer_id: uuid.UUID, session: SessionDep, response: Response, keyring: KeyringDep,
                       principal: Principal = require(permissions.CUSTOMERS_READ)) -> CustomerPublic:
    customer = await handlers.read_customer(session, principal, customer_id)
    if unmasked_for(principal):
        await handlers.log_unmasked(session, principal, [customer], "read")
    response.headers["ETag"] = etag(customer.version)
    return customer_public(customer, keyring, unmasked_for(principal))


@router.patch("/{customer_id}", response_model=CustomerPublic, responses=problems(409, 412, 428))
async def update_customer(customer_id: uuid.UUID, data: CustomerUpdate, session: SessionDep, response: Response,
                          keyring: KeyringDep, if_match: IfMatch = None,
                          principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> CustomerPublic:
    customer, warnings = await handlers.update_customer(session, keyring, principal, customer_id, data, if_match)
    response.headers["ETag"] = etag(customer.version)
    return customer_public(customer, keyring, unmasked_for(principal), warnings)


@router.delete("/{customer_id}", status_code=204, responses=problems(409))
async def delete_customer(customer_id: uuid.UUID, session: SessionDep,
                          principal: Principal = require(permissions.CUSTOMERS_ERASE)) -> Response:
    await handlers.delete_customer(session, principal, customer_id)
    return Response(status_code=204)


@router.post("/{survivor_id}/merge", response_model=CustomerPublic)
async def merge_customers(survivor_id: uuid.UUID, data: MergeRequest, session: SessionDep, response: Response,
                          keyring: KeyringDep,
                          principal: Principal = require(permissions.CUSTOMERS_MERGE)) -> CustomerPublic:
    survivor = await lifecycle.merge(session, principal, survivor_id, data.duplicate_id)
    response.headers["ETag"] = etag(survivor.version)
    return customer_public(survivor, keyring, unmasked_for(principal))


@router.post("/{customer_id}/erase", response_model=CustomerPublic)
async def erase_customer(customer_id: uuid.UUID, session: SessionDep, keyring: KeyringDep,
                         principal: Principal = require(permissions.CUSTOMERS_ERASE)) -> CustomerPublic:
    customer = await lifecycle.erase(session, principal, customer_id)
    return customer_public(customer, keyring, unmasked=False)


@router.post("/{customer_id}/consents", response_model=ConsentPublic, responses=problems(409))
async def set_consent(customer_id: uuid.UUID, data: ConsentCreate, session: SessionDep,
                      idempotency_key: IdempotencyKey = None,
                      principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> ConsentPublic:
    consent = await engagement.set_consent(session, principal, customer_id, data, idempotency_key)
    return ConsentPublic.model_validate(consent, from_attributes=True)


@router.get("/{customer_id}/consents", response_model=list[ConsentPublic])
async def list_consents(customer_id: uuid.UUID, session: SessionDep,
                        principal: Principal = require(permissions.CUSTOMERS_READ)) -> list[ConsentPublic]:
    return [ConsentPublic.model_validate(c, from_attributes=True)
            for c in await engagement.consents(session, principal, customer_id)]
