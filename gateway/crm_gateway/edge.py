"""What every request meets first: the request-size limit, the shortcut to the proxy, and a cache of verified
tokens for rate keys."""

import json
import time
from collections import OrderedDict

import jwt
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_gateway.routes import owner_of
from crm_kit.auth import Principal, TokenVerifier
from crm_kit.problems import MEDIA_TYPE


class TokenCache:
    """Verified tokens by their text, until they expire: the proxy checks a token once, not per request.

    Only the rate limiter's key comes from here; each service still verifies the token itself. Access
    tokens are not revocable before `exp` (only refresh tokens are), so caching until `exp` hides nothing.
    """

    def __init__(self, verifier: TokenVerifier, size: int = 10_000):
        self.verifier, self.size = verifier, size
        self.entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def principal(self, token: str) -> Principal:
        entry = self.entries.get(token)
        now = time.time()
        if entry is not None and entry[1] > now:
            return entry[0]
        principal = await self.verifier.verify(token)
        # The signature was just checked; this reads the already verified expiry.
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        self.entries[token] = (principal, float(expires))
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return principal


class ProxyPaths:
    """Requests for a path a service owns go straight to the proxy route, with the request id and metrics.

    The router would first try every one of the gateway's own routes (FastAPI's matching of ~20 routes
    was the largest cost per proxied request) and the exception middleware would wrap it; the proxy
    answers its own problems, so neither adds anything here. Anything else, including a method the
    proxy route refuses, takes the usual way through the router.
    """

    def __init__(self, app: ASGIApp, routes: list[Route], proxy: ASGIApp):
        self.app, self.routes, self.proxy = app, routes, proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and owner_of(scope["path"]) is not None:
            for route in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    scope["route"] = route  # what the router would set: the metrics label it
                    await self.proxy(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """413 for a request body over the limit, whether it declares its length or streams it chunked."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" not in headers:  # no body at all (HTTP/1.1): nothing to count
            await self.app(scope, receive, send)
            return
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps({"type": "about:blank", "title": "Content Too Large", "status": 413,
                           "detail": f"The request body is over the {self.max_bytes} byte limit.",
                           "instance": scope["path"]}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """An HTTPException, so that a route reading the body answers 413 through the usual problem handler."""

    def __init__(self, max_bytes: int):
        super().__init__(413, f"The request body is over the {max_bytes} byte limit.")
