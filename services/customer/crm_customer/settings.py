import base64
import binascii

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from crm_customer.domain.pii import Keyring
from crm_kit.settings import ServiceSettings


class CustomerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTOMER_", extra="ignore", frozen=True)

    service_name = "customer"
    default_port = 8001

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_customer"
    pii_keys: dict[str, str] = Field(default_factory=dict,
                                     description='JSON {"key id": "base64 AES-256 key"}; old ids stay for reading')
    pii_active_key: str | None = Field(None, description="The key id new ID numbers are encrypted with")
    pii_lookup_key: str | None = Field(None, description="base64, >= 32 bytes: keyed hash that finds ID numbers")
    import_batch_size: int = Field(5000, ge=1, le=20_000)
    import_poll_seconds: float = Field(0.2, gt=0, le=30)
    # An import stages thousands of events a second: the relay takes them in batches as big as an import's.
    relay_batch_size: int = Field(5000, ge=1, le=10_000)

    def insecure_settings(self) -> list[str]:
        problems = super().insecure_settings()
        if not self.pii_keys or not self.pii_active_key:
            problems.append("PII_KEYS and PII_ACTIVE_KEY are needed to encrypt ID numbers")
        if not self.pii_lookup_key:
            problems.append("PII_LOOKUP_KEY is needed to find ID numbers for dedupe")
        if self.pii_keys and self.pii_active_key and self.pii_lookup_key:
            try:
                self.keyring()
            except (ValueError, binascii.Error) as error:
                problems.append(f"PII keys: {error}")
        return problems

    def keyring(self) -> Keyring:
        """The configured keys; in dev without them, a throwaway key (ID numbers unreadable after a restart)."""
        if not (self.pii_keys and self.pii_active_key and self.pii_lookup_key):
            if not self.is_dev:
                raise ValueError("PII keys are not configured")
            return Keyring.throwaway()
        return Keyring({k: base64.b64decode(v, validate=True) for k, v in self.pii_keys.items()},
                       self.pii_active_key, base64.b64decode(self.pii_lookup_key, validate=True))
