import contextlib
from pathlib import Path

import httpx
from fastapi import FastAPI

from crm_gateway import api, docs, proxy
from crm_gateway.routes import upstreams
from crm_gateway.settings import GatewaySettings
from crm_gateway.tokens import SigningKey
from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.auth import TokenVerifier

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@contextlib.asynccontextmanager
async def upstream_client(app: FastAPI):
    settings: GatewaySettings = app.state.settings
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=settings.upstream_timeout_seconds, limits=limits) as client:
        app.state.upstream_client = client
        yield


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    app = create_service_app(ServiceSpec(
        settings=settings,
        title="Gateway",
        description="The one front door: tokens, routing to the services, merged API docs.",
        migrations=MIGRATIONS,
        routers=[api.router, docs.router, proxy.router],
        resources=[upstream_client],
        serve_docs=False,
    ))
    app.state.signing_key = SigningKey.from_pem(settings.signing_key)
    app.state.upstreams = upstreams(settings)
    # The gateway checks its own tokens with its own key instead of fetching its JWKS over HTTP.
    app.state.token_verifier = TokenVerifier(issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                                             public_key=app.state.signing_key.public_pem())
    return app
