from pathlib import Path

from fastapi import FastAPI

from crm_care import api, consumers, jobs
from crm_care.settings import CareSettings
from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.idempotency import key_sweeper

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: CareSettings | None = None) -> FastAPI:
    return create_service_app(ServiceSpec(
        settings=settings or CareSettings(),
        title="Care service",
        description="Reminders, greetings, follow-up tasks, consented messages, complaint cases and rescue.",
        migrations=MIGRATIONS,
        routers=api.ROUTERS,
        consumes=consumers.TOPICS,
        handlers=consumers.HANDLERS,
        background=[jobs.due_scan, jobs.dispatcher, jobs.sender, jobs.sla_watch, jobs.notifier,
                    key_sweeper],
    ))
