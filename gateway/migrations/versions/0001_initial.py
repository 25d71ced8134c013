"""The outbox and inbox every service has.

Revision ID: 0001
"""

from alembic import op

from crm_kit.migrations import create_kit_tables, drop_kit_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_kit_tables(op.get_bind())


def downgrade() -> None:
    drop_kit_tables(op.get_bind())
