import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class ProfileBase(SQLModel):
    dealer_id: str = Field(index=True)
    kind: str
    status: str
    registered_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Profile(ProfileBase, table=True):
    """What segmentation knows of one customer, built from the customer service's events."""

    __tablename__ = "profiles"

    customer_id: uuid.UUID = Field(primary_key=True)
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ProfilePublic(ProfileBase):
    customer_id: uuid.UUID
    updated_at: datetime
