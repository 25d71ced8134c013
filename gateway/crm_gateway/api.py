"""The gateway's own routes: tokens and the public keys that verify them."""

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request

from crm_contracts import permissions
from crm_gateway import tokens
from crm_kit.problems import Problem

router = APIRouter(tags=["auth"])

EVERY_PERMISSION = sorted(v for k, v in vars(permissions).items() if k.isupper() and k != "ALL_DEALERS")


@router.post("/auth/token", summary="OAuth2 token (password grant for staff)")
async def token(request: Request, grant_type: Annotated[Literal["password"], Form()],
                username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict:
    settings = request.app.state.settings
    known = hmac.compare_digest(username.encode(), settings.bootstrap_admin_username.encode())
    valid = hmac.compare_digest(password.encode(), settings.bootstrap_admin_password.encode())
    if not (known and valid):
        raise Problem(400, "Bad Request", "Unknown user or wrong password.", error="invalid_grant")
    access = tokens.issue(request.app.state.signing_key, subject=username, roles=["system_admin"],
                          scope=EVERY_PERMISSION, dealers=[permissions.ALL_DEALERS], issuer=settings.jwt_issuer,
                          audience=settings.jwt_audience, ttl_seconds=settings.token_ttl_seconds)
    return {"access_token": access, "token_type": "bearer", "expires_in": settings.token_ttl_seconds}


@router.get("/.well-known/jwks.json", summary="Public keys that verify the gateway's tokens")
async def jwks(request: Request) -> dict:
    return {"keys": [request.app.state.signing_key.jwk()]}
