"""Events the care service publishes on crm.care.v1 (key: the customer id)."""

import uuid
from datetime import datetime
from typing import Literal

from crm_contracts import topics
from crm_contracts.registry import Payload, event

TaskOutcome = Literal["reached", "no_answer", "wrong_number", "appointment_booked", "declined", "complaint"]


@event("crm.care.task.created.v1", topic=topics.CARE)
class CareTaskCreated(Payload):
    """A call, visit or gift task was put in a dealer's queue."""

    task_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    kind: str
    role: str
    priority: Literal["low", "normal", "high", "urgent"]
    due_at: datetime


@event("crm.care.task.completed.v1", topic=topics.CARE)
class CareTaskCompleted(Payload):
    """A care task was worked, with its outcome."""

    task_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    outcome: TaskOutcome
    completed_at: datetime


@event("crm.complaint.opened.v1", topic=topics.CARE)
class ComplaintOpened(Payload):
    """A complaint case was opened, from a hot alert or by staff."""

    case_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    source: Literal["hot_alert", "manual"]
    alert_id: uuid.UUID | None = None
    opened_at: datetime


@event("crm.complaint.resolved.v1", topic=topics.CARE)
class ComplaintResolved(Payload):
    """A complaint case was resolved (the survey service sends a follow-up survey later)."""

    case_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    alert_id: uuid.UUID | None = None
    resolved_at: datetime


@event("crm.complaint.closed.v1", topic=topics.CARE)
class ComplaintClosed(Payload):
    """A resolved complaint case was closed after the customer confirmed the resolution."""

    case_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    closed_at: datetime


@event("crm.rescue.requested.v1", topic=topics.CARE)
class RescueRequested(Payload):
    """Emergency roadside rescue was requested from the mobile app, for the roadside partner."""

    rescue_id: uuid.UUID
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str
    latitude: float
    longitude: float
    description: str
    requested_at: datetime
