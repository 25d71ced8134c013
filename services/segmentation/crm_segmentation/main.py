from pathlib import Path

from fastapi import FastAPI

from crm_kit.app import ServiceSpec, create_service_app
from crm_segmentation import api, consumers
from crm_segmentation.settings import SegmentationSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: SegmentationSettings | None = None) -> FastAPI:
    return create_service_app(ServiceSpec(
        settings=settings or SegmentationSettings(),
        title="Segmentation service",
        description="Profiles, RFM/ABC/CLV scores, value types, retention status, segments and KPIs.",
        migrations=MIGRATIONS,
        routers=[api.router],
        consumes=consumers.TOPICS,
        handlers=consumers.HANDLERS,
    ))
