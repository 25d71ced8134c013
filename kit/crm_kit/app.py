"""The app factory every service's `create_app(settings)` calls: the one place that builds clients."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI

from crm_kit import health, problems, responses
from crm_kit.auth import TokenVerifier
from crm_kit.db import create_engine, ensure_database, session_factory
from crm_kit.handling import check_handlers
from crm_kit.inbox import EventConsumer, Handler
from crm_kit.kafka import ProducerHolder
from crm_kit.logs import configure_logging
from crm_kit.metrics import RequestMiddleware
from crm_kit.migrations import upgrade
from crm_kit.outbox import OutboxRelay
from crm_kit.settings import ServiceSettings

BackgroundTask = Callable[[FastAPI], Awaitable[None]]
log = logging.getLogger(__name__)
Resource = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


@dataclass
class ServiceSpec:
    settings: ServiceSettings
    title: str
    description: str
    migrations: Path
    routers: list[APIRouter] = field(default_factory=list)
    consumes: list[str] = field(default_factory=list)  # topics
    handlers: dict[str, Handler] = field(default_factory=dict)  # event type -> handler
    background: list[BackgroundTask] = field(default_factory=list)  # e.g. schedulers
    resources: list[Resource] = field(default_factory=list)  # clients the service opens and closes with the app
    serve_docs: bool = True  # the gateway serves a merged /openapi.json and /docs of its own


def _start_tasks(app: FastAPI, spec: ServiceSpec) -> list[asyncio.Task]:
    state, settings = app.state, spec.settings
    service = settings.service_name
    tasks = [asyncio.create_task(state.relay.run(), name=f"{service}-relay")]
    if spec.handlers:
        state.consumer = EventConsumer(
            state.sessions, state.producer, service=service,
            bootstrap_servers=settings.kafka_bootstrap_servers, topics=spec.consumes, handlers=spec.handlers,
            max_attempts=settings.consumer_max_attempts, retry_seconds=settings.consumer_retry_seconds,
            batch_size=settings.consumer_batch_size)
        tasks.append(asyncio.create_task(state.consumer.run(), name=f"{service}-consumer"))
    return tasks + [asyncio.create_task(job(app), name=f"{service}-{job.__name__}") for job in spec.background]


# A stop that waits on the broker (a consumer leaving its group, a producer flushing) must not hold the
# process forever: an orchestrator would SIGKILL it anyway, and the outbox and inbox make that safe.
STOP_SECONDS = 10.0


async def _bounded(step: Awaitable[None], what: str) -> None:
    try:
        await asyncio.wait_for(step, STOP_SECONDS)
    except TimeoutError:
        log.warning("gave up %s after %.0f s", what, STOP_SECONDS)


async def _stop(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    done, pending = await asyncio.wait(tasks, timeout=STOP_SECONDS) if tasks else (set(), set())
    for task in pending:
        log.warning("task %s did not stop within %.0f s; left behind", task.get_name(), STOP_SECONDS)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s had failed", task.get_name(), exc_info=task.exception())


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    service = settings.service_name
    check_handlers(spec.handlers, spec.consumes)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(service, settings.log_level, settings.log_json)
        await ensure_database(settings.database_url)
        await asyncio.to_thread(upgrade, spec.migrations, settings.database_url)
        state = app.state
        state.engine = create_engine(settings.database_url, settings.database_pool_size)
        state.sessions = session_factory(state.engine)
        state.producer = ProducerHolder(settings.kafka_bootstrap_servers, client_id=f"crm-{service}")
        state.relay = OutboxRelay(state.sessions, state.producer, service, batch_size=settings.relay_batch_size,
                                  poll_seconds=settings.relay_poll_seconds,
                                  retention_hours=settings.outbox_retention_hours)
        try:
            # Resources open before any task starts and close after every task stopped: a scheduler or
            # handler never meets a client that is not there yet, or any more.
            async with contextlib.AsyncExitStack() as stack:
                for resource in spec.resources:
                    await stack.enter_async_context(resource(app))
                tasks = _start_tasks(app, spec)
                try:
                    yield
                finally:
                    await _stop(tasks)
        finally:
            await _bounded(state.producer.close(), "closing the Kafka producer")
            await state.engine.dispose()

    docs = {} if spec.serve_docs else {"openapi_url": None, "docs_url": None, "redoc_url": None}
    app = FastAPI(title=spec.title, description=spec.description, version="1.0.0", lifespan=lifespan, **docs)
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(
        issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        public_key=settings.jwt_public_key, jwks_url=settings.jwt_jwks_url)
    problems.install(app)
    app.add_middleware(RequestMiddleware, service=service)
    app.include_router(health.router)
    for router in spec.routers:
        app.include_router(router)
    responses.document(app)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service with uvicorn (the console entry point of each service)."""
    import uvicorn

    # The imported libraries' objects (~150,000) live as long as the process; left to the collector, each
    # full collection walks them all and stalls every request in flight (~150 ms: the gateway's p99 under
    # load). Frozen, they are never scanned.
    gc.freeze()
    uvicorn.run(app, host=settings.host, port=settings.listen_port, log_config=None, access_log=False)
