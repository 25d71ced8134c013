from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class CareSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_", extra="ignore", frozen=True)

    service_name = "care"
    default_port = 8004

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_care"
