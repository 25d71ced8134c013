"""Imports at bulk speed: how many events a job staged, the line it has handled rows through, and a fingerprint of every row an import handled, so a
re-run (a dealer's nightly file) recognises unchanged rows set-wise without validating them again.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("import_jobs", sa.Column("events", sa.Integer, nullable=False, server_default="0"))
    op.add_column("import_jobs", sa.Column("handled_through", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "import_fingerprints",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("digest", sa.LargeBinary, primary_key=True),
        sa.Column("record_id", sa.Uuid, nullable=False),
        sa.Column("record_version", sa.Integer, nullable=False),
        sa.Column("owner_version", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("import_fingerprints")
    op.drop_column("import_jobs", "handled_through")
    op.drop_column("import_jobs", "events")
