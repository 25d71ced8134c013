"""The CloudEvents 1.0 envelope (structured JSON mode) every event travels in."""

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

EVENT_TYPE = re.compile(r"^crm\.[a-z_]+(\.[a-z_]+)+\.v[1-9][0-9]*$")


WIRE_REQUIRED = frozenset({"specversion", "id", "time"})


def schema_uri(event_type: str) -> str:
    return f"urn:crm:schema:{event_type}"


class Envelope(BaseModel):
    """A CloudEvent. `dealerid`, `requestid` and `importjob` are extension attributes (lowercase, per the spec)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str = Field(pattern=r"^/crm/[a-z_]+$")
    type: str
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    datacontenttype: str = "application/json"
    dataschema: str
    dealerid: str
    requestid: str | None = None
    # Set on every event an import staged, so a consumer can tell when it has applied all of them
    # (see crm.customer.import.completed.v1) and act once for the whole load.
    importjob: str | None = None
    data: dict[str, Any]

    @field_validator("type")
    @classmethod
    def _versioned_type(cls, value: str) -> str:
        if not EVENT_TYPE.match(value):
            raise ValueError("type must read crm.<aggregate>.<fact>.v<N>")
        return value

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> "Envelope":
        """Parse a received event. Unlike construction, nothing is defaulted: an event without its own
        id or time would defeat the consumers' inboxes, so it is refused."""
        envelope = cls.model_validate_json(raw)
        missing = WIRE_REQUIRED - envelope.model_fields_set
        if missing:
            raise ValueError(f"the event lacks {', '.join(sorted(missing))}")
        return envelope
