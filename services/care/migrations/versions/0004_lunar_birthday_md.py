"""The lunar month-day of a customer's birth date: a lunar birthday is greeted by it, not by the solar MM-DD.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("care_customers", sa.Column("lunar_birthday_md", sa.Text))


def downgrade() -> None:
    op.drop_column("care_customers", "lunar_birthday_md")
