"""Rate limits for the public survey path: per link token and per client address, on the kit's buckets.

Each replica limits on its own buckets and pools its counts with the others through PostgreSQL every few
hundred milliseconds (crm_kit.shared_limits, run by crm_survey.jobs), so N replicas admit about one
limit, not N: enough to stop a script guessing tokens or hammering one link, which is what this is for.
"""

import time
from dataclasses import dataclass

from fastapi import Request

from crm_kit.problems import Problem
from crm_kit.shared_limits import SharedBucket
from crm_survey import metrics


@dataclass
class PublicLimits:
    per_token: SharedBucket
    per_address: SharedBucket
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
        address, link = "ip:" + self.client_address(request), "t:" + token
        waits = [(self.per_address.take(address, now), self.per_address, address),
                 (self.per_token.take(link, now), self.per_token, link)]
        wait, limit, key = max(waits, key=lambda item: item[0])
        if wait:
            metrics.PUBLIC_REFUSED.inc()
            raise Problem(429, "Too Many Requests", "Too many requests; please wait a moment and try again.",
                          headers={"Retry-After": str(max(1, round(wait + 0.5))), **limit.headers(key, now)})
