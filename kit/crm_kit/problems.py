"""RFC 9457 problem details for every error a client can see, in the client's language (zh-CN or en).

The language comes from Accept-Language; without one, the service's `problem_language` setting decides.
Field pointers (`in`, `pointer`, `name`) never change with the language: clients read them.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_kit import problem_texts
from crm_kit.db import unavailable, unstorable
from crm_kit.problem_texts import Language

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem document.

    `errors` lists field-level failures: {"in": "body", "pointer": "/mobile", "detail": "..."}
    or {"in": "query", "name": "limit", "detail": "..."}.
    `detail_key` (+ `detail_params`) names a detail of the catalogue in `crm_kit.problem_texts`, so it is
    answered in the client's language; `detail` is then its English.
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        type: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        detail_key: str | None = None,
        detail_params: dict[str, Any] | None = None,
        **extra: Any,
    ):
        self.detail_key, self.detail_params = detail_key, detail_params or {}
        if detail is None and detail_key:
            detail = problem_texts.detail(detail_key, self.detail_params, None, "en")
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.type = status, title, detail, type
        self.errors, self.headers, self.extra = errors, headers, extra

    def body(self, instance: str | None = None, language: Language = "en") -> dict[str, Any]:
        title = problem_texts.title(self.status, self.title, language)
        body: dict[str, Any] = {"type": self.type, "title": title, "status": self.status}
        detail = problem_texts.detail(self.detail_key, self.detail_params, self.detail, language)
        if detail:
            body["detail"] = detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [problem_texts.entry(error, language) for error in self.errors]
        body.update(self.extra)
        return body


def field_error(location: str, field: str, detail: str) -> dict[str, Any]:
    """One entry of `errors`: a JSON pointer into the body, or a parameter name elsewhere. A Worded detail
    keeps its type and context until the entry is answered in the client's language."""
    if location == "body":
        return problem_texts.keyed({"in": "body", "pointer": field if field.startswith("/") else "/" + field}, detail)
    return problem_texts.keyed({"in": location, "name": field}, detail)


def invalid(*errors: dict[str, Any], detail: str | None = None) -> Problem:
    return Problem(422, "Unprocessable Content", detail, errors=list(errors),
                   detail_key=None if detail else "invalid")


def not_found(what: str) -> Problem:
    return Problem(404, "Not Found", detail_key="not_found", detail_params={"what": what})


def language_of(request: Request) -> Language:
    """Accept-Language first; then the service's `problem_language` setting (zh-CN when it has none)."""
    settings = getattr(request.app.state, "settings", None)
    default = getattr(settings, "problem_language", problem_texts.DEFAULT_LANGUAGE)
    return problem_texts.negotiate(request.headers.get("accept-language"), default)


def response(problem: Problem, request: Request, language: Language | None = None) -> JSONResponse:
    language = language or language_of(request)
    # Vary tells caches that the same URL answers in another language for another Accept-Language.
    headers = {**(problem.headers or {}), "Content-Language": language, "Vary": "Accept-Language"}
    return JSONResponse(
        problem.body(instance=request.url.path, language=language),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def _pointer(location: tuple[Any, ...]) -> dict[str, Any]:
    where, *path = location or ("body",)
    if where == "body":
        escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in path]
        return {"in": "body", "pointer": "/" + "/".join(escaped)}
    return {"in": where, "name": ".".join(str(part) for part in path)}


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    language = language_of(request)
    errors = [{**_pointer(tuple(e["loc"])), "detail": problem_texts.field_error(e, language)} for e in error.errors()]
    return response(invalid(*errors), request, language)


async def _problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Problem)
    return response(error, request)


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    from http import HTTPStatus

    title = HTTPStatus(error.status_code).phrase
    detail = error.detail if isinstance(error.detail, str) and error.detail != title else None
    return response(Problem(error.status_code, title, detail, headers=error.headers), request)


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    """The safety net under validation: a value that slipped past it is still the client's 422, not our 500."""
    if unstorable(error):
        log.warning("a value the database cannot store on %s %s: %s", request.method, request.url.path, error)
        return response(Problem(422, "Unprocessable Content", detail_key="unstorable"), request)
    if not unavailable(error):
        return await _unexpected(request, error)
    log.warning("database unavailable: %s", error)
    problem = Problem(503, "Service Unavailable", detail_key="database_unavailable", headers={"Retry-After": "2"})
    return response(problem, request)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return response(Problem(500, "Internal Server Error", detail_key="unexpected"), request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
