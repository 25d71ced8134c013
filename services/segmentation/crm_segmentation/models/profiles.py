import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from crm_segmentation.models.base import Model

Money = Decimal
TIMESTAMP = sa.DateTime(timezone=True)


class ProfileBase(Model):
    dealer_id: str = Field(index=True)
    kind: str | None = None
    status: str | None = None
    registered_at: datetime | None = Field(None, sa_type=TIMESTAMP)
    erased: bool = False
    merged_into: uuid.UUID | None = None
    first_visit_on: date | None = None
    last_visit_on: date | None = None
    first_purchase_on: date | None = None
    last_purchase_on: date | None = None
    last_service_on: date | None = None
    visit_days: int = 0
    visits_total: int = 0
    visits_12m: int = 0
    visits_prior_12m: int = 0
    spend_total: Money = Field(Decimal(0), sa_type=sa.Numeric(14, 2))
    spend_12m: Money = Field(Decimal(0), sa_type=sa.Numeric(14, 2))
    margin_total: Money = Field(Decimal(0), sa_type=sa.Numeric(14, 2))
    margin_12m: Money = Field(Decimal(0), sa_type=sa.Numeric(14, 2))
    vehicles: int = 0
    months_since_last_service: int | None = None
    retention_status: str | None = None
    first_service_status: str | None = None
    recency_score: int | None = None
    frequency_score: int | None = None
    monetary_score: int | None = None
    rfm_segment: str | None = None
    rfm_type: str | None = None
    abc_class: str | None = None
    clv_manual: Money | None = Field(None, sa_type=sa.Numeric(14, 2))
    clv: Money | None = Field(None, sa_type=sa.Numeric(14, 2))
    p_alive: float | None = None
    expected_visits_12m: float | None = None
    margin_per_visit: Money | None = Field(None, sa_type=sa.Numeric(14, 2))
    value_type: str | None = None
    lifecycle_stage: str | None = None
    churn_risk: str | None = None
    churn_reasons: list[str] = Field(default_factory=list, sa_type=JSONB)
    scored_at: datetime | None = Field(None, sa_type=TIMESTAMP)


class Profile(ProfileBase, table=True):
    """What segmentation knows of one customer, built from the customer service's events."""

    __tablename__ = "profiles"

    customer_id: uuid.UUID = Field(primary_key=True)
    updated_at: datetime = Field(sa_type=TIMESTAMP)


class VehicleBase(Model):
    customer_id: uuid.UUID = Field(index=True)
    dealer_id: str = Field(index=True)
    brand: str | None = None
    model: str | None = None
    delivery_date: date | None = None
    sold_by_dealer: bool = False
    first_service_on: date | None = None
    last_service_on: date | None = None
    service_visits: int = 0
    usual_interval_months: float | None = None
    last_km: int | None = None
    last_km_on: date | None = None
    avg_daily_km: float | None = None
    age_years: int | None = None
    retention_status: str | None = None
    months_since_service: int | None = None
    status_reason: str | None = None
    first_service_status: str | None = None


class VehicleProfile(VehicleBase, table=True):
    __tablename__ = "vehicle_profiles"

    vehicle_id: uuid.UUID = Field(primary_key=True)
    updated_at: datetime = Field(sa_type=TIMESTAMP)


class VehiclePublic(VehicleBase):
    vehicle_id: uuid.UUID


class ProfilePublic(ProfileBase):
    customer_id: uuid.UUID
    updated_at: datetime
    vehicle_profiles: list[VehiclePublic] = []


class Visit(Model, table=True):
    """The visit facts every score is computed from (amounts only: no advisor, no order number)."""

    __tablename__ = "visits"

    visit_id: uuid.UUID = Field(primary_key=True)
    customer_id: uuid.UUID = Field(index=True)
    vehicle_id: uuid.UUID | None = Field(None, index=True)
    dealer_id: str
    kind: str
    subkind: str
    visited_on: date
    amount: Money = Field(sa_type=sa.Numeric(14, 2))
    margin: Money | None = Field(None, sa_type=sa.Numeric(14, 2))


class OdometerReading(Model, table=True):
    __tablename__ = "odometer_readings"

    id: int | None = Field(None, primary_key=True)
    vehicle_id: uuid.UUID = Field(index=True)
    read_on: date
    km: int
    correction: bool = False
