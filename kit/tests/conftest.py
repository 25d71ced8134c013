import pytest

from crm_kit.db import create_engine, ensure_database, session_factory
from crm_kit.kafka import ProducerHolder
from crm_kit.outbox import kit_metadata

from .support import effects_metadata


@pytest.fixture
async def sessions(database_url):
    await ensure_database(database_url)
    engine = create_engine(database_url, pool_size=5)
    async with engine.begin() as connection:
        await connection.run_sync(kit_metadata.create_all)
        await connection.run_sync(effects_metadata.create_all)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def producer(kafka):
    holder = ProducerHolder(kafka.bootstrap_servers, client_id="test")
    yield holder
    await holder.close()


