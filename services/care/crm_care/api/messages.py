"""/api/v1/care/messages and /templates: what went out (or was held back) and the wording per dealer."""

import uuid
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from crm_care import repository
from crm_care.api.common import PREFIX, as_dict, visible, write_dealer
from crm_care.domain.templates import TemplateInvalid, check
from crm_care.models import messages, templates
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, decode_cursor, page_of
from crm_kit.problems import field_error, invalid

router = APIRouter(prefix=PREFIX, tags=["care messages"])
SHOWN = [c for c in messages.c if c.name != "variables"]


class TemplatePut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str | None = None
    purpose: str = Field(min_length=1, max_length=40)
    channel: Literal["sms", "email", "wechat"]
    language: Literal["zh-CN", "en"] = "zh-CN"
    subject: str = Field("", max_length=200)
    body: str = Field(min_length=1, max_length=4000)
    provider_template: str | None = Field(None, max_length=100, description="SMS/WeChat template id at the provider")


@router.get("/messages")
async def list_messages(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                        customer_id: uuid.UUID | None = None, dealer_id: str | None = None,
                        status: Literal["queued", "sent", "blocked", "dead"] | None = None,
                        limit: Limit = 50, cursor: Cursor = None) -> Page[dict]:
    query = repository.scoped(sa.select(*SHOWN), messages, principal.dealer_filter())
    for column, value in ((messages.c.customer_id, customer_id), (messages.c.dealer_id, dealer_id),
                          (messages.c.status, status)):
        if value is not None:
            query = query.where(column == value)
    if cursor:
        created, last_id = decode_cursor(cursor, 2)
        query = query.where(sa.tuple_(messages.c.created_at, messages.c.id)
                            > (datetime.fromisoformat(created), uuid.UUID(last_id)))
    async with session.begin():
        found = [as_dict(r) for r in await repository.rows(
            session, query.order_by(messages.c.created_at, messages.c.id).limit(limit + 1))]
    return page_of(found, limit, lambda m: (m["created_at"].isoformat(), m["id"]))


@router.get("/messages/{message_id}")
async def get_message(message_id: uuid.UUID, session: SessionDep,
                      principal: Principal = require(permissions.CARE_READ)) -> dict:
    async with session.begin():
        row = await repository.one(session, sa.select(*SHOWN).where(messages.c.id == message_id))
    return as_dict(visible(principal, row, "message"))


@router.get("/templates")
async def list_templates(session: SessionDep, dealer_id: str | None = None,
                         principal: Principal = require(permissions.CARE_READ)) -> list[dict]:
    dealer = write_dealer(principal, dealer_id, "query")
    async with session.begin():
        return [as_dict(r) for r in await repository.rows(
            session, sa.select(templates).where(templates.c.dealer_id == dealer))]


@router.put("/templates")
async def put_template(data: TemplatePut, session: SessionDep,
                       principal: Principal = require(permissions.CARE_MANAGE)) -> dict:
    dealer = write_dealer(principal, data.dealer_id)
    errors = []
    for name in ("subject", "body"):
        try:
            check(getattr(data, name))
        except TemplateInvalid as error:
            errors.append(field_error("body", name, f"not a valid template: {error}"))
    if errors:
        raise invalid(*errors)
    values = {**data.model_dump(exclude={"dealer_id"}), "dealer_id": dealer, "updated_at": datetime.now(UTC)}
    async with session.begin():
        await repository.upsert(session, templates, ["dealer_id", "purpose", "channel", "language"], values)
    return values
