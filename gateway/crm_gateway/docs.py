"""One OpenAPI document for the whole suite, merged from every service's own, shown at /docs."""

import asyncio
import json
import logging
from pathlib import Path

import httpx
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from crm_kit.problems import not_found
from crm_kit.responses import problems

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

# Swagger UI ships with the gateway (static/swagger-ui/README.md): FastAPI's default loads it from a CDN,
# which leaves /docs blank without internet. Only these files are served, so no path reaches the disk.
SWAGGER_UI = Path(__file__).resolve().parent / "static" / "swagger-ui"
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon-32x32.png": "image/png"}
ASSETS_PATH = "/docs/assets"


def merge(own: dict, services: dict[str, dict]) -> dict:
    merged = {**own, "info": {"title": "Dealer Retention CRM API", "version": own["info"]["version"],
                              "description": "Every public route of the suite, served through the gateway."},
              "paths": dict(own.get("paths", {}))}
    schemas = dict(own.get("components", {}).get("schemas", {}))
    security = dict(own.get("components", {}).get("securitySchemes", {}))
    for service, document in services.items():
        document = _own_names(document, service, schemas)
        for path, item in document.get("paths", {}).items():
            merged["paths"][path] = _through_the_proxy(item)
        schemas.update(document.get("components", {}).get("schemas", {}))
        security.update(document.get("components", {}).get("securitySchemes", {}))
    # Swagger's "Authorize" signs in at /auth/token; the bearer token then goes with every call.
    security["OAuth2Password"] = {"type": "oauth2", "description": "Staff: username and password",
                                  "flows": {"password": {"tokenUrl": "/auth/token", "refreshUrl": "/auth/token",
                                                         "scopes": {}}}}
    security["OAuth2ClientCredentials"] = {"type": "oauth2", "description": "Partners: client id and secret",
                                           "flows": {"clientCredentials": {"tokenUrl": "/auth/token", "scopes": {}}}}
    merged["components"] = {"schemas": schemas, "securitySchemes": security}
    return merged


def _through_the_proxy(item: dict) -> dict:
    """A service's operations as the proxy answers them: it may also refuse a body over its limit, a client
    over its rate, and a service that is failing or slow."""
    operations = {}
    for method, operation in item.items():
        if not isinstance(operation, dict) or "responses" not in operation:
            operations[method] = operation
            continue
        proxy = problems(*([413] if "requestBody" in operation else []), 429, 503, 504)
        operations[method] = {**operation, "responses": {**{str(k): v for k, v in proxy.items()},
                                                         **operation["responses"]}}
    return operations


def _own_names(document: dict, service: str, taken: dict) -> dict:
    """The document with each schema whose name another service already uses for a different shape renamed
    `<Service><Name>` (care's message `TemplatePublic` is not survey's questionnaire `TemplatePublic`),
    and every reference to it rewritten, so each route keeps its own reply schema in the merged document."""
    clashes = [name for name, schema in document.get("components", {}).get("schemas", {}).items()
               if name in taken and taken[name] != schema]
    if not clashes:
        return document
    text = json.dumps(document)
    for name in clashes:
        text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/{service.title()}{name}"')
    renamed = json.loads(text)
    own = renamed["components"]["schemas"]
    for name in clashes:
        own[f"{service.title()}{name}"] = own.pop(name)
    return renamed


@router.get("/openapi.json")
async def openapi(request: Request) -> dict:
    client: httpx.AsyncClient = request.app.state.http
    upstreams: dict[str, str] = request.app.state.upstreams

    async def fetch(service: str) -> tuple[str, dict]:
        try:
            # A service builds its document on first request (seconds on a busy machine, cached after).
            response = await client.get(f"{upstreams[service]}/openapi.json", timeout=30)
            response.raise_for_status()
            return service, response.json()
        except httpx.HTTPError as error:
            log.warning("no OpenAPI from %s: %r", service, error)
            return service, {}

    documents = dict(await asyncio.gather(*(fetch(service) for service in upstreams)))
    return merge(request.app.openapi(), documents)


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Dealer Retention CRM API",
                               swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
                               swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
                               # the online validator badge would call validator.swagger.io
                               swagger_ui_parameters={"validatorUrl": None, "filter": True})


@router.get(ASSETS_PATH + "/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise not_found("file")
    # A day: the files change only with an upgrade of the gateway.
    return FileResponse(SWAGGER_UI / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
