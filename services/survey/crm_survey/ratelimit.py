"""In-process rate limits for the public survey path: per link token and per client address.

Each replica limits on its own (no shared store), so N replicas admit up to N times the rate; that is
enough to stop a script guessing tokens or hammering one link, which is what this is for.
"""

import time
from dataclasses import dataclass, field

from fastapi import Request

from crm_kit.problems import Problem
from crm_survey import metrics


@dataclass
class TokenBucket:
    """`per_minute` requests a minute on average, bursts up to `burst`."""

    per_minute: float
    burst: float
    max_keys: int = 100_000
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (tokens, at)

    def take(self, key: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds until the next request would be."""
        now = time.monotonic() if now is None else now
        tokens, at = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_minute / 60)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) * 60 / self.per_minute
        self.buckets[key] = (tokens - 1, now)
        if len(self.buckets) > self.max_keys:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop keys whose bucket has refilled: they would start full anyway."""
        refill = self.burst * 60 / self.per_minute
        self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < refill}


@dataclass
class PublicLimits:
    per_token: TokenBucket
    per_address: TokenBucket
    trusted_proxies: frozenset[str]

    def client_address(self, request: Request) -> str:
        """The gateway appends the address it saw to X-Forwarded-For; only a trusted proxy is believed."""
        peer = request.client.host if request.client else "unknown"
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded and peer in self.trusted_proxies:
            return forwarded.rsplit(",", 1)[-1].strip() or peer
        return peer

    def check(self, request: Request, token: str) -> None:
        wait = max(self.per_address.take("ip:" + self.client_address(request)), self.per_token.take("t:" + token))
        if wait:
            metrics.PUBLIC_REFUSED.inc()
            raise Problem(429, "Too Many Requests", "Too many requests; please wait a moment and try again.",
                          headers={"Retry-After": str(max(1, round(wait)))})
