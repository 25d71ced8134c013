import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crm_devstack.pytest_plugin import running
from crm_gateway.main import create_app
from crm_gateway.settings import GatewaySettings

ADMIN_PASSWORD = "admin-test-password"


def pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture
def gateway_settings(settings_for, topic):
    """A gateway on the test database and broker; webhooks read this test's own topic."""

    def make(**overrides) -> GatewaySettings:
        values = dict(signing_key=pem(Ed25519PrivateKey.generate()), bootstrap_admin_password=ADMIN_PASSWORD,
                      webhook_topics=[topic], webhook_consumer_group=f"test-{uuid.uuid4().hex[:8]}",
                      webhook_poll_seconds=0.05, login_block_seconds=30)
        return settings_for(GatewaySettings, **{**values, **overrides})

    return make


@pytest.fixture
async def gateway(gateway_settings):
    app = create_app(gateway_settings())
    async with running(app) as client:
        client.app = app
        yield client


async def admin_token(client) -> str:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
