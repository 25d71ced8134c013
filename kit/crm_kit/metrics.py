"""Prometheus metrics shared by every process, labelled by service.

Metric objects are module-level because Prometheus' registry is process-wide; nothing here holds a
connection, so the no-module-level-clients rule is kept.
"""

import re
import time
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_kit.logs import request_id

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

HTTP_REQUESTS = Counter("crm_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_DURATION = Histogram("crm_http_request_duration_seconds", "HTTP request duration",
                          ["service", "method", "route"], buckets=LATENCY_BUCKETS)
EVENTS_PUBLISHED = Counter("crm_events_published_total", "Events the outbox relay published", ["service", "type"])
PUBLISH_FAILURES = Counter("crm_events_publish_failures_total", "Relay batches that failed to publish", ["service"])
EVENTS_CONSUMED = Counter("crm_events_consumed_total", "Events consumed, by outcome",
                          ["service", "type", "outcome"])
EVENTS_DEAD_LETTERED = Counter("crm_events_dead_lettered_total", "Events sent to a dead-letter topic",
                               ["service", "topic"])
EVENT_LATENCY = Histogram("crm_event_end_to_end_seconds", "From the envelope time to the consumer's commit",
                          ["service", "type"], buckets=(*LATENCY_BUCKETS, 30, 60, 300))
CONSUMER_LAG = Gauge("crm_consumer_lag_messages", "High-water mark minus committed position",
                     ["service", "topic", "partition"])
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("crm_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row",
                          ["service"])

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestMiddleware:
    """Request id in and out (`X-Request-ID`), and rate/latency per route template and status."""

    def __init__(self, app: ASGIApp, service: str):
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_DURATION.labels(self.service, method, template).observe(time.perf_counter() - started)
            request_id.reset(token)


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
