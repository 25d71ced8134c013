from pydantic import Field
from pydantic_settings import SettingsConfigDict

from crm_kit.settings import ServiceSettings


class SegmentationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SEGMENTATION_", extra="ignore", frozen=True)

    service_name = "segmentation"
    default_port = 8002

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1:5432/crm_segmentation"
    timezone: str = Field("Asia/Shanghai", description="Dealers' local time zone: what 'today' means")
    rescore_interval_hours: float = Field(24, ge=0, description="Scheduled batch per dealer; 0 turns it off")
    schedule_check_seconds: float = Field(60, gt=0, description="How often the schedule looks for due dealers")
    job_poll_seconds: float = Field(1.0, gt=0, description="How often an idle worker looks for queued jobs")
    job_stale_minutes: float = Field(60, gt=0, description="A job running longer was abandoned by its replica")
    fit_sample: int = Field(50_000, ge=100, description="Customers sampled for the BG/NBD + Gamma-Gamma fit")
