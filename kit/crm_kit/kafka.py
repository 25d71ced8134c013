"""One idempotent Kafka producer per process, started lazily and rebuilt after failures.

aiokafka clients can hang on stale metadata after a broker restart (aiokafka#551, #1154), so a
failing send resets the producer instead of trusting it to recover by itself.
"""

import asyncio
import logging

from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)


class ProducerHolder:
    def __init__(self, bootstrap_servers: str, client_id: str, request_timeout_ms: int = 15_000):
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.request_timeout_ms = request_timeout_ms
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.bootstrap_servers,
                    client_id=self.client_id,
                    enable_idempotence=True,  # implies acks=all; the broker drops our own retried duplicates
                    acks="all",
                    # No linger: the relay hands the producer a whole claimed batch before it awaits any delivery,
                    # and while one request is in flight the next batch fills by itself, so batches form at high
                    # rates anyway; a linger would only hold back a lone event at low rates (up to its 5 ms).
                    linger_ms=0,
                    # One request in flight per broker, one batch per partition in it: the batch size bounds
                    # what a relay can publish per round trip (16 KiB by default, about 30 events).
                    max_batch_size=512 * 1024,
                    request_timeout_ms=self.request_timeout_ms,
                )
                try:
                    await asyncio.wait_for(producer.start(), self.request_timeout_ms / 1000)
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def reset(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except Exception as error:  # a half-dead client may fail to stop; it is dropped either way
                log.warning("producer stop failed: %r", error)

    async def ping(self, within: float = 3) -> None:
        """Raise unless the broker answers a metadata request now."""
        producer = await self.get()
        await asyncio.wait_for(producer.client.fetch_all_metadata(), within)

    async def close(self) -> None:
        await self.reset()
