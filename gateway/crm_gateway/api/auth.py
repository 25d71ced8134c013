"""POST /auth/token (OAuth2 grants) and the public keys that verify the tokens."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response

from crm_gateway import tokens
from crm_gateway.handlers import grants
from crm_gateway.models import JsonWebKeySet, TokenResponse
from crm_gateway.repository import identity as repository
from crm_kit.db import SessionDep
from crm_kit.problems import field_error, invalid
from crm_kit.responses import problems

router = APIRouter(tags=["auth"])

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
GrantType = Literal["password", "client_credentials", "refresh_token",
                    "urn:ietf:params:oauth:grant-type:token-exchange"]

NEEDS = {"password": ("username", "password"), "client_credentials": ("client_id", "client_secret"),
         "refresh_token": ("refresh_token",), TOKEN_EXCHANGE: ("subject_token",)}


# exclude_none: RFC 6749 leaves out what a grant does not give (no refresh_token for a client), never null.
@router.post("/auth/token", summary="OAuth2 token endpoint", response_model=TokenResponse,
             response_model_exclude_none=True, responses=problems(
                 400, 401, 429, s400="A failed grant: `error` is `invalid_grant`",
                 s401="An unknown client or wrong secret"),
             description="`password` for staff, `client_credentials` for partners and internal services, "
                         "`refresh_token` (rotating: a reused refresh token revokes its sign-in), and token "
                         "exchange of an external OIDC issuer's token when one is configured.")
async def token(request: Request, response: Response, session: SessionDep, grant_type: Annotated[GrantType, Form()],
                username: Annotated[str | None, Form()] = None, password: Annotated[str | None, Form()] = None,
                client_id: Annotated[str | None, Form()] = None, client_secret: Annotated[str | None, Form()] = None,
                refresh_token: Annotated[str | None, Form()] = None,
                subject_token: Annotated[str | None, Form()] = None) -> TokenResponse:
    given = {"username": username, "password": password, "client_id": client_id, "client_secret": client_secret,
             "refresh_token": refresh_token, "subject_token": subject_token}
    if missing := [name for name in NEEDS[grant_type] if not given[name]]:
        raise invalid(*(field_error("body", f"/{name}", f"required for grant_type={grant_type}") for name in missing))
    issuer = grants.Issuer(request.app.state.settings, request.app.state.keyring)
    sessions = request.app.state.sessions
    # The socket peer (uvicorn replaces it only for its trusted proxies): failed sign-ins count per address.
    address = request.client.host if request.client else "unknown"
    async with session.begin():
        if grant_type == "password":
            body = await grants.password(session, sessions, issuer, username, password, address)
        elif grant_type == "client_credentials":
            body = await grants.client_credentials(session, sessions, issuer, client_id, client_secret,
                                                     address)
        elif grant_type == "refresh_token":
            body = await grants.refresh(session, sessions, issuer, refresh_token)
        else:
            external = request.app.state.oidc_verifier
            if external is None:
                raise grants.invalid_grant("No external identity provider is configured.")
            body = await grants.exchange(session, issuer, await external.verify(subject_token))
    # RFC 6749 §5.1: token answers must not be cached.
    response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
    return TokenResponse.model_validate(body)


@router.post("/auth/revoke", summary="OAuth 2.0 token revocation (RFC 7009)",
             description="`token` (a refresh token) ends its sign-in: it and every token rotated from it stop "
                         "working at `/auth/token`. Answers 200 whether or not the token was known (RFC 7009 "
                         "§2.2). Access tokens are short-lived and not revocable: they are answered 200 too.",
             response_class=Response, responses={200: {"description": "Revoked (or unknown): an empty body",
                                                       "content": None}})
async def revoke(session: SessionDep, token: Annotated[str, Form()],
                 token_type_hint: Annotated[str | None, Form()] = None) -> Response:
    async with session.begin():
        await repository.revoke_family_of(session, tokens.refresh_hash(token))
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


@router.get("/.well-known/jwks.json", summary="Public keys that verify the gateway's tokens",
            response_model=JsonWebKeySet, response_model_exclude_none=True)
async def jwks(request: Request) -> JsonWebKeySet:
    return JsonWebKeySet.model_validate(request.app.state.keyring.jwks)
