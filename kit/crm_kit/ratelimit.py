"""The one home for rate limiting: a token bucket per key, refilled continuously.

Pure (no clock, no I/O): callers pass `now` from a monotonic clock, so the arithmetic is tested without
waiting. The gateway limits each API client with it and survey each public link and address; later
limits (per dealer, per channel) build on this class rather than a new copy.

Buckets live in the process. crm_kit.shared_limits makes them hold across replicas: each replica
`spend`s, on its own buckets, what the others admitted, as they report it through PostgreSQL.
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

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + max(0.0, now - at) * self.rate)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def take(self, key: str, now: float) -> float:
        """0 if the request may go (and it is counted); otherwise the seconds until one could."""
        tokens = self._level(key, now)
        waiting = tokens < 1
        self._store(key, tokens if waiting else tokens - 1, now)
        return (1 - tokens) / self.rate if waiting else 0.0

    def spend(self, key: str, count: float, now: float) -> None:
        """Take `count` tokens that other replicas admitted; a bucket may go below zero (a longer wait),
        but no further than one burst, so a client is never owed more than one burst's refill."""
        tokens = self._level(key, now)
        self._store(key, max(-self.burst, tokens - count), now)

    def remaining(self, key: str, now: float) -> tuple[int, float]:
        """Whole requests the key may still send at once, and the seconds until its bucket is full again:
        the `r` and `t` of the RateLimit header."""
        tokens = self._level(key, now)
        return max(0, int(tokens)), (self.burst - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


def policy_header(name: str, quota: int, window: int) -> str:
    """RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-10): a structured-field list item."""
    return f'"{name}";q={quota};w={window}'


def limit_header(name: str, remaining: int, reset_seconds: float) -> str:
    """RateLimit: what is left of the named policy's quota and the seconds until it is whole again."""
    return f'"{name}";r={remaining};t={max(0, int(reset_seconds + 0.999))}'
