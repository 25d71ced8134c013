from pathlib import Path

from fastapi import FastAPI

from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.idempotency import key_sweeper
from crm_segmentation import api, consumers, jobs
from crm_segmentation.handlers.context import Clock
from crm_segmentation.settings import SegmentationSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: SegmentationSettings | None = None) -> FastAPI:
    settings = settings or SegmentationSettings()
    return create_service_app(ServiceSpec(
        settings=settings,
        title="Segmentation service",
        description="Profiles, RFM/ABC/CLV scores, value types, retention status, segments and KPIs.",
        migrations=MIGRATIONS,
        routers=api.routers,
        consumes=consumers.TOPICS,
        handlers=consumers.handlers_for(Clock(settings.timezone)),
        background=[jobs.scoring_worker, jobs.rescore_schedule, key_sweeper],
    ))
