"""The transactional outbox: events are rows written with the business change, published by a relay.

The relay claims rows with FOR UPDATE SKIP LOCKED so several replicas share the work, sends them
with an idempotent producer, then marks them published in the same transaction. A crash between
send and mark re-sends the rows later; consumers' inboxes drop the duplicates.

Staging an event also NOTIFYs the relay, in the same statement; PostgreSQL delivers the notification when
(and only if) the transaction commits, so the relay wakes at once instead of waiting for its next poll.
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from crm_contracts import REGISTRY, Envelope, Payload, new_event
from crm_kit import metrics
from crm_kit.db import Sessions, connect
from crm_kit.kafka import ProducerHolder
from crm_kit.logs import request_id

log = logging.getLogger(__name__)

# Notifications stay inside one database, i.e. one service: the name need not say whose outbox it is.
CHANNEL = "crm_outbox"
LISTEN_CHECK_SECONDS = 60  # how often an idle listening connection is checked to be still alive

kit_metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    kit_metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("envelope", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Index("outbox_unpublished", "seq", postgresql_where=sa.text("published_at IS NULL")),
    sa.Index("outbox_unpublished_key", "key", "seq", postgresql_where=sa.text("published_at IS NULL")),
)


# For code that writes outbox rows with a statement of its own: run it in the same transaction.
WAKE_RELAY = sa.select(sa.func.pg_notify(CHANNEL, ""))


async def stage(session: AsyncSession, event: Envelope, topic: str | None = None) -> None:
    """Write the event in the caller's transaction; it is published only if that transaction commits."""
    staged = outbox.insert().values(
        event_id=event.id,
        topic=topic or REGISTRY[event.type].topic,
        key=event.subject,
        type=event.type,
        envelope=event.model_dump(mode="json", exclude_none=True),
    ).returning(outbox.c.seq).cte("staged")
    # One round trip for both; several in one transaction make one notification (PostgreSQL folds them).
    await session.exec(sa.select(sa.func.pg_notify(CHANNEL, "")).select_from(staged))


def service_event(payload: Payload, subject: object, dealer_id: str, *, service: str,
                  import_job: str | None = None) -> Envelope:
    """The envelope a service sends, traced to the request (or event) being handled."""
    return new_event(payload, service=service, subject=str(subject), dealer_id=dealer_id,
                     request_id=request_id.get(), import_job=import_job)


async def stage_event(session: AsyncSession, payload: Payload, subject: object, dealer_id: str, *,
                      service: str) -> Envelope:
    """`stage` the event `payload` makes: what every use case calls to say what happened."""
    event = service_event(payload, subject, dealer_id, service=service)
    await stage(session, event)
    return event


async def stage_many(session: AsyncSession, events: Iterable[Envelope]) -> int:
    """`stage` for many events in one COPY (an import batch stages thousands); returns how many were staged."""
    records = [(event.id, REGISTRY[event.type].topic, event.subject, event.type,
                event.model_dump_json(exclude_none=True)) for event in events]
    if records:
        connection = await session.connection()
        # SQLAlchemy opens the transaction on the first statement; this one also wakes the relay on commit
        await connection.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', '')")
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.copy_records_to_table("outbox", records=records,
                                           columns=("event_id", "topic", "key", "type", "envelope"))
    return len(records)


class OutboxRelay:
    """Publishes as soon as a commit notifies it; `poll_seconds` is only the safety net for a notification
    missed while the listening connection was down (e.g. a PostgreSQL restart)."""

    def __init__(self, sessions: Sessions, producer: ProducerHolder, service: str, *,
                 batch_size: int = 500, poll_seconds: float = 5.0, retention_hours: float = 72):
        self.sessions, self.producer, self.service = sessions, producer, service
        self.batch_size, self.poll_seconds = batch_size, poll_seconds
        self.retention = timedelta(hours=retention_hours)
        self.last_success: float | None = None
        self._staged = asyncio.Event()
        self.listening = False  # False: an event waits for the poll

    async def run(self) -> None:
        listening = asyncio.create_task(self.listen(), name=f"{self.service}-outbox-listener")
        try:
            await self._relay()
        finally:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)

    async def listen(self) -> None:
        """Keep a connection LISTENing for staged events; reconnect with backoff while PostgreSQL is away."""
        url = self.sessions.kw["bind"].url.render_as_string(hide_password=False)
        failures = 0
        while True:
            try:
                connection = await connect(url)
                failures = 0
            except Exception as error:
                failures += 1
                log.warning("outbox listener cannot connect (%d in a row): %r", failures, error)
                await asyncio.sleep(min(30.0, 0.2 * 2 ** min(failures, 8)) * random.uniform(0.5, 1))
                continue
            try:
                await self._listen_on(connection)
            except Exception as error:
                log.warning("outbox listener lost its connection: %r", error)
            finally:
                self.listening = False
                connection.terminate()
            await asyncio.sleep(random.uniform(0.5, 1))  # the poll covers the gap; no tight reconnect loop

    async def _listen_on(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        await connection.add_listener(CHANNEL, lambda *_: self._staged.set())
        self.listening = True
        self._staged.set()  # whatever was staged while nobody listened
        while True:
            try:
                await asyncio.wait_for(lost.wait(), LISTEN_CHECK_SECONDS)
                return
            except TimeoutError:  # quiet for a while: make sure the connection is still there
                await asyncio.wait_for(connection.execute("SELECT 1"), 10)

    async def _relay(self) -> None:
        failures = 0
        last_housekeeping = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                self._staged.clear()  # a commit from now on wakes the wait below, even one during this round
                published = await self.relay_once()
                failures = 0
                self.last_success = loop.time()
                if loop.time() - last_housekeeping > 5:
                    await self.housekeeping()
                    last_housekeeping = loop.time()
                if published < self.batch_size:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._staged.wait(), self.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                metrics.PUBLISH_FAILURES.labels(self.service).inc()
                log.warning("outbox relay failed (%d in a row): %r", failures, error)
                await self.producer.reset()
                await asyncio.sleep(min(30.0, 0.2 * 2 ** min(failures, 8)) * random.uniform(0.5, 1))

    async def relay_once(self) -> int:
        failed: list[int] = []
        try:
            async with self.sessions() as session, session.begin():
                rows = await self._claim(session)
                if not rows:
                    return 0
                seqs = [row.seq for row in rows]
                try:
                    await self.publish(rows)
                except Exception:
                    failed = seqs
                    raise
                await self.mark_published(session, seqs)
        except Exception as error:
            if failed:  # recorded after the rollback released the claimed rows
                await self._record_failure(failed, error)
            raise
        for row in rows:
            metrics.EVENTS_PUBLISHED.labels(self.service, row.type).inc()
        return len(rows)

    async def _claim(self, session: AsyncSession) -> list[sa.Row]:
        claimed = (await session.exec(
            # the envelope as JSON text, sent as it is: decoding and re-encoding it cost more than the send
            sa.select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.type, outbox.c.event_id,
                      sa.cast(outbox.c.envelope, sa.Text).label("envelope"))
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )).all()
        if not claimed:
            return []
        # Keep per-customer order across replicas: a key whose earlier row another relay holds waits.
        first_claimed = {}
        for row in claimed:
            first_claimed.setdefault(row.key, row.seq)
        earliest = dict((await session.exec(
            sa.select(outbox.c.key, sa.func.min(outbox.c.seq))
            .where(outbox.c.published_at.is_(None), outbox.c.key.in_(list(first_claimed)))
            .group_by(outbox.c.key)
        )).all())
        return [row for row in claimed if earliest.get(row.key, row.seq) >= first_claimed[row.key]]

    async def publish(self, rows: list[sa.Row]) -> None:
        producer = await self.producer.get()
        deliveries = []
        for row in rows:
            headers = [("ce_type", row.type.encode()), ("ce_id", str(row.event_id).encode())]
            deliveries.append(await producer.send(row.topic, row.envelope.encode(), key=row.key.encode(),
                                                  headers=headers))
        await asyncio.gather(*deliveries)

    async def mark_published(self, session: AsyncSession, seqs: list[int]) -> None:
        await session.exec(
            outbox.update().where(outbox.c.seq.in_(seqs)).values(published_at=sa.func.now())
        )

    async def _record_failure(self, seqs: list[int], error: Exception) -> None:
        async with self.sessions() as session, session.begin():
            await session.exec(outbox.update().where(outbox.c.seq.in_(seqs)).values(
                attempts=outbox.c.attempts + 1, last_error=repr(error)[:2000]))

    async def housekeeping(self) -> None:
        """Refresh the backlog gauges and drop rows published longer ago than the retention."""
        async with self.sessions() as session, session.begin():
            backlog, oldest = (await session.exec(
                sa.select(sa.func.count(), sa.func.min(outbox.c.created_at))
                .where(outbox.c.published_at.is_(None))
            )).one()
            await session.exec(outbox.delete().where(
                outbox.c.published_at < datetime.now(UTC) - self.retention))
        metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)
