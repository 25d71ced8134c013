"""Forwarding /api/v1/... (and the public survey path /s/...) to the owning service, path unchanged.

Per request: the caller's rate limit (shared by the replicas, announced in RateLimit-Policy/RateLimit),
the upstream's circuit breaker, X-Request-ID and X-Forwarded-*,
streamed bodies both ways (small answers are read whole: one ASGI message instead of several), retries
of idempotent methods when the connection fails, a 503 problem while a service's circuit is open.
"""

import logging
import time
from collections.abc import AsyncIterator

from prometheus_client import Counter, Gauge
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from crm_gateway.domain.breaker import CircuitBreaker
from crm_gateway.routes import owner_of
from crm_gateway.settings import GatewaySettings
from crm_gateway.upstream import UpstreamResponse, UpstreamTimeout, UpstreamUnavailable
from crm_kit import problems
from crm_kit.logs import request_id
from crm_kit.problems import Problem
from crm_kit.ratelimit import TokenBucket
from crm_kit.shared_limits import SharedBucket

log = logging.getLogger(__name__)

UPSTREAM_CALLS = Counter("crm_gateway_upstream_requests_total", "Proxied requests by upstream and outcome",
                         ["service", "outcome"])
BREAKER_OPEN = Gauge("crm_gateway_circuit_open", "1 while the upstream's circuit is open", ["service"])
RATE_LIMITED = Counter("crm_gateway_rate_limited_total", "Requests refused with 429", [])

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "host", "content-length", "x-request-id"})
# The caller's own X-Forwarded-* are replaced, not sent twice (uvicorn already trusts them from known proxies).
REPLACED = frozenset(name.encode() for name in HOP_BY_HOP | {"x-forwarded-for", "x-forwarded-proto",
                                                                "x-forwarded-host"})
RESPONSE_DROPPED = HOP_BY_HOP | {"date", "server"}
RESPONSE_DROPPED_BYTES = frozenset(name.encode() for name in RESPONSE_DROPPED)
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
BUFFER_LIMIT = 256 * 1024  # answers up to this size are read whole; larger or unsized ones are streamed
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class Proxy:
    """The ASGI app behind the /api/v1/... and /s/... routes; edge.ProxyPaths calls it without the router."""

    def __init__(self, settings: GatewaySettings, upstreams: dict[str, str]):
        self.settings, self.upstreams = settings, upstreams
        self.breakers = {service: CircuitBreaker(settings.breaker_failures, settings.breaker_open_seconds)
                         for service in upstreams}
        # One policy per client; crm_gateway.jobs pools the replicas' counts (crm_kit.shared_limits).
        self.limiter = SharedBucket("default", TokenBucket(settings.rate_limit_per_second, settings.rate_limit_burst))
        # Per-request `.labels()` lookups cost more than the increments, so the children are looked up once.
        self.answered = {service: UPSTREAM_CALLS.labels(service, "answered") for service in upstreams}
        self.breaker_open = {service: BREAKER_OPEN.labels(service) for service in upstreams}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            await self.forward(request, send)
        except Problem as problem:
            await problems.response(problem, request)(scope, receive, send)

    async def forward(self, request: Request, send: Send) -> None:
        scope = request.scope
        path = scope["path"]
        service = owner_of(path)
        if service is None:
            raise Problem(404, "Not Found", "No service answers this path.")
        now = time.monotonic()
        client = await client_key(request)
        wait = self.limiter.take(client, now)
        limit_headers = self.limiter.headers(client, now)
        if wait:
            RATE_LIMITED.inc()
            raise Problem(429, "Too Many Requests", "Slow down: this client's request rate is over its limit.",
                          headers={"Retry-After": str(max(1, round(wait + 0.5))), **limit_headers})
        try:
            await self._pass(request, send, service, now, limit_headers)
        except Problem as problem:  # a failing upstream still tells the caller where its limit stands
            problem.headers = {**limit_headers, **(problem.headers or {})}
            raise

    async def _pass(self, request: Request, send: Send, service: str, now: float, limit_headers: dict[str, str]
                    ) -> None:
        scope = request.scope
        path = scope["path"]
        breaker = self.breakers[service]
        if not breaker.allow(now):
            UPSTREAM_CALLS.labels(service, "circuit_open").inc()
            raise Problem(503, "Service Unavailable",
                          f"The {service} service is failing; calls to it are paused for a moment.",
                          headers={"Retry-After": str(max(1, round(breaker.retry_after(now) + 0.5)))},
                          circuit="open")
        query = scope["query_string"]
        url = self.upstreams[service] + path + ("?" + query.decode("latin-1") if query else "")
        method = scope["method"]
        body = await self._body(request)
        attempts = 1 + (self.settings.idempotent_retries
                        if method in IDEMPOTENT and not isinstance(body, AsyncIterator) else 0)
        headers = forwarded_headers(scope)
        for attempt in range(1, attempts + 1):
            try:
                upstream = await scope["app"].state.upstream.send(method, url, headers, body)
                break
            except UpstreamTimeout as error:
                self._failed(service, breaker, "timeout")
                raise Problem(504, "Gateway Timeout", f"The {service} service did not answer in time.") from error
            except UpstreamUnavailable as error:
                self._failed(service, breaker, "unavailable")
                if attempt == attempts or not breaker.allow(time.monotonic()):
                    log.warning("%s unreachable: %s", service, error)
                    raise Problem(503, "Service Unavailable", f"The {service} service is unavailable; retry shortly.",
                                  headers={"Retry-After": "2"}) from error
        breaker.succeeded()
        self.breaker_open[service].set(0)
        self.answered[service].inc()
        await self._reply(upstream, request, send, limit_headers)

    def _failed(self, service: str, breaker: CircuitBreaker, outcome: str) -> None:
        breaker.failed(time.monotonic())
        UPSTREAM_CALLS.labels(service, outcome).inc()
        self.breaker_open[service].set(1 if breaker.opened_at is not None else 0)

    async def _body(self, request: Request) -> bytes | AsyncIterator[bytes] | None:
        if request.scope["method"] in ("GET", "HEAD"):
            return None
        length = request.headers.get("content-length")
        limit = self.settings.max_body_bytes
        if length is not None and length.isdigit():
            if int(length) > limit:
                raise too_large(limit)
            if int(length) <= BUFFER_LIMIT:
                return await request.body()  # small: kept, so an idempotent retry can send it again
        return limited(request.stream(), limit)

    async def _reply(self, upstream: UpstreamResponse, request: Request, send: Send,
                     limit_headers: dict[str, str]) -> None:
        headers = [(k, v) for k, v in upstream.headers if k.lower() not in RESPONSE_DROPPED_BYTES]
        headers += [(name.lower().encode(), value.encode()) for name, value in limit_headers.items()]
        if upstream.length is None or upstream.length > BUFFER_LIMIT:
            response = StreamingResponse(upstream.chunks, status_code=upstream.status,
                                         background=BackgroundTask(upstream.close))
            response.raw_headers = [*response.raw_headers, *headers]
            await response(request.scope, request.receive, send)
            return
        try:
            content = await upstream.read()
        finally:
            await upstream.close()
        # Sent as two plain messages: a Response object would only add the same content-length.
        if upstream.status >= 200 and upstream.status not in (204, 304):
            headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def too_large(limit: int) -> Problem:
    return Problem(413, "Content Too Large", f"The request body is over the {limit} byte limit.")


async def limited(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise too_large(limit)
        yield chunk


async def client_key(request: Request) -> str:
    """Whom a rate limit counts against: the token's subject when the token is valid, else the address."""
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        try:
            principal = await request.app.state.token_cache.principal(authorization[7:])
        except Problem:
            principal = None
        if principal is not None:
            return "sub:" + principal.subject
    return "ip:" + (request.client.host if request.client else "unknown")


def forwarded_headers(scope: Scope) -> list[tuple[str, str]]:
    """The caller's headers less hop-by-hop ones, with X-Forwarded-* and X-Request-ID set by the gateway."""
    headers = []
    prior = host = None
    for key, value in scope["headers"]:
        if key in REPLACED:
            if key == b"x-forwarded-for" and prior is None:
                prior = value.decode("latin-1")
            elif key == b"host":
                host = value.decode("latin-1")
        else:
            headers.append((key.decode("latin-1"), value.decode("latin-1")))
    client = scope["client"][0] if scope.get("client") else ""
    headers += [
        ("x-forwarded-for", f"{prior}, {client}" if prior else client),
        ("x-forwarded-proto", scope["scheme"]),
        ("x-forwarded-host", host or ""),
        ("x-request-id", request_id.get() or ""),
    ]
    return headers
