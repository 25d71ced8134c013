"""A case keeps the log of what was done on it, and a 回访 call knows the survey invitation it reads out.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("care_tasks", sa.Column("invitation_id", UUID(as_uuid=True)))
    op.create_table(
        "care_case_actions",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("case_id", UUID(as_uuid=True), sa.ForeignKey("care_cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("care_case_actions_case", "care_case_actions", ["case_id", "at"])


def downgrade() -> None:
    op.drop_index("care_case_actions_case", "care_case_actions")
    op.drop_table("care_case_actions")
    op.drop_column("care_tasks", "invitation_id")
