"""What the webhook screens read from and write to the gateway: subscriptions, their delivery log, replay."""

from datetime import datetime

from crm_console.fetch import Section, section
from crm_console.gateway import Gateway
from crm_console.session import Viewer

WEBHOOKS = "/api/v1/webhooks"
PAGE = 50


async def subscriptions(gateway: Gateway, viewer: Viewer, cursor: str | None = None) -> Section:
    """The gateway lists the viewer's own and every one reaching the viewer's dealers."""
    return await section(gateway.get(WEBHOOKS, viewer.token, limit=PAGE, cursor=cursor),
                         empty={"items": [], "next_cursor": None})


async def subscription(gateway: Gateway, viewer: Viewer, subscription_id: str) -> dict:
    return await gateway.get(f"{WEBHOOKS}/{subscription_id}", viewer.token)


async def deliveries(gateway: Gateway, viewer: Viewer, subscription_id: str, cursor: str | None) -> Section:
    return await section(gateway.get(f"{WEBHOOKS}/{subscription_id}/deliveries", viewer.token, limit=PAGE,
                                     cursor=cursor), empty={"items": [], "next_cursor": None})


async def subscribe(gateway: Gateway, viewer: Viewer, url: str, event_types: list[str]) -> dict:
    """For the dealer the viewer is working in, not every dealer they may see."""
    return await gateway.post(WEBHOOKS, viewer.token, {"url": url, "event_types": event_types,
                                                       "dealers": [viewer.dealer]})


async def unsubscribe(gateway: Gateway, viewer: Viewer, subscription_id: str) -> None:
    await gateway.exchange("DELETE", f"{WEBHOOKS}/{subscription_id}", viewer.token)


async def replay(gateway: Gateway, viewer: Viewer, subscription_id: str, since: datetime) -> int:
    """The API replays by time: every event of the subscription from `since` on is queued again, in order."""
    answer = await gateway.post(f"{WEBHOOKS}/{subscription_id}/replay", viewer.token, {"since": since.isoformat()})
    return int(answer["queued"])


async def pause(gateway: Gateway, viewer: Viewer, subscription_id: str) -> dict:
    """Nothing is sent while paused; the gateway holds the events and sends them in order on resume."""
    return await gateway.post(f"{WEBHOOKS}/{subscription_id}/pause", viewer.token, {})


async def resume(gateway: Gateway, viewer: Viewer, subscription_id: str) -> dict:
    return await gateway.post(f"{WEBHOOKS}/{subscription_id}/resume", viewer.token, {})


async def replay_one(gateway: Gateway, viewer: Viewer, subscription_id: str, delivery_id: int) -> dict:
    """That one event again; later events are not sent again."""
    return await gateway.post(f"{WEBHOOKS}/{subscription_id}/deliveries/{delivery_id}/replay", viewer.token, {})


async def attempts(gateway: Gateway, viewer: Viewer, subscription_id: str, delivery_id: int) -> Section:
    return await section(gateway.get(f"{WEBHOOKS}/{subscription_id}/deliveries/{delivery_id}/attempts",
                                     viewer.token), empty=[])
