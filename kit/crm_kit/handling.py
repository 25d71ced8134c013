"""A service's handler table: event type -> handler, built from use cases and checked against the contracts.

Tables are keyed by strings; a misspelt type would match no event and drop every one of them silently,
so the consumer refuses at start-up a type the contracts registry does not know, and a service app one on a topic
it does not read.
"""

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm_contracts import REGISTRY, Envelope, parse_payload

# Given the session and the event, opens what a use case needs besides the payload (e.g. per-transaction state)
UseCaseContext = Callable[[AsyncSession, Envelope], contextlib.AbstractAsyncContextManager[Any]]


def on_payload(use_case: Callable[..., Awaitable[None]],
               context: UseCaseContext | None = None) -> Callable[[AsyncSession, Envelope], Awaitable[None]]:
    """The handler that calls `use_case(session, payload)`, or `(session, payload, context)` with one."""

    async def handle(session: AsyncSession, event: Envelope) -> None:
        payload = parse_payload(event)
        if context is None:
            await use_case(session, payload)
            return
        async with context(session, event) as extra:
            await use_case(session, payload, extra)

    handle.__name__ = use_case.__name__
    return handle


def check_handlers(handlers: Mapping[str, object], topics: Iterable[str] | None = None) -> None:
    """Raise, naming them, on event types the registry does not know or (given `topics`) whose topic is
    not among those consumed."""
    unknown = sorted(event_type for event_type in handlers if event_type not in REGISTRY)
    if unknown:
        raise ValueError(f"handlers for event types the contracts do not know: {', '.join(unknown)}")
    if topics is None:
        return
    consumed = set(topics)
    unheard = sorted(event_type for event_type in handlers if REGISTRY[event_type].topic not in consumed)
    if unheard:
        raise ValueError(f"handlers for event types on topics this service does not consume: {', '.join(unheard)}")
