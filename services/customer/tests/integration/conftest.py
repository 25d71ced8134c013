"""The customer service on the real PostgreSQL and Kafka, with tokens for two dealers and the carmaker."""

import pytest

from crm_contracts import Envelope, permissions, topics
from crm_customer.main import create_app
from crm_customer.settings import CustomerSettings
from crm_devstack.pytest_plugin import running

WRITE = [permissions.CUSTOMERS_READ, permissions.CUSTOMERS_WRITE, permissions.CUSTOMERS_MERGE,
         permissions.CUSTOMERS_ERASE, permissions.CUSTOMERS_EXPORT]


@pytest.fixture
async def client(settings_for):
    async with running(create_app(settings_for(CustomerSettings, import_poll_seconds=0.05))) as client:
        yield client


@pytest.fixture
def auth(mint):
    """auth(dealers=["D1"], pii=False, scope=None) -> headers with a bearer token."""

    def auth(dealers=("D1",), pii=False, scope=None, subject="advisor-1"):
        granted = list(scope if scope is not None else WRITE) + ([permissions.READ_PII] if pii else [])
        return {"Authorization": f"Bearer {mint(scope=granted, dealers=list(dealers), subject=subject)}"}

    return auth


@pytest.fixture
async def events(topic_reader):
    """events(key, ..., count=n) -> the envelopes published on crm.customer.v1 under those keys, once there
    are at least `count` of them (and after a short wait for any extra that should not be there)."""
    reader = await topic_reader(topics.CUSTOMER)

    async def read(*keys: str, count: int) -> list[Envelope]:
        return await reader.about(*keys, count=count, timeout=30)

    return read


def person(mobile="13800138000", **fields):
    return {"kind": "person", "name": "王伟", "mobile": mobile, "dealer_id": "D1", **fields}
