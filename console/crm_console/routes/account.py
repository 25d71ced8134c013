"""Signing in and out, changing one's password, and the header's language and dealer switches."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.problems import problem_key
from crm_console.gateway import Refused
from crm_console.pages import render
from crm_console.session import (
    DEALER,
    LANGUAGE,
    REFRESH,
    YEAR,
    CsrfChecked,
    PasswordViewerDep,
    ViewerDep,
    forget_tokens,
    remember_tokens,
    safe_next,
    set_cookie,
)
from crm_console.settings import LANGUAGES

router = APIRouter(prefix="/console", include_in_schema=False)
Text = Annotated[str, Form()]


def _back(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


@router.get("")
async def console_root() -> RedirectResponse:
    return _back("/console/")


@router.get("/signin")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "signin.html", next=safe_next(next), username="", error=None)


@router.post("/signin", dependencies=[CsrfChecked])
async def sign_in(request: Request, username: Text = "", password: Text = "", next: Text = "/console/") -> Response:
    username = username.strip().lower()
    if not username or not password:
        return render(request, "signin.html", 422, next=safe_next(next), username=username,
                      error="signin.missing")
    try:
        tokens = await request.app.state.gateway.sign_in(username, password)
    except Refused as refused:
        error = "signin.throttled" if refused.status == 429 else "signin.wrong"
        return render(request, "signin.html", 401 if refused.status != 429 else 429, next=safe_next(next),
                      username=username, error=error)
    remember_tokens(request, tokens)
    # The next page asks the gateway who this is; a temporary password is sent on to be changed there.
    return _back(safe_next(next))


@router.post("/signout", dependencies=[CsrfChecked])
async def sign_out(request: Request) -> Response:
    refresh = request.cookies.get(REFRESH)
    if refresh:
        # Ended at the gateway, so a copy of the cookie is worth nothing either.
        await request.app.state.gateway.revoke(refresh)
    forget_tokens(request)
    return _back("/console/signin?signed_out=1")


@router.get("/password")
async def password_page(request: Request, viewer: PasswordViewerDep) -> Response:
    return render(request, "password.html", errors={}, forced=viewer.must_change_password, done=False)


@router.post("/password", dependencies=[CsrfChecked])
async def change_password(request: Request, viewer: PasswordViewerDep, current_password: Text = "",
                          new_password: Text = "", repeat_password: Text = "") -> Response:
    errors = {}
    if not current_password:
        errors["current_password"] = "password.required"
    if not new_password:
        errors["new_password"] = "password.required"
    elif new_password != repeat_password:
        errors["repeat_password"] = "password.mismatch"
    if not errors:
        try:
            await request.app.state.gateway.post("/api/v1/me/password", viewer.token,
                                                  {"current_password": current_password,
                                                   "new_password": new_password})
            return render(request, "password.html", errors={}, forced=False, done=True)
        except Refused as refused:
            errors = {field: problem_key(detail) for field, detail in refused.fields.items()}
    return render(request, "password.html", 422, errors=errors, forced=viewer.must_change_password, done=False)


@router.post("/language", dependencies=[CsrfChecked])
async def choose_language(request: Request, language: Text = "", next: Text = "/console/") -> Response:
    if language in LANGUAGES:
        set_cookie(request, LANGUAGE, language, YEAR)
    return _back(safe_next(next))


@router.post("/dealer", dependencies=[CsrfChecked])
async def choose_dealer(request: Request, viewer: ViewerDep, dealer: Text = "", next: Text = "/console/"
                        ) -> Response:
    if dealer in viewer.dealer_choices:
        set_cookie(request, DEALER, dealer, YEAR)
    elif not dealer and "*" in viewer.dealers:  # 全部经销商: the network again
        set_cookie(request, DEALER, None)
    # The same screen for the dealer just picked, at its top: a record's own page would be another dealer's 404.
    return _back("/".join(safe_next(next).split("/")[:3]) or "/console/")

