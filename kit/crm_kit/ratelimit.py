"""The one home for rate limiting: a token bucket per key, refilled continuously.

Pure (no clock, no I/O): callers pass `now` from a monotonic clock, so the arithmetic is tested without
waiting. The gateway limits each API client with it and survey each public link and address; later
limits (per dealer, per channel, shared across replicas) build on this class rather than a new copy.

Buckets live in the process: with n replicas a key gets up to n times the rate.
"""

from collections import OrderedDict


class TokenBucket:
    """`rate` requests a second on average, bursts up to `burst`, for each key.

    Beyond `max_keys` the least recently seen keys are forgotten, which only ever refills their bucket.
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 100_000):
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and room for at least one request")
        self.rate, self.burst, self.max_keys = rate, float(burst), max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    @classmethod
    def per_minute(cls, per_minute: float, burst: float, max_keys: int = 100_000) -> "TokenBucket":
        return cls(per_minute / 60, burst, max_keys)

    def take(self, key: str, now: float) -> float:
        """0 if the request may go (and it is counted); otherwise the seconds until one could."""
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
        waiting = tokens < 1
        self._buckets[key] = (tokens if waiting else tokens - 1, now)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return (1 - tokens) / self.rate if waiting else 0.0

    def __len__(self) -> int:
        return len(self._buckets)
