"""Consent per purpose and channel, and showroom leads."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field

from crm_contracts.events.customer import ConsentChannel, ConsentPurpose
from crm_customer.models.base import Model


class Consent(Model, table=True):
    """The current answer for one purpose on one channel; `consent_history` keeps every change."""

    __tablename__ = "consents"

    customer_id: uuid.UUID = Field(primary_key=True)
    purpose: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    dealer_id: str
    granted: bool
    source: str
    evidence: str | None = None
    changed_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ConsentChange(Model, table=True):
    __tablename__ = "consent_history"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: uuid.UUID
    purpose: str
    channel: str
    granted: bool
    source: str
    evidence: str | None = None
    changed_by: str
    changed_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ConsentCreate(Model):
    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    channel: ConsentChannel
    granted: bool
    source: str = Field(min_length=1, max_length=80, description="Where it was given: showroom form, app, call…")
    evidence: str | None = Field(None, max_length=500, description="A form number, recording id or the like")


class ConsentPublic(Model):
    customer_id: uuid.UUID
    purpose: ConsentPurpose
    channel: ConsentChannel
    granted: bool
    source: str
    evidence: str | None = None
    changed_at: datetime


class Lead(Model, table=True):
    __tablename__ = "leads"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str
    name: str
    mobile: str | None = None
    id_number_cipher: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    id_number_key: str | None = None
    id_number_hash: str | None = None
    source_channel: str | None = None
    interested_model: str | None = None
    customer_id: uuid.UUID | None = None  # set on conversion
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    converted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LeadCreate(Model):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    mobile: str | None = Field(None, max_length=32)
    id_number: str | None = Field(None, max_length=32)
    source_channel: str | None = Field(None, max_length=80)
    interested_model: str | None = Field(None, max_length=80)
    dealer_id: str | None = None


class LeadPublic(Model):
    id: uuid.UUID
    dealer_id: str
    name: str
    mobile: str | None = None
    source_channel: str | None = None
    interested_model: str | None = None
    customer_id: uuid.UUID | None = None
    created_at: datetime
    converted_at: datetime | None = None


class LeadConversion(Model):
    lead_id: uuid.UUID
    customer_id: uuid.UUID
    existing_customer: bool


class PiiAccess(Model, table=True):
    """One unmasked read of personal data: who, when, whose, which fields, why (the route)."""

    __tablename__ = "pii_access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    principal: str
    dealer_id: str
    customer_id: uuid.UUID | None = None
    action: str
    fields: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.ARRAY(sa.Text), nullable=False))
    records: int = 1
    request_id: str | None = None


class PiiAccessPublic(Model):
    id: int
    at: datetime
    principal: str
    dealer_id: str
    customer_id: uuid.UUID | None = None
    action: str
    fields: list[str]
    records: int
    request_id: str | None = None
