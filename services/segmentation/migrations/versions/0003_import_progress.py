"""Import progress (events applied per customer-service import job, and how many it staged) and the
scoring job an import queued.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "import_progress",
        sa.Column("import_job_id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("applied", sa.Integer, nullable=False, server_default="0"),
        # null until crm.customer.import.completed.v1 arrives (it may come before the last events)
        sa.Column("expected", sa.Integer),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("rescore_job_id", sa.Uuid),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("scoring_jobs", sa.Column("import_job_id", sa.Uuid))
    op.create_index("scoring_jobs_import", "scoring_jobs", ["import_job_id"],
                    postgresql_where=sa.text("import_job_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("scoring_jobs_import", "scoring_jobs")
    op.drop_column("scoring_jobs", "import_job_id")
    op.drop_table("import_progress")
