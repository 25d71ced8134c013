"""Idempotency keys of the survey's retryable writes (a phone answer, a history import, a new template), as the
kit keeps them: swept after `idempotency_key_hours`.

Revision ID: 0005
"""

from alembic import op

from crm_kit.idempotency import idempotency_keys

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    idempotency_keys.create(op.get_bind())


def downgrade() -> None:
    idempotency_keys.drop(op.get_bind())
