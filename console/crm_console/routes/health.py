"""/healthz (alive), /readyz (the gateway answers: without it no page can be shown), /metrics."""

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from crm_kit.metrics import metrics_endpoint

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    try:
        response = await request.app.state.gateway.http.get("/healthz", timeout=3)
        gateway = "ok" if response.status_code == 200 else f"unavailable: {response.status_code}"
    except httpx.HTTPError as error:
        gateway = f"unavailable: {type(error).__name__}"
    ready = gateway == "ok"
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": {"gateway": gateway}},
                        status_code=200 if ready else 503)


router.add_api_route("/metrics", metrics_endpoint, methods=["GET"])
