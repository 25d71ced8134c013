from pathlib import Path

from fastapi import FastAPI

from crm_kit.app import ServiceSpec, create_service_app
from crm_survey.settings import SurveySettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: SurveySettings | None = None) -> FastAPI:
    return create_service_app(ServiceSpec(
        settings=settings or SurveySettings(),
        title="Survey service",
        description="Survey templates, invitations, responses, SSI/CSI/NPS indices and hot alerts.",
        migrations=MIGRATIONS,
    ))
