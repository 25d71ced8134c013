"""A segment carries a version, so an edit names the one it read (ETag / If-Match), and who last edited it.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("segments", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("segments", sa.Column("updated_by", sa.Text))
    op.add_column("segments", sa.Column("updated_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("segments", "updated_at")
    op.drop_column("segments", "updated_by")
    op.drop_column("segments", "version")
