"""/api/v1/webhooks: partner subscriptions, their delivery log, and replay."""

import uuid

from fastapi import APIRouter, Request, Response

from crm_contracts import permissions
from crm_gateway.handlers import webhooks as handlers
from crm_gateway.models import (
    AttemptPublic,
    DeliveryPublic,
    ReplayQueued,
    ReplayRequest,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
)
from crm_gateway.repository import webhooks as repository
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.responses import problems

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


@router.get("", response_model=Page[SubscriptionPublic], summary="Your subscriptions, and those reaching your dealers",
            description="A partner client lists its own. Staff list theirs and every subscription that sends "
                        "their dealers' events, whoever made it; an administrator of every dealer lists all.")
async def list_subscriptions(session: SessionDep, principal: Principal = require(permissions.WEBHOOKS_MANAGE),
                             limit: Limit = 50, cursor: Cursor = None) -> Page[SubscriptionPublic]:
    after = position_after(cursor, uuid.UUID)[0] if cursor else None
    owner = principal.subject if principal.is_client or not principal.all_dealers else None
    reaching = None if principal.is_client else principal.dealer_filter()
    async with session.begin():
        found = await repository.subscriptions(session, owner, limit, after, reaching)
    page = page_of(found, limit, lambda s: (str(s.id),))
    return Page(items=[SubscriptionPublic.model_validate(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/{subscription_id}", response_model=SubscriptionPublic, responses=problems(404))
async def get_subscription(subscription_id: uuid.UUID, session: SessionDep,
                           principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> SubscriptionPublic:
    async with session.begin():
        subscription, _ = await handlers.visible(session, principal, subscription_id)
        return SubscriptionPublic.model_validate(subscription)


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: uuid.UUID, session: SessionDep,
                      principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> Response:
    async with session.begin():
        await session.delete(await handlers.owned(session, principal, subscription_id, lock=True))
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryPublic], summary="The delivery log",
            description="Newest first. In a subscription made for several dealers, a dealer's staff see their "
                        "dealer's deliveries only.", responses=problems(404))
async def deliveries(subscription_id: uuid.UUID, session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                     principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> Page[DeliveryPublic]:
    after = position_after(cursor, int)[0] if cursor else None
    async with session.begin():
        _, dealers = await handlers.visible(session, principal, subscription_id)
        found = await repository.deliveries(session, subscription_id, limit, after, dealers)
    page = page_of(found, limit, lambda d: (d.id,))
    return Page(items=[DeliveryPublic.model_validate(d) for d in page.items], next_cursor=page.next_cursor)


@router.post("/{subscription_id}/replay", status_code=202, summary="Send every event since a time again")
async def replay(subscription_id: uuid.UUID, data: ReplayRequest, session: SessionDep,
                 principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> ReplayQueued:
    async with session.begin():
        queued = await handlers.replay(session, principal, subscription_id, data.since)
    return ReplayQueued(queued=queued)


@router.post("/{subscription_id}/pause", response_model=SubscriptionPublic, responses=problems(
    404, 409, s409="The gateway disabled the subscription; create a new one"), summary="Pause deliveries")
async def pause(subscription_id: uuid.UUID, session: SessionDep,
                principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> SubscriptionPublic:
    """Nothing is sent while paused; events keep being recorded, as `held` deliveries, and go out in their
    order on resume (none is skipped). Pausing a paused subscription changes nothing."""
    async with session.begin():
        return SubscriptionPublic.model_validate(await handlers.pause(session, principal, subscription_id))


@router.post("/{subscription_id}/resume", response_model=SubscriptionPublic, responses=problems(
    404, 409, s409="The gateway disabled the subscription; create a new one"), summary="Resume deliveries")
async def resume(subscription_id: uuid.UUID, session: SessionDep,
                 principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> SubscriptionPublic:
    """The held deliveries are sent at once, in event order, then new events as they come."""
    async with session.begin():
        return SubscriptionPublic.model_validate(await handlers.resume(session, principal, subscription_id))


@router.post("/{subscription_id}/deliveries/{delivery_id}/replay", status_code=202, response_model=DeliveryPublic,
             responses=problems(404, 409, s409="The gateway disabled the subscription; create a new one"),
             summary="Send one delivery's event again")
async def replay_one(subscription_id: uuid.UUID, delivery_id: int, session: SessionDep, response: Response,
                     principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> DeliveryPublic:
    """That event only, once more, with its original `webhook-id` (a receiver that deduplicates ignores it);
    the answer is the new delivery (`replay` true), `held` while the subscription is paused."""
    async with session.begin():
        again = await handlers.replay_one(session, principal, subscription_id, delivery_id)
        queued = DeliveryPublic.model_validate(again)
    response.headers["Location"] = f"{router.prefix}/{subscription_id}/deliveries/{queued.id}/attempts"
    return queued


@router.get("/{subscription_id}/deliveries/{delivery_id}/attempts", response_model=list[AttemptPublic],
            responses=problems(404), summary="Every attempt at sending one delivery, oldest first")
async def attempts(subscription_id: uuid.UUID, delivery_id: int, session: SessionDep,
                   principal: Principal = require(permissions.WEBHOOKS_MANAGE)) -> list[AttemptPublic]:
    async with session.begin():
        found = await handlers.attempts(session, principal, subscription_id, delivery_id)
    return [AttemptPublic.model_validate(a) for a in found]
