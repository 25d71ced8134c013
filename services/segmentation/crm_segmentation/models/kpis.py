from datetime import date, datetime

from sqlmodel import SQLModel


class AgeRowPublic(SQLModel):
    age_years: int  # 10 means "10 years and older"
    sold: int
    grasped: int
    grasp_rate: float | None
    base: int
    active: int
    active_ratio: float | None


class GraspReport(SQLModel):
    as_of: date
    scope: str  # a dealer id, or "network"
    by_age: list[AgeRowPublic]
    total: AgeRowPublic


class SnapshotPublic(SQLModel):
    dealer_id: str
    month: date
    age_years: int
    sold: int
    grasped: int
    grasp_rate: float | None
    base: int
    active: int
    active_ratio: float | None
    taken_at: datetime


class ChurnReport(SQLModel):
    scope: str
    month: date
    cohort_month: date
    visited: int
    churned: int
    churn_rate: float | None


class Distributions(SQLModel):
    scope: str
    value_type: dict[str, int]
    lifecycle_stage: dict[str, int]
    rfm_segment: dict[str, int]
    rfm_type: dict[str, int]
    abc_class: dict[str, int]
    retention_status: dict[str, int]
