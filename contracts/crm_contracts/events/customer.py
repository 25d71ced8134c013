"""Events the customer service publishes on crm.customer.v1 (key: the customer id).

Facts and ids only: no phone number, no ID number, no address line. Services that must contact a
customer ask the customer service for the contact details at the moment they need them.
"""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from crm_contracts import topics
from crm_contracts.registry import Money, Payload, event

CustomerKind = Literal["person", "organisation"]
CustomerStatus = Literal["lead", "customer"]
Gender = Literal["male", "female"]
Language = Literal["zh-CN", "en"]
ConsentPurpose = Literal["care", "survey", "marketing", "oem_sharing"]
ConsentChannel = Literal["sms", "phone", "email", "wechat"]
VisitKind = Literal["purchase", "service", "parts", "insurance", "extended_warranty"]
VisitSubkind = Literal[
    "new_car", "trade_in", "additional_car",  # purchase (新车, 换购, 增购)
    "first_service", "maintenance", "repair", "warranty", "accident",  # service (首保, 定保, 维修, 保修, 事故)
    "accessories", "parts", "renewal", "other",
]


class CustomerFacts(Payload):
    """What other services may know of a customer besides ids: enough to greet, survey and segment."""

    kind: CustomerKind
    status: CustomerStatus
    gender: Gender | None = None
    birthday: str | None = Field(None, pattern=r"^\d{2}-\d{2}$", description="MM-DD, no year")
    lunar_birthday: bool = Field(False, description="The customer celebrates the lunar-calendar birthday")
    lunar_birthday_md: str | None = Field(
        None, pattern=r"^\d{2}-\d{2}$",
        description="MM-DD of the birth date in the Chinese lunar calendar (a leap month counts as its month), "
                    "set when `lunar_birthday` is; only the customer service knows the birth year it takes")
    language: Language = "zh-CN"
    city: str | None = None
    source_channel: str | None = None


@event("crm.customer.registered.v1", topic=topics.CUSTOMER)
class CustomerRegistered(CustomerFacts):
    """A customer (person or organisation) was registered at a dealer."""

    customer_id: uuid.UUID
    dealer_id: str
    registered_at: datetime


@event("crm.customer.updated.v1", topic=topics.CUSTOMER)
class CustomerUpdated(CustomerFacts):
    """A customer's record changed; `changed` names the fields (personal ones by name only)."""

    customer_id: uuid.UUID
    dealer_id: str
    changed: list[str]
    version: int
    updated_at: datetime


@event("crm.customer.merged.v1", topic=topics.CUSTOMER)
class CustomerMerged(Payload):
    """A duplicate customer was merged into a survivor; consumers re-key the duplicate's data to the survivor."""

    survivor_id: uuid.UUID
    duplicate_id: uuid.UUID
    dealer_id: str
    vehicle_ids: list[uuid.UUID] = []
    merged_at: datetime


@event("crm.customer.erased.v1", topic=topics.CUSTOMER)
class CustomerErased(Payload):
    """The person was anonymised on request; drop anything personal and stop every contact at once."""

    customer_id: uuid.UUID
    dealer_id: str
    erased_at: datetime


@event("crm.consent.changed.v1", topic=topics.CUSTOMER)
class ConsentChanged(Payload):
    """Consent for one purpose on one channel was granted or withdrawn."""

    customer_id: uuid.UUID
    dealer_id: str
    purpose: ConsentPurpose
    channel: ConsentChannel
    granted: bool
    changed_at: datetime
    source: str


class VehicleFacts(Payload):
    brand: str
    model: str
    model_year: int | None = None
    delivery_date: date | None = None
    registration_date: date | None = None
    warranty_end: date | None = None
    insurance_expiry: date | None = None
    sold_by_dealer: bool = Field(description="Part of the dealer's sold base (保有客户) for the grasp rate")


@event("crm.vehicle.registered.v1", topic=topics.CUSTOMER)
class VehicleRegistered(VehicleFacts):
    """A vehicle was registered to a customer (the subject is the owner)."""

    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    registered_at: datetime


@event("crm.vehicle.updated.v1", topic=topics.CUSTOMER)
class VehicleUpdated(VehicleFacts):
    """A vehicle's dates or description changed (e.g. insurance renewed: a new expiry)."""

    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    changed: list[str]
    updated_at: datetime


@event("crm.vehicle.transferred.v1", topic=topics.CUSTOMER)
class VehicleTransferred(Payload):
    """A vehicle changed owners (the subject is the new owner)."""

    vehicle_id: uuid.UUID
    from_customer_id: uuid.UUID
    to_customer_id: uuid.UUID
    dealer_id: str
    transferred_on: date


@event("crm.odometer.recorded.v1", topic=topics.CUSTOMER)
class OdometerRecorded(Payload):
    """An odometer reading; `correction` marks one allowed to be lower than the last."""

    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    km: int = Field(ge=0)
    read_on: date
    correction: bool = False


@event("crm.visit.recorded.v1", topic=topics.CUSTOMER)
class VisitRecorded(Payload):
    """A purchase, service or other visit: what every score and KPI is computed from."""

    visit_id: uuid.UUID
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str
    kind: VisitKind
    subkind: VisitSubkind
    visited_on: date
    amount: Money = Field(ge=0)
    margin: Money | None = None
    odometer_km: int | None = Field(None, ge=0)
    advisor_id: str | None = None
    order_number: str
    closed: bool = Field(True, description="A repair order that is closed (CSI surveys wait for it)")
    vehicle_delivery_date: date | None = None
    recorded_at: datetime


@event("crm.lead.created.v1", topic=topics.CUSTOMER)
class LeadCreated(Payload):
    """A showroom prospect (the subject is the lead id until it converts)."""

    lead_id: uuid.UUID
    dealer_id: str
    source_channel: str | None = None
    interested_model: str | None = None
    created_at: datetime


@event("crm.lead.converted.v1", topic=topics.CUSTOMER)
class LeadConverted(Payload):
    """A lead became a customer, either a new one or an existing one found by mobile or ID number."""

    lead_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    existing_customer: bool
    converted_at: datetime


ImportKind = Literal["customers", "vehicles", "visits"]


@event("crm.customer.import.completed.v1", topic=topics.CUSTOMER)
class ImportCompleted(Payload):
    """An import job handled its last row (the subject is the job id). Every event it staged carries the
    job id in the `importjob` extension, and `events` counts them, so a consumer knows when it has applied
    the whole load, whatever partition each event travelled on."""

    job_id: uuid.UUID
    dealer_id: str
    kind: ImportKind
    rows: int = Field(ge=0)
    created: int = Field(ge=0)
    updated: int = Field(ge=0)
    unchanged: int = Field(ge=0)
    failed: int = Field(ge=0)
    events: int = Field(ge=0, description="How many events the job staged, all with `importjob` set to its id")
    completed_at: datetime
