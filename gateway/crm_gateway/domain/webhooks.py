"""Standard Webhooks (standardwebhooks.com): signing, the retry schedule, which events a subscription gets."""

import base64
import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64-decoded secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body),
            "content-type": "application/json"}


def next_attempt(attempts: int, now: datetime, schedule: list[float]) -> datetime | None:
    """After `attempts` failed attempts, when to try again; None once the schedule is spent."""
    if attempts > len(schedule):
        return None
    return now + timedelta(seconds=schedule[attempts - 1])


def outcome_of(status: int | None) -> str:
    """What a receiver's answer means: 2xx delivered, 410 unsubscribe, anything else (or none) retry."""
    if status is not None and 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    return "retry"


def matches(event_types: list[str], dealers: list[str], event_type: str, dealer_id: str) -> bool:
    return ("*" in event_types or event_type in event_types) and ("*" in dealers or dealer_id in dealers)


def url_problem(url: str, allow_private: bool) -> str | None:
    """Why a webhook URL is refused, or None. Production refuses plain HTTP and internal addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL"
    if allow_private:
        return None
    if parts.scheme != "https":
        return "must use https"
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return "must not name this host" if parts.hostname in ("localhost",) else None
    if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
        return "must not point at a private or local address"
    return None
