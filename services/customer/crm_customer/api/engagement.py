"""/api/v1/leads and the PII access log."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from crm_contracts import permissions
from crm_customer.api.shaping import KeyringDep, unmasked_for
from crm_customer.domain.contact import mask_mobile
from crm_customer.handlers import engagement as handlers
from crm_customer.models import Lead, LeadConversion, LeadCreate, LeadPublic, PiiAccessPublic
from crm_customer.repository import customers as repository
from crm_kit.auth import Principal, require, write_dealer
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.responses import problems

leads = APIRouter(prefix="/api/v1/leads", tags=["leads"])
access_log = APIRouter(prefix="/api/v1/pii-access-log", tags=["personal data"])


def lead_public(lead: Lead, principal: Principal) -> LeadPublic:
    shown = LeadPublic.model_validate(lead, from_attributes=True)
    if not unmasked_for(principal):
        shown.mobile = mask_mobile(lead.mobile)
    return shown


@leads.post("", status_code=201, response_model=LeadPublic)
async def create_lead(data: LeadCreate, session: SessionDep, response: Response, keyring: KeyringDep,
                      idempotency_key: IdempotencyKey = None,
                      principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> LeadPublic:
    lead = await handlers.create_lead(session, keyring, data, write_dealer(principal, data.dealer_id),
                                      idempotency_key)
    response.headers["Location"] = f"{leads.prefix}/{lead.id}"
    return lead_public(lead, principal)


@leads.get("", response_model=Page[LeadPublic])
async def list_leads(session: SessionDep, dealer_id: str | None = None,
                     converted: bool | None = None, created_from: datetime | None = None,
                     created_to: datetime | None = None, limit: Limit = 50, cursor: Cursor = None,
                     principal: Principal = require(permissions.CUSTOMERS_READ)) -> Page[LeadPublic]:
    """The dealer's showroom leads, newest first; `converted` picks those that became customers (or not)."""
    filters = {"dealer_id": dealer_id, "converted": converted, "created_from": created_from,
               "created_to": created_to}
    after = position_after(cursor, datetime.fromisoformat, uuid.UUID)
    found = await handlers.list_leads(session, principal, filters, after=after, limit=limit)
    page = page_of(found, limit, lambda lead: (lead.created_at, lead.id))
    return Page(items=[lead_public(lead, principal) for lead in page.items], next_cursor=page.next_cursor)


@leads.get("/{lead_id}", response_model=LeadPublic)
async def get_lead(lead_id: uuid.UUID, session: SessionDep,
                   principal: Principal = require(permissions.CUSTOMERS_READ)) -> LeadPublic:
    return lead_public(await handlers.read_lead(session, principal, lead_id), principal)


@leads.post("/{lead_id}/convert", response_model=LeadConversion, responses=problems(404, 409))
async def convert_lead(lead_id: uuid.UUID, session: SessionDep, keyring: KeyringDep,
                       principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> LeadConversion:
    return await handlers.convert_lead(session, keyring, principal, lead_id)


@access_log.get("", response_model=Page[PiiAccessPublic])
async def read_access_log(session: SessionDep, customer_id: uuid.UUID | None = None, principal_name: str | None = None,
                          since: Annotated[AwareDatetime | None, Query(description="Entries at or after")] = None,
                          until: Annotated[AwareDatetime | None, Query(description="Entries before")] = None,
                          limit: Limit = 100, cursor: Cursor = None,
                          principal: Principal = require(permissions.PII_AUDIT)) -> Page[PiiAccessPublic]:
    """Who saw whose personal data unmasked, newest first (the CS information manager's audit), optionally
    within a time range (`since` ≤ at < `until`, with their time zone)."""
    after = position_after(cursor, int)[0] if cursor else None
    async with session.begin():
        entries = await repository.access_log(session, principal.dealer_filter(), customer_id=customer_id,
                                              principal=principal_name, since=since, until=until, limit=limit,
                                              after=after)
    page = page_of(entries, limit, lambda entry: (entry.id,))
    return Page(items=[PiiAccessPublic.model_validate(e, from_attributes=True) for e in page.items],
                next_cursor=page.next_cursor)
