"""OpenAPI responses for problems, so every status a route can answer is documented with its schema.

Routes declare what is theirs (`responses=problems(404, 412, 428)`); `document(app)` adds to every route
what the kit itself answers there: 401 and 403 where a token is checked, 422 where there is input to
validate, 400 where a cursor is decoded, 404 where a record is named by its id in the path, 503 everywhere
(an unreachable database or any OS error answers it).
"""

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from crm_kit.auth import current_principal
from crm_kit.problems import MEDIA_TYPE

SCHEMA_NAME = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": SCHEMA_NAME,
    "description": "RFC 9457 problem details; `errors` points at each offending field",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
DESCRIPTIONS = {
    400: "A cursor or parameter this API did not give out",
    401: "No token, or one that is expired, forged or for another audience",
    403: "A permission or a dealer you do not have",
    404: "No such record, or another dealer's",
    409: "Refused in the record's current state",
    410: "Gone: expired or already used",
    412: "If-Match names a version that is no longer current; the problem carries `current_etag`",
    413: "The body is too large",
    415: "A body in a media type this route does not take",
    422: "A field or parameter that is not valid; `errors` names each",
    428: "If-Match is required: read the resource first and send its ETag",
    429: "Too many requests: wait as Retry-After says",
    502: "A service behind the gateway answered wrongly",
    503: "A database or service is unavailable for a moment: retry after Retry-After",
    504: "A service behind the gateway did not answer in time",
}


def problems(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with the problem schema; `described` overrides a description
    (keys are `s404`, `s409`, ...: keyword names cannot be numbers)."""
    return {status: {"description": described.get(f"s{status}", DESCRIPTIONS.get(status, "A problem")),
                     "content": {MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{SCHEMA_NAME}"}}}}
            for status in statuses}


def _calls(dependant: Dependant) -> list[Any]:
    found = [dependant.call]
    for sub in dependant.dependencies:
        found.extend(_calls(sub))
    return found


def _has_input(dependant: Dependant) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params or dependant.cookie_params \
            or dependant.body_params:
        return True
    return any(_has_input(sub) for sub in dependant.dependencies)


def _params(dependant: Dependant, kind: str) -> list[Any]:
    found = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found.extend(_params(sub, kind))
    return found


def statuses_of(route: APIRoute) -> list[int]:
    """What the kit can answer on this route, whatever the route does: 401/403 where a token is checked,
    400 where a cursor is decoded, 404 where a record is named by its id, 422 where there is input."""
    checked = current_principal in _calls(route.dependant)
    paged = any(param.name == "cursor" for param in _params(route.dependant, "query_params"))
    by_id = any(param.field_info.annotation is uuid.UUID for param in _params(route.dependant, "path_params"))
    return [*([400] if paged else []), *([401, 403] if checked else []), *([404] if by_id else []),
            *([422] if _has_input(route.dependant) else []), 503]


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as routers, not as copied routes)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found.extend(_api_routes(included.routes))
    return found


def document(app: FastAPI) -> None:
    """Adds the kit's statuses to every route (a route's own description wins) and the Problem schema."""
    for route in _api_routes(app.routes):
        route.responses = {**problems(*statuses_of(route)), **route.responses}
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {})[SCHEMA_NAME] = PROBLEM_SCHEMA
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
