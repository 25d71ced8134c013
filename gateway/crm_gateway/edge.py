"""What every request meets first: the request-size limit, and a cache of verified tokens for rate keys."""

import json
import time
from collections import OrderedDict

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_kit.auth import Principal, TokenVerifier
from crm_kit.problems import MEDIA_TYPE


class TokenCache:
    """Verified tokens by their text, until they expire: the proxy checks a token once, not per request."""

    def __init__(self, verifier: TokenVerifier, size: int = 10_000):
        self.verifier, self.size = verifier, size
        self.entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def principal(self, token: str) -> Principal:
        entry = self.entries.get(token)
        now = time.time()
        if entry is not None and entry[1] > now:
            return entry[0]
        principal = await self.verifier.verify(token)
        self.entries[token] = (principal, now + 60)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return principal


class BodyLimitMiddleware:
    """413 for a request body over the limit, whether it declares its length or streams it chunked."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
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
