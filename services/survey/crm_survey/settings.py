from pydantic import Field
from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore", frozen=True)

    service_name = "survey"
    default_port = 8003

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_survey"

    scheduler_poll_seconds: float = Field(1.0, gt=0, le=60, description="How often the send and expiry jobs look")
    public_rate_per_token: float = Field(30, gt=0, description="Requests a minute to one /s/{token} link")
    public_rate_per_address: float = Field(300, gt=0, description="Requests a minute from one client address")
    public_burst: float = Field(20, ge=1, description="Requests allowed at once before the rates apply")
    public_limit_sync_seconds: float = Field(0.25, gt=0, le=10, description="How often the replicas pool "
                                             "their counts: the limits' slack across replicas")
    trusted_proxies: str = Field("127.0.0.1,::1", description="Comma-separated peers whose X-Forwarded-For is "
                                 "believed (the gateway)")
