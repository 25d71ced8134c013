"""Forwarding /api/v1/... (and the public survey path /s/...) to the owning service, path unchanged.

Per request: the caller's rate limit, the upstream's circuit breaker, X-Request-ID and X-Forwarded-*,
streamed bodies both ways (small answers are read whole: one ASGI message instead of several), retries
of idempotent methods when the connection fails, a 503 problem while a service's circuit is open.
"""

import logging
import time
from collections.abc import AsyncIterator

from prometheus_client import Counter, Gauge
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from crm_gateway.domain.breaker import CircuitBreaker
from crm_gateway.domain.ratelimit import RateLimiter
from crm_gateway.routes import owner_of
from crm_gateway.settings import GatewaySettings
from crm_gateway.upstream import UpstreamTimeout, UpstreamUnavailable
from crm_kit import problems
from crm_kit.logs import request_id
from crm_kit.problems import Problem

log = logging.getLogger(__name__)

UPSTREAM_CALLS = Counter("crm_gateway_upstream_requests_total", "Proxied requests by upstream and outcome",
                         ["service", "outcome"])
BREAKER_OPEN = Gauge("crm_gateway_circuit_open", "1 while the upstream's circuit is open", ["service"])
RATE_LIMITED = Counter("crm_gateway_rate_limited_total", "Requests refused with 429", [])

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "host", "content-length", "x-request-id"})
RESPONSE_DROPPED = HOP_BY_HOP | {"date", "server"}
RESPONSE_DROPPED_BYTES = frozenset(name.encode() for name in RESPONSE_DROPPED)
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
BUFFER_LIMIT = 256 * 1024  # answers up to this size are read whole; larger or unsized ones are streamed
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class Proxy:
    def __init__(self, settings: GatewaySettings, upstreams: dict[str, str]):
        self.settings, self.upstreams = settings, upstreams
        self.breakers = {service: CircuitBreaker(settings.breaker_failures, settings.breaker_open_seconds)
                         for service in upstreams}
        self.limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)

    async def handle(self, request: Request) -> Response:
        try:
            return await self.forward(request)
        except Problem as problem:
            return problems.response(problem, request)

    async def forward(self, request: Request) -> Response:
        service = owner_of(request.url.path)
        if service is None:
            raise Problem(404, "Not Found", "No service answers this path.")
        now = time.monotonic()
        wait = self.limiter.take(await client_key(request), now)
        if wait:
            RATE_LIMITED.inc()
            raise Problem(429, "Too Many Requests", "Slow down: this client's request rate is over its limit.",
                          headers={"Retry-After": str(max(1, round(wait + 0.5)))})
        breaker = self.breakers[service]
        if not breaker.allow(now):
            UPSTREAM_CALLS.labels(service, "circuit_open").inc()
            raise Problem(503, "Service Unavailable",
                          f"The {service} service is failing; calls to it are paused for a moment.",
                          headers={"Retry-After": str(max(1, round(breaker.retry_after(now) + 0.5)))},
                          circuit="open")
        url = self.upstreams[service] + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = await self._body(request)
        attempts = 1 + (self.settings.idempotent_retries
                        if request.method in IDEMPOTENT and not isinstance(body, AsyncIterator) else 0)
        for attempt in range(1, attempts + 1):
            try:
                upstream = await request.app.state.upstream.send(request.method, url, forwarded_headers(request),
                                                                 body)
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
        BREAKER_OPEN.labels(service).set(0)
        UPSTREAM_CALLS.labels(service, "answered").inc()
        return await self._reply(upstream)

    def _failed(self, service: str, breaker: CircuitBreaker, outcome: str) -> None:
        breaker.failed(time.monotonic())
        UPSTREAM_CALLS.labels(service, outcome).inc()
        BREAKER_OPEN.labels(service).set(1 if breaker.opened_at is not None else 0)

    async def _body(self, request: Request) -> bytes | AsyncIterator[bytes] | None:
        if request.method in ("GET", "HEAD"):
            return None
        length = request.headers.get("content-length")
        limit = self.settings.max_body_bytes
        if length is not None and length.isdigit():
            if int(length) > limit:
                raise too_large(limit)
            if int(length) <= BUFFER_LIMIT:
                return await request.body()  # small: kept, so an idempotent retry can send it again
        return limited(request.stream(), limit)

    async def _reply(self, upstream) -> Response:
        headers = [(k, v) for k, v in upstream.headers if k.lower() not in RESPONSE_DROPPED_BYTES]
        if upstream.length is not None and upstream.length <= BUFFER_LIMIT:
            try:
                content = await upstream.read()
            finally:
                await upstream.close()
            response = Response(content, status_code=upstream.status)
        else:
            response = StreamingResponse(upstream.chunks, status_code=upstream.status,
                                         background=BackgroundTask(upstream.close))
        response.raw_headers = [*response.raw_headers, *headers]
        return response


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


def forwarded_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k not in HOP_BY_HOP]
    client = request.client.host if request.client else ""
    prior = request.headers.get("x-forwarded-for")
    headers += [
        ("x-forwarded-for", f"{prior}, {client}" if prior else client),
        ("x-forwarded-proto", request.url.scheme),
        ("x-forwarded-host", request.headers.get("host", "")),
        ("x-request-id", request_id.get() or ""),
    ]
    return headers
