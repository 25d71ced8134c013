import uuid
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from crm_segmentation.models.base import Model
from crm_segmentation.models.filters import SegmentFilter
from crm_segmentation.models.profiles import TIMESTAMP


class Segment(Model, table=True):
    """A dynamic segment (a filter over profiles, kept current) or a static list of customers."""

    __tablename__ = "segments"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str = Field(index=True)
    name: str
    description: str | None = None
    kind: str  # dynamic | static
    filter: dict[str, Any] | None = Field(None, sa_type=JSONB)
    created_by: str | None = None
    created_at: datetime = Field(sa_type=TIMESTAMP)
    version: int = 1  # raised by every edit: the ETag an edit must name
    updated_by: str | None = None
    updated_at: datetime | None = Field(None, sa_type=TIMESTAMP)


class SegmentMember(Model, table=True):
    __tablename__ = "segment_members"

    segment_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid, sa.ForeignKey("segments.id", ondelete="CASCADE"),
                                                      primary_key=True))
    customer_id: uuid.UUID = Field(primary_key=True)
    dealer_id: str
    since: datetime = Field(sa_type=TIMESTAMP)


class SegmentCreate(Model):
    """A dynamic segment takes a `filter` (JSON tree, see the README); a static one a list of customers."""

    model_config = ConfigDict(extra="forbid")

    dealer_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(None, max_length=1000)
    kind: Literal["dynamic", "static"]
    filter: SegmentFilter | None = None
    customer_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10_000)


class SegmentUpdate(Model):
    """The whole of what an edit may change; the kind and dealer stay. A dynamic segment needs its filter,
    a static list has none."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(None, max_length=1000)
    filter: SegmentFilter | None = None


class SegmentPublic(Model):
    id: uuid.UUID
    dealer_id: str
    name: str
    description: str | None
    kind: str
    filter: dict[str, Any] | None
    created_by: str | None
    created_at: datetime
    updated_by: str | None = None
    updated_at: datetime | None = None
    version: int  # as the ETag says
    members: int


class PreviewRequest(Model):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str = Field(min_length=1, max_length=64)
    filter: SegmentFilter


class PreviewResult(Model):
    count: int
    sample: list[uuid.UUID]


class MembersAdd(Model):
    model_config = ConfigDict(extra="forbid")

    customer_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000)


class MembersAdded(Model):
    added: int
    members: int


class MemberPublic(Model):
    customer_id: uuid.UUID
    since: datetime
