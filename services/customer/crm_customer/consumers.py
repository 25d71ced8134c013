"""The customer service owns the source facts and reads no other service's events (yet)."""

from crm_kit.inbox import Handler

TOPICS: list[str] = []
HANDLERS: dict[str, Handler] = {}
