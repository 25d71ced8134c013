"""What the Customer 360's changes call: the record with its ETag, the edit (If-Match), merge, erasure, consent."""

import asyncio

from crm_console.fetch import section
from crm_console.fetch.customer360 import vehicles_of
from crm_console.gateway import Gateway
from crm_console.session import Viewer


def _path(customer_id: str) -> str:
    return f"/api/v1/customers/{customer_id}"


async def tagged(gateway: Gateway, viewer: Viewer, customer_id: str) -> tuple[dict, str]:
    customer, etag = await gateway.get_tagged(_path(customer_id), viewer.token)
    return customer, etag or f'"{customer["version"]}"'


async def edit(gateway: Gateway, viewer: Viewer, customer_id: str, body: dict, etag: str) -> dict:
    customer, _ = await gateway.patch(_path(customer_id), viewer.token, body, etag)
    return customer


async def summary(gateway: Gateway, viewer: Viewer, customer_id: str) -> dict:
    """Enough of a customer to tell whether two records are one person: contact, vehicles, visits."""
    customer = await gateway.get(_path(customer_id), viewer.token)
    visits = await section(gateway.get("/api/v1/visits", viewer.token, customer_id=customer_id, limit=50), {})
    listed = (visits.value or {}).get("items", [])
    vehicles = await section(vehicles_of(gateway, viewer, customer_id), [])
    return {"customer": customer, "visits": len(listed), "vehicles": vehicles}


async def summaries(gateway: Gateway, viewer: Viewer, survivor_id: str, duplicate_id: str) -> tuple[dict, dict]:
    survivor, duplicate = await asyncio.gather(summary(gateway, viewer, survivor_id),
                                               summary(gateway, viewer, duplicate_id))
    return survivor, duplicate


async def merge(gateway: Gateway, viewer: Viewer, survivor_id: str, duplicate_id: str) -> dict:
    # A double click is harmless: the service answers a pair merged already with the survivor, unchanged.
    return await gateway.post(f"{_path(survivor_id)}/merge", viewer.token, {"duplicate_id": duplicate_id})


async def erase(gateway: Gateway, viewer: Viewer, customer_id: str) -> dict:
    return await gateway.post(f"{_path(customer_id)}/erase", viewer.token, {})


async def set_consent(gateway: Gateway, viewer: Viewer, customer_id: str, purpose: str, channel: str,
                      granted: bool, source: str) -> dict:
    return await gateway.post(f"{_path(customer_id)}/consents", viewer.token, {
        "purpose": purpose, "channel": channel, "granted": granted, "source": source})
