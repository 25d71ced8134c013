"""The console's only way to data: the gateway's public API, called with the signed-in user's token.

Every failure becomes one of a few exceptions a screen can act on: the user is signed out, the record is
not theirs (404), the input was refused (422, with the problem's field errors), or a service is down.
"""

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

# The language of the page being drawn: services word their refusals (422 details, import reports) in it.
page_language: ContextVar[str | None] = ContextVar("page_language", default=None)


class GatewayError(Exception):
    pass


class Unavailable(GatewayError):
    """The gateway or the service behind it did not answer usefully (down, timeout, 5xx, circuit open)."""


class SignedOut(GatewayError):
    """The token was refused (401): the session is over."""


class NotFound(GatewayError):
    """404: missing, or another dealer's (services answer both alike)."""


class Forbidden(GatewayError):
    pass


@dataclass
class Refused(GatewayError):
    """400/409/422/429 with a problem document: what the user typed or did was refused."""

    status: int
    problem: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> dict[str, str]:
        """The problem's field errors by field name (`/new_password` -> `new_password`)."""
        found: dict[str, str] = {}
        for error in self.problem.get("errors") or []:
            name = (error.get("pointer") or error.get("name") or "").lstrip("/")
            found.setdefault(name, error.get("detail", ""))
        return found


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int


class Gateway:
    def __init__(self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
                                      headers={"Accept": "application/json"})

    async def close(self) -> None:
        await self.http.aclose()

    async def _send(self, method: str, path: str, token: str | None = None, content_type: str | None = None,
                    **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", None) or {})  # e.g. Idempotency-Key: a retried POST does it once
        if content_type:
            headers["Content-Type"] = content_type
        if language := page_language.get():
            headers.setdefault("Accept-Language", language)
        try:
            response = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            log.warning("gateway call %s %s failed: %r", method, path, error)
            raise Unavailable(path) from error
        if response.status_code >= 500:
            raise Unavailable(f"{path}: {response.status_code}")
        if response.status_code == 401:
            raise SignedOut(path)
        if response.status_code == 403:
            raise Forbidden(path)
        if response.status_code == 404:
            raise NotFound(path)
        if response.status_code >= 400:
            raise Refused(response.status_code, _problem(response))
        return response

    async def get(self, path: str, token: str, **params) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return (await self._send("GET", path, token, params=query)).json()

    async def post(self, path: str, token: str, body: dict, idempotency_key: str | None = None) -> Any:
        extra = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        response = await self._send("POST", path, token, json=body, headers=extra)
        return response.json() if response.content else None

    async def get_tagged(self, path: str, token: str) -> tuple[Any, str | None]:
        """A record and its ETag, for a form that will change it with If-Match."""
        response = await self._send("GET", path, token)
        return response.json(), response.headers.get("ETag")

    async def patch(self, path: str, token: str, body: dict, if_match: str) -> tuple[Any, str | None]:
        """A change made only if nobody changed the record since `if_match` was read (412 Refused otherwise)."""
        response = await self._send("PATCH", path, token, json=body, headers={"If-Match": if_match})
        return response.json(), response.headers.get("ETag")

    async def put(self, path: str, token: str, body: dict, if_match: str) -> Any:
        """A change made only if nobody changed the resource since `if_match` was read (412 Refused otherwise)."""
        response = await self._send("PUT", path, token, json=body, headers={"If-Match": if_match})
        return response.json() if response.content else None

    async def exchange(self, method: str, path: str, token: str, body: dict | None = None,
                       headers: dict[str, str] | None = None) -> httpx.Response:
        """The whole answer, headers included: an ETag to send back as If-Match, a 204 without a body."""
        return await self._send(method, path, token, json=body, headers=headers)

    async def upload(self, path: str, token: str, content: bytes, content_type: str, **params) -> Any:
        """A file posted as it is (an import's CSV or NDJSON lines), not wrapped in JSON."""
        query = {k: v for k, v in params.items() if v is not None}
        return (await self._send("POST", path, token, params=query, content=content,
                                 content_type=content_type)).json()

    async def sign_in(self, username: str, password: str) -> Tokens:
        return await self._token({"grant_type": "password", "username": username, "password": password})

    async def refresh(self, refresh_token: str) -> Tokens:
        try:
            return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})
        except Refused as refused:
            raise SignedOut("refresh refused") from refused

    async def revoke(self, refresh_token: str) -> None:
        """RFC 7009 at the gateway: the sign-in ends there, not just in this browser."""
        await self._send("POST", "/auth/revoke", data={"token": refresh_token, "token_type_hint": "refresh_token"})

    async def _token(self, form: dict[str, str]) -> Tokens:
        try:
            body = (await self._send("POST", "/auth/token", data=form)).json()
        except SignedOut as error:  # a client error at the token endpoint is a refused grant, not a session
            raise Refused(401, {}) from error
        return Tokens(body["access_token"], body["refresh_token"], int(body["expires_in"]))


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
