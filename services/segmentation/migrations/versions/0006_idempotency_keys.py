"""Idempotency keys of keyed writes (a segment created by a retried POST), as the kit keeps them.

Revision ID: 0006
"""

from alembic import op

from crm_kit.idempotency import idempotency_keys

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    idempotency_keys.create(op.get_bind())


def downgrade() -> None:
    idempotency_keys.drop(op.get_bind())
