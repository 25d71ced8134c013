"""/api/v1/care/messages and /templates: what went out (or was held back) and the wording per dealer."""

import uuid
from typing import Literal

from fastapi import APIRouter, Response

from crm_care.api.common import (
    BAD_CURSOR,
    FORBIDDEN,
    NOT_FOUND,
    PREFIX,
    after_time_id,
    page,
    position_after,
    write_dealer,
)
from crm_care.handlers import templates as handlers
from crm_care.handlers.common import visible
from crm_care.models.messages import MessagePublic, TemplatePublic, TemplatePut
from crm_care.repository import message_log
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag

router = APIRouter(prefix=PREFIX, tags=["care messages"])


@router.get("/messages", responses=BAD_CURSOR)
async def list_messages(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                        customer_id: uuid.UUID | None = None, dealer_id: str | None = None,
                        status: Literal["queued", "sent", "blocked", "dead"] | None = None,
                        limit: Limit = 50, cursor: Cursor = None) -> Page[MessagePublic]:
    after = after_time_id(cursor)
    filters = {"customer_id": customer_id, "dealer_id": dealer_id, "status": status}
    async with session.begin():
        found = await message_log.messages_page(session, principal.dealer_filter(), filters=filters, after=after,
                                             limit=limit)
    return page(found, limit, MessagePublic.model_validate, lambda m: (m.created_at.isoformat(), m.id))


@router.get("/messages/{message_id}", responses=NOT_FOUND)
async def get_message(message_id: uuid.UUID, session: SessionDep,
                      principal: Principal = require(permissions.CARE_READ)) -> MessagePublic:
    async with session.begin():
        row = await message_log.message(session, message_id)
    return MessagePublic.model_validate(visible(principal, row, "message"))


@router.get("/templates", responses={**BAD_CURSOR, **FORBIDDEN})
async def list_templates(session: SessionDep, dealer_id: str | None = None,
                         principal: Principal = require(permissions.CARE_READ),
                         limit: Limit = 50, cursor: Cursor = None) -> Page[TemplatePublic]:
    """The dealer's own wordings; a purpose and channel without one uses the built-in text."""
    dealer = write_dealer(principal, dealer_id, "query")
    after = position_after(cursor, str, str, str)
    async with session.begin():
        found = await message_log.templates_page(session, dealer, after, limit)
    return page(found, limit, TemplatePublic.model_validate, lambda t: (t.purpose, t.channel, t.language))


@router.put("/templates", responses={**FORBIDDEN, **problems(412, 428)})
async def put_template(data: TemplatePut, session: SessionDep, response: Response, if_match: IfMatch = None,
                       principal: Principal = require(permissions.CARE_MANAGE)) -> TemplatePublic:
    """One wording per dealer, purpose, channel and language: putting it again replaces it. If-Match names
    the wording's `version` as the list shows it, quoted (`"3"`); for a wording the dealer does not have yet,
    `"0"` or `*`."""
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        saved = TemplatePublic.model_validate(await handlers.put_template(session, dealer, data, if_match))
    tag(response, saved.version)
    return saved
