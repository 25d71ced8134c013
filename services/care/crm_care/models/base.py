"""The metadata every care table belongs to (SQLAlchemy Core: the scheduler and the due-scan work on rows in bulk)."""

import sqlalchemy as sa

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)
