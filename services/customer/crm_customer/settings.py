from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class CustomerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTOMER_", extra="ignore", frozen=True)

    service_name = "customer"
    default_port = 8001

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_customer"
