"""The signed-in session: tokens in HttpOnly, SameSite=Strict cookies; CSRF tokens; who the viewer is.

Nothing is stored server-side: the access token (15 min) and the refresh token live in cookies only
JavaScript cannot read, scoped to /console and sent only with same-site requests. The refresh token is
rotated by the gateway on use, so the cookies are rewritten whenever the console refreshes.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Annotated

import jwt
from fastapi import Depends, Form, Request

from crm_console.gateway import GatewayError, SignedOut, Tokens
from crm_console.settings import LANGUAGES

ACCESS, REFRESH, CSRF, LANGUAGE, DEALER = "crm_access", "crm_refresh", "crm_csrf", "crm_lang", "crm_dealer"
COOKIE_PATH = "/console"
REFRESH_AHEAD_SECONDS = 30  # refresh a token this close to its expiry rather than have a call refused
PASSWORD_PATH = "/console/password"
YEAR = 365 * 86_400
NETWORK_PAGES = 10  # 2,000 dealers: the carmaker's whole network, with room to spare


class NeedsSignIn(Exception):
    """No session, or the gateway ended it: the browser goes to the sign-in page."""


class MustChangePassword(Exception):
    """A temporary password: nothing but the change-password page until a new one is chosen."""


class CsrfRefused(Exception):
    pass


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str | None
    roles: list[str]
    permissions: frozenset[str]
    dealers: list[str]
    dealer_names: dict[str, str]
    dealer: str | None  # the dealer the screens show; None for a network user who has not picked one
    token: str
    must_change_password: bool = False
    # What the header's picker offers, id → name: several dealers of one's own, or every dealer for a network user.
    dealer_choices: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def can(self, permission: str) -> bool:
        return permission in self.permissions


# Cookies ------------------------------------------------------------------------------------------------

def set_cookie(request: Request, name: str, value: str | None, max_age: int | None = None) -> None:
    """Queued on the request; the session middleware writes them on whatever response goes out."""
    request.state.cookies[name] = (value, max_age)


def remember_tokens(request: Request, tokens: Tokens) -> None:
    set_cookie(request, ACCESS, tokens.access_token, tokens.expires_in)
    set_cookie(request, REFRESH, tokens.refresh_token)  # a browser-session cookie: gone when the browser closes


def forget_tokens(request: Request) -> None:
    for name in (ACCESS, REFRESH, DEALER):
        set_cookie(request, name, None)


def write_cookies(request: Request, response, secure: bool) -> None:
    for name, (value, max_age) in request.state.cookies.items():
        if value is None:
            response.delete_cookie(name, path=COOKIE_PATH, secure=secure, httponly=True, samesite="strict")
        else:
            response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, secure=secure, httponly=True,
                                samesite="strict")


# CSRF ---------------------------------------------------------------------------------------------------

def ensure_csrf_seed(request: Request) -> None:
    """Each browser gets a random seed cookie; forms carry HMAC(secret, seed), which a third site cannot make."""
    seed = request.cookies.get(CSRF)
    if not seed:
        seed = secrets.token_urlsafe(24)
        set_cookie(request, CSRF, seed, YEAR)
    request.state.csrf_seed = seed


def csrf_token(request: Request) -> str:
    secret = request.app.state.settings.secret_key.encode()
    return hmac.new(secret, request.state.csrf_seed.encode(), hashlib.sha256).hexdigest()


async def csrf_checked(request: Request, csrf_token_field: Annotated[str | None, Form(alias="csrf_token")] = None
                       ) -> None:
    # The seed must have come with the request: one minted just now for this response proves nothing.
    if not request.cookies.get(CSRF) or not csrf_token_field or not hmac.compare_digest(
            csrf_token_field, csrf_token(request)):
        raise CsrfRefused()


CsrfChecked = Depends(csrf_checked)


# Language and the next page ------------------------------------------------------------------------------

def language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE)
    return chosen if chosen in LANGUAGES else request.app.state.settings.default_language


def safe_next(target: str | None) -> str:
    """Only a path inside the console: a sign-in link must not send the user to another site."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


# The viewer ---------------------------------------------------------------------------------------------

def _expiring(token: str) -> bool:
    try:
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    except (jwt.PyJWTError, KeyError):
        return True
    return expires - time.time() < REFRESH_AHEAD_SECONDS


async def signed_in_token(request: Request) -> str:
    """The user's access token, refreshed through the gateway when it is (nearly) expired."""
    access, refresh = request.cookies.get(ACCESS), request.cookies.get(REFRESH)
    if not refresh:
        raise NeedsSignIn()
    if access and not _expiring(access):
        return access
    try:
        tokens = await request.app.state.gateway.refresh(refresh)
    except SignedOut as error:
        raise NeedsSignIn() from error
    remember_tokens(request, tokens)
    return tokens.access_token


async def _viewer(request: Request, allow_temporary_password: bool) -> Viewer:
    token = await signed_in_token(request)
    try:
        me = await request.app.state.gateway.get("/api/v1/me", token)
    except SignedOut as error:
        raise NeedsSignIn() from error
    if me["must_change_password"] and not allow_temporary_password:
        raise MustChangePassword()
    dealers = [d for d in me["dealers"] if d != "*"]
    names = dict(me.get("dealer_names", {}))
    chosen = request.cookies.get(DEALER)
    if "*" in me["dealers"]:
        network = await _network_dealers(request, token)
        names.update(network or {})
        # A dealer that is gone from the list (or never was) shows the network rather than an empty page.
        dealer = chosen if chosen and (network is None or chosen in network) else None
        choices = network or {}
    else:
        dealer = chosen if chosen in dealers else (dealers[0] if dealers else None)
        choices = {d: names.get(d, d) for d in dealers}
    return Viewer(username=me["username"], display_name=me.get("display_name"), roles=me["roles"],
                  permissions=frozenset(me["permissions"]), dealers=me["dealers"],
                  dealer_names=names, dealer=dealer, token=token,
                  must_change_password=me["must_change_password"], dealer_choices=choices)


async def _network_dealers(request: Request, token: str) -> dict[str, str] | None:
    """Every dealer a network user may pick, id → name; None when the gateway cannot say just now."""
    found: dict[str, str] = {}
    cursor = None
    for _ in range(NETWORK_PAGES):
        try:
            page = await request.app.state.gateway.get("/api/v1/dealers", token, limit=200,
                                                        **({"cursor": cursor} if cursor else {}))
        except SignedOut as error:
            raise NeedsSignIn() from error
        except GatewayError:
            return None
        found.update({d["id"]: d["name"] for d in page["items"]})
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return found


async def current_viewer(request: Request) -> Viewer:
    viewer = await _viewer(request, allow_temporary_password=False)
    request.state.viewer = viewer
    return viewer


async def viewer_changing_password(request: Request) -> Viewer:
    viewer = await _viewer(request, allow_temporary_password=True)
    request.state.viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
PasswordViewerDep = Annotated[Viewer, Depends(viewer_changing_password)]
