from pathlib import Path

from fastapi import FastAPI

from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.idempotency import key_sweeper
from crm_kit.ratelimit import TokenBucket
from crm_kit.shared_limits import SharedBucket
from crm_survey import api, consumers, jobs
from crm_survey.handlers.setup import shipped_templates
from crm_survey.ratelimit import PublicLimits
from crm_survey.settings import SurveySettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: SurveySettings | None = None) -> FastAPI:
    settings = settings or SurveySettings()
    app = create_service_app(ServiceSpec(
        settings=settings,
        title="Survey service",
        description="Survey templates, invitations, responses, SSI/CSI/NPS indices and hot alerts.",
        migrations=MIGRATIONS,
        routers=api.ROUTERS,
        consumes=consumers.TOPICS,
        handlers=consumers.HANDLERS,
        background=[jobs.send_invitations, jobs.expire_invitations, jobs.fold_rollups, jobs.watch_open_alerts,
                    jobs.shared_rate_limits, key_sweeper],
        resources=[shipped_templates],
    ))
    app.state.public_limits = PublicLimits(
        per_token=SharedBucket("link", TokenBucket.per_minute(settings.public_rate_per_token, settings.public_burst)),
        # an address may be a dealer's shared Wi-Fi: its burst is a tenth of a minute's allowance
        per_address=SharedBucket("address", TokenBucket.per_minute(
            settings.public_rate_per_address, max(settings.public_burst, settings.public_rate_per_address / 10))),
        trusted_proxies=frozenset(p.strip() for p in settings.trusted_proxies.split(",") if p.strip()))
    return app
