from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore", frozen=True)

    service_name = "survey"
    default_port = 8003

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_survey"
