"""Visits: purchases, services and the rest, each with its repair-order or invoice number."""

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import ConfigDict, field_validator
from sqlmodel import Field

from crm_contracts.events.customer import VisitKind, VisitSubkind
from crm_customer.models.base import Model

CENT = Decimal("0.01")


class Visit(Model, table=True):
    __tablename__ = "visits"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    kind: str
    subkind: str
    visited_on: date
    amount: Decimal = Field(sa_type=sa.Numeric(12, 2))
    margin: Decimal | None = Field(default=None, sa_type=sa.Numeric(12, 2))
    odometer_km: int | None = None
    advisor_id: str | None = None
    order_number: str
    closed: bool = True
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class VisitCreate(Model):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    kind: VisitKind
    subkind: VisitSubkind
    visited_on: date
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    margin: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    odometer_km: int | None = Field(None, ge=0, le=3_000_000)
    advisor_id: str | None = Field(None, max_length=64)
    order_number: str = Field(min_length=1, max_length=64, description="Repair order or invoice number")
    closed: bool = True

    @field_validator("amount", "margin")
    @classmethod
    def _in_fen(cls, value: Decimal | None) -> Decimal | None:
        """Yuan with two decimals, as stored, so an event says 680.00 whether 680 or 680.0 was sent."""
        return value.quantize(CENT) if value is not None else None


class VisitPublic(Model):
    id: uuid.UUID
    dealer_id: str
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    kind: VisitKind
    subkind: VisitSubkind
    visited_on: date
    amount: Decimal
    margin: Decimal | None = None
    odometer_km: int | None = None
    advisor_id: str | None = None
    order_number: str
    closed: bool
    recorded_at: datetime


SAME_VISIT_FIELDS = ("customer_id", "vehicle_id", "kind", "subkind", "visited_on", "amount", "margin",
                     "odometer_km", "advisor_id", "closed")
