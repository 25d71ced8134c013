"""Events the segmentation service publishes on crm.segmentation.v1 (key: the customer id)."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from crm_contracts import topics
from crm_contracts.registry import Money, Payload, event

RetentionStatus = Literal["active", "dormant", "lost"]
ValueType = Literal["vip", "improve", "maintain", "abandon"]
LifecycleStage = Literal["prospect", "growth", "maturity", "decline", "terminated"]


@event("crm.segment.entered.v1", topic=topics.SEGMENTATION)
class SegmentEntered(Payload):
    """A customer became a member of a segment."""

    segment_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    at: datetime


@event("crm.segment.exited.v1", topic=topics.SEGMENTATION)
class SegmentExited(Payload):
    """A customer stopped being a member of a segment."""

    segment_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    at: datetime


@event("crm.customer.status_changed.v1", topic=topics.SEGMENTATION)
class CustomerStatusChanged(Payload):
    """A vehicle's retention status changed (active -> dormant -> lost, or back), with a readable reason."""

    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str
    previous: RetentionStatus | None
    current: RetentionStatus
    reason: str
    changed_at: datetime


@event("crm.customer.rescored.v1", topic=topics.SEGMENTATION)
class CustomerRescored(Payload):
    """A customer's value type, lifecycle stage, RFM segment or ABC class changed."""

    customer_id: uuid.UUID
    dealer_id: str
    value_type: ValueType | None = None
    lifecycle_stage: LifecycleStage | None = None
    rfm_segment: str | None = None
    abc_class: Literal["A", "B", "C"] | None = None
    clv: Money | None = None
    churn_reasons: list[str] = []
    rescored_at: datetime
    churn_risk: Literal["low", "medium", "high"] | None = None
    p_alive: float | None = Field(None, ge=0, le=1, description="BG/NBD probability the customer is still active")


@event("crm.first_service.lost.v1", topic=topics.SEGMENTATION)
class FirstServiceLost(Payload):
    """A vehicle did not come for its first service within 12 months of delivery (首保流失)."""

    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    delivery_date: date
    lost_on: date
