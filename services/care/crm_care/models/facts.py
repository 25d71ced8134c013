"""What other services own, kept as far as care needs it: customers without names or phones,
vehicles' dates and odometer, consent per purpose and channel (filled from events)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from crm_care.models.base import TZ, metadata

customers = sa.Table(
    "care_customers", metadata,
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("birthday", sa.Text),
    sa.Column("lunar_birthday", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("lunar_birthday_md", sa.Text),
    sa.Column("language", sa.Text, nullable=False, server_default="zh-CN"),
    sa.Column("gender", sa.Text),
    sa.Column("erased_at", TZ),
    sa.Column("merged_into", UUID(as_uuid=True)),
    sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
)


consents = sa.Table(
    "care_consents", metadata,
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("purpose", sa.Text, primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("changed_at", TZ, nullable=False),
)


vehicles = sa.Table(
    "care_vehicles", metadata,
    sa.Column("vehicle_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("delivery_date", sa.Date),
    sa.Column("registration_date", sa.Date),
    sa.Column("warranty_end", sa.Date),
    sa.Column("insurance_expiry", sa.Date),
    sa.Column("first_km", sa.Integer),
    sa.Column("first_read_on", sa.Date),
    sa.Column("last_km", sa.Integer),
    sa.Column("last_read_on", sa.Date),
    sa.Column("first_service_done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("last_service_on", sa.Date),
    sa.Column("last_service_km", sa.Integer),
    sa.Column("appointment_on", sa.Date),
)
