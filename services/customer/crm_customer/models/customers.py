"""Customers: the table, and what the API accepts and shows."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from crm_customer.models.base import Model

CustomerKind = Literal["person", "organisation"]
CustomerStatus = Literal["lead", "customer"]
Gender = Literal["male", "female"]
MaritalStatus = Literal["single", "married", "divorced", "widowed"]
Language = Literal["zh-CN", "en"]
MAX_OTHER_MOBILES = 4
Band = str  # age, income and education bands are each dealer's own vocabulary


class Customer(Model, table=True):
    __tablename__ = "customers"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str
    kind: str
    name: str
    mobile: str | None = None  # E.164, the number to call first; None once erased or merged away
    other_mobiles: list[str] = Field(default_factory=list,
                                     sa_column=sa.Column(postgresql.ARRAY(sa.Text), nullable=False))
    email: str | None = None
    wechat_openid: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    lunar_birthday: bool = False
    language: str = "zh-CN"
    province: str | None = None
    city: str | None = None
    address: str | None = None
    id_number_cipher: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    id_number_key: str | None = None
    id_number_hash: str | None = None
    id_number_masked: str | None = None
    credit_code: str | None = None
    age_band: str | None = None
    income_band: str | None = None
    education: str | None = None
    marital_status: str | None = None
    children: int | None = None
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_column=sa.Column(JSONB, nullable=False))
    source_channel: str | None = None
    tags: list[str] = Field(default_factory=list, sa_column=sa.Column(postgresql.ARRAY(sa.Text), nullable=False))
    status: str = "customer"
    merged_into: uuid.UUID | None = None
    erased_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    version: int = 1


class CustomerMobile(Model, table=True):
    """Every number of every customer (primary and others): its key keeps a number to one customer per dealer,
    which is what dedupe relies on when two requests race."""

    __tablename__ = "customer_mobiles"

    dealer_id: str = Field(primary_key=True)
    mobile: str = Field(primary_key=True)
    customer_id: uuid.UUID


class OrganisationContact(Model):
    """Someone to speak to at an organisation (a fleet's manager, its driver)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: str | None = Field(None, max_length=80)
    mobile: str | None = Field(None, max_length=32, description="Mainland mobile; stored as E.164")


class CustomerFields(Model):
    """Everything a customer record says, all optional: the shape of an update."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    mobile: str | None = Field(None, max_length=32, description="Mainland mobile; stored as E.164")
    other_mobiles: list[Annotated[str, Field(max_length=32)]] | None = Field(
        None, max_length=MAX_OTHER_MOBILES, description="Further mainland mobiles; stored as E.164")
    email: str | None = Field(None, max_length=254)
    wechat_openid: str | None = Field(None, max_length=128)
    gender: Gender | None = None
    birth_date: date | None = None
    lunar_birthday: bool | None = Field(None, description="Celebrates the lunar-calendar birthday")
    language: Language | None = None
    province: str | None = Field(None, max_length=50)
    city: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=500)
    id_number: str | None = Field(None, max_length=32, description="Resident ID (persons); encrypted at rest")
    credit_code: str | None = Field(None, max_length=32, description="Unified social credit code (organisations)")
    age_band: Band | None = Field(None, max_length=40)
    income_band: Band | None = Field(None, max_length=40)
    education: Band | None = Field(None, max_length=40)
    marital_status: MaritalStatus | None = Field(None, description="Persons only")
    children: int | None = Field(None, ge=0, le=20, description="How many children; persons only")
    contacts: list[OrganisationContact] | None = Field(None, max_length=20, description="Organisations only")
    source_channel: str | None = Field(None, max_length=80)
    tags: list[str] | None = Field(None, max_length=50)
    status: CustomerStatus | None = None


class CustomerCreate(CustomerFields):
    kind: CustomerKind = "person"
    name: str = Field(min_length=1, max_length=200)
    mobile: str = Field(max_length=32, description="Mainland mobile; stored as E.164")
    dealer_id: str | None = Field(default=None, description="Needed when the caller works for several dealers")


class CustomerUpdate(CustomerFields):
    pass


class CustomerPublic(Model):
    id: uuid.UUID
    dealer_id: str
    kind: CustomerKind
    name: str
    mobile: str | None = None
    other_mobiles: list[str] = []
    email: str | None = None
    wechat_openid: str | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    lunar_birthday: bool = False
    language: Language = "zh-CN"
    province: str | None = None
    city: str | None = None
    address: str | None = None
    id_number: str | None = None
    credit_code: str | None = None
    age_band: str | None = None
    income_band: str | None = None
    education: str | None = None
    marital_status: MaritalStatus | None = None
    children: int | None = None
    contacts: list[OrganisationContact] = []
    source_channel: str | None = None
    tags: list[str] = []
    status: CustomerStatus
    erased: bool = False
    created_at: datetime
    updated_at: datetime
    version: int
    warnings: list[str] = Field([], description="What was accepted but looks odd (e.g. an abolished county code); "
                                               "only in the answer to the write that sent it")


class MergeRequest(Model):
    model_config = ConfigDict(extra="forbid")

    duplicate_id: uuid.UUID
