"""Forwarding /api/v1/... to the owning service with streamed bodies."""

import logging

import httpx
from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from crm_gateway.routes import owner_of
from crm_kit.logs import request_id
from crm_kit.problems import Problem

log = logging.getLogger(__name__)

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}

router = APIRouter(include_in_schema=False)


def _forwarded_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | {"x-request-id"}]
    client = request.client.host if request.client else ""
    prior = request.headers.get("x-forwarded-for")
    headers += [
        ("x-forwarded-for", f"{prior}, {client}" if prior else client),
        ("x-forwarded-proto", request.url.scheme),
        ("x-forwarded-host", request.headers.get("host", "")),
        ("x-request-id", request_id.get() or ""),
    ]
    return headers


@router.api_route("/api/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@router.api_route("/s/{path:path}", methods=["GET", "POST"])
async def forward(request: Request) -> StreamingResponse:
    service = owner_of(request.url.path)
    if service is None:
        raise Problem(404, "Not Found", "No service answers this path.")
    client: httpx.AsyncClient = request.app.state.upstream_client
    base = request.app.state.upstreams[service]
    upstream_request = client.build_request(
        request.method, base + request.url.path, params=request.url.query.encode(),
        headers=_forwarded_headers(request),
        content=request.stream() if request.method not in ("GET", "HEAD") else None)
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException as error:
        raise Problem(504, "Gateway Timeout", f"The {service} service did not answer in time.") from error
    except httpx.TransportError as error:
        log.warning("%s unreachable: %r", service, error)
        raise Problem(503, "Service Unavailable", f"The {service} service is unavailable; retry shortly.",
                      headers={"Retry-After": "2"}) from error
    headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP | {"x-request-id"}}
    return StreamingResponse(upstream.aiter_raw(), status_code=upstream.status_code, headers=headers,
                             background=BackgroundTask(upstream.aclose))
