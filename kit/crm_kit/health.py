"""`/healthz` says the process is alive; `/readyz` that its database and Kafka are reachable."""

import asyncio

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from crm_kit.metrics import metrics_endpoint

CONSUMER_STALL_SECONDS = 30

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks = {"database": await _check(_database(state)), "kafka": await _check(state.producer.ping())}
    consumer = getattr(state, "consumer", None)
    if consumer is not None:
        last = consumer.last_progress
        stalled = last is None or asyncio.get_running_loop().time() - last > CONSUMER_STALL_SECONDS
        checks["consumer"] = "stalled" if stalled else "ok"
    ready = all(result == "ok" for result in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


async def _database(state) -> None:
    async with state.engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


async def _check(probe) -> str:
    try:
        await asyncio.wait_for(probe, 3)
        return "ok"
    except Exception as error:
        return f"unavailable: {type(error).__name__}"


router.add_api_route("/metrics", metrics_endpoint, methods=["GET"])
