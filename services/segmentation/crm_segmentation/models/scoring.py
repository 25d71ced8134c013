import uuid
from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from crm_segmentation.models.base import Model
from crm_segmentation.models.profiles import TIMESTAMP


class DealerSettings(Model, table=True):
    """A dealer's own thresholds and scoring parameters (JSON of `ScoringSettingsBody`)."""

    __tablename__ = "dealer_settings"

    dealer_id: str = Field(primary_key=True)
    settings: dict[str, Any] = Field(sa_type=JSONB)
    updated_at: datetime = Field(sa_type=TIMESTAMP)
    updated_by: str | None = None
    version: int = 1  # raised by every save: the ETag a change must name (0: never saved, defaults shown)


class DealerFitRow(Model, table=True):
    """The latest batch's cut points and model parameters; profile changes in between are placed on it."""

    __tablename__ = "dealer_fits"

    dealer_id: str = Field(primary_key=True)
    fit: dict[str, Any] = Field(sa_type=JSONB)
    fitted_at: datetime = Field(sa_type=TIMESTAMP)


class ScoringJob(Model, table=True):
    __tablename__ = "scoring_jobs"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str
    status: str = "queued"  # queued -> running -> done | failed
    trigger: str  # manual, scheduled, first_event, settings, import
    requested_by: str | None = None
    requested_at: datetime = Field(sa_type=TIMESTAMP)
    started_at: datetime | None = Field(None, sa_type=TIMESTAMP)
    finished_at: datetime | None = Field(None, sa_type=TIMESTAMP)
    customers: int | None = None
    error: str | None = None
    import_job_id: uuid.UUID | None = None  # the customer-service import whose landing queued it


class ImportProgress(Model, table=True):
    """How far segmentation has applied one customer-service import: events applied that carry its id,
    and how many it staged (known once `crm.customer.import.completed.v1` arrives)."""

    __tablename__ = "import_progress"

    import_job_id: uuid.UUID = Field(primary_key=True)
    dealer_id: str
    applied: int = 0
    expected: int | None = None
    completed_at: datetime | None = Field(None, sa_type=TIMESTAMP)
    rescore_job_id: uuid.UUID | None = None
    updated_at: datetime = Field(sa_type=TIMESTAMP)


class KpiSnapshot(Model, table=True):
    __tablename__ = "kpi_snapshots"

    dealer_id: str = Field(primary_key=True)
    month: date = Field(primary_key=True)
    age_years: int = Field(primary_key=True)
    sold: int
    grasped: int
    base: int
    active: int
    taken_at: datetime = Field(sa_type=TIMESTAMP)


class ScoringSettingsBody(Model):
    """A dealer's thresholds and scoring parameters; every field has the manual's default."""

    model_config = ConfigDict(extra="forbid")

    active_months: int = Field(12, ge=1, le=120, description="Active while the last service is this recent")
    lost_months: int = Field(24, ge=1, le=240, description="Lost after this many months without service")
    first_service_due_months: int = Field(6, ge=1, le=36)
    first_service_due_km: int = Field(10_000, ge=500, le=100_000)
    first_service_lost_months: int = Field(12, ge=1, le=60)
    service_interval_months: int = Field(6, ge=1, le=36)
    abc_a_share: float = Field(0.8, gt=0, lt=1, description="Share of value that class A brings")
    abc_b_share: float = Field(0.95, gt=0, le=1, description="Cumulative share up to which B runs")
    clv_years: int = Field(5, ge=1, le=30, description="CLV horizon in years")
    discount_rate: float = Field(0.08, ge=0, le=1, description="Yearly discount rate i")
    yearly_cost: float = Field(0.0, ge=0, description="Yearly cost C of keeping a customer")
    default_margin_rate: float = Field(0.2, ge=0, le=1, description="Margin rate for visits without a margin")

    def ordering_errors(self) -> list[tuple[str, str]]:
        """Rules across fields, as (field, detail), so the problem can point at each one."""
        errors = []
        if self.lost_months <= self.active_months:
            errors.append(("lost_months", "must be longer than active_months"))
        if self.abc_b_share <= self.abc_a_share:
            errors.append(("abc_b_share", "must be larger than abc_a_share"))
        if self.first_service_lost_months <= self.first_service_due_months:
            errors.append(("first_service_lost_months", "must be longer than first_service_due_months"))
        return errors


class ScoringJobRequest(Model):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str = Field(min_length=1, max_length=64)


class ImportScoring(Model):
    """Where segmentation is with one customer-service import."""

    import_job_id: uuid.UUID
    dealer_id: str
    events_applied: int
    events_expected: int | None  # null until the import's completion event has arrived
    # applying (events still arriving), scoring (rescore queued or running), done, failed,
    # unchanged (the import staged no events: nothing to rescore)
    status: str
    scoring_job: ScoringJob | None
