"""Alembic migrations, one chain per service, run at start.

Call `upgrade(...)` from the app factory; each service's `migrations/env.py` calls `run_env()`.
An advisory lock lets several replicas start at once: one migrates, the others wait and find it done.
"""

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

from crm_kit.inbox import inbox
from crm_kit.outbox import outbox

MIGRATION_LOCK = 72_616_001  # an arbitrary constant every service uses for pg_advisory_lock


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Blocking: run it in a thread (`asyncio.to_thread`), since env.py starts its own event loop."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["database_url"] = database_url
    command.upgrade(config, revision)


def run_env() -> None:
    url = context.config.attributes["database_url"]

    def migrate(connection: sa.Connection) -> None:
        connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(main())


def create_kit_tables(bind: sa.Connection) -> None:
    """The outbox and inbox every service has; called from each service's first revision."""
    outbox.create(bind)
    inbox.create(bind)


def drop_kit_tables(bind: sa.Connection) -> None:
    inbox.drop(bind)
    outbox.drop(bind)
