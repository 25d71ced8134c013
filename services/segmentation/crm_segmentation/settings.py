from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class SegmentationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SEGMENTATION_", extra="ignore", frozen=True)

    service_name = "segmentation"
    default_port = 8002

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_segmentation"
