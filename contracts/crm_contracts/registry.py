"""From event type to payload model and topic.

Payload models register themselves with `@event(...)`; the registry is what the schema
generator, the producers' `new_event` and the consumers' parsing all read from.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, WithJsonSchema

from crm_contracts.envelope import EVENT_TYPE, Envelope, schema_uri

Money = Annotated[Decimal, WithJsonSchema(
    {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["1280.00"],
     "description": "A decimal amount in yuan, as a string so no precision is lost"}, mode="serialization")]


class Payload(BaseModel):
    """Base of every event payload: facts and ids only, never a phone or an ID number.

    Unknown fields are ignored on read so that adding a field never breaks an older consumer.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


@dataclass(frozen=True)
class EventType:
    name: str
    topic: str
    payload: type[Payload]
    description: str


REGISTRY: dict[str, EventType] = {}
_BY_PAYLOAD: dict[type, EventType] = {}

P = TypeVar("P", bound=type[Payload])


def event(name: str, *, topic: str):
    """Register a payload model under its versioned event type."""

    if not EVENT_TYPE.match(name):
        raise ValueError(f"{name!r} does not read crm.<aggregate>.<fact>.v<N>")

    def register(model: P) -> P:
        if name in REGISTRY:
            raise ValueError(f"event type {name} registered twice")
        REGISTRY[name] = _BY_PAYLOAD[model] = EventType(name, topic, model, (model.__doc__ or "").strip())
        return model

    return register


def event_type_of(payload: Payload) -> EventType:
    registered = _BY_PAYLOAD.get(type(payload))  # a dict, not a scan: imports build thousands of events a second
    if registered is not None:
        return registered
    raise LookupError(f"{type(payload).__name__} is not a registered event payload")


def new_event(
    payload: Payload, *, service: str, subject: str, dealer_id: str, request_id: str | None = None,
    import_job: str | None = None,
) -> Envelope:
    registered = event_type_of(payload)
    return Envelope(
        source=f"/crm/{service}",
        type=registered.name,
        subject=subject,
        dataschema=schema_uri(registered.name),
        dealerid=dealer_id,
        requestid=request_id,
        importjob=import_job,
        data=payload.model_dump(mode="json"),
    )


def parse_payload(envelope: Envelope) -> Any:
    """The typed payload of an envelope; LookupError for a type this build does not know."""
    return REGISTRY[envelope.type].payload.model_validate(envelope.data)
