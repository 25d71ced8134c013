"""Vehicles, their owners over time and their odometer readings."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import sqlalchemy as sa
from pydantic import ConfigDict, WithJsonSchema
from sqlmodel import Field

from crm_customer.domain.vehicles import PLATE_AS_TYPED, VIN_AS_TYPED
from crm_customer.models.base import Model


class Vehicle(Model, table=True):
    __tablename__ = "vehicles"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dealer_id: str
    customer_id: uuid.UUID  # the current owner
    vin: str
    plate: str | None = None
    brand: str
    model: str
    trim: str | None = None
    model_year: int | None = None
    delivery_date: date | None = Field(None, description="Not after today")
    registration_date: date | None = Field(None, description="Not after today")
    purchase_price: Decimal | None = Field(default=None, sa_type=sa.Numeric(12, 2))
    warranty_end: date | None = None
    insurance_expiry: date | None = None
    sold_by_dealer: bool = True
    odometer_km: int | None = None
    odometer_read_on: date | None = None
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    version: int = 1


class Ownership(Model, table=True):
    __tablename__ = "ownerships"

    id: int | None = Field(default=None, primary_key=True)
    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    from_date: date
    to_date: date | None = None


class OdometerReading(Model, table=True):
    __tablename__ = "odometer_readings"

    id: int | None = Field(default=None, primary_key=True)
    vehicle_id: uuid.UUID
    km: int
    read_on: date
    correction: bool = False
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


# A price in yuan with at most two decimals (fen) and ten integer digits, as the Numeric(12, 2) column keeps it.
# The service parses more spellings ("1e3", ".5"); the schema names only those it never refuses.
PRICE_AS_TYPED = r"^\d{1,10}(\.\d{1,2})?$"
Price = Annotated[Decimal, WithJsonSchema({"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 9_999_999_999.99, "multipleOf": 0.01},
    {"type": "string", "pattern": PRICE_AS_TYPED}]})]


class VehicleFields(Model):
    model_config = ConfigDict(extra="forbid")

    plate: str | None = Field(None, max_length=16, schema_extra={"pattern": PLATE_AS_TYPED},
                              description="A Chinese plate, e.g. 京A12345 or 粤BD12345; case and separators are free")
    brand: str | None = Field(None, min_length=1, max_length=60)
    model: str | None = Field(None, min_length=1, max_length=80)
    trim: str | None = Field(None, max_length=80)
    model_year: int | None = Field(None, ge=1950, le=2100)
    delivery_date: date | None = Field(None, description="Not after today")
    registration_date: date | None = Field(None, description="Not after today")
    purchase_price: Price | None = Field(None, ge=0, max_digits=12, decimal_places=2,
                                         description="Yuan, at most two decimals")
    warranty_end: date | None = None
    insurance_expiry: date | None = None


class VehicleCreate(VehicleFields):
    customer_id: uuid.UUID
    vin: str = Field(max_length=20, schema_extra={"pattern": VIN_AS_TYPED}, description=(
        "17 letters and digits without I, O or Q. A China-made VIN (starting with L) must carry its ISO 3779 "
        "check digit at position 9; another VIN with a wrong one is accepted with a warning"))
    brand: str = Field(min_length=1, max_length=60)
    model: str = Field(min_length=1, max_length=80)
    sold_by_dealer: bool = True


class VehicleUpdate(VehicleFields):
    sold_by_dealer: bool | None = None


class OwnershipPublic(Model):
    customer_id: uuid.UUID
    from_date: date
    to_date: date | None = None


class VehiclePublic(Model):
    id: uuid.UUID
    dealer_id: str
    customer_id: uuid.UUID
    vin: str
    plate: str | None = None
    brand: str
    model: str
    trim: str | None = None
    model_year: int | None = None
    delivery_date: date | None = Field(None, description="Not after today")
    registration_date: date | None = Field(None, description="Not after today")
    purchase_price: Decimal | None = None
    warranty_end: date | None = None
    insurance_expiry: date | None = None
    sold_by_dealer: bool
    odometer_km: int | None = None
    odometer_read_on: date | None = None
    ownership: list[OwnershipPublic] = []
    warnings: list[str] = []
    created_at: datetime
    updated_at: datetime
    version: int


class OdometerCreate(Model):
    model_config = ConfigDict(extra="forbid")

    km: int = Field(ge=0, le=3_000_000)
    read_on: date
    correction: bool = False


class OdometerPublic(Model):
    vehicle_id: uuid.UUID
    km: int
    read_on: date
    correction: bool


class TransferRequest(Model):
    model_config = ConfigDict(extra="forbid")

    to_customer_id: uuid.UUID
    on: date
