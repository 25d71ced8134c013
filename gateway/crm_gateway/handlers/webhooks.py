"""Partner webhooks: subscribing, turning each event into deliveries, sending them, replaying them."""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import REGISTRY, Envelope
from crm_contracts.permissions import ALL_DEALERS
from crm_gateway.domain import webhooks as rules
from crm_gateway.models import DeliveryAttempt, Subscription, SubscriptionCreate, SubscriptionCreated, WebhookDelivery
from crm_gateway.repository import identity as identity_repository
from crm_gateway.repository import webhooks as repository
from crm_kit.auth import Principal
from crm_kit.db import Sessions
from crm_kit.problems import Problem, field_error, invalid, not_found

log = logging.getLogger(__name__)

# One per attempt: the CrmWebhookDeliveriesFailing alert divides `failed` by all, per subscription.
DELIVERY_ATTEMPTS = Counter("crm_webhook_deliveries", "Webhook delivery attempts", ["subscription", "outcome"])

# (url, headers, body, timeout) -> status code; raises OSError-like errors when the receiver is unreachable
Post = Callable[[str, dict[str, str], bytes, float], Awaitable[int]]


async def subscribe(session: AsyncSession, principal: Principal, data: SubscriptionCreate, allow_private: bool
                    ) -> SubscriptionCreated:
    errors = []
    if problem := rules.url_problem(data.url, allow_private):
        errors.append(field_error("body", "/url", problem))
    allowed_types: set[str] | None = None
    if principal.is_client:
        client = await identity_repository.client(session, principal.subject)
        allowed_types = set(client.event_types) if client else set()
    if unknown := sorted(t for t in data.event_types if t != "*" and t not in REGISTRY):
        errors.append(field_error("body", "/event_types", f"unknown event type(s): {', '.join(unknown)}"))
    elif allowed_types is not None and "*" not in allowed_types and (
            outside := sorted(set(data.event_types) - allowed_types)):
        errors.append(field_error("body", "/event_types", f"not allowed for this client: {', '.join(outside)}"))
    dealers = data.dealers if data.dealers is not None else sorted(principal.dealers)
    if not dealers or (ALL_DEALERS in dealers and not principal.all_dealers) or not all(map(principal.sees, dealers)):
        errors.append(field_error("body", "/dealers", "only dealers this token may see"))
    if errors:
        raise invalid(*errors)
    subscription = Subscription(owner=principal.subject, url=data.url, event_types=sorted(set(data.event_types)),
                                dealers=sorted(set(dealers)), secret=rules.new_secret())
    session.add(subscription)
    return SubscriptionCreated(**subscription.model_dump())


async def owned(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, lock: bool = False
                ) -> Subscription:
    """A subscription is its owner's; one that covers another dealer's events is not shown to a dealer user."""
    subscription = await repository.subscription(session, subscription_id, lock=lock)
    mine = subscription is not None and (
        subscription.owner == principal.subject
        or (not principal.is_client and all(map(principal.sees, subscription.dealers))))
    if not mine:
        raise not_found("webhook subscription")
    return subscription


async def fan_out(session: AsyncSession, event: Envelope) -> None:
    """One delivery per active subscription that wants this event (the consumer's handler for every type)."""
    body = event.to_json()
    for subscription in await repository.matching(session, event.type, event.dealerid):
        session.add(WebhookDelivery(subscription_id=subscription.id, event_id=event.id, event_type=event.type,
                                    subject=event.subject, dealer_id=event.dealerid, event_time=event.time,
                                    body=body, status=_queued_as(subscription)))


async def replay(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, since: datetime) -> int:
    subscription = await owned(session, principal, subscription_id)
    if subscription.status == "disabled":
        raise invalid(field_error("path", "subscription_id", "the subscription is disabled; create a new one"))
    return await repository.replay(session, subscription_id, since, _queued_as(subscription))


def _queued_as(subscription: Subscription) -> str:
    # A partner that paused expects every event it missed, in order, when it resumes: held, not skipped.
    return "held" if subscription.status == "paused" else "pending"


def _not_disabled(subscription: Subscription) -> None:
    if subscription.status == "disabled":
        raise Problem(409, "Conflict", "The subscription is disabled; create a new one.")


async def visible(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
                  ) -> tuple[Subscription, frozenset[str] | None]:
    """A subscription to read, and the dealers whose deliveries the caller sees (None: all of them).

    Besides what `owned` allows, a dealer's staff read every subscription that reaches their dealer, but only
    their own dealer's deliveries in it."""
    subscription = await repository.subscription(session, subscription_id)
    if subscription is not None and not principal.is_client and subscription.owner != principal.subject \
            and not principal.all_dealers and not all(map(principal.sees, subscription.dealers)) \
            and (ALL_DEALERS in subscription.dealers or set(subscription.dealers) & principal.dealers):
        return subscription, principal.dealers
    return await owned(session, principal, subscription_id), None


async def pause(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> Subscription:
    subscription = await owned(session, principal, subscription_id, lock=True)
    _not_disabled(subscription)
    subscription.status = "paused"
    session.add(subscription)
    await repository.hold_pending(session, subscription_id)
    return subscription


async def resume(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> Subscription:
    subscription = await owned(session, principal, subscription_id, lock=True)
    _not_disabled(subscription)
    subscription.status = "active"
    session.add(subscription)
    await repository.release_held(session, subscription_id, datetime.now(UTC))
    return subscription


async def replay_one(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: int
                     ) -> WebhookDelivery:
    """That event once more, after whatever is queued already; later events are not sent again."""
    subscription = await owned(session, principal, subscription_id)
    original = await repository.delivery_of(session, subscription_id, delivery_id)
    if original is None:
        raise not_found("delivery")
    _not_disabled(subscription)
    again = WebhookDelivery(subscription_id=subscription_id, event_id=original.event_id,
                            event_type=original.event_type, subject=original.subject, dealer_id=original.dealer_id,
                            event_time=original.event_time, body=original.body, replay=True,
                            status=_queued_as(subscription))
    session.add(again)
    await session.flush()
    return again


async def attempts(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: int
                   ) -> list[DeliveryAttempt]:
    _, dealers = await visible(session, principal, subscription_id)
    delivery = await repository.delivery_of(session, subscription_id, delivery_id)
    if delivery is None or (dealers is not None and delivery.dealer_id not in dealers):
        raise not_found("delivery")
    return await repository.attempts(session, delivery_id)


class Sender:
    """Sends due deliveries: claims a batch (SKIP LOCKED, so replicas share the work), posts them concurrently,
    records each attempt. One customer's deliveries go one at a time, in event order."""

    def __init__(self, sessions: Sessions, post: Post, *, schedule: list[float], timeout: float, batch_size: int):
        self.sessions, self.post = sessions, post
        self.schedule, self.timeout, self.batch_size = schedule, timeout, batch_size

    async def send_due(self) -> int:
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            claimed = await repository.claim_due(session, now, self.batch_size,
                                                 lease_until=now + timedelta(seconds=self.timeout * 3))
            targets = {s.id: s for s in await repository.subscriptions_by_id(session, {d.subscription_id
                                                                                        for d in claimed})}
        results = await asyncio.gather(*(self._attempt(d, targets[d.subscription_id]) for d in claimed))
        for delivery, (status, error, duration_ms) in zip(claimed, results, strict=True):
            await self._record(delivery.id, status, error, duration_ms)
        return len(claimed)

    async def _attempt(self, delivery: WebhookDelivery, target: Subscription) -> tuple[int | None, str | None, float]:
        started = time.perf_counter()
        headers = rules.headers(target.secret, str(delivery.event_id), int(time.time()), delivery.body)
        try:
            status, error = await self.post(target.url, headers, delivery.body, self.timeout), None
        except Exception as failure:  # unreachable, refused, timed out: all mean "try again later"
            status, error = None, repr(failure)[:500]
        return status, error, (time.perf_counter() - started) * 1000

    async def _record(self, delivery_id: int, status: int | None, error: str | None, duration_ms: float) -> None:
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            delivery = await repository.delivery(session, delivery_id)
            session.add(DeliveryAttempt(delivery_id=delivery_id, status_code=status, error=error,
                                        duration_ms=duration_ms))
            delivery.attempts += 1
            delivery.last_status, delivery.last_error = status, error
            outcome = rules.outcome_of(status)
            if outcome == "delivered":
                delivery.status, delivery.delivered_at = "delivered", now
            elif outcome == "gone":
                delivery.status = "failed"
                await _disable(session, delivery.subscription_id, "the receiver answered 410 Gone: unsubscribed")
            elif (retry_at := rules.next_attempt(delivery.attempts, now, self.schedule)) is not None:
                delivery.next_attempt_at = retry_at
            else:
                delivery.status = "failed"
                await _disable(session, delivery.subscription_id,
                               f"not delivered after {delivery.attempts} attempts over the retry schedule")
            session.add(delivery)
        DELIVERY_ATTEMPTS.labels(str(delivery.subscription_id), "delivered" if outcome == "delivered" else "failed"
                                 ).inc()


async def _disable(session: AsyncSession, subscription_id: uuid.UUID, reason: str) -> None:
    subscription = await repository.subscription(session, subscription_id, lock=True)
    if subscription is None or subscription.status != "active":
        return
    subscription.status, subscription.disabled_reason = "disabled", reason
    session.add(subscription)
    await repository.abandon_pending(session, subscription_id, reason)
    # The owner sees status and reason on GET /api/v1/webhooks; this line is what alerting picks up.
    owner_contact = await identity_repository.client(session, subscription.owner)
    log.warning("webhook subscription %s of %s disabled: %s (contact: %s)", subscription_id, subscription.owner,
                reason, owner_contact.contact_email if owner_contact else "none on record")
