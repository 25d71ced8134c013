"""The idempotent consumer: each event's effect and its inbox row commit together, then the offset.

Delivery is at least once (offsets are committed after the database commit); the inbox makes the
effect happen once. A handler that keeps failing sends the message to `<topic>.dlq` with the error
and the consumer goes on. A database outage is not the message's fault: it is retried without limit
and the offset stays where it is.
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_contracts import Envelope, topics
from crm_kit import metrics
from crm_kit.db import Sessions, unavailable
from crm_kit.handling import check_handlers
from crm_kit.kafka import ProducerHolder
from crm_kit.logs import request_id
from crm_kit.outbox import kit_metadata

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]

inbox = sa.Table(
    "inbox",
    kit_metadata,
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

_DEFERRED = "crm_kit.inbox.deferred"


def defer(session: AsyncSession, key: str, step: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """Run `step(session)` once after the transaction's last handler, before it commits.

    A batch is one transaction, so work several of its events ask for (under the same `key`) is done
    once, and still commits together with their inbox rows.
    """
    session.info.setdefault(_DEFERRED, {}).setdefault(key, step)


async def finish_deferred(session: AsyncSession) -> None:
    while steps := session.info.pop(_DEFERRED, None):  # a step may defer more work
        for step in steps.values():
            await step(session)


class _Listener(ConsumerRebalanceListener):
    """Only logs: offsets are committed after every batch, so nothing is pending at a rebalance."""

    def __init__(self, service: str):
        self.service = service

    async def on_partitions_revoked(self, revoked):
        log.info("%s: partitions revoked %s", self.service, sorted(str(tp) for tp in revoked))

    async def on_partitions_assigned(self, assigned):
        log.info("%s: partitions assigned %s", self.service, sorted(str(tp) for tp in assigned))


class EventConsumer:
    def __init__(self, sessions: Sessions, producer: ProducerHolder, *, service: str, bootstrap_servers: str,
                 topics: list[str], handlers: dict[str, Handler], group_id: str | None = None,
                 max_attempts: int = 5, retry_seconds: float = 0.2, batch_size: int = 500):
        check_handlers(handlers)
        self.sessions, self.producer, self.service = sessions, producer, service
        self.bootstrap_servers, self.topics, self.handlers = bootstrap_servers, topics, handlers
        self.group_id = group_id or f"crm-{service}"
        self.max_attempts, self.retry_seconds, self.batch_size = max_attempts, retry_seconds, batch_size
        # The liveness signal /readyz reads: set at each poll and each handled event, so a long batch
        # of slow handlers is busy, not stalled.
        self.last_progress: float | None = None

    async def run(self) -> None:
        """Consume forever; a failed client is closed and rebuilt with backoff."""
        failures = 0
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                group_id=self.group_id,
                client_id=f"crm-{self.service}",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                isolation_level="read_committed",
                max_poll_records=self.batch_size,
                # A long poll: the broker answers a fetch as soon as one byte is there (latency at low rates,
                # a whole backlog per fetch at high ones) and holds an idle one this long (idle costs nothing).
                fetch_min_bytes=1,
                fetch_max_wait_ms=500,
            )
            try:
                consumer.subscribe(self.topics, listener=_Listener(self.service))
                await consumer.start()
                failures = 0
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                log.warning("%s consumer failed (%d in a row): %r", self.service, failures, error)
                await asyncio.sleep(min(30.0, 0.5 * 2 ** min(failures, 6)) * random.uniform(0.5, 1))
            finally:
                try:
                    await asyncio.wait_for(consumer.stop(), 10)
                except Exception as error:
                    log.warning("consumer stop failed: %r", error)

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        loop = asyncio.get_running_loop()
        positions: dict[TopicPartition, int] = {}
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=self.batch_size)
            self.last_progress = loop.time()
            for partition, messages in batches.items():
                await self.process_batch(messages)
                positions[partition] = messages[-1].offset + 1
                try:
                    await consumer.commit({partition: positions[partition]})
                except CommitFailedError as error:  # rebalanced away: the next owner re-reads, the inbox dedupes
                    log.info("commit refused after a rebalance: %r", error)
            self._record_lag(consumer, positions)

    def _record_lag(self, consumer: AIOKafkaConsumer, positions: dict[TopicPartition, int]) -> None:
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            if highwater is not None and partition in positions:
                metrics.CONSUMER_LAG.labels(self.service, partition.topic, str(partition.partition)).set(
                    max(0, highwater - positions[partition]))

    async def process_batch(self, messages: list[ConsumerRecord]) -> None:
        """One partition's messages in one transaction (one WAL flush instead of one per event).

        If anything in the batch fails, it is rolled back and each message goes through `process`
        alone, so one poison message costs retries for itself only.
        """
        batch: list[tuple[ConsumerRecord, Envelope, Handler]] = []
        for message in messages:
            try:
                event = Envelope.from_json(message.value)
            except (ValidationError, ValueError, TypeError):
                batch = []
                break
            handler = self.handlers.get(event.type)
            if handler is None:
                metrics.EVENTS_CONSUMED.labels(self.service, event.type, "ignored").inc()
            else:
                batch.append((message, event, handler))
        if len(batch) > 1:
            attempt = 0
            while True:
                attempt += 1
                try:
                    outcomes = await self._handle_together(batch)
                    for (_, event, _), outcome in zip(batch, outcomes, strict=True):
                        self._count(event, outcome)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    if unavailable(error):
                        log.warning("database unavailable while handling a batch: %r", error)
                        await asyncio.sleep(min(10.0, self.retry_seconds * 2 ** min(attempt, 6)))
                        continue
                    log.info("batch failed (%r); handling its messages one by one", error)
                    break
        for message in messages:
            await self.process(message)

    async def _handle_together(self, batch: list[tuple[ConsumerRecord, Envelope, Handler]]) -> list[str]:
        """The batch's inbox rows go in as one statement (one round trip, not one per event); the handlers
        then run for the events it stored, in order. An id twice in one batch is handled once."""
        outcomes = []
        async with self.sessions() as session, session.begin():
            fresh = set((await session.exec(
                insert(inbox).values([{"event_id": event.id, "type": event.type} for _, event, _ in batch])
                .on_conflict_do_nothing().returning(inbox.c.event_id))).scalars())
            for _, event, handler in batch:
                if event.id not in fresh:
                    outcomes.append("duplicate")
                    continue
                fresh.discard(event.id)
                token = request_id.set(event.requestid)
                try:
                    await handler(session, event)
                finally:
                    request_id.reset(token)
                self.last_progress = asyncio.get_running_loop().time()
                outcomes.append("processed")
            await finish_deferred(session)
        return outcomes

    async def process(self, message: ConsumerRecord) -> None:
        try:
            event = Envelope.from_json(message.value)
        except (ValidationError, ValueError, TypeError) as error:
            await self.dead_letter(message, f"not a CloudEvents envelope: {error}")
            metrics.EVENTS_CONSUMED.labels(self.service, "unknown", "dead_lettered").inc()
            return
        handler = self.handlers.get(event.type)
        if handler is None:
            metrics.EVENTS_CONSUMED.labels(self.service, event.type, "ignored").inc()
            return
        token = request_id.set(event.requestid)
        try:
            outcome = await self._handle_with_retries(message, event, handler)
        finally:
            request_id.reset(token)
        self._count(event, outcome)

    def _count(self, event: Envelope, outcome: str) -> None:
        metrics.EVENTS_CONSUMED.labels(self.service, event.type, outcome).inc()
        if outcome == "processed":
            latency = (datetime.now(UTC) - event.time).total_seconds()
            metrics.EVENT_LATENCY.labels(self.service, event.type).observe(max(latency, 0))

    async def _handle_with_retries(self, message: ConsumerRecord, event: Envelope, handler: Handler) -> str:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self.handle(event, handler)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if unavailable(error):
                    log.warning("database unavailable while handling %s: %r", event.id, error)
                    await asyncio.sleep(min(10.0, self.retry_seconds * 2 ** min(attempt, 6)))
                    continue
                if attempt >= self.max_attempts:
                    log.error("dead-lettering %s %s after %d attempts: %r", event.type, event.id, attempt, error)
                    await self.dead_letter(message, repr(error))
                    return "dead_lettered"
                await asyncio.sleep(self.retry_seconds * attempt)

    async def handle(self, event: Envelope, handler: Handler) -> str:
        """One event, one transaction: the inbox row and the handler's effect commit together."""
        async with self.sessions() as session, session.begin():
            outcome = await self._apply(session, event, handler)
            await finish_deferred(session)
            return outcome

    async def _apply(self, session: AsyncSession, event: Envelope, handler: Handler) -> str:
        first_time = (await session.exec(
            insert(inbox).values(event_id=event.id, type=event.type)
            .on_conflict_do_nothing().returning(inbox.c.event_id)
        )).first()
        self.last_progress = asyncio.get_running_loop().time()
        if first_time is None:
            return "duplicate"
        await handler(session, event)
        return "processed"

    async def dead_letter(self, message: ConsumerRecord, error: str) -> None:
        headers = [*(message.headers or ()),
                   ("crm_error", error[:4000].encode()),
                   ("crm_original_topic", message.topic.encode()),
                   ("crm_original_partition", str(message.partition).encode()),
                   ("crm_original_offset", str(message.offset).encode())]
        destination = topics.dead_letter(message.topic)
        while True:  # losing the poison message is not an option: wait for the broker
            try:
                producer = await self.producer.get()
                await producer.send_and_wait(destination, message.value, key=message.key, headers=headers)
                break
            except KafkaError as error:
                log.warning("dead-letter publish failed, retrying: %r", error)
                await self.producer.reset()
                await asyncio.sleep(1)
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, message.topic).inc()


__all__ = ["EventConsumer", "Handler", "TopicPartition", "defer", "finish_deferred", "inbox"]
