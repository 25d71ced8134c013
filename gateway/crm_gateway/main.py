import contextlib
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from crm_gateway import api, docs, jobs, upstream
from crm_gateway.edge import BodyLimitMiddleware, ProxyPaths, TokenCache
from crm_gateway.handlers.bootstrap import bootstrap
from crm_gateway.proxy import METHODS, Proxy
from crm_gateway.routes import upstreams
from crm_gateway.settings import GatewaySettings
from crm_gateway.tokens import Keyring, KeyringVerifier, SigningKey
from crm_kit.app import ServiceSpec, create_service_app
from crm_kit.auth import TokenVerifier
from crm_kit.metrics import RequestMiddleware

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@contextlib.asynccontextmanager
async def identity_ready(app: FastAPI):
    """The bootstrap administrator, the care client and (dev) the demo dealer exist before the first request."""
    async with app.state.sessions() as session, session.begin():
        await bootstrap(session, app.state.settings)
    yield


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    app = create_service_app(ServiceSpec(
        settings=settings,
        title="Gateway",
        description="The one front door: identity and tokens, routing to the services, partner webhooks.",
        migrations=MIGRATIONS,
        routers=[*api.ROUTERS, docs.router],
        background=[jobs.webhook_consumer, jobs.webhook_sender, jobs.shared_rate_limits],
        resources=[identity_ready, upstream.opened],
        serve_docs=False,
    ))
    keyring = Keyring(SigningKey.from_pem(settings.signing_key), settings.retired_public_keys)
    app.state.keyring = keyring
    app.state.upstreams = upstreams(settings)
    # The gateway checks tokens with its own keys instead of fetching its own JWKS over HTTP.
    app.state.token_verifier = KeyringVerifier(keyring, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    app.state.token_cache = TokenCache(app.state.token_verifier)
    app.state.oidc_verifier = (TokenVerifier(issuer=settings.oidc_issuer, audience=settings.oidc_audience or "",
                                             jwks_url=settings.oidc_jwks_url)
                               if settings.oidc_issuer and settings.oidc_jwks_url else None)
    proxy = Proxy(settings, app.state.upstreams)
    app.state.proxy = proxy
    # Plain Starlette routes to the proxy's ASGI app: it needs no dependency injection or body parsing.
    proxied = [Route("/api/v1/{path:path}", proxy, methods=METHODS, include_in_schema=False),
               Route("/s/{path:path}", proxy, methods=["GET", "POST"], include_in_schema=False),
               Route("/console", proxy, methods=["GET", "HEAD"], include_in_schema=False),
               Route("/console/{path:path}", proxy, methods=["GET", "HEAD", "POST"], include_in_schema=False)]
    app.router.routes.extend(proxied)
    # Inside the size limit and CORS, outside the kit's request id and metrics, which it applies itself.
    app.add_middleware(ProxyPaths, routes=proxied, proxy=RequestMiddleware(proxy, service=settings.service_name))
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                       allow_methods=METHODS, allow_headers=["authorization", "content-type", "if-match",
                                                             "idempotency-key", "x-request-id"],
                       expose_headers=["etag", "location", "retry-after", "x-request-id",
                                       "ratelimit", "ratelimit-policy"], max_age=600)
    return app
