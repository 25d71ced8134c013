"""Each month's value type, lifecycle stage and RFM segment per customer, for the value report's movements.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "class_snapshots",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("customer_id", sa.Uuid, primary_key=True),
        sa.Column("value_type", sa.Text), sa.Column("lifecycle_stage", sa.Text), sa.Column("rfm_segment", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("class_snapshots")
