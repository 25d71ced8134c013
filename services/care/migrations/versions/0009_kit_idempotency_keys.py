"""Idempotency keys as the kit keeps them (one table, swept after `idempotency_key_hours`), for every retryable
care write. The cases' and rescues' own `idempotency_key` columns stay for now: replicas still running the code
that writes them must keep working until all run this one; a later migration drops them.

Revision ID: 0009
"""

from alembic import op

from crm_kit.idempotency import idempotency_keys

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    idempotency_keys.create(op.get_bind())


def downgrade() -> None:
    idempotency_keys.drop(op.get_bind())
