"""Bulk import jobs and their per-row report."""

import uuid
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from crm_customer.models.base import Model

ImportKind = Literal["customers", "vehicles", "visits"]
RowOutcome = Literal["created", "updated", "unchanged", "failed"]


class ImportJob(Model, table=True):
    __tablename__ = "import_jobs"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str
    kind: str
    status: str = "receiving"  # receiving -> queued -> running -> done, or aborted if the upload broke off
    total_rows: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    # Rows are handled in line order: every row up to here has its outcome, so the next batch starts after it
    # instead of stepping over the index entries of handled rows.
    handled_through: int = 0
    events: int = 0  # events staged, each carrying this job's id (`importjob`); ImportCompleted is not counted
    created_by: str
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ImportRow(Model, table=True):
    __tablename__ = "import_rows"

    job_id: uuid.UUID = Field(primary_key=True)
    line: int = Field(primary_key=True)
    payload: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB))
    outcome: str | None = None
    record_id: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, sa_column=sa.Column(JSONB))
    warnings: list[str] | None = Field(default=None, sa_column=sa.Column(JSONB))


class ImportFingerprint(Model, table=True):
    """A row an import handled, by a keyed hash of its canonical payload: the same line again, while the record it
    wrote is at the same version, is unchanged without being validated again."""

    __tablename__ = "import_fingerprints"

    dealer_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    digest: bytes = Field(primary_key=True, sa_type=sa.LargeBinary)
    record_id: uuid.UUID
    record_version: int
    owner_version: int | None = None  # vehicles and visits: the version of the customer they belonged to


class ImportJobPublic(Model):
    id: uuid.UUID
    dealer_id: str
    kind: ImportKind
    status: str
    total_rows: int
    processed: int
    created: int
    updated: int
    unchanged: int
    failed: int
    events: int = Field(0, description="Events the job staged so far, each carrying `importjob` = its id")
    created_at: datetime
    finished_at: datetime | None = None


class ImportRowReport(Model):
    line: int
    outcome: RowOutcome | None = None
    record_id: str | None = None
    errors: list[dict[str, Any]] = []
    warnings: list[str] = []
