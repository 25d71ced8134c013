"""What the care setup screens read from and write to care (through the gateway): plans, the dry-run,
wordings with their preview, and the contact policy. Every change names the ETag it was read with."""

from typing import Any

from crm_console.fetch import Section, section
from crm_console.gateway import Gateway
from crm_console.session import Viewer

CARE = "/api/v1/care"
DRY_RUN_DAYS = 30
PAGE = 100  # a dealer has 14 rules and a few dozen wordings: one page holds them


def etag_of(version: int) -> str:
    return f'"{version}"'


async def plans(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get(f"{CARE}/plans", viewer.token, dealer_id=viewer.dealer, limit=PAGE),
                         empty={"items": []})


async def dry_run(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get(f"{CARE}/plans/dry-run", viewer.token, dealer_id=viewer.dealer,
                                     days=DRY_RUN_DAYS))


async def plan(gateway: Gateway, viewer: Viewer, rule: str) -> tuple[dict, str]:
    found = await gateway.get(f"{CARE}/plans/{rule}", viewer.token, dealer_id=viewer.dealer)
    return found, etag_of(found["version"])


async def save_plan(gateway: Gateway, viewer: Viewer, rule: str, body: dict, etag: str) -> dict:
    return (await gateway.exchange("PUT", f"{CARE}/plans/{rule}?dealer_id={viewer.dealer}", viewer.token, body,
                                   headers={"If-Match": etag})).json()


async def wordings(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get(f"{CARE}/templates", viewer.token, dealer_id=viewer.dealer, limit=PAGE),
                         empty={"items": []})


async def preview(gateway: Gateway, viewer: Viewer, purpose: str, channel: str, language: str,
                  subject: str | None = None, body: str | None = None) -> dict[str, Any]:
    """The wording in use (no draft given) or a draft, rendered for care's sample customer."""
    return await gateway.post(f"{CARE}/templates/preview", viewer.token, {
        "dealer_id": viewer.dealer, "purpose": purpose, "channel": channel, "language": language,
        "subject": subject, "body": body})


async def save_wording(gateway: Gateway, viewer: Viewer, wording: dict, version: int) -> dict:
    return (await gateway.exchange("PUT", f"{CARE}/templates", viewer.token, {"dealer_id": viewer.dealer, **wording},
                                   headers={"If-Match": etag_of(version)})).json()


async def policy(gateway: Gateway, viewer: Viewer) -> tuple[dict, str]:
    response = await gateway.exchange("GET", f"{CARE}/contact-policy/{viewer.dealer}", viewer.token)
    return response.json(), response.headers.get("ETag") or etag_of(0)


async def save_policy(gateway: Gateway, viewer: Viewer, body: dict, etag: str) -> str:
    response = await gateway.exchange("PUT", f"{CARE}/contact-policy/{viewer.dealer}", viewer.token, body,
                                      headers={"If-Match": etag})
    return response.headers.get("ETag") or etag
