from pathlib import Path

from fastapi import FastAPI

from crm_customer import api, consumers, jobs
from crm_customer.settings import CustomerSettings
from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.idempotency import key_sweeper

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: CustomerSettings | None = None) -> FastAPI:
    settings = settings or CustomerSettings()
    app = create_service_app(ServiceSpec(
        settings=settings,
        title="Customer service",
        description="Customers, vehicles, ownership, visits, leads and consent: the dealer's single source of truth.",
        migrations=MIGRATIONS,
        routers=api.ROUTERS,
        consumes=consumers.TOPICS,
        handlers=consumers.HANDLERS,
        background=[jobs.import_worker, key_sweeper],
    ))
    app.state.keyring = settings.keyring()
    return app
