"""A dealer's contact policy, its care plans and the actions the due-scan stores."""

import uuid
from datetime import date, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    WithJsonSchema,
    create_model,
    field_validator,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from crm_care.domain.calendar import FESTIVALS
from crm_care.domain.plans import DEFAULT_PLANS
from crm_care.models.base import TZ, metadata
from crm_kit.problem_texts import Invalid

dealers = sa.Table(
    "care_dealers", metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("time_zone", sa.Text, nullable=False, server_default="Asia/Shanghai"),
    sa.Column("quiet_start", sa.Time, nullable=False, server_default="21:00"),
    sa.Column("quiet_end", sa.Time, nullable=False, server_default="09:00"),
    sa.Column("cap", sa.Integer, nullable=False, server_default="2"),
    sa.Column("cap_days", sa.Integer, nullable=False, server_default="7"),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # the ETag a change names
)


plans = sa.Table(
    "care_plans", metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("rule", sa.Text, primary_key=True),
    sa.Column("params", JSONB, nullable=False),
    sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # the ETag a change names
)


actions = sa.Table(
    "care_actions", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("vehicle_id", UUID(as_uuid=True)),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("critical", sa.Boolean, nullable=False),
    sa.Column("variables", JSONB, nullable=False),
    sa.Column("due_at", TZ, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("outcome", sa.Text),
    sa.Column("created_at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Column("processed_at", TZ),
    sa.Index("care_actions_pending", "due_at", postgresql_where=sa.text("status = 'pending'")),
)


# A wall-clock time in the dealer's own time zone. JSON Schema's `time` format demands a UTC offset,
# which a quiet hour has not, so it is documented and written as "HH:MM".
LocalTime = Annotated[
    time,
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "examples": ["21:00"]}),
]


DaysList = Annotated[list[Annotated[int, Field(ge=0, le=3650)]], Field(min_length=1)]
SPECIAL_PARAMS: dict[str, Any] = {"statuses": list[Literal["dormant", "lost"]],
                                  "festivals": list[Literal[tuple(FESTIVALS)]]}  # type: ignore[misc]


def _param_type(name: str, default: Any) -> Any:
    """A parameter's type as check_params holds it, so the OpenAPI document states it."""
    if isinstance(default, bool):
        return StrictBool
    if isinstance(default, int):
        return Annotated[int, Field(ge=0, le=100_000)]  # JSON calls 2.0 an integer too
    return SPECIAL_PARAMS.get(name, DaysList)


def _rule_update(rule: str) -> type[BaseModel]:
    """The body of PUT /plans/<rule>: one operation per rule, since each rule has parameters of its own."""
    fields: dict[str, Any] = {name: (_param_type(name, default), None)
                              for name, default in DEFAULT_PLANS[rule].items() if name != "enabled"}
    params = create_model(f"{_camel(rule)}Params", __config__=ConfigDict(extra="forbid"), **fields)
    return create_model(f"{_camel(rule)}PlanUpdate", __config__=ConfigDict(extra="forbid"),
                        enabled=(bool | None, None),
                        params=(params, Field(default_factory=params, description="Rule parameters")))


def _camel(rule: str) -> str:
    return "".join(part.title() for part in rule.split("_"))


RULE_UPDATES: dict[str, type[BaseModel]] = {rule: _rule_update(rule) for rule in DEFAULT_PLANS}


class PlanUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="Rule parameters, e.g. days_before")


class PlanPublic(BaseModel):
    rule: str = Field(description="e.g. first_service_due, birthday_greeting")
    params: dict[str, Any] = Field(description="The dealer's parameters over the defaults, `enabled` among them")
    version: int = Field(0, description="As the plan's ETag says; 0 while the dealer kept the defaults")


class ContactPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: str = "Asia/Shanghai"
    quiet_start: LocalTime = time(21, 0)
    quiet_end: LocalTime = time(9, 0)
    cap: int = Field(2, ge=0, le=100, description="Non-critical contacts allowed per window")
    cap_days: int = Field(7, ge=1, le=90)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise Invalid("time_zone_unknown", "not an IANA time zone") from error
        return value


class PlannedAction(BaseModel):
    rule: str
    action: str = Field(description="message, call, …")
    due_on: date
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None
    critical: bool = Field(description="Sent even in quiet hours and over the cap (e.g. a recall)")
    variables: dict[str, Any]


class DryRunPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    dealer_id: str
    from_: date = Field(alias="from", description="The dealer's today")
    days: int
    vehicles: int = Field(description="Vehicles scanned")
    customers: int = Field(description="Customers scanned")
    actions: list[PlannedAction]
