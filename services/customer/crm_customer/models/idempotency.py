"""Idempotency keys: which record a dealer's keyed write created, so a retry answers it again."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from crm_customer.models.base import Model


class IdempotencyKey(Model, table=True):
    __tablename__ = "idempotency_keys"

    dealer_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    request_hash: str  # route and body: the same key on another request is the client's mistake
    resource_id: str
    status_code: int
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
