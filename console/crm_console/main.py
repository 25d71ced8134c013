"""create_app(settings): the console's one wiring point. A client of the gateway; no database, no broker."""

import contextlib
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_console import routes
from crm_console.gateway import Forbidden, Gateway, NotFound, Unavailable, page_language
from crm_console.pages import environment, is_htmx, render
from crm_console.session import (
    PASSWORD_PATH,
    CsrfRefused,
    MustChangePassword,
    NeedsSignIn,
    ensure_csrf_seed,
    forget_tokens,
    language,
    write_cookies,
)
from crm_console.settings import ConsoleSettings
from crm_kit.metrics import RequestMiddleware

STATIC = Path(__file__).resolve().parent / "static"
# Nothing is loaded from anywhere but this origin; no inline script or style (HTMX's own indicator
# style is switched off in the page's htmx-config for that reason).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def create_app(settings: ConsoleSettings | None = None, gateway_transport: httpx.AsyncBaseTransport | None = None
               ) -> FastAPI:
    """`gateway_transport`: tests reach an in-process gateway through it instead of the network."""
    settings = settings or ConsoleSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.gateway = Gateway(settings.gateway_url, settings.gateway_timeout_seconds, gateway_transport)
        try:
            yield
        finally:
            await app.state.gateway.close()

    app = FastAPI(title="Staff console", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.templates = environment()
    app.mount("/console/static", StaticFiles(directory=STATIC), name="static")
    for router in routes.ROUTERS:
        app.include_router(router)
    _install_session(app, settings)
    _install_errors(app)
    app.add_middleware(RequestMiddleware, service="console")
    return app


def _install_session(app: FastAPI, settings: ConsoleSettings) -> None:
    @app.middleware("http")
    async def session_cookies(request: Request, call_next):
        request.state.cookies = {}
        page_language.set(language(request))
        if request.url.path.startswith("/console") and not request.url.path.startswith("/console/static"):
            ensure_csrf_seed(request)
        response = await call_next(request)
        write_cookies(request, response, secure=settings.secure_cookies)
        if response.headers.get("content-type", "").startswith("text/html"):
            # Pages show personal data: never kept by the browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "same-origin"
        return response


def _redirect(request: Request, target: str) -> Response:
    if is_htmx(request):  # a swapped fragment cannot redirect the page; HTMX does it on this header
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _error_page(status: int, name: str):
    async def answer(request: Request, _: Exception) -> Response:
        return render(request, "error.html", status, heading=f"error.{name}_title", message=f"error.{name}")

    return answer


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(NeedsSignIn)
    async def needs_sign_in(request: Request, _: NeedsSignIn) -> Response:
        forget_tokens(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        next_page = target if request.method == "GET" and not is_htmx(request) else "/console/"
        return _redirect(request, f"/console/signin?next={quote(next_page, safe='/')}")

    @app.exception_handler(MustChangePassword)
    async def must_change(request: Request, _: MustChangePassword) -> Response:
        return _redirect(request, PASSWORD_PATH)

    # Refusals that all answer the same error page, by status and message.
    for refusal, status, name in ((CsrfRefused, 403, "csrf"), (Forbidden, 403, "forbidden"),
                                  (NotFound, 404, "not_found"), (Unavailable, 503, "unavailable")):
        app.add_exception_handler(refusal, _error_page(status, name))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return render(request, "error.html", 404, heading="error.not_found_title", message="error.not_found")
        if error.status_code == 405:
            return render(request, "error.html", 405, heading="error.title", message="error.method")
        return render(request, "error.html", error.status_code, heading="error.title", message="error.generic")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _: RequestValidationError) -> Response:
        return render(request, "error.html", 400, heading="error.title", message="error.bad_request")

    @app.exception_handler(Exception)
    async def crashed(request: Request, _: Exception) -> Response:
        return render(request, "error.html", 500, heading="error.title", message="error.generic")
