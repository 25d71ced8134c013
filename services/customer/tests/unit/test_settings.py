"""Outside dev the service refuses to start without PII keys; configured keys outlive a restart."""

import base64
import json
import os

import pytest
from pydantic import ValidationError

from crm_customer.settings import CustomerSettings

SAFE = {"database_url": "postgresql+asyncpg://crm:s3cret@db:5432/crm_customer", "jwt_jwks_url": "https://gw/jwks"}


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_production_without_pii_keys_refuses_to_start():
    with pytest.raises(ValidationError, match="PII_KEYS and PII_ACTIVE_KEY"):
        CustomerSettings(environment="prod", **SAFE)
    with pytest.raises(ValidationError, match="PII keys: the active PII key"):
        CustomerSettings(environment="prod", pii_keys={"k1": key()}, pii_active_key="k2", pii_lookup_key=key(), **SAFE)


def test_configured_keys_from_the_environment_read_what_an_earlier_process_sealed(monkeypatch):
    monkeypatch.setenv("CUSTOMER_PII_KEYS", json.dumps({"2025": key()}))
    monkeypatch.setenv("CUSTOMER_PII_ACTIVE_KEY", "2025")
    monkeypatch.setenv("CUSTOMER_PII_LOOKUP_KEY", key())
    first, second = CustomerSettings(environment="prod", **SAFE), CustomerSettings(environment="prod", **SAFE)
    sealed = first.keyring().seal("11010519491231002X", "D1")
    assert second.keyring().open(sealed, "D1") == "11010519491231002X"


def test_dev_without_keys_gets_a_throwaway_keyring():
    settings = CustomerSettings(environment="dev")
    assert settings.keyring().seal("x", "D1").key_id == "dev"
