"""The customer value analysis report's shape, and the monthly class snapshot its movements are read from."""

import uuid
from datetime import date

from sqlmodel import Field

from crm_segmentation.models.base import Model
from crm_segmentation.models.kpis import AgeRowPublic


class ClassSnapshot(Model, table=True):
    """A customer's classes as the month's last batch left them (the batch rewrites the current month)."""

    __tablename__ = "class_snapshots"

    dealer_id: str = Field(primary_key=True)
    month: date = Field(primary_key=True)
    customer_id: uuid.UUID = Field(primary_key=True)
    value_type: str | None = None
    lifecycle_stage: str | None = None
    rfm_segment: str | None = None


class AgeComparison(Model):
    age_years: int  # 10 means "10 years and older"
    month: AgeRowPublic
    year_ago: AgeRowPublic


class GraspSection(Model):
    as_of: date
    year_ago_as_of: date
    by_age: list[AgeComparison]
    total: AgeComparison


class MovementPublic(Model):
    from_class: str
    to_class: str
    customers: int


class ClassSection(Model):
    measure: str  # value_type, lifecycle_stage or rfm_segment
    distribution: dict[str, int] | None = Field(
        description="customers per class at the month's end; null for a past month without a snapshot")
    movements: list[MovementPublic] | None = Field(
        description="customers who changed class since the previous month's end; null when that month has "
                    "no snapshot of classes (they are kept from the day this report was built)")


class ChurnRiskPublic(Model):
    customer_id: uuid.UUID
    churn_risk: str
    p_alive: float | None
    value_type: str | None
    lifecycle_stage: str | None
    reasons: list[str]


class NotYetSection(Model):
    section: str
    reason: str


class CustomerValueReport(Model):
    scope: str  # a dealer id, or "network"
    month: date
    as_of: date
    customers: int = Field(description="live customers known by the month's end")
    vehicles: int = Field(description="their vehicles delivered by the month's end")
    vehicles_undated: int = Field(description="their vehicles without a delivery date, not in `vehicles`")
    grasp: GraspSection
    movements_since: date = Field(description="the previous month, whose end the movements start from")
    classes: list[ClassSection]
    churn_risks: list[ChurnRiskPublic] = Field(description="the top 20 by risk, as the profiles say today")
    not_yet: list[NotYetSection]
