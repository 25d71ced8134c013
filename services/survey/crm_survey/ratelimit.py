"""Rate limits for the public survey path: per link token and per client address, on the kit's buckets.

Each replica limits on its own (no shared store), so N replicas admit up to N times the rate; that is
enough to stop a script guessing tokens or hammering one link, which is what this is for.
"""

import time
from dataclasses import dataclass

from fastapi import Request

from crm_kit.problems import Problem
from crm_kit.ratelimit import TokenBucket
from crm_survey import metrics


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
        now = time.monotonic()
        wait = max(self.per_address.take("ip:" + self.client_address(request), now),
                   self.per_token.take("t:" + token, now))
        if wait:
            metrics.PUBLIC_REFUSED.inc()
            raise Problem(429, "Too Many Requests", "Too many requests; please wait a moment and try again.",
                          headers={"Retry-After": str(max(1, round(wait)))})
