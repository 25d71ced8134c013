"""Background loops every gateway replica runs: partner webhooks, fanned out from Kafka and sent with retries,
and the pooling of the replicas' rate limit counts."""

from fastapi import FastAPI

from crm_gateway.consumers import HANDLERS
from crm_gateway.handlers import webhooks
from crm_gateway.settings import GatewaySettings
from crm_kit.inbox import EventConsumer
from crm_kit.loops import repeat
from crm_kit.shared_limits import Reconciler


async def webhook_consumer(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    consumer = EventConsumer(
        app.state.sessions, app.state.producer, service="gateway", bootstrap_servers=settings.kafka_bootstrap_servers,
        topics=settings.webhook_topics, handlers=HANDLERS, group_id=settings.webhook_consumer_group,
        max_attempts=settings.consumer_max_attempts, retry_seconds=settings.consumer_retry_seconds,
        batch_size=settings.consumer_batch_size)
    app.state.consumer = consumer  # /readyz reports whether it polls
    await consumer.run()


async def webhook_sender(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings

    http = app.state.http  # a resource: opened before background jobs start, closed after they stop

    async def post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> int:
        response = await http.post(url, headers=headers, content=body, timeout=timeout)
        return response.status_code

    sender = webhooks.Sender(app.state.sessions, post, schedule=settings.webhook_retry_schedule,
                             timeout=settings.webhook_timeout_seconds, batch_size=settings.webhook_batch_size)

    async def send() -> bool:  # while it fails (the database down), the deliveries wait in it
        return await sender.send_due() >= settings.webhook_batch_size

    await repeat("webhook sending", send, settings.webhook_poll_seconds)


async def shared_rate_limits(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    await Reconciler(app.state.sessions, [app.state.proxy.limiter], interval=settings.rate_limit_sync_seconds).run()
