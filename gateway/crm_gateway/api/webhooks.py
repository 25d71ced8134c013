"""/api/v1/webhooks: partner subscriptions, their delivery log, and replay."""

import uuid

from fastapi import APIRouter, Request, Response

from crm_contracts import permissions
from crm_gateway.handlers import webhooks as handlers
from crm_gateway.models import (
    DeliveryPublic,
    ReplayRequest,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
)
from crm_gateway.repository import webhooks as repository
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post("", status_code=201, response_model=SubscriptionCreated,
             summary="Subscribe a URL to events (delivered per the Standard Webhooks specification)")
async def subscribe(data: SubscriptionCreate, request: Request, session: SessionDep, response: Response,
                    principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> SubscriptionCreated:
    async with session.begin():
        created = await handlers.subscribe(session, principal, data,
                                           request.app.state.settings.webhook_allow_private_urls)
    response.headers["Location"] = f"{router.prefix}/{created.id}"
    return created


@router.get("", response_model=Page[SubscriptionPublic], summary="Your subscriptions")
async def list_subscriptions(session: SessionDep, principal: Principal = require(permissions.WEBHOOKS_MANAGE),
                             limit: Limit = 50, cursor: Cursor = None) -> Page[SubscriptionPublic]:
    after = position_after(cursor, uuid.UUID)[0] if cursor else None
    async with session.begin():
        found = await repository.subscriptions(session, principal.subject, limit, after)
    page = page_of(found, limit, lambda s: (str(s.id),))
    return Page(items=[SubscriptionPublic.model_validate(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/{subscription_id}", response_model=SubscriptionPublic)
async def get_subscription(subscription_id: uuid.UUID, session: SessionDep,
                           principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> SubscriptionPublic:
    async with session.begin():
        return SubscriptionPublic.model_validate(await handlers.owned(session, principal, subscription_id))


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: uuid.UUID, session: SessionDep,
                      principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> Response:
    async with session.begin():
        await session.delete(await handlers.owned(session, principal, subscription_id, lock=True))
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryPublic], summary="The delivery log")
async def deliveries(subscription_id: uuid.UUID, session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                     principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> Page[DeliveryPublic]:
    after = position_after(cursor, int)[0] if cursor else None
    async with session.begin():
        await handlers.owned(session, principal, subscription_id)
        found = await repository.deliveries(session, subscription_id, limit, after)
    page = page_of(found, limit, lambda d: (d.id,))
    return Page(items=[DeliveryPublic.model_validate(d) for d in page.items], next_cursor=page.next_cursor)


@router.post("/{subscription_id}/replay", status_code=202, summary="Send every event since a time again")
async def replay(subscription_id: uuid.UUID, data: ReplayRequest, session: SessionDep,
                 principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> dict:
    async with session.begin():
        queued = await handlers.replay(session, principal, subscription_id, data.since)
    return {"queued": queued}
