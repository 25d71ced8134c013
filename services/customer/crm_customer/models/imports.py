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
    created_at: datetime
    finished_at: datetime | None = None


class ImportRowReport(Model):
    line: int
    outcome: RowOutcome | None = None
    record_id: str | None = None
    errors: list[dict[str, Any]] = []
    warnings: list[str] = []
