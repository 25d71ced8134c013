from datetime import date

from crm_segmentation.models.base import Model


class AgeRowPublic(Model):
    age_years: int  # 10 means "10 years and older"
    sold: int
    grasped: int
    grasp_rate: float | None
    base: int
    active: int
    active_ratio: float | None


class GraspReport(Model):
    as_of: date
    scope: str  # a dealer id, or "network"
    by_age: list[AgeRowPublic]
    total: AgeRowPublic


class SnapshotPublic(Model):
    """One dealer's figures for one month and vehicle age, as of the month's last day (today for this month)."""

    dealer_id: str
    month: date
    as_of: date
    age_years: int
    sold: int
    grasped: int
    grasp_rate: float | None
    base: int
    active: int
    active_ratio: float | None


class ChurnReport(Model):
    scope: str
    month: date
    cohort_month: date
    visited: int
    churned: int
    churn_rate: float | None


class Distributions(Model):
    scope: str
    value_type: dict[str, int]
    lifecycle_stage: dict[str, int]
    rfm_segment: dict[str, int]
    rfm_type: dict[str, int]
    abc_class: dict[str, int]
    retention_status: dict[str, int]
