import uuid
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

CustomerKind = Literal["person", "organisation"]
CustomerStatus = Literal["lead", "customer"]


class CustomerBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: CustomerKind = Field(default="person", sa_type=sa.Text)


class CustomerCreate(CustomerBase):
    model_config = ConfigDict(extra="forbid")

    mobile: str = Field(max_length=32, description="Mainland mobile; stored as E.164")
    dealer_id: str | None = Field(default=None, description="Needed when the caller works for several dealers")


class Customer(CustomerBase, table=True):
    __tablename__ = "customers"
    __table_args__ = (sa.UniqueConstraint("dealer_id", "mobile", name="customers_dealer_mobile"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str = Field(index=True)
    mobile: str
    status: str = Field(default="customer")
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    version: int = 1


class CustomerPublic(CustomerBase):
    id: uuid.UUID
    dealer_id: str
    mobile: str
    status: CustomerStatus
    created_at: datetime
    updated_at: datetime
    version: int
